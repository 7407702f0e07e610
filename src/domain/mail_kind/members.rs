//! Mails to the people of a member organisation (its contacts and its
//! security alias) and to delegates, about the membership itself.

use super::{Audience, Entry, Variable};

const ORGANIZATION: Variable = Variable {
    name: "organization",
    description: "the member organisation's name",
    example: r#""Example Linux""#,
};

const POLICY_URL: Variable = Variable {
    name: "policy_url",
    description: "the list policy, to read and accept",
    example: r#""https://security.example.org/policy""#,
};

pub(super) const VOUCH_REQUEST: Entry = Entry {
    audience: Audience::Members,
    purpose: "The vouch request: sent to every contact of the member an application names, once the applicant's alias has confirmed, asking them to vouch for it or decline.",
    variables: &[
        Variable {
            description: "the applying organisation's name",
            ..ORGANIZATION
        },
        Variable {
            name: "website",
            description: "the applying organisation's website",
            example: r#""https://example-linux.org""#,
        },
        Variable {
            name: "url",
            description: "where a contact vouches or declines, after logging in",
            example: r#""https://security.example.org/applications/app_k4t8wz2mqe6rn3ya/vouch""#,
        },
        Variable {
            name: "application_id",
            description: "the application's id",
            example: r#""app_k4t8wz2mqe6rn3ya""#,
        },
    ],
    required: &["url"],
};

pub(super) const CONTACT_SETUP: Entry = Entry {
    audience: Audience::Members,
    purpose: "The contact set-up: sent to each new contact person (of an approved applicant, a member an admin adds, or a colleague a contact adds) with a one-time link to set up their account.",
    variables: &[
        Variable {
            name: "name",
            description: "the contact's name",
            example: r#""Nina Example""#,
        },
        ORGANIZATION,
        Variable {
            name: "setup_url",
            description: "the one-time account set-up link, valid for 24 hours",
            example: r#""https://security.example.org/setup/example-setup-token""#,
        },
        POLICY_URL,
    ],
    required: &["setup_url"],
};

pub(super) const MEMBER_REMOVED: Entry = Entry {
    audience: Audience::Members,
    purpose: "The removal notice: sent to every contact and the security alias of a member the team removes from the list, with the reason.",
    variables: &[
        ORGANIZATION,
        Variable {
            name: "reason",
            description: "why the team removed the member, as written",
            example: r#""Two leaks of embargoed information within a year (list policy, section 4).""#,
        },
    ],
    required: &["reason"],
};

pub(super) const ALIAS_PING: Entry = Entry {
    audience: Audience::Members,
    purpose: "The liveness ping: sent to a member's security alias every `membership.ping_every_days` days, with a link that proves someone still reads it.",
    variables: &[
        ORGANIZATION,
        Variable {
            name: "confirm_url",
            description: "opening it answers the ping",
            example: r#""https://security.example.org/liveness/example-ping-token""#,
        },
        Variable {
            name: "days",
            description: "days the alias has to answer (`membership.ping_answer_days`)",
            example: "14",
        },
        Variable {
            name: "every_days",
            description: "days between pings (`membership.ping_every_days`)",
            example: "91",
        },
    ],
    required: &["confirm_url"],
};

pub(super) const POLICY_UPDATED: Entry = Entry {
    audience: Audience::Members,
    purpose: "\"Policy updated\": sent to every contact who has not accepted a newly published version of the list policy; until they do, they see nothing embargoed.",
    variables: &[
        Variable {
            name: "version",
            description: "the new policy version's number",
            example: "3",
        },
        Variable {
            name: "url",
            description: "the policy page, to read and accept it",
            example: r#""https://security.example.org/policy""#,
        },
    ],
    required: &["url"],
};

pub(super) const KEY_EXPIRING: Entry = Entry {
    audience: Audience::Members,
    purpose: "\"Key expiring\": sent to a contact 30 and 7 days before the OpenPGP key embargoed mail is encrypted to for them expires.",
    variables: &[
        Variable {
            name: "fingerprint",
            description: "the expiring key's fingerprint",
            example: r#""6E3F0B8A2C5D41F7A9B02E68D1C4F3A75B9E2D10""#,
        },
        Variable {
            name: "days",
            description: "days until it expires: 30 or 7",
            example: "30",
        },
        Variable {
            name: "expires_at",
            description: "when it expires, RFC 3339 in UTC (null if unknown)",
            example: r#""2027-01-15T09:30:00Z""#,
        },
        Variable {
            name: "url",
            description: "the account page, where a key is uploaded",
            example: r#""https://security.example.org/account""#,
        },
    ],
    required: &["fingerprint", "url"],
};

pub(super) const SHARE_INVITATION: Entry = Entry {
    audience: Audience::Members,
    purpose: "The share invitation: sent to a colleague a contact shares one embargoed advisory with (a delegate), with a set-up or log-in link; nothing of the advisory is in it.",
    variables: &[
        Variable {
            name: "name",
            description: "the delegate's name",
            example: r#""Sam Example""#,
        },
        Variable {
            description: "the sharing contact's member organisation",
            ..ORGANIZATION
        },
        Variable {
            name: "setup_url",
            description: "the one-time account set-up link, for a delegate new here (null when they have an account)",
            example: r#""https://security.example.org/setup/example-setup-token""#,
        },
        Variable {
            name: "login_url",
            description: "the log-in page, for a delegate who has an account",
            example: r#""https://security.example.org/login""#,
        },
        POLICY_URL,
        Variable {
            name: "share_id",
            description: "the share's id",
            example: r#""shr_5hg2kq8wm3xr7t4c""#,
        },
    ],
    required: &["setup_url"],
};
