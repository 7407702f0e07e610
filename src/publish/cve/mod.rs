//! CVE records (CVE Record Format 5.1) for teams that are their own CNA:
//! the `cna` container CVE Services takes, wrapped in a whole record with
//! the advisory's CVE id. A withdrawn advisory is a `REJECTED` record.

mod affected;
mod cvss4;

use serde_json::{Map, Value, json};

use super::{Public, Site, csaf, rfc3339};
use crate::domain::advisory::{AdvisoryId, Content, Credit, ScoredSeverity, is_cve};

/// The record format version.
pub const DATA_VERSION: &str = "5.1";

/// CVE's longest description and title.
const MAX_TEXT: usize = 4096;
const MAX_TITLE: usize = 256;

/// Why an advisory has no CVE record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// `publication.cve_org_id` is not set: the team is not a CNA here.
    NotConfigured,
    /// None of the advisory's aliases is a CVE id.
    NoCveId,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotConfigured => {
                "CVE records are off: set publication.cve_org_id to the CNA's organisation UUID"
            }
            Self::NoCveId => "the advisory has no CVE id: add the reserved id as an alias",
        })
    }
}

/// A version 4 UUID, as the CVE program gives organisations.
pub fn is_org_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let hex = |p: &str| p.bytes().all(|b| b.is_ascii_hexdigit());
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| hex(p))
        && parts[2].starts_with('4')
        && parts[3].starts_with(['8', '9', 'a', 'b', 'A', 'B'])
}

/// The CVE id among the aliases, the first if several.
pub fn cve_id(content: &Content) -> Option<&str> {
    content
        .aliases
        .iter()
        .map(|a| a.trim())
        .find(|a| is_cve(a) && a.len() <= "CVE-2026-".len() + 19)
}

/// The record of a published (or withdrawn: `REJECTED`) advisory.
pub fn render(advisory: &Public, site: &Site) -> Result<Value, Unavailable> {
    let cna = site.cve.as_ref().ok_or(Unavailable::NotConfigured)?;
    let id = cve_id(&advisory.content).ok_or(Unavailable::NoCveId)?;
    let updated = rfc3339(advisory.modified_at);
    let mut meta = Map::new();
    meta.insert("cveId".into(), json!(id));
    meta.insert("assignerOrgId".into(), json!(cna.org_id));
    if let Some(short) = &cna.short_name {
        meta.insert("assignerShortName".into(), json!(short));
    }
    let container = match &advisory.withdrawn {
        Some(w) => {
            meta.insert("state".into(), json!("REJECTED"));
            meta.insert("dateRejected".into(), json!(rfc3339(w.at)));
            meta.insert("dateUpdated".into(), json!(updated));
            let reason = match w.reason.trim() {
                "" => "This advisory was withdrawn.".to_owned(),
                r => format!("This advisory was withdrawn: {r}"),
            };
            json!({
                "providerMetadata": provider(site, &updated),
                "rejectedReasons": [{"lang": "en", "value": clip(&reason, MAX_TEXT)}],
            })
        }
        None => {
            meta.insert("state".into(), json!("PUBLISHED"));
            meta.insert(
                "datePublished".into(),
                json!(rfc3339(advisory.published_at)),
            );
            meta.insert("dateUpdated".into(), json!(updated));
            let mut c = container(
                &advisory.id,
                &advisory.content,
                &advisory.scored,
                site,
                &updated,
            );
            c.insert("datePublic".into(), json!(rfc3339(advisory.published_at)));
            c.insert("timeline".into(), Value::Array(timeline(advisory)));
            Value::Object(c)
        }
    };
    Ok(json!({
        "dataType": "CVE_RECORD",
        "dataVersion": DATA_VERSION,
        "cveMetadata": meta,
        "containers": {"cna": container},
    }))
}

/// The record of an advisory not yet public, for admins filling the CVE
/// ahead of the lift: no publication date or timeline.
pub fn render_draft(
    id: &AdvisoryId,
    content: &Content,
    scored: &[ScoredSeverity],
    modified_at: jiff::Timestamp,
    site: &Site,
) -> Result<Value, Unavailable> {
    let cna = site.cve.as_ref().ok_or(Unavailable::NotConfigured)?;
    let cve = cve_id(content).ok_or(Unavailable::NoCveId)?;
    let updated = rfc3339(modified_at);
    let mut meta = Map::new();
    meta.insert("cveId".into(), json!(cve));
    meta.insert("assignerOrgId".into(), json!(cna.org_id));
    if let Some(short) = &cna.short_name {
        meta.insert("assignerShortName".into(), json!(short));
    }
    meta.insert("state".into(), json!("PUBLISHED"));
    Ok(json!({
        "dataType": "CVE_RECORD",
        "dataVersion": DATA_VERSION,
        "cveMetadata": meta,
        "containers": {"cna": container(id, content, scored, site, &updated)},
    }))
}

fn provider(site: &Site, updated: &str) -> Value {
    let mut p = Map::new();
    if let Some(cna) = &site.cve {
        p.insert("orgId".into(), json!(cna.org_id));
        if let Some(short) = &cna.short_name {
            p.insert("shortName".into(), json!(short));
        }
    }
    p.insert("dateUpdated".into(), json!(updated));
    Value::Object(p)
}

fn container(
    id: &AdvisoryId,
    c: &Content,
    scored: &[ScoredSeverity],
    site: &Site,
    updated: &str,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("providerMetadata".into(), provider(site, updated));
    if !c.summary.trim().is_empty() {
        out.insert("title".into(), json!(clip(c.summary.trim(), MAX_TITLE)));
    }
    let text = match c.details.trim() {
        "" => c.summary.trim(),
        d => d,
    };
    let text = if text.is_empty() {
        "See the advisory."
    } else {
        text
    };
    out.insert(
        "descriptions".into(),
        json!([{"lang": "en", "value": clip(text, MAX_TEXT)}]),
    );
    out.insert(
        "affected".into(),
        Value::Array(affected::products(&c.affected, &site.org)),
    );
    let problems: Vec<Value> = c
        .database_specific
        .cwe_ids
        .iter()
        .map(|id| id.trim().to_ascii_uppercase())
        .filter(|id| valid_cwe(id))
        .map(|id| {
            let description = match csaf::cwe_name(&id) {
                Some(name) => format!("{id} {name}"),
                None => id.clone(),
            };
            json!({"descriptions": [{"lang": "en", "cweId": id, "description": description, "type": "CWE"}]})
        })
        .collect();
    if !problems.is_empty() {
        out.insert("problemTypes".into(), Value::Array(dedup(problems)));
    }
    let metrics: Vec<Value> = scored.iter().filter_map(metric).collect();
    if !metrics.is_empty() {
        out.insert("metrics".into(), Value::Array(metrics));
    }
    out.insert("references".into(), Value::Array(references(id, c, site)));
    let credits: Vec<Value> = c.credits.iter().filter_map(credit).collect();
    if !credits.is_empty() {
        out.insert("credits".into(), Value::Array(dedup(credits)));
    }
    out
}

fn valid_cwe(id: &str) -> bool {
    id.strip_prefix("CWE-").is_some_and(|n| {
        !n.is_empty()
            && n.len() <= 5
            && !n.starts_with('0')
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

fn metric(s: &ScoredSeverity) -> Option<Value> {
    let vector = s.score.trim();
    let (key, object) = if vector.starts_with("CVSS:3.1/") {
        ("cvssV3_1", csaf::cvss_v3_object(s)?)
    } else if vector.starts_with("CVSS:3.0/") {
        ("cvssV3_0", csaf::cvss_v3_object(s)?)
    } else if vector.starts_with("CVSS:4.0/") {
        ("cvssV4_0", cvss4::object(s)?)
    } else {
        return None;
    };
    Some(json!({
        "format": "CVSS",
        "scenarios": [{"lang": "en", "value": "GENERAL"}],
        key: object,
    }))
}

/// The advisory page first, then its references, each URL once, with the
/// CVE tag OSV's reference type comes closest to.
fn references(id: &AdvisoryId, c: &Content, site: &Site) -> Vec<Value> {
    let mut out = vec![json!({"url": site.advisory_url(id), "tags": ["vendor-advisory"]})];
    let mut seen = vec![site.advisory_url(id)];
    for r in &c.references {
        let url = r.url.trim();
        if url.is_empty() || seen.iter().any(|s| s == url) {
            continue;
        }
        seen.push(url.to_owned());
        let tag = match r.kind.as_str() {
            "ADVISORY" => Some("third-party-advisory"),
            "ARTICLE" => Some("technical-description"),
            "DETECTION" => Some("signature"),
            "DISCUSSION" => Some("mailing-list"),
            "REPORT" => Some("issue-tracking"),
            "FIX" => Some("patch"),
            "INTRODUCED" | "GIT" => Some("related"),
            "PACKAGE" => Some("product"),
            "EVIDENCE" => Some("exploit"),
            _ => None,
        };
        out.push(match tag {
            Some(t) => json!({"url": url, "tags": [t]}),
            None => json!({"url": url}),
        });
    }
    out
}

fn credit(c: &Credit) -> Option<Value> {
    let name = c.name.trim();
    if name.is_empty() {
        return None;
    }
    let kind = match c.kind.as_deref()? {
        "FINDER" => "finder",
        "REPORTER" => "reporter",
        "ANALYST" => "analyst",
        "COORDINATOR" => "coordinator",
        "REMEDIATION_DEVELOPER" => "remediation developer",
        "REMEDIATION_REVIEWER" => "remediation reviewer",
        "REMEDIATION_VERIFIER" => "remediation verifier",
        "TOOL" => "tool",
        "SPONSOR" => "sponsor",
        _ => "other",
    };
    Some(json!({"lang": "en", "value": clip(name, MAX_TEXT), "type": kind}))
}

fn timeline(a: &Public) -> Vec<Value> {
    let mut out = vec![json!({
        "time": rfc3339(a.published_at),
        "lang": "en",
        "value": if a.published_early { "Published before the end of the embargo" } else { "Published at the end of the embargo" },
    })];
    for r in a.revisions.iter().skip(1) {
        let value = match r.summary.trim() {
            "" => format!("Revision {}", r.number),
            s => format!("Revision {}: {}", r.number, clip(s, 1000)),
        };
        out.push(json!({"time": rfc3339(r.at), "lang": "en", "value": value}));
    }
    dedup(out)
}

/// At most `max` characters, cut at a character boundary with an ellipsis.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// CVE arrays are `uniqueItems`.
fn dedup(items: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}
