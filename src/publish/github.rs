//! The advisory as a GitHub repository security advisory: the body of
//! `POST /repos/{owner}/{repo}/security-advisories` (and of the PATCH that
//! updates a draft), as GitHub's REST description has it. Pure: the mirror
//! job (issue 13, to come) sends it.

use serde_json::{Map, Value, json};

use super::cve::{clip, cve_id};
use crate::domain::advisory::{Affected, Content, Credit, Event, Range, RangeType, ScoredSeverity};
use crate::domain::email::GithubHandle;

/// GitHub's longest summary and description.
const MAX_SUMMARY: usize = 1024;
const MAX_DESCRIPTION: usize = 65_535;

/// The create (or update) body for `content`.
pub fn advisory_request(content: &Content, scored: &[ScoredSeverity]) -> Value {
    let summary = clip(content.summary.trim(), MAX_SUMMARY);
    let description = match content.details.trim() {
        "" => summary.clone(),
        d => clip(d, MAX_DESCRIPTION),
    };
    let mut out = Map::new();
    out.insert("summary".into(), json!(summary));
    out.insert("description".into(), json!(description));
    out.insert("cve_id".into(), json!(cve_id(content)));
    out.insert(
        "vulnerabilities".into(),
        Value::Array(content.affected.iter().flat_map(vulnerabilities).collect()),
    );
    let cwes: Vec<String> = content
        .database_specific
        .cwe_ids
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    out.insert("cwe_ids".into(), json!(cwes));
    out.insert(
        "credits".into(),
        Value::Array(content.credits.iter().filter_map(credit).collect()),
    );
    // GitHub takes one vector; 3.1 where there is one, as GitHub scores it.
    let vector = scored
        .iter()
        .find(|s| s.score.trim().starts_with("CVSS:3.1/"))
        .or_else(|| scored.first())
        .map(|s| s.score.trim().to_owned());
    out.insert("cvss_vector_string".into(), json!(vector));
    Value::Object(out)
}

/// GitHub's name for an OSV ecosystem; `other` where it has none.
pub fn ecosystem(osv: &str) -> &'static str {
    match osv.split(':').next().unwrap_or(osv).trim() {
        "npm" => "npm",
        "PyPI" => "pip",
        "Maven" => "maven",
        "crates.io" => "rust",
        "Go" => "go",
        "RubyGems" => "rubygems",
        "NuGet" => "nuget",
        "Packagist" => "composer",
        "Hex" => "erlang",
        "Pub" => "pub",
        "SwiftURL" => "swift",
        "GitHub Actions" => "actions",
        _ => "other",
    }
}

/// One vulnerability per version range of the package (GitHub has no
/// ranges with gaps); GIT ranges name commits, which GitHub cannot take.
fn vulnerabilities(a: &Affected) -> Vec<Value> {
    let package = json!({
        "ecosystem": ecosystem(&a.package.ecosystem),
        "name": a.package.name.trim(),
    });
    let mut out: Vec<Value> = a
        .ranges
        .iter()
        .filter(|r| r.kind != RangeType::Git)
        .flat_map(intervals)
        .map(|(range, patched)| {
            json!({
                "package": package,
                "vulnerable_version_range": range,
                "patched_versions": patched,
            })
        })
        .collect();
    let listed: Vec<&str> = a
        .versions
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if out.is_empty() {
        // GitHub reads a comma as "and": each listed version is an entry.
        let single = |range: Option<String>| json!({"package": package, "vulnerable_version_range": range, "patched_versions": null});
        match listed.as_slice() {
            [] => out.push(single(None)),
            vs => out.extend(vs.iter().map(|v| single(Some(format!("= {v}"))))),
        }
    }
    out
}

/// Each affected interval of an OSV range in GitHub's syntax
/// (`>= 1.0.0, < 1.4.2`), with the version that fixes it.
fn intervals(r: &Range) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut open: Option<&str> = None;
    let lower = |start: &str| match start {
        "0" => None,
        s => Some(format!(">= {s}")),
    };
    let join =
        |parts: [Option<String>; 2]| parts.into_iter().flatten().collect::<Vec<_>>().join(", ");
    for ev in &r.events {
        let v = ev.version().trim();
        match ev {
            Event::Introduced(_) => {
                if let Some(start) = open.replace(v) {
                    out.push((join([lower(start), None]), None));
                }
            }
            Event::Fixed(_) => {
                if let Some(start) = open.take() {
                    out.push((
                        join([lower(start), Some(format!("< {v}"))]),
                        Some(v.to_owned()),
                    ));
                }
            }
            Event::Limit(_) => {
                if let Some(start) = open.take() {
                    out.push((join([lower(start), Some(format!("< {v}"))]), None));
                }
            }
            Event::LastAffected(_) => {
                if let Some(start) = open.take() {
                    out.push((join([lower(start), Some(format!("<= {v}"))]), None));
                }
            }
        }
    }
    if let Some(start) = open {
        out.push((join([lower(start), None]), None));
    }
    // `introduced: 0` with no end: every version, which GitHub writes `>= 0`.
    for (range, _) in &mut out {
        if range.is_empty() {
            *range = ">= 0".into();
        }
    }
    out
}

/// A credit GitHub can take: one with a (valid) GitHub handle.
fn credit(c: &Credit) -> Option<Value> {
    let handle = GithubHandle::parse(c.github.as_deref()?).ok()?;
    let kind = match c.kind.as_deref().unwrap_or("OTHER") {
        "FINDER" => "finder",
        "REPORTER" => "reporter",
        "ANALYST" => "analyst",
        "COORDINATOR" => "coordinator",
        "REMEDIATION_DEVELOPER" => "remediation_developer",
        "REMEDIATION_REVIEWER" => "remediation_reviewer",
        "REMEDIATION_VERIFIER" => "remediation_verifier",
        "TOOL" => "tool",
        "SPONSOR" => "sponsor",
        _ => "other",
    };
    Some(json!({"login": handle.as_str(), "type": kind}))
}
