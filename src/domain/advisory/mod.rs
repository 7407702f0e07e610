//! Advisories: what the team publishes about a vulnerability. The content is
//! OSV-shaped, so the API takes and gives the same JSON the OSV export uses.

use serde::{Deserialize, Serialize};

/// `PREFIX-YYYY-NNNN`, for example `OCI-2026-0001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct AdvisoryId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a valid advisory id")]
pub struct InvalidAdvisoryId;

impl AdvisoryId {
    /// The `seq`th advisory of `year` under `prefix`.
    pub fn new(prefix: &str, year: i16, seq: i64) -> Self {
        Self(format!("{prefix}-{year:04}-{seq:04}"))
    }

    pub fn parse(s: &str) -> Result<Self, InvalidAdvisoryId> {
        let mut parts = s.rsplitn(3, '-');
        let (Some(seq), Some(year), Some(prefix)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidAdvisoryId);
        };
        let ok = is_prefix(prefix)
            && year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && seq.len() >= 4
            && seq.len() <= 9
            && seq.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidAdvisoryId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The year part, for CSAF's directory layout.
    pub fn year(&self) -> &str {
        self.0.rsplit('-').nth(1).unwrap_or_default()
    }
}

impl std::fmt::Display for AdvisoryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A configured id prefix: upper-case letters, digits and inner hyphens.
pub fn is_prefix(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 20
        && p.starts_with(|c: char| c.is_ascii_uppercase())
        && !p.ends_with('-')
        && p.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// `draft -> embargoed -> published`, and `withdrawn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdvisoryState {
    Draft,
    Embargoed,
    Published,
    Withdrawn,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StateError {
    #[error("a {0} advisory cannot be embargoed")]
    CannotEmbargo(&'static str),
    #[error("a {0} advisory cannot be published")]
    CannotPublish(&'static str),
    #[error("a {0} advisory cannot be withdrawn")]
    CannotWithdraw(&'static str),
    #[error("a {0} advisory cannot be edited")]
    CannotEdit(&'static str),
    #[error("unknown state {0:?}")]
    Unknown(String),
}

impl AdvisoryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Embargoed => "embargoed",
            Self::Published => "published",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Result<Self, StateError> {
        [
            Self::Draft,
            Self::Embargoed,
            Self::Published,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| StateError::Unknown(s.to_owned()))
    }

    /// Setting or moving the embargo.
    pub fn embargo(self) -> Result<Self, StateError> {
        match self {
            Self::Draft | Self::Embargoed => Ok(Self::Embargoed),
            other => Err(StateError::CannotEmbargo(other.as_str())),
        }
    }

    pub fn publish(self) -> Result<Self, StateError> {
        match self {
            Self::Draft | Self::Embargoed => Ok(Self::Published),
            other => Err(StateError::CannotPublish(other.as_str())),
        }
    }

    pub fn withdraw(self) -> Result<Self, StateError> {
        match self {
            Self::Withdrawn => Err(StateError::CannotWithdraw("withdrawn")),
            _ => Ok(Self::Withdrawn),
        }
    }

    /// Content may change until withdrawal; a published advisory may be
    /// corrected, and the correction is published at once.
    pub fn edit(self) -> Result<(), StateError> {
        match self {
            Self::Withdrawn => Err(StateError::CannotEdit("withdrawn")),
            _ => Ok(()),
        }
    }

    pub fn is_public(self) -> bool {
        matches!(self, Self::Published | Self::Withdrawn)
    }
}

/// The advisory's content, shaped like an OSV record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Content {
    pub summary: String,
    pub details: String,
    pub affected: Vec<Affected>,
    pub severity: Vec<Severity>,
    pub database_specific: DatabaseSpecific,
    pub aliases: Vec<String>,
    pub credits: Vec<Credit>,
    pub references: Vec<Reference>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSpecific {
    pub cwe_ids: Vec<String>,
    /// Versions known not to be affected, as the reporter or team lists them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unaffected_versions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Affected {
    pub package: Package,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Package {
    pub ecosystem: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeType {
    #[serde(rename = "SEMVER")]
    Semver,
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    #[serde(rename = "GIT")]
    Git,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    pub events: Vec<Event>,
}

/// One OSV range event: `{"introduced": "1.0.0"}` and so on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Event {
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// `CVSS_V3` or `CVSS_V4`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector.
    pub score: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Credit {
    pub name: String,
    /// OSV credit type (`FINDER`, `REPORTER`, ...).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub contact: Vec<String>,
    /// GitHub user name, shown as a link and exported as a contact URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}

mod credit;
mod edit;
mod reporter_view;
mod validate;

pub use credit::reporter_credit;
pub use edit::{editable_fields, refused_field};
pub use reporter_view::{FromReport, Told, told_to_reporter};

#[cfg(test)]
use validate::is_ecosystem;
pub use validate::{
    CREDIT_TYPES, ECOSYSTEMS, ECOSYSTEMS_HINT, REFERENCE_TYPES, ScoredSeverity, is_cve,
};

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
