"""Makes one of each record through the API, so that schemathesis reaches
what lies behind an id (.ci/schemathesis), and prints the schemathesis
configuration that names them: a report with a reporter's attachment, a
member with two contacts, a draft and an embargoed advisory announced to
the member, a patch, a test report with a file, a task, a leak, an
application, two shares, a template version, and the links mailed for
setting up an account and confirming the application. The member
contact's own operations run with their token, a share's acceptance with
its invitee's.

    EMBARGO_DATA=DIR python3 .ci/schemathesis_seed.py URL TOKEN > seed.toml
"""

import glob
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from schemathesis_keys import make_keys  # noqa: E402

BASE, TOKEN = sys.argv[1], sys.argv[2]


def call(method, path, body=None, token=TOKEN):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
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
call("POST", f"/api/v1/track/{track}/messages", {
    "body": "A reproducer.", "attachments": [{"filename": "poc.txt", "content_base64": "cG9jCg=="}],
}, token="")
attachment = call("GET", f"/api/v1/reports/{report['id']}")["attachments"][0]["id"]

key = make_keys(["st-seed@example.org"])["st-seed@example.org"]
member = call("POST", "/api/v1/members", {
    "organization": "Seed Distro", "website": "https://seed.example",
    "security_alias": "security@seed.example",
    "contacts": [{"name": "Seed Contact", "email": "st-seed@example.org", "openpgp_key": key},
                 {"name": "Second Contact", "email": "st-second@example.org"}],
})["id"]
def token_of(user):
    return subprocess.run(
        ["target/debug/embargo", "token", "create", "--user", user],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]


member_token = token_of("st-seed@example.org")
mine = call("GET", "/api/v1/me/member", token=member_token)
contacts = {c["email"]: c["account_id"] for c in mine["contacts"]}
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
call("POST", "/api/v1/policy/accept", {"version": call("GET", "/api/v1/policy")["version"]}, token=member_token)
# Two shares: one its invitee accepts (with their token), one to revoke.
accepted_share, share = (call("POST", f"/api/v1/advisories/{embargoed}/shares", {
    "email": email, "name": "A Colleague", "reason": "builds the package",
}, token=member_token)["id"] for email in ("st-colleague@example.org", "st-revoked@example.org"))
test_report = call("POST", f"/api/v1/advisories/{embargoed}/test-reports", {
    "result": "works", "tested": "1.2.3 on amd64",
    "attachments": [{"filename": "build.log", "content_base64": "b2sK"}],
}, token=member_token)["id"]
spare_token = call("POST", "/api/v1/tokens", {"name": "spare, for DELETE /api/v1/tokens/{id}"})["id"]
job = call("GET", "/api/v1/jobs")["items"][0]["id"]
template = call("GET", "/api/v1/templates?limit=1")["items"][0]["name"]
# Version 1 of its English text, for revert (the hooks ask for it).
current = call("GET", f"/api/v1/templates/{template}")
call("PUT", f"/api/v1/templates/{template}", {
    k: current[k] for k in ("subject", "text", "html") if current.get(k) is not None
} | {"reason": "seed"})


def mailed_link(to, route):
    """The token of the link to `route` in the mail to `to`, once it is sent."""
    outbox = os.path.join(os.environ["EMBARGO_DATA"], "outbox")
    for _ in range(120):
        for path in glob.glob(os.path.join(outbox, "*.eml")):
            text = open(path, encoding="utf-8", errors="replace").read()
            found = re.search(re.escape(route) + r"/([A-Za-z0-9_-]+)", text)
            if to in text and found:
                return found.group(1)
        time.sleep(0.5)
    sys.exit(f"seed: no mail to {to} with a {route} link")


delegate_token = token_of("st-colleague@example.org")
setup_token = mailed_link("st-other@example.org", "/setup")
confirm_token = mailed_link("security@applicant.example", "/applications/confirm")

# Most specific first: the first block that matches an operation names its ids.
member_paths = r"^/api/v1/(me/member(/contacts.*)?|policy/accept)$"
blocks = [
    (member_paths, {"path.id": contacts["st-second@example.org"]}),
    (r"^/api/v1/shares/\{id\}/accept$", {"path.id": accepted_share}),
    (r"^/api/v1/members/\{id\}/contacts/\{contact\}/clear-text$",
     {"path.id": member, "path.contact": contacts["st-seed@example.org"]}),
    (r"^/api/v1/reports/\{id\}/attachments/\{attachment\}$",
     {"path.id": report["id"], "path.attachment": attachment}),
    (r"^/api/v1/track/\{token\}/attachments/\{attachment\}$",
     {"path.token": track, "path.attachment": attachment}),
    (r"^/api/v1/shares/\{id\}$", {"path.id": share}),
    (r"^/api/v1/jobs/\{id\}/retry$", {"path.id": job}),
    (r"^/api/v1/tokens/\{id\}$", {"path.id": spare_token}),
    (r"^/api/v1/templates/\{name\}(/.*)?$", {"path.name": template}),
    (r"^/api/v1/setup/\{token\}$", {"path.token": setup_token}),
    (r"^/api/v1/applications/confirm/\{token\}$", {"path.token": confirm_token}),
    (r"^/api/v1/advisories/\{id\}/patches/\{patch\}$", {"path.id": embargoed, "path.patch": patch}),
    (r"^/api/v1/advisories/\{id\}/test-reports/\{report\}/attachments/\{n\}$",
     {"path.id": embargoed, "path.report": test_report, "path.n": 0}),
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
    token = {member_paths: member_token, r"^/api/v1/shares/\{id\}/accept$": delegate_token}.get(regex)
    if token:
        print(f'headers = {{ Authorization = "Bearer {token}" }}')
    print()
print(f"# draft advisory {draft}, second member {other}", file=sys.stderr)
