"""Teaches schemathesis the rules of embargo's API that a JSON Schema
cannot state, so that what it generates as valid is valid (.ci/schemathesis).

Each rule here is written in the OpenAPI document too, in the field's
description or its `format`:

- `openpgp-public-key`: a real certificate with an encryption key and a
  user id of the address it is given for (the caller's, or the contact's
  `email` in the same object);
- `iana-time-zone`: a name of the bundled time zone database;
- `embargo-until`: an RFC 3339 instant, or a local time its zone neither
  skips nor repeats; `rfc3339-instant`: an RFC 3339 instant with offset;
- the text of a mail template uses the variables that template requires
  (`GET /api/v1/templates` lists them) and only minijinja syntax that
  parses;
- an advisory's OSV content: a CVSS vector of the version its `type`
  names, CWE ids in the catalogue, range events by the range's type
  (SemVer or commit hashes, an `introduced` one, not both `fixed` and
  `last_affected`), `repo` for a GIT range, ranges or versions in each
  `affected` entry;
- contacts of one organisation have different addresses; criteria keys
  are used once; a dropped retrospective action gives its reason; a
  report moved to any status but `triaging` says why; a review that
  removes a member says why; a reporter's message has text or a file;
  an account is set up with a `totp` code only if it is the current one.

Reads ST_EMBARGO_URL and ST_EMBARGO_TOKEN (the server under test and an
admin's token) and ST_EMBARGO_CALLER (the token's address).
"""

import json
import os
import re
import sys
import urllib.request

import schemathesis
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from schemathesis_keys import make_keys  # noqa: E402

BASE = os.environ["ST_EMBARGO_URL"]
TOKEN = os.environ["ST_EMBARGO_TOKEN"]
CALLER = os.environ["ST_EMBARGO_CALLER"]


def _get(path):
    req = urllib.request.Request(BASE + path, headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


CONTACT_KEYS = make_keys([CALLER] + [f"st-contact-{i}@example.org" for i in range(8)])
ADDRESS_OF = {armored: address for address, armored in CONTACT_KEYS.items()}

schemathesis.openapi.format("openpgp-public-key", st.sampled_from(sorted(CONTACT_KEYS.values())))

_instants = st.datetimes(
    min_value=__import__("datetime").datetime(2000, 1, 1),
    max_value=__import__("datetime").datetime(2200, 1, 1),
)
# Zones of the bundled database (the document names the format; the list
# is the server's). Python's own list may differ by a release.
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Etc/GMT+12"]
schemathesis.openapi.format("iana-time-zone", st.sampled_from(ZONES))

_offsets = st.sampled_from(["Z", "+02:00", "-05:30"])
schemathesis.openapi.format(
    "rfc3339-instant",
    st.builds(lambda d, o: d.strftime("%Y-%m-%dT%H:%M:%S") + o, _instants, _offsets),
)
schemathesis.openapi.format(
    "embargo-until",
    st.one_of(
        _instants.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
        _instants.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S+02:00")),
        # Noon is never skipped or repeated by a zone's changes.
        _instants.map(lambda d: d.strftime("%Y-%m-%dT12:00")),
    ),
)

# What the `embargo-until` strategy makes; the coverage phase ignores it.
_UNTIL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(Z|\+02:00))?$")

_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")

REQUIRED = {t["name"]: t["required"] for t in _get("/api/v1/templates?limit=200")["items"]}


def _positive(case):
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive


def _plain(text):
    """Generated text with no template syntax in it; never blank."""
    out = "".join(c for c in text if c not in "{}%#")
    return out if out.strip() else "text"


# Valid vectors of each type, and ids the CWE catalogue has: a generated
# vector or id almost never is one.
VECTORS = {
    "CVSS_V3": ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N"],
    "CVSS_V4": ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"],
}
CWES = ["CWE-20", "CWE-22", "CWE-79", "CWE-89", "CWE-787"]
VERSIONS = {
    "SEMVER": {"introduced": "1.0.0", "fixed": "1.2.3", "last_affected": "1.2.2", "limit": "2.0.0"},
    "GIT": {kind: c * 40 for kind, c in [("introduced", "a"), ("fixed", "b"), ("last_affected", "c"), ("limit", "d")]},
}


def _valid_content(body):
    """An advisory's content made to keep the rules its document states."""
    for i, sev in enumerate(body.get("severity") or []):
        if isinstance(sev, dict) and sev.get("type") in VECTORS:
            choices = VECTORS[sev["type"]]
            sev["score"] = choices[i % len(choices)]
    specific = body.get("database_specific")
    if isinstance(specific, dict) and isinstance(specific.get("cwe_ids"), list):
        specific["cwe_ids"] = [CWES[i % len(CWES)] for i in range(len(specific["cwe_ids"]))]
    for entry in body.get("affected") or []:
        if not isinstance(entry, dict):
            continue
        ranges = [r for r in entry.get("ranges") or [] if isinstance(r, dict)]
        for r in ranges:
            events = [e for e in r.get("events") or [] if isinstance(e, dict) and len(e) == 1]
            if not any("introduced" in e for e in events):
                events.insert(0, {"introduced": "0"})
            if any("fixed" in e for e in events):
                events = [{"fixed": v} if k == "last_affected" else {k: v} for e in events for k, v in e.items()]
            for e in events:
                ((kind, version),) = e.items()
                if r.get("type") in VERSIONS and (kind, version) != ("introduced", "0"):
                    e[kind] = VERSIONS[r["type"]][kind]
                elif not str(version).strip():
                    e[kind] = "1"
            r["events"] = events
            if r.get("type") == "GIT":
                r["repo"] = "https://example.org/repo.git"
        if not ranges and not [v for v in entry.get("versions") or [] if str(v).strip()]:
            entry["versions"] = ["1.0.0"]


@schemathesis.hook("before_call")
def valid_as_the_rules_say(ctx, case, **kwargs):
    if not _positive(case) or not isinstance(case.body, dict):
        return
    body, path, method = case.body, case.operation.path, case.method.upper()
    # Boundary cases (the coverage phase) ignore a custom format.
    if path == "/api/v1/me/keys" and body.get("armored") not in ADDRESS_OF:
        body["armored"] = CONTACT_KEYS[CALLER]
    if path in ("/api/v1/templates/{name}", "/api/v1/templates/{name}/preview") and method in ("PUT", "POST"):
        for part in ("subject", "text", "html"):
            if isinstance(body.get(part), str):
                body[part] = _plain(body[part])
        if isinstance(body.get("text"), str):
            needed = REQUIRED.get(case.path_parameters.get("name"), [])
            body["text"] += "".join(f" {{{{ {name} }}}}" for name in needed)
    if path in ("/api/v1/advisories", "/api/v1/advisories/{id}") and method in ("POST", "PATCH"):
        _valid_content(body)
    if path in ("/api/v1/members", "/api/v1/applications") and isinstance(body.get("contacts"), list):
        seen = set()
        for contact in body["contacts"]:
            if not isinstance(contact, dict):
                continue
            key = contact.get("openpgp_key")
            if isinstance(key, str) and key and key not in ADDRESS_OF:
                key = contact["openpgp_key"] = ""
            if isinstance(key, str) and key in ADDRESS_OF:
                if ADDRESS_OF[key] in seen:
                    contact["openpgp_key"] = ""
                else:
                    contact["email"] = ADDRESS_OF[key]
            email = contact.get("email")
            if isinstance(email, str):
                folded = email.strip(" \t\n\r").lower()
                while folded in seen:
                    email = "x" + email.strip(" \t\n\r")
                    folded = email.lower()
                contact["email"] = email
                seen.add(folded)
    if path == "/api/v1/criteria" and isinstance(body.get("items"), list):
        seen = set()
        for item in body["items"]:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                n = 0
                while item["key"] in seen:
                    item["key"], n = f"k{n}", n + 1
                seen.add(item["key"])
    if path == "/api/v1/leaks/{id}/retrospective" and isinstance(body.get("actions"), list):
        for action in body["actions"]:
            if isinstance(action, dict) and str(action.get("state", "")).strip() == "dropped":
                if not str(action.get("reason", "")).strip():
                    action["reason"] = "no longer needed"
    if path == "/api/v1/reports/{id}/status" and body.get("status") != "triaging":
        if not str(body.get("reason", "")).strip():
            body["reason"] = "why"
    if path == "/api/v1/members/{id}/reviews" and body.get("outcome") == "remove":
        if not str(body.get("notes", "")).strip():
            body["notes"] = "why"
    if path == "/api/v1/track/{token}/messages" and not str(body.get("body", "")).strip():
        if not body.get("attachments"):
            body["body"] = "a message"
    if path == "/api/v1/advisories/{id}/embargo" and not _UNTIL.match(str(body.get("until", ""))):
        body["until"] = "2100-01-01T12:00:00Z"
    # Boundary cases ignore the format's generator.
    if path == "/api/v1/advisories/{id}/embargo" and body.get("time_zone") not in ZONES:
        body["time_zone"] = "UTC"
    if path == "/api/v1/me/time-zone" and body.get("time_zone") not in ZONES + ["", None]:
        body["time_zone"] = "Europe/Berlin"
    if path == "/api/v1/advisories/{id}/tasks":
        if not _INSTANT.match(str(body.get("due", ""))):
            body["due"] = "2100-01-01T12:00:00Z"
        if body.get("primary") is not None and body.get("primary") == body.get("backup"):
            body["backup"] = "mem_" + ("b" if not str(body["primary"]).strip().startswith("mem_b") else "c") * 16
    # The seed saved version 1 of the template's English text; other
    # numbers and languages name nothing to revert to.
    if path == "/api/v1/templates/{name}/revert":
        body["version"] = 1
        body.pop("lang", None)
    # A current TOTP code is one no generator guesses.
    if path == "/api/v1/setup/{token}":
        body["totp"] = body["totp_secret"] = ""
