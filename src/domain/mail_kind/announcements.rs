//! The advisory's own mails: the embargoed announcement to the list with
//! its stand-in notice and follow-ups, one delivery per contact, and the
//! public announcement when it is published.

use super::{Audience, Entry, Variable};

const ID: Variable = Variable {
    name: "id",
    description: "the advisory's id",
    example: r#""SA-2026-0042""#,
};

const SUMMARY: Variable = Variable {
    name: "summary",
    description: "the advisory's one-line summary",
    example: r#""Path traversal in the archive extractor""#,
};

const LINK: Variable = Variable {
    name: "link",
    description: "the advisory on the members' pages, after logging in",
    example: r#""https://security.example.org/member/advisories/SA-2026-0042""#,
};

const KEY_LINK: Variable = Variable {
    name: "key_link",
    description: "the contact's member page, where a key is uploaded",
    example: r#""https://security.example.org/member""#,
};

const TRACKING_ID: Variable = Variable {
    name: "tracking_id",
    description: "this copy's delivery id, which ties a leaked copy to its recipient",
    example: r#""dlv_3kx8q2mw9re4tn7h""#,
};

const EMBARGO: Variable = Variable {
    name: "embargo",
    description: "the embargo's end: `utc`, `local` (in the agreed zone) and `zone`; null without an embargo",
    example: r#"{"utc": "2026-12-08 14:00 UTC", "local": "2026-12-08 15:00 CET (+01:00)", "zone": "Europe/Berlin"}"#,
};

const ENCRYPTED: Variable = Variable {
    name: "encrypted",
    description: "true when this copy is encrypted to the contact (or, for a leak notice, may name the advisory in clear)",
    example: "true",
};

pub(super) const ANNOUNCEMENT: Entry = Entry {
    audience: Audience::Members,
    purpose: "The announcement: the embargoed advisory, sent to every cleared contact of the list when an admin announces it, one signed copy each, encrypted to the contact's key (or in clear where an admin allowed it), worded per copy.",
    variables: &[
        ID,
        LINK,
        Variable {
            name: "advisory",
            description: "the advisory, shaped like OSV: `summary`, `details`, `aliases`, `severity` (`type`, `score`), `affected` (`package`, `ranges`, `versions`), `credits`, `references`, `database_specific.cwe_ids`",
            example: r#"{
                "summary": "Path traversal in the archive extractor",
                "details": "Entries whose names contain `../` are written outside the target directory, so whoever supplies an archive can overwrite any file the extracting user may write.",
                "aliases": ["CVE-2026-41234"],
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N"}],
                "affected": [{"package": {"ecosystem": "crates.io", "name": "example-archive"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.4.1"}]}]}],
                "credits": [{"name": "Alice Example", "type": "FINDER"}],
                "references": [{"type": "FIX", "url": "https://github.com/example/archive/commit/4f1c2e9"}],
                "database_specific": {"cwe_ids": ["CWE-22"]}
            }"#,
        },
        Variable {
            name: "note",
            description: "the admins' note to the list with this announcement (may be empty)",
            example: r#""Distributions shipping 2.x: the fix applies cleanly to 2.3 as well.""#,
        },
        TRACKING_ID,
        EMBARGO,
        Variable {
            name: "patches",
            description: "true when patches are attached",
            example: "true",
        },
        Variable {
            name: "vary",
            description: "this copy's wording of each fixed phrase, by name: `head`, `why`, `ends`, `zone`, `keep`, `policy`, `web`, `note`, `summary`, `aliases`, `severity`, `weakness`, `affected`, `credits`, `references`, `patches`, `leak`, `questions`, `testing`, `signoff`; a pasted copy names its recipient by them",
            example: r#"{
                "head": "EMBARGOED:",
                "why": "You receive this as a contact of a member of the list.",
                "ends": "Embargo ends:",
                "zone": "(agreed zone",
                "keep": "Keep this to yourself and those who need to know until then",
                "policy": "as the list policy says.",
                "web": "Read it on the web, with its patches:",
                "note": "Note from the",
                "summary": "Summary:",
                "aliases": "Identifiers:",
                "severity": "Severity:",
                "weakness": "Weakness:",
                "affected": "Affected:",
                "credits": "Credits:",
                "references": "References:",
                "patches": "The patches are attached.",
                "leak": "If it leaks, tell us at once what leaked and to whom.",
                "questions": "Questions go to the security team by reply.",
                "testing": "Test reports are welcome, also when all is well.",
                "signoff": "-- The"
            }"#,
        },
    ],
    required: &["link"],
};

pub(super) const ANNOUNCEMENT_NOTICE: Entry = Entry {
    audience: Audience::Members,
    purpose: "The missed-message notice: sent instead of the announcement to a contact with no usable OpenPGP key (and no clear text allowed); it names nothing of the advisory and links to it on the web.",
    variables: &[LINK, KEY_LINK],
    required: &["link"],
};

pub(super) const EMBARGO_CHANGED: Entry = Entry {
    audience: Audience::Members,
    purpose: "\"Embargo changed\": sent to every contact who got the announcement when an admin moves the embargo's end, encrypted like it; a contact without a key gets a notice that names nothing.",
    variables: &[
        ID,
        LINK,
        KEY_LINK,
        SUMMARY,
        Variable {
            name: "reason",
            description: "why the embargo moved, as the admin wrote it (may be empty)",
            example: r#""The upstream release moved by a week to include a second fix.""#,
        },
        ENCRYPTED,
        Variable {
            name: "clear",
            description: "true when this copy goes in clear, as an admin allowed for this contact",
            example: "false",
        },
        TRACKING_ID,
        EMBARGO,
    ],
    required: &["embargo", "link"],
};

pub(super) const EMBARGO_LIFTED: Entry = Entry {
    audience: Audience::Members,
    purpose: "\"Embargo lifted\": sent, in clear, to every contact who got the announcement when the advisory is published.",
    variables: &[
        ID,
        SUMMARY,
        Variable {
            name: "url",
            description: "the public advisory",
            example: r#""https://security.example.org/advisories/SA-2026-0042""#,
        },
        TRACKING_ID,
    ],
    required: &["url"],
};

pub(super) const LEAK_NOTICE: Entry = Entry {
    audience: Audience::Members,
    purpose: "The leak notice: sent to every contact who got the announcement when the team tells the list about a leak, encrypted like it; a contact without a key gets a notice that names nothing.",
    variables: &[
        ID,
        LINK,
        KEY_LINK,
        SUMMARY,
        Variable {
            name: "text",
            description: "the team's notice, as written",
            example: r#""A draft of the fix was pushed to a public mirror for two hours. The embargo holds; please do not refer to the mirror.""#,
        },
        ENCRYPTED,
        TRACKING_ID,
    ],
    required: &["text"],
};

pub(super) const ADVISORY_PUBLISHED: Entry = Entry {
    audience: Audience::Public,
    purpose: "The public announcement: sent when an advisory is published, at its embargo's end or by hand, to `advisories.announce_address` if one is set; everything in it is public.",
    variables: &[
        ID,
        SUMMARY,
        Variable {
            name: "details",
            description: "the advisory's details",
            example: r#""Entries whose names contain `../` are written outside the target directory, so whoever supplies an archive can overwrite any file the extracting user may write.""#,
        },
        Variable {
            name: "url",
            description: "the public advisory, with its OSV and CSAF documents",
            example: r#""https://security.example.org/advisories/SA-2026-0042""#,
        },
        Variable {
            name: "aliases",
            description: "other ids of the vulnerability (CVE, GHSA)",
            example: r#"["CVE-2026-41234"]"#,
        },
        Variable {
            name: "severity",
            description: "scored severities: `type`, `score` (the vector), `base_score`, `rating`",
            example: r#"[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N", "base_score": 6.5, "rating": "MEDIUM"}]"#,
        },
        Variable {
            name: "fixed_versions",
            description: "the versions that fix it",
            example: r#"["2.4.1"]"#,
        },
    ],
    required: &["url"],
};
