//! Mails to an organisation applying to join the list, at its security
//! alias: from the confirmation link to the decision.

use super::{Audience, Entry, Variable};

const ORGANIZATION: Variable = Variable {
    name: "organization",
    description: "the applying organisation's name, as it applied",
    example: r#""Example Linux""#,
};

const APPLICATION_ID: Variable = Variable {
    name: "application_id",
    description: "the application's id",
    example: r#""app_k4t8wz2mqe6rn3ya""#,
};

const REASON: Variable = Variable {
    name: "reason",
    description: "the security team's reason for its decision, as written",
    example: r#""Example Linux meets every criterion, and Example BSD vouched for its security team.""#,
};

pub(super) const APPLICATION_CONFIRM_ALIAS: Entry = Entry {
    audience: Audience::Applicants,
    purpose: "The alias confirmation, which also acknowledges the application: sent to the security alias an application names as soon as it is submitted, with the link that proves the alias is read and the private status link.",
    variables: &[
        ORGANIZATION,
        Variable {
            name: "confirm_url",
            description: "opening it confirms the alias and sends the application to review",
            example: r#""https://security.example.org/applications/confirm/example-confirm-token""#,
        },
        Variable {
            name: "status_url",
            description: "the applicant's private status page",
            example: r#""https://security.example.org/applications/status/example-status-token""#,
        },
        Variable {
            name: "days",
            description: "days the alias has to confirm before the application expires (`membership.confirm_within_days`)",
            example: "14",
        },
    ],
    required: &["confirm_url"],
};

pub(super) const APPLICATION_RECEIVED: Entry = Entry {
    audience: Audience::Applicants,
    purpose: "\"Application received\": sent to the security alias when it has confirmed the application, which now goes to review; says who was asked to vouch and what happens next.",
    variables: &[
        ORGANIZATION,
        APPLICATION_ID,
        Variable {
            name: "voucher_organization",
            description: "the member the application named to vouch for it, which is now asked to",
            example: r#""Example BSD""#,
        },
    ],
    required: &["voucher_organization"],
};

pub(super) const APPLICATION_APPROVED: Entry = Entry {
    audience: Audience::Applicants,
    purpose: "The welcome to the list (\"approved\"): sent to the security alias when the team approves the application, with the reason; the contacts get their own set-up mails.",
    variables: &[ORGANIZATION, REASON],
    required: &["reason"],
};

pub(super) const APPLICATION_REJECTED: Entry = Entry {
    audience: Audience::Applicants,
    purpose: "\"Rejected\": sent to the security alias when the team decides not to admit the organisation, with the reason it must give.",
    variables: &[
        ORGANIZATION,
        Variable {
            example: r#""Example Linux rebuilds another distribution's packages (criterion d).""#,
            ..REASON
        },
    ],
    required: &["reason"],
};

pub(super) const APPLICATION_EXPIRED: Entry = Entry {
    audience: Audience::Applicants,
    purpose: "\"Expired\": sent to the security alias when it did not confirm the application within `membership.confirm_within_days`, with the link to apply again.",
    variables: &[
        ORGANIZATION,
        Variable {
            name: "apply_url",
            description: "the application form",
            example: r#""https://security.example.org/apply""#,
        },
    ],
    required: &["apply_url"],
};
