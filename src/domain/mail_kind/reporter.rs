//! Mails to a reporter: the acknowledgement, the team's replies and the
//! report's status changes, all in the report's thread.

use super::{Audience, Entry, Variable};

const REPORT_ID: Variable = Variable {
    name: "report_id",
    description: "the report's id",
    example: r#""rpt_7m3kq9xe2wd4hn8p""#,
};

const TITLE: Variable = Variable {
    name: "title",
    description: "the report's title as the reporter wrote it",
    example: r#""Path traversal in the archive extractor""#,
};

const STATUS: Variable = Variable {
    name: "status",
    description: "the report's status now: `new`, `triaging`, `accepted`, `duplicate`, `invalid` or `out-of-scope`",
    example: r#""accepted""#,
};

pub(super) const REPORT_RECEIVED: Entry = Entry {
    audience: Audience::Reporter,
    purpose: "The acknowledgement (\"report received\"): sent to the reporter, if they gave an address, as soon as a report arrives by web, API or mail, with the private tracking link.",
    variables: &[
        REPORT_ID,
        TITLE,
        Variable {
            name: "reporter_name",
            description: "the reporter's name, if given (else null)",
            example: r#""Alice Example""#,
        },
        Variable {
            name: "tracking_url",
            description: "the reporter's private tracking page; anyone with it reads the report",
            example: r#""https://security.example.org/track/example-tracking-token""#,
        },
        Variable {
            name: "first_response_days",
            description: "days within which the team aims to answer (`triage.first_response_days`)",
            example: "3",
        },
    ],
    required: &["tracking_url"],
};

pub(super) const REPORT_REPLY: Entry = Entry {
    audience: Audience::Reporter,
    purpose: "The reply from the team: sent to the reporter when an admin answers on the report's page, threaded so that the reporter's answer comes back to the report.",
    variables: &[
        REPORT_ID,
        TITLE,
        STATUS,
        Variable {
            name: "body",
            description: "the admin's message, as written",
            example: r#""Thank you, we could reproduce it with your archive. A fix is planned for 2.4.1; may we credit you as Alice Example?""#,
        },
    ],
    required: &["body"],
};

pub(super) const REPORT_STATUS_CHANGED: Entry = Entry {
    audience: Audience::Reporter,
    purpose: "\"Status changed\": sent to the reporter when an admin moves the report to a new status, with the reason the admin gave.",
    variables: &[
        REPORT_ID,
        TITLE,
        STATUS,
        Variable {
            name: "reason",
            description: "why, as the admin wrote it (may be empty)",
            example: r#""Confirmed: versions before 2.4.1 write outside the target directory.""#,
        },
    ],
    required: &["status", "reason"],
};
