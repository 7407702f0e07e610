//! The distribution list's membership: written criteria, applications
//! answered against them, vouches, decisions, members and their removal.

mod liveness;
pub use liveness::{next_ping_at, ping_answer_due_at, ping_state, review_due_at};

use serde::{Deserialize, Serialize};

use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::email::EmailAddress;
use crate::domain::fields::{FieldErrors, optional_text, required_text};

/// One criterion an applicant answers (a versioned, editable list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Stable key, such as `security_alias`.
    pub key: String,
    pub title: String,
    pub description: String,
}

/// The list's default criteria (DESIGN.md, rule 2).
pub fn default_criteria() -> Vec<Criterion> {
    let c = |key: &str, title: &str, description: &str| Criterion {
        key: key.into(),
        title: title.into(),
        description: description.into(),
    };
    vec![
        c(
            "security_alias",
            "Monitored security alias",
            "An e-mail alias for security matters that is actively monitored; it will be asked to confirm.",
        ),
        c(
            "user_base",
            "User base",
            "A user base beyond your own organisation: who uses your distribution or product, and roughly how many.",
        ),
        c(
            "track_record",
            "Track record",
            "A publicly verifiable track record of fixing security issues: links to advisories, errata or changelogs.",
        ),
        c(
            "not_downstream",
            "Not a downstream",
            "You are not a downstream or rebuild of another distribution: say what you build and from where.",
        ),
        c(
            "accepts_policy",
            "Accepts the list policy",
            "You accept the list policy, including its embargo and need-to-know rules.",
        ),
        c(
            "contributes_back",
            "Contributes back",
            "You commit to contribute back: review and test patches, report what you did, help with disclosure texts.",
        ),
        c(
            "vouched",
            "Vouched for",
            "An existing member vouches for you: name the member you expect to vouch.",
        ),
    ]
}

/// Checks an edited criteria list: keys unique and well-formed, texts present.
pub fn check_criteria(items: &[Criterion]) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if items.is_empty() {
        e.add("items", "at least one criterion is required");
    }
    for (i, c) in items.iter().enumerate() {
        let ok = !c.key.is_empty()
            && c.key.len() <= 40
            && c.key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            e.add(
                &format!("items[{i}].key"),
                "must be lower-case letters, digits and underscores",
            );
        }
        if items[..i].iter().any(|o| o.key == c.key) {
            e.add(&format!("items[{i}].key"), "is used twice");
        }
        if c.title.trim().is_empty() {
            e.add(&format!("items[{i}].title"), "is required");
        }
    }
    e.into_result()
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Waiting for the security alias to confirm it is monitored.
    AwaitingConfirmation,
    /// Confirmed; waiting for the vouch and the team's decision.
    InReview,
    Approved,
    Rejected,
    /// Not confirmed in time.
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    #[error("the application is {0}, not awaiting confirmation")]
    NotAwaitingConfirmation(&'static str),
    #[error("the application is {0}, not in review")]
    NotInReview(&'static str),
    #[error("the security alias has not confirmed the application yet")]
    Unconfirmed,
    #[error("unknown status {0:?}")]
    Unknown(String),
}

impl ApplicationStatus {
    pub const ALL: [Self; 5] = [
        Self::AwaitingConfirmation,
        Self::InReview,
        Self::Approved,
        Self::Rejected,
        Self::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingConfirmation => "awaiting_confirmation",
            Self::InReview => "in_review",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ApplicationError> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| ApplicationError::Unknown(s.to_owned()))
    }

    /// The alias confirmed: on to review.
    pub fn confirm(self) -> Result<Self, ApplicationError> {
        match self {
            Self::AwaitingConfirmation => Ok(Self::InReview),
            other => Err(ApplicationError::NotAwaitingConfirmation(other.as_str())),
        }
    }

    /// Unconfirmed in time.
    pub fn expire(self) -> Result<Self, ApplicationError> {
        match self {
            Self::AwaitingConfirmation => Ok(Self::Expired),
            other => Err(ApplicationError::NotAwaitingConfirmation(other.as_str())),
        }
    }

    /// Vouches and decisions need a confirmed application.
    pub fn review(self) -> Result<(), ApplicationError> {
        match self {
            Self::InReview => Ok(()),
            Self::AwaitingConfirmation => Err(ApplicationError::Unconfirmed),
            other => Err(ApplicationError::NotInReview(other.as_str())),
        }
    }

    pub fn decide(self, approve: bool) -> Result<Self, ApplicationError> {
        self.review()?;
        Ok(if approve {
            Self::Approved
        } else {
            Self::Rejected
        })
    }
}

/// A contact person as an applicant or admin names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactInput {
    pub name: String,
    pub email: String,
    pub openpgp_key: Option<String>,
}

/// A validated contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub name: String,
    pub email: EmailAddress,
    pub openpgp_key: Option<String>,
}

/// An organisation as an application or a founding member describes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrganizationInput {
    pub organization: String,
    pub website: String,
    pub security_alias: String,
    pub contacts: Vec<ContactInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    pub organization: String,
    pub website: String,
    pub security_alias: EmailAddress,
    pub contacts: Vec<Contact>,
}

/// `http(s)://HOST[:PORT][/?#...]`: a host of letters, digits, dots and
/// hyphens, then printable ASCII (the API's schema has the same rule).
fn is_web_url(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    (1..=253).contains(&host.len())
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        && tail.len() <= 231
        && tail.bytes().all(|b| (b'!'..=b'~').contains(&b))
}

impl OrganizationInput {
    pub fn validate(&self, e: &mut FieldErrors) -> Option<Organization> {
        let organization = required_text(e, "organization", &self.organization, 200);
        let website = self
            .website
            .trim_matches(crate::domain::email::EDGE)
            .to_owned();
        if !is_web_url(&website) {
            e.add("website", "must be an http(s) URL");
        }
        let alias = EmailAddress::parse(&self.security_alias)
            .map_err(|err| e.add("security_alias", err.0))
            .ok();
        if self.contacts.is_empty() {
            e.add("contacts", "name at least one contact person");
        }
        if self.contacts.len() > 50 {
            e.add("contacts", "at most 50 contacts");
        }
        let mut contacts = Vec::new();
        for (i, c) in self.contacts.iter().enumerate() {
            let name = required_text(e, &format!("contacts[{i}].name"), &c.name, 200);
            let email = EmailAddress::parse(&c.email)
                .map_err(|err| e.add(&format!("contacts[{i}].email"), err.0))
                .ok();
            if let Some(addr) = &email
                && contacts.iter().any(|o: &Contact| o.email == *addr)
            {
                e.add(&format!("contacts[{i}].email"), "is listed twice");
            }
            let key = optional_text(
                e,
                &format!("contacts[{i}].openpgp_key"),
                c.openpgp_key.as_deref(),
                1 << 20,
            );
            if let Some(email) = email {
                contacts.push(Contact {
                    name,
                    email,
                    openpgp_key: key,
                });
            }
        }
        Some(Organization {
            organization,
            website,
            security_alias: alias?,
            contacts,
        })
    }
}

/// Checks an application's answers: one non-empty answer per criterion, no
/// answers to criteria that do not exist.
pub fn check_answers(
    criteria: &[Criterion],
    answers: &std::collections::BTreeMap<String, String>,
    e: &mut FieldErrors,
) {
    for c in criteria {
        match answers.get(&c.key).map(|a| a.trim()) {
            None | Some("") => e.add(
                &format!("criteria.{}", c.key),
                format!("answer \"{}\"", c.title),
            ),
            Some(a) if a.chars().count() > 10_000 => e.add(
                &format!("criteria.{}", c.key),
                "must be at most 10000 characters",
            ),
            Some(_) => {}
        }
    }
    for key in answers.keys() {
        if !criteria.iter().any(|c| &c.key == key) {
            e.add(&format!("criteria.{key}"), "is not a criterion");
        }
    }
}

/// A member's standing on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    Active,
    Removed,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Removed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// How much of the member list an actor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberView {
    /// Every member, removed ones too, with every field and the contacts:
    /// for those who run the membership.
    Full,
    /// Active members only, as [`DirectoryEntry`]: enough to name a
    /// voucher, so open to anyone who may apply.
    Directory,
}

impl MemberView {
    /// Full for whoever may manage the membership, else the directory.
    pub fn for_actor(actor: &Actor) -> Self {
        if authorize(actor, Action::ManageMembership).is_allowed() {
            Self::Full
        } else {
            Self::Directory
        }
    }

    /// Whether a member of `status` is listed in this view. Only active
    /// members may vouch, so the directory names no one else.
    pub fn lists(self, status: MemberStatus) -> bool {
        match self {
            Self::Full => true,
            Self::Directory => status == MemberStatus::Active,
        }
    }
}

/// A member as the directory shows it: the name an applicant picks a
/// voucher by, and nothing else (no website, alias, contacts or history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectoryEntry<'a> {
    pub id: &'a str,
    pub organization: &'a str,
}

#[cfg(test)]
mod tests;
