//! Mails about a task the team asks of a member: to its primary, to its
//! backup, and to the admins when it is missed. They go out unencrypted,
//! so they carry ids, the kind and the due instant, never the task's title.

use super::{Audience, Entry, Variable};

const TASK_ID: Variable = Variable {
    name: "task_id",
    description: "the task's id",
    example: r#""tsk_9d4mw2kx7qe3hr5n""#,
};

const KIND: Variable = Variable {
    name: "kind",
    description: "what the task asks for, in words: `review the patch`, `test the fix on a platform`, `draft the disclosure mail`, `draft the release notes` or `a task`",
    example: r#""review the patch""#,
};

const ADVISORY_ID: Variable = Variable {
    name: "advisory_id",
    description: "the advisory the task is for",
    example: r#""SA-2026-0042""#,
};

const DUE: Variable = Variable {
    name: "due",
    description: "when it is due, RFC 3339 in UTC",
    example: r#""2026-12-10T12:00:00Z""#,
};

const ORGANIZATION: Variable = Variable {
    name: "organization",
    description: "the member this mail is to: the primary, or the backup for a handover",
    example: r#""Example Linux""#,
};

const PRIMARY: Variable = Variable {
    name: "primary_organization",
    description: "the member asked first",
    example: r#""Example Linux""#,
};

const BACKUP: Variable = Variable {
    name: "backup_organization",
    description: "the member that takes the task over if the primary does not report it done in time",
    example: r#""Example BSD""#,
};

const URL: Variable = Variable {
    name: "url",
    description: "the advisory on the members' pages, after logging in",
    example: r#""https://security.example.org/member/advisories/SA-2026-0042""#,
};

const TASK_URL: Variable = Variable {
    name: "task_url",
    description: "the task in the API (`GET` with an API token)",
    example: r#""https://security.example.org/api/v1/tasks/tsk_9d4mw2kx7qe3hr5n""#,
};

const DONE_URL: Variable = Variable {
    name: "done_url",
    description: "where the task is reported done (`POST` with an API token)",
    example: r#""https://security.example.org/api/v1/tasks/tsk_9d4mw2kx7qe3hr5n/done""#,
};

/// What the context of a mail to the primary holds.
const TO_PRIMARY: &[Variable] = &[
    TASK_ID,
    KIND,
    ADVISORY_ID,
    DUE,
    ORGANIZATION,
    PRIMARY,
    BACKUP,
    URL,
    TASK_URL,
    DONE_URL,
];

pub(super) const TASK_ASSIGNED: Entry = Entry {
    audience: Audience::Members,
    purpose: "\"Task assigned\": sent to the contacts of the primary member when the team creates a task (review a patch, test, draft), naming its due instant and its backup.",
    variables: &[
        TASK_ID,
        KIND,
        ADVISORY_ID,
        DUE,
        ORGANIZATION,
        PRIMARY,
        BACKUP,
        URL,
        TASK_URL,
        DONE_URL,
        Variable {
            name: "reminder",
            description: "true when a reminder follows a day before the due instant (false for a task due sooner)",
            example: "true",
        },
    ],
    required: &["task_url", "done_url"],
};

pub(super) const TASK_REMINDER: Entry = Entry {
    audience: Audience::Members,
    purpose: "\"Task reminder\": sent to the contacts of the primary member a day before an open task is due.",
    variables: TO_PRIMARY,
    required: &["done_url"],
};

pub(super) const TASK_HANDOVER: Entry = Entry {
    audience: Audience::Members,
    purpose: "Sent to the contacts of the backup member when the primary did not report a task done by its due instant, asking them to take it over.",
    variables: &[
        TASK_ID,
        KIND,
        ADVISORY_ID,
        DUE,
        Variable {
            description: "the backup member, which this mail asks",
            example: r#""Example BSD""#,
            ..ORGANIZATION
        },
        PRIMARY,
        BACKUP,
        URL,
        TASK_URL,
        DONE_URL,
    ],
    required: &["task_url", "done_url"],
};

pub(super) const TASK_MISSED_FOR_ADMINS: Entry = Entry {
    audience: Audience::Admins,
    purpose: "Sent to every admin when a task reaches its due instant not done: it counts as missed on the primary's record, and says whether the backup could be asked.",
    variables: &[
        TASK_ID,
        KIND,
        ADVISORY_ID,
        DUE,
        Variable {
            description: "the primary member, which missed it",
            ..ORGANIZATION
        },
        PRIMARY,
        BACKUP,
        URL,
        TASK_URL,
        DONE_URL,
        Variable {
            name: "backup_reached",
            description: "true when the backup has contacts and was asked to take the task over",
            example: "true",
        },
        Variable {
            name: "admin_url",
            description: "the advisory's admin page",
            example: r#""https://security.example.org/admin/advisories/SA-2026-0042""#,
        },
    ],
    required: &["admin_url"],
};
