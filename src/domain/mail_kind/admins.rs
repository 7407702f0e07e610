//! Mails to every admin. They hold ids and links to the admin pages,
//! never a report's, advisory's or leak's content: mail to admins may go
//! out unencrypted.

use super::{Audience, Entry, Variable};

const REPORT_ID: Variable = Variable {
    name: "report_id",
    description: "the report's id",
    example: r#""rpt_7m3kq9xe2wd4hn8p""#,
};

const REPORT_URL: Variable = Variable {
    name: "url",
    description: "the report's admin page",
    example: r#""https://security.example.org/admin/reports/rpt_7m3kq9xe2wd4hn8p""#,
};

const ORGANIZATION: Variable = Variable {
    name: "organization",
    description: "the member organisation's name",
    example: r#""Example Linux""#,
};

const MEMBER_URL: Variable = Variable {
    name: "url",
    description: "the member's admin page",
    example: r#""https://security.example.org/admin/members/mem_h7q2wk9xm4re3tn8""#,
};

pub(super) const REPORT_NEW_FOR_ADMINS: Entry = Entry {
    audience: Audience::Admins,
    purpose: "\"New report\": sent to every admin when a report arrives by web, API or mail; only its id and a link, nothing of its content.",
    variables: &[REPORT_ID, REPORT_URL],
    required: &["url"],
};

pub(super) const REPORT_MESSAGE_FOR_ADMINS: Entry = Entry {
    audience: Audience::Admins,
    purpose: "Sent to every admin when a reporter adds a message to a report (on the tracking page or by mail); only the report's id and a link, nothing of the message.",
    variables: &[REPORT_ID, REPORT_URL],
    required: &["url"],
};

pub(super) const APPLICATION_NEW_FOR_ADMINS: Entry = Entry {
    audience: Audience::Admins,
    purpose: "\"New application\": sent to every admin when an applicant's security alias has confirmed its application, which now waits for a vouch and their decision; only the organisation's name and a link.",
    variables: &[
        Variable {
            name: "application_id",
            description: "the application's id",
            example: r#""app_k4t8wz2mqe6rn3ya""#,
        },
        Variable {
            description: "the applying organisation's name",
            ..ORGANIZATION
        },
        Variable {
            name: "url",
            description: "the application's admin page, with its answers, vouches and the decision form",
            example: r#""https://security.example.org/admin/applications/app_k4t8wz2mqe6rn3ya""#,
        },
    ],
    required: &["url"],
};

pub(super) const LEAK_REPORTED: Entry = Entry {
    audience: Audience::Admins,
    purpose: "\"Leak reported\": sent to every admin when a leak of embargoed information is reported for a member; what leaked and to whom is only behind the link.",
    variables: &[
        Variable {
            name: "leak_id",
            description: "the leak record's id",
            example: r#""lk_q3w8e2rt6yu4ip9a""#,
        },
        Variable {
            description: "the member the leak is reported for",
            ..ORGANIZATION
        },
        Variable {
            description: "the member's admin page, which lists its leaks",
            ..MEMBER_URL
        },
    ],
    required: &["url"],
};

pub(super) const LEAK_REMOVAL_PROPOSED: Entry = Entry {
    audience: Audience::Admins,
    purpose: "\"Removal proposed\": sent to every admin when a member's leaks within `leaks.window_days` reach `leaks.removal_threshold`; the decision stays theirs.",
    variables: &[
        ORGANIZATION,
        Variable {
            name: "strikes",
            description: "the member's leaks within the window",
            example: "2",
        },
        Variable {
            name: "window_days",
            description: "the window leaks are counted in (`leaks.window_days`)",
            example: "365",
        },
        Variable {
            description: "the member's admin page, with the history and the removal form",
            ..MEMBER_URL
        },
    ],
    required: &["url"],
};

pub(super) const REVIEW_DUE: Entry = Entry {
    audience: Audience::Admins,
    purpose: "\"Review due\": sent to every admin by the daily sweep, listing the members whose periodic review became due since the last sweep.",
    variables: &[
        Variable {
            name: "members",
            description: "the members due: `organization`, `url` (admin page), `due_at` and `last_review_at` (microseconds, for the `datetime` filter; the latter null if never reviewed), `unanswered_pings`",
            example: r#"[{"organization": "Example Linux", "url": "https://security.example.org/admin/members/mem_h7q2wk9xm4re3tn8", "due_at": 1796083200000000, "last_review_at": 1763596800000000, "unanswered_pings": 1}]"#,
        },
        Variable {
            name: "count",
            description: "how many members are listed",
            example: "1",
        },
        Variable {
            name: "every_days",
            description: "days between reviews (`membership.review_every_days`)",
            example: "365",
        },
    ],
    required: &["members"],
};

pub(super) const AUDIT_HEAD: Entry = Entry {
    audience: Audience::Admins,
    purpose: "Sent to every admin once a day with the audit log's head, to keep outside the service as the anchor `embargo audit verify` checks against.",
    variables: &[
        Variable {
            name: "date",
            description: "the day, `YYYY-MM-DD` in UTC",
            example: r#""2026-11-29""#,
        },
        Variable {
            name: "seq",
            description: "how many events the log held",
            example: "18342",
        },
        Variable {
            name: "anchor",
            description: "the head as `SEQ:HASH`",
            example: r#""18342:3b1f6c9e0d2a4f8b7c5e1d9a6f3b2c8e4d7a0f1b9c6e3d5a8f2b4c7e1d0a9f6b""#,
        },
    ],
    required: &["anchor"],
};

pub(super) const JOB_DEAD_FOR_ADMINS: Entry = Entry {
    audience: Audience::Admins,
    purpose: "\"Dead job\": sent to every admin when jobs fail for good (a permanent error, or their attempts used up), in the transaction that marks them dead; it quotes only the first line of each error, so never what a mail said.",
    variables: &[
        Variable {
            name: "jobs",
            description: "the jobs that died together: `kind` (`mail`, `deliver`, `lift_embargo`, ...), `id`, and `error`, the error's first line cut after 200 characters",
            example: r#"[{"kind": "deliver", "id": "job_w6k2m9qx4e8rt3hn", "error": "SMTP: 550 5.1.1 mailbox unavailable"}]"#,
        },
        Variable {
            name: "count",
            description: "how many jobs are listed",
            example: "1",
        },
        Variable {
            name: "url",
            description: "the admins' job list, where dead jobs are retried",
            example: r#""https://security.example.org/admin/jobs""#,
        },
    ],
    required: &["jobs", "url"],
};

pub(super) const GITHUB_MIRROR_FAILED: Entry = Entry {
    audience: Audience::Admins,
    purpose: "\"GitHub mirror failing\": sent to every admin at the first failure of a run of failures to mirror an advisory to GitHub (or when GitHub assigned no CVE in time); the next comes only after a sync succeeded again.",
    variables: &[
        Variable {
            name: "advisory",
            description: "the advisory's id",
            example: r#""SA-2026-0007""#,
        },
        Variable {
            name: "repository",
            description: "the GitHub repository it is linked to (`owner/name`)",
            example: r#""example/widget""#,
        },
        Variable {
            name: "error",
            description: "what went wrong: GitHub's status and message, or why no answer came; never the advisory's text",
            example: r#""GitHub answered 502 to updating the GitHub advisory: Server Error""#,
        },
        Variable {
            name: "retrying",
            description: "true when embargo keeps trying by itself; false when an admin must mend the cause first",
            example: "true",
        },
        Variable {
            name: "url",
            description: "the advisory's admin page, which shows the mirror's state",
            example: r#""https://security.example.org/admin/advisories/SA-2026-0007""#,
        },
    ],
    required: &["advisory", "url"],
};

pub(super) const ADMIN_SETUP: Entry = Entry {
    audience: Audience::Admins,
    purpose: "The admin invitation: sent to the one person an admin adds as a new admin (on /admin/admins), with a one-time link to set up their account.",
    variables: &[
        Variable {
            name: "invited_by",
            description: "the address of the admin who sent the invitation",
            example: r#""alice@example.org""#,
        },
        Variable {
            name: "setup_url",
            description: "the one-time account set-up link, valid for 24 hours",
            example: r#""https://security.example.org/setup/example-setup-token""#,
        },
    ],
    required: &["setup_url"],
};
