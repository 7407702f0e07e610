//! Advisories: what the team publishes about a vulnerability. The content is
//! OSV-shaped, so the API takes and gives the same JSON the OSV export uses.

use serde::{Deserialize, Serialize};

use super::cvss;
use super::fields::FieldErrors;

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

pub const ECOSYSTEMS_HINT: &str =
    "an OSV ecosystem such as Go, npm, PyPI, crates.io, Maven, Debian, or GIT";

/// OSV 1.7's ecosystems; a `:suffix` (such as `Debian:12`) may follow.
#[rustfmt::skip]
pub const ECOSYSTEMS: &[&str] = &[
    "AlmaLinux", "Alpaquita", "Alpine", "Android", "Azure Linux", "BellSoft Hardened Containers", "Bioconductor",
    "Bitnami", "Chainguard", "CleanStart", "ConanCenter", "CRAN", "crates.io", "Debian", "Docker Hardened Images",
    "Echo", "FreeBSD", "GHC", "GitHub Actions", "Go", "Hackage", "Hex", "Julia", "Kubernetes", "Linux", "Mageia",
    "Maven", "MinimOS", "npm", "NuGet", "opam", "openEuler", "openSUSE", "OSS-Fuzz", "Packagist", "Photon OS", "Pub",
    "PyPI", "Red Hat", "Rocky Linux", "Root", "RubyGems", "SUSE", "SwiftURL", "TuxCare", "Ubuntu", "VSCode", "Wolfi",
    "GIT",
];

fn is_ecosystem(s: &str) -> bool {
    let (name, suffix) = match s.split_once(':') {
        Some((n, suf)) => (n, Some(suf)),
        None => (s, None),
    };
    ECOSYSTEMS.contains(&name) && suffix.is_none_or(|x| !x.is_empty())
}

/// A full commit hash, as OSV requires in GIT ranges.
fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
pub const CREDIT_TYPES: &[&str] = &[
    "FINDER",
    "REPORTER",
    "ANALYST",
    "COORDINATOR",
    "REMEDIATION_DEVELOPER",
    "REMEDIATION_REVIEWER",
    "REMEDIATION_VERIFIER",
    "TOOL",
    "SPONSOR",
    "OTHER",
];
pub const REFERENCE_TYPES: &[&str] = &[
    "ADVISORY",
    "ARTICLE",
    "DETECTION",
    "DISCUSSION",
    "REPORT",
    "FIX",
    "INTRODUCED",
    "PACKAGE",
    "EVIDENCE",
    "WEB",
];

fn is_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > 10
        && s.len() <= 2000
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_cwe(s: &str) -> bool {
    s.strip_prefix("CWE-")
        .is_some_and(|n| !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_alias(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
}

/// A CVE id: `CVE-YYYY-NNNN...`.
pub fn is_cve(s: &str) -> bool {
    let mut p = s.splitn(3, '-');
    matches!((p.next(), p.next(), p.next()), (Some("CVE"), Some(y), Some(n))
        if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) && n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A validated severity entry with its computed score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredSeverity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
    pub base_score: f64,
    pub rating: &'static str,
}

impl Content {
    /// Checks every field; errors are keyed by JSON path (`affected[0].ranges[1].events`).
    pub fn validate(&mut self) -> Result<Vec<ScoredSeverity>, FieldErrors> {
        let mut e = FieldErrors::new();
        self.summary = self.summary.trim().to_owned();
        if self.summary.is_empty() {
            e.add("summary", "is required");
        } else if self.summary.chars().count() > 200 {
            e.add("summary", "must be at most 200 characters");
        }
        if self.details.chars().count() > 100_000 {
            e.add("details", "must be at most 100000 characters");
        }
        for (i, a) in self.affected.iter().enumerate() {
            let at = format!("affected[{i}]");
            if !is_ecosystem(&a.package.ecosystem) {
                e.add(
                    &format!("{at}.package.ecosystem"),
                    format!("must be {ECOSYSTEMS_HINT}"),
                );
            }
            if a.package.name.trim().is_empty() {
                e.add(&format!("{at}.package.name"), "is required");
            }
            if let Some(purl) = &a.package.purl
                && (!purl.starts_with("pkg:") || purl.len() < 6)
            {
                e.add(
                    &format!("{at}.package.purl"),
                    "must be a package URL starting with pkg:",
                );
            }
            if a.ranges.is_empty() && a.versions.is_empty() {
                e.add(&format!("{at}.ranges"), "give ranges or explicit versions");
            }
            for (j, r) in a.ranges.iter().enumerate() {
                check_range(&mut e, &format!("{at}.ranges[{j}]"), r);
            }
            if a.versions.iter().any(|v| v.trim().is_empty()) {
                e.add(&format!("{at}.versions"), "must not contain empty versions");
            }
        }
        let mut scored = Vec::new();
        for (i, s) in self.severity.iter().enumerate() {
            match cvss::score(s.score.trim()) {
                Ok(c) if c.osv_type() == s.kind => scored.push(ScoredSeverity {
                    kind: s.kind.clone(),
                    score: s.score.trim().to_owned(),
                    base_score: c.score,
                    rating: c.rating.as_str(),
                }),
                Ok(c) => e.add(
                    &format!("severity[{i}].type"),
                    format!("is {} for this vector", c.osv_type()),
                ),
                Err(err) => e.add(&format!("severity[{i}].score"), err.to_string()),
            }
        }
        for (i, c) in self.database_specific.cwe_ids.iter().enumerate() {
            if !is_cwe(c) {
                e.add(
                    &format!("database_specific.cwe_ids[{i}]"),
                    "must look like CWE-79",
                );
            }
        }
        for (i, a) in self.aliases.iter().enumerate() {
            if !is_alias(a) || (a.starts_with("CVE") && !is_cve(a)) {
                e.add(
                    &format!("aliases[{i}]"),
                    "must be an id like CVE-2026-12345 or GHSA-xxxx-xxxx-xxxx",
                );
            }
        }
        for (i, c) in self.credits.iter().enumerate() {
            if c.name.trim().is_empty() {
                e.add(&format!("credits[{i}].name"), "is required");
            }
            if let Some(k) = &c.kind
                && !CREDIT_TYPES.contains(&k.as_str())
            {
                e.add(
                    &format!("credits[{i}].type"),
                    format!("must be one of {}", CREDIT_TYPES.join(", ")),
                );
            }
            if let Some(g) = &c.github
                && super::email::GithubHandle::parse(g).is_err()
            {
                e.add(
                    &format!("credits[{i}].github"),
                    "must be a GitHub user name",
                );
            }
        }
        for (i, r) in self.references.iter().enumerate() {
            if !REFERENCE_TYPES.contains(&r.kind.as_str()) {
                e.add(
                    &format!("references[{i}].type"),
                    format!("must be one of {}", REFERENCE_TYPES.join(", ")),
                );
            }
            if !is_url(&r.url) {
                e.add(&format!("references[{i}].url"), "must be an http(s) URL");
            }
        }
        e.into_result()?;
        Ok(scored)
    }

    /// The fixed versions named by any range, for pages and CSAF.
    pub fn fixed_versions(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .affected
            .iter()
            .flat_map(|a| a.ranges.iter())
            .flat_map(|r| r.events.iter())
            .filter_map(|ev| match ev {
                Event::Fixed(v) => Some(v.clone()),
                _ => None,
            })
            .collect();
        out.dedup();
        out
    }
}

fn check_range(e: &mut FieldErrors, at: &str, r: &Range) {
    if r.kind == RangeType::Git && r.repo.as_deref().is_none_or(|u| !is_url(u)) {
        e.add(
            &format!("{at}.repo"),
            "is required for GIT ranges and must be a URL",
        );
    }
    if r.events.is_empty() {
        e.add(
            &format!("{at}.events"),
            "needs at least an introduced event",
        );
        return;
    }
    if !r.events.iter().any(|ev| matches!(ev, Event::Introduced(_))) {
        e.add(
            &format!("{at}.events"),
            "needs an introduced event (use \"0\" for all earlier versions)",
        );
    }
    if r.events.iter().any(|ev| ev.version().trim().is_empty()) {
        e.add(&format!("{at}.events"), "must not contain empty versions");
    }
    let bad_commit =
        |ev: &Event| !(is_commit(ev.version()) || matches!(ev, Event::Introduced(v) if v == "0"));
    if r.kind == RangeType::Git && r.events.iter().any(bad_commit) {
        e.add(&format!("{at}.events"), "GIT ranges need full 40- or 64-character lower-case commit hashes (or introduced \"0\")");
    }
    let has_fixed = r.events.iter().any(|ev| matches!(ev, Event::Fixed(_)));
    let has_last = r
        .events
        .iter()
        .any(|ev| matches!(ev, Event::LastAffected(_)));
    if has_fixed && has_last {
        e.add(
            &format!("{at}.events"),
            "must not mix fixed and last_affected",
        );
    }
}

#[cfg(test)]
mod tests;
