"""Files a report with the client generated from embargo's OpenAPI document
and reads it back as an admin: argv is BASE_URL ADMIN_TOKEN. Prints the
report's id."""

import json
import sys

from embargo_api_client import AuthenticatedClient, Client
from embargo_api_client.api.reports import create_report, get_report, list_reports
from embargo_api_client.models import ReportRequest

base, token = sys.argv[1], sys.argv[2]

created = create_report.sync_detailed(
    client=Client(base_url=base),
    body=ReportRequest(
        title="Filed with a generated client",
        description="The parser overflows on long headers.",
        affected_versions="1.2",
    ),
)
assert created.status_code == 201, (created.status_code, created.content)
report_id = created.parsed.id
assert created.parsed.tracking_url.startswith("http"), created.parsed

admin = AuthenticatedClient(base_url=base, token=token)
read = get_report.sync_detailed(client=admin, id=report_id)
assert read.status_code == 200, (read.status_code, read.content)
assert json.loads(read.content)["report"]["title"] == "Filed with a generated client"

# The typed list: a page of the inbox as a model, with its cursor.
page = list_reports.sync(client=admin, limit=1)
assert [item.id for item in page.items] == [report_id], page
assert page.next_cursor is None, page
print(report_id)
