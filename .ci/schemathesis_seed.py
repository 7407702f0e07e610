"""Makes one of each record through the API, so that schemathesis reaches
what lies behind an id (.ci/schemathesis), and prints the schemathesis
configuration that names them: a report, a member with a contact, a draft
and an embargoed advisory announced to the member, a patch, a task, a
leak and an application.

    python3 .ci/schemathesis_seed.py URL TOKEN > seed.toml
"""

import json
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from schemathesis_keys import make_keys  # noqa: E402

BASE, TOKEN = sys.argv[1], sys.argv[2]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method, headers={
        "Authorization": "Bearer " + TOKEN,
        "Content-Type": "application/json",
    })
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:
        sys.exit(f"seed: {method} {path} answered {e.code}: {e.read().decode(errors='replace')}")


report = call("POST", "/api/v1/reports", {
    "title": "Seeded report", "description": "For schemathesis.",
    "reporter_email": "reporter@example.org",
})
track = report["tracking_url"].rsplit("/", 1)[1]

key = make_keys(["st-seed@example.org"])["st-seed@example.org"]
member = call("POST", "/api/v1/members", {
    "organization": "Seed Distro", "website": "https://seed.example",
    "security_alias": "security@seed.example",
    "contacts": [{"name": "Seed Contact", "email": "st-seed@example.org", "openpgp_key": key}],
})["id"]
other = call("POST", "/api/v1/members", {
    "organization": "Other Distro", "website": "https://other.example",
    "security_alias": "security@other.example",
    "contacts": [{"name": "Other Contact", "email": "st-other@example.org"}],
})["id"]

draft = call("POST", "/api/v1/advisories", {"summary": "Seeded draft", "report_id": report["id"]})["id"]
embargoed = call("POST", "/api/v1/advisories", {"summary": "Seeded embargoed advisory",
                                                 "details": "Details."})["id"]
call("POST", f"/api/v1/advisories/{embargoed}/embargo", {
    "until": "2100-01-01T12:00:00Z", "time_zone": "UTC", "reason": "seed",
    "override_reason": "a far embargo for the test run",
})
announcement = call("POST", f"/api/v1/advisories/{embargoed}/announcements", {"members": [member]})["id"]
patch = call("POST", f"/api/v1/advisories/{embargoed}/patches", {
    "filename": "fix.patch", "content_base64": "LS0tIGEKKysrIGIK",
})["id"]
task = call("POST", f"/api/v1/advisories/{embargoed}/tasks", {
    "kind": "review_patch", "title": "Review the fix", "primary": member, "backup": other,
    "due": "2099-06-01T12:00:00Z",
})["id"]
leak = call("POST", "/api/v1/leaks", {
    "advisory_id": embargoed, "member_id": member, "what": "the patch", "to_whom": "a forum",
})["id"]
application = call("POST", "/api/v1/applications", {
    "organization": "Applicant", "website": "https://applicant.example",
    "security_alias": "security@applicant.example",
    "contacts": [{"name": "Applicant Contact", "email": "st-applicant@example.org"}],
    "criteria": {c["key"]: "yes" for c in call("GET", "/api/v1/criteria")["items"]},
    "voucher": member,
})
status_token = application["status_url"].rsplit("/", 1)[1]

# Most specific first: the first block that matches an operation names its ids.
blocks = [
    (r"^/api/v1/advisories/\{id\}/patches/\{patch\}$", {"path.id": embargoed, "path.patch": patch}),
    (r"^/api/v1/advisories/\{id\}(/.*)?$", {"path.id": embargoed}),
    (r"^/api/v1/announcements/\{id\}$", {"path.id": announcement}),
    (r"^/api/v1/applications/status/\{token\}$", {"path.token": status_token}),
    (r"^/api/v1/applications/\{id\}(/.*)?$", {"path.id": application["id"]}),
    # The other member is the one removed: the first's contact's token
    # serves the member contact's own operations all run long.
    (r"^/api/v1/members/\{id\}/removal$", {"path.id": other}),
    (r"^/api/v1/members/\{id\}(/(?!removal$)[a-z]+)?$", {"path.id": member}),
    (r"^/api/v1/leaks/\{id\}(/.*)?$", {"path.id": leak}),
    (r"^/api/v1/tasks/\{id\}(/.*)?$", {"path.id": task}),
    (r"^/api/v1/track/\{token\}(/messages)?$", {"path.token": track}),
    (r"^/api/v1/reports/\{id\}(/[a-z]+)?$", {"path.id": report["id"]}),
]
print("\n# Made by .ci/schemathesis_seed.py for this run.")
for regex, params in blocks:
    print("[[operations]]")
    print(f"include-path-regex = {json.dumps(regex)}")
    print("parameters = { " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in params.items()) + " }")
    print()
print(f"# draft advisory {draft}, second member {other}", file=sys.stderr)
