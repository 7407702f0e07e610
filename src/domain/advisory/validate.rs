//! Checking an advisory's content against OSV's rules, field by field.

use crate::domain::cvss;
use crate::domain::fields::FieldErrors;
use serde::Serialize;

use super::*;

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

pub(super) fn is_ecosystem(s: &str) -> bool {
    let (name, suffix) = match s.split_once(':') {
        Some((n, suf)) => (n, Some(suf)),
        None => (s, None),
    };
    ECOSYSTEMS.contains(&name) && suffix.is_none_or(|x| !x.is_empty())
}

/// A full commit hash, as OSV requires in GIT ranges.
pub(super) fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A SemVer 2.0 version: `MAJOR.MINOR.PATCH`, then optional `-pre.release`
/// and `+build` identifiers; numbers without leading zeros, no `v` prefix.
pub fn is_semver(s: &str) -> bool {
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let number = |n: &str| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
    };
    let ident =
        |i: &str| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| number(p))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|i| ident(i) && (!i.bytes().all(|b| b.is_ascii_digit()) || number(i)))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
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
    "GIT",
    "PACKAGE",
    "EVIDENCE",
    "WEB",
];

pub(super) fn is_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > 10
        && s.len() <= 2000
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub(super) fn is_cwe(s: &str) -> bool {
    s.strip_prefix("CWE-")
        .is_some_and(|n| !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
}

pub(super) fn is_alias(s: &str) -> bool {
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
            match s.scored() {
                Ok(c) => scored.push(c),
                Err((field, message)) => e.add(&format!("severity[{i}].{field}"), message),
            }
        }
        for (i, c) in self.database_specific.cwe_ids.iter().enumerate() {
            let at = format!("database_specific.cwe_ids[{i}]");
            if !is_cwe(c) {
                e.add(&at, "must look like CWE-79");
            } else if crate::domain::cwe::lookup(c).is_none() {
                let version = crate::domain::cwe::VERSION;
                e.add(&at, format!("is not in the CWE catalogue (CWE {version})"));
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
                && crate::domain::email::GithubHandle::parse(g).is_err()
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

    /// The severities that score, with their scores, whatever the other
    /// fields hold: content stored under older rules (a CWE id the
    /// catalogue does not know) keeps its scores.
    pub fn scored(&self) -> Vec<ScoredSeverity> {
        self.severity
            .iter()
            .filter_map(|s| s.scored().ok())
            .collect()
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

fn bad_commit(ev: &Event) -> bool {
    !(is_commit(ev.version()) || matches!(ev, Event::Introduced(v) if v == "0"))
}

/// OSV compares SEMVER ranges by SemVer 2.0 precedence; "0" is OSV's
/// "every earlier version".
fn bad_semver(ev: &Event) -> bool {
    !(is_semver(ev.version()) || matches!(ev, Event::Introduced(v) if v == "0"))
}

impl Range {
    /// The first event whose version breaks the rules `validate` reports on
    /// the range's `events` (empty; not a commit in a GIT range; not SemVer
    /// in a SEMVER one), so a form can point at that event.
    pub fn bad_event(&self) -> Option<usize> {
        self.events.iter().position(|ev| {
            ev.version().trim().is_empty()
                || (self.kind == RangeType::Git && bad_commit(ev))
                || (self.kind == RangeType::Semver && bad_semver(ev))
        })
    }
}

impl Severity {
    /// The entry scored, or the field that is wrong and why.
    fn scored(&self) -> Result<ScoredSeverity, (&'static str, String)> {
        let c = cvss::score(self.score.trim()).map_err(|e| ("score", e.to_string()))?;
        if c.osv_type() != self.kind {
            return Err(("type", format!("is {} for this vector", c.osv_type())));
        }
        Ok(ScoredSeverity {
            kind: self.kind.clone(),
            score: self.score.trim().to_owned(),
            base_score: c.score,
            rating: c.rating.as_str(),
        })
    }
}

pub(super) fn check_range(e: &mut FieldErrors, at: &str, r: &Range) {
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
    if r.kind == RangeType::Git && r.events.iter().any(bad_commit) {
        e.add(&format!("{at}.events"), "GIT ranges need full 40- or 64-character lower-case commit hashes (or introduced \"0\")");
    }
    if r.kind == RangeType::Semver && r.events.iter().any(bad_semver) {
        e.add(
            &format!("{at}.events"),
            "SEMVER ranges need SemVer 2.0 versions such as 1.2.3 or 2.0.0-rc.1 (no v prefix, three numbers), or introduced \"0\"",
        );
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
