//! CSAF 2.0 (`csaf_security_advisory`) documents and the provider's
//! directory (section 7).
//!
//! One advisory becomes one document with one vulnerability. The product
//! tree is `vendor → product_name → product_version(_range)`: every OSV range
//! becomes a `product_version_range` whose name is a `vers:` range, explicit
//! and fixed versions become `product_version`s, and each leaf is one product
//! id. The document is meant to pass the JSON schema and the mandatory tests
//! of section 6.1 (see `tests/publish_formats.rs`, which checks both).
//!
//! Choices worth knowing:
//!
//! * CSAF 2.0 has no place for CVSS v4.0 (`scores` takes `cvss_v2` and
//!   `cvss_v3` only), so a v4 vector and its score go into a vulnerability
//!   note instead.
//! * CSAF 2.0 allows one `cwe` per vulnerability, and test 6.1.11 wants its
//!   name to be the catalogue's: the first of the advisory's CWE ids that
//!   names a weakness of the embedded catalogue ([`cwe_name`]) becomes
//!   `cwe`, and all of them are listed in a note.
//! * `database_specific.unaffected_versions` is not tied to a package. With
//!   one package its plain versions become `known_not_affected` products;
//!   otherwise (or for anything that is not a plain version) they are only
//!   quoted in a note, so that no package is wrongly declared safe.
//! * CSAF 2.0 has no "withdrawn" status: a withdrawn advisory stays `final`,
//!   with a note saying it was withdrawn and why (the caller supplies the
//!   revision entry for the withdrawal).

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::{Public, Revision, Site, osv, rfc3339};
use crate::domain::advisory::{Affected, Event, Range, RangeType, ScoredSeverity, is_cve};

/// `document.category`.
pub const CATEGORY: &str = "csaf_security_advisory";

/// The role claimed in `provider-metadata.json`. A CSAF provider (7.2.2)
/// must also serve directory listings (requirement 14) and a trusted provider
/// must sign and hash every document (requirements 18 to 20); what we can
/// promise from here is requirements 1 to 4 (valid documents, file names,
/// TLS, TLP:WHITE freely accessible): a CSAF publisher (7.2.1).
pub const ROLE: &str = "csaf_publisher";

mod products;
mod scores;
mod vers;
mod vulnerability;

use products::*;
pub use scores::{cvss_v3_object, cwe_name};
use vers::*;
pub use vers::{is_plain_version, purl_with_version, vers, vers_scheme, versionless_purl};
use vulnerability::*;

pub(super) const TLP_URL: &str = "https://www.first.org/tlp/";

pub fn render(advisory: &Public, site: &Site) -> Value {
    let tree = Tree::build(advisory, site);
    json!({
        "document": document(advisory, site),
        "product_tree": tree.to_json(),
        "vulnerabilities": [vulnerability(advisory, site, &tree)],
    })
}

/// File name for a tracking id, as section 5.1 derives it: lower case, and
/// every run of characters outside `[+\-a-z0-9]` replaced by one `_`.
pub fn file_name(tracking_id: &str) -> String {
    let mut out = String::new();
    let mut in_run = false;
    for c in tracking_id.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '+' || c == '-' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out.push_str(".json");
    out
}

/// `/.well-known/csaf/provider-metadata.json`.
pub fn provider_metadata(site: &Site, last_updated: jiff::Timestamp) -> Value {
    json!({
        "canonical_url": format!("{}/.well-known/csaf/provider-metadata.json", site.base_url),
        "distributions": [{"directory_url": white_directory(site)}],
        "last_updated": rfc3339(last_updated),
        "list_on_CSAF_aggregators": false,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": false,
        "publisher": publisher(site),
        "role": ROLE,
    })
}

/// `index.txt` of the `white` directory: one path per line.
pub fn index_txt(advisories: &[Public]) -> String {
    index_txt_of(&advisories.iter().map(listed).collect::<Vec<_>>())
}

/// `changes.csv`: `"path","current_release_date"`, newest first.
pub fn changes_csv(advisories: &[Public]) -> String {
    changes_csv_of(&advisories.iter().map(listed).collect::<Vec<_>>())
}

/// What the directory listings say of one document.
#[derive(Debug, Clone)]
pub struct Listed {
    /// `YYYY/file_name.json`, relative to the white directory.
    pub path: String,
    pub current_release_date: Timestamp,
}

/// The listing entry of `advisory`.
pub fn listed(advisory: &Public) -> Listed {
    Listed {
        path: path(advisory),
        current_release_date: current_release_date(advisory),
    }
}

/// `index.txt` of the given entries: one path per line, sorted.
pub fn index_txt_of(entries: &[Listed]) -> String {
    let mut paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    paths.into_iter().map(|p| format!("{p}\n")).collect()
}

/// `changes.csv` of the given entries, newest first.
pub fn changes_csv_of(entries: &[Listed]) -> String {
    let mut rows: Vec<(Timestamp, &str)> = entries
        .iter()
        .map(|e| (e.current_release_date, e.path.as_str()))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut seen = std::collections::HashSet::new();
    rows.retain(|(_, p)| seen.insert(*p));
    rows.into_iter()
        .map(|(at, p)| format!("\"{p}\",\"{}\"\n", rfc3339(at)))
        .collect()
}

/// `{base}/.well-known/csaf/white/`: where TLP:WHITE documents live.
pub fn white_directory(site: &Site) -> String {
    format!("{}/.well-known/csaf/white/", site.base_url)
}

/// `YYYY/file_name.json`, relative to the white directory. The folder is the
/// year of `initial_release_date` (requirement 11), which is not always the
/// year in the advisory id.
pub fn path(advisory: &Public) -> String {
    path_of(&advisory.id, advisory.published_at)
}

/// [`path`] from the id and the initial release.
pub fn path_of(id: &crate::domain::advisory::AdvisoryId, published_at: Timestamp) -> String {
    format!("{}/{}", published_at.strftime("%Y"), file_name(id.as_str()))
}

/// The document's canonical URL (its `self` reference).
pub fn document_url(advisory: &Public, site: &Site) -> String {
    format!("{}{}", white_directory(site), path(advisory))
}

/// `tracking.current_release_date`: the date of the latest revision.
pub fn current_release_date(advisory: &Public) -> Timestamp {
    revisions(advisory)
        .last()
        .map_or(advisory.published_at, |r| r.at)
}

/// `document.publisher`, shared by documents and the provider metadata.
pub fn publisher(site: &Site) -> Value {
    let mut p = Map::new();
    p.insert("category".into(), json!(site.csaf_category));
    if !site.contact_details.trim().is_empty() {
        p.insert("contact_details".into(), json!(site.contact_details.trim()));
    }
    p.insert("name".into(), json!(site.org));
    p.insert("namespace".into(), json!(site.csaf_namespace));
    Value::Object(p)
}

/// The revisions, by number; a lone publication if the caller gave none.
pub(super) fn revisions(advisory: &Public) -> Vec<Revision> {
    let mut revs = advisory.revisions.clone();
    revs.sort_by_key(|r| (r.number, r.at));
    if revs.is_empty() {
        revs.push(Revision {
            number: 1,
            at: advisory.published_at,
            summary: "Initial public release.".into(),
        });
    }
    revs
}

pub(super) fn document(advisory: &Public, site: &Site) -> Value {
    let c = &advisory.content;
    let revs = revisions(advisory);
    // `revisions` never returns an empty list; fall back to the publication anyway.
    let (latest_at, latest_number) = revs
        .last()
        .map(|r| (r.at, r.number))
        .unwrap_or((advisory.published_at, 1));

    let mut notes = Vec::new();
    if let Some(text) = withdrawal_text(advisory) {
        notes.push(note("general", "Withdrawn", &text));
    }
    if !c.summary.trim().is_empty() {
        notes.push(note("summary", "Summary", &c.summary));
    }
    if !c.details.trim().is_empty() {
        notes.push(note("description", "Details", &c.details));
    }

    let mut references = vec![
        json!({
            "category": "self",
            "summary": "This CSAF document",
            "url": document_url(advisory, site),
        }),
        json!({
            "category": "external",
            "summary": format!("Advisory {}", advisory.id),
            "url": site.advisory_url(&advisory.id),
        }),
    ];
    references.extend(external_references(advisory));

    let revision_history: Vec<Value> = revs
        .iter()
        .map(|r| {
            let summary = r.summary.trim();
            json!({
                "date": rfc3339(r.at),
                "number": r.number.to_string(),
                "summary": if summary.is_empty() { format!("Revision {}.", r.number) } else { summary.to_owned() },
            })
        })
        .collect();

    let mut doc = Map::new();
    if let Some(top) = highest(&advisory.scored) {
        doc.insert("aggregate_severity".into(), json!({"text": top.rating}));
    }
    doc.insert("category".into(), json!(CATEGORY));
    doc.insert("csaf_version".into(), json!("2.0"));
    doc.insert(
        "distribution".into(),
        json!({"tlp": {"label": "WHITE", "url": TLP_URL}}),
    );
    doc.insert("lang".into(), json!("en"));
    if !notes.is_empty() {
        doc.insert("notes".into(), Value::Array(notes));
    }
    doc.insert("publisher".into(), publisher(site));
    doc.insert("references".into(), Value::Array(references));
    doc.insert("title".into(), json!(title(advisory)));
    doc.insert(
        "tracking".into(),
        json!({
            "current_release_date": rfc3339(latest_at),
            "generator": {
                "engine": {"name": "embargo", "version": env!("CARGO_PKG_VERSION")},
            },
            "id": advisory.id.as_str(),
            "initial_release_date": rfc3339(advisory.published_at),
            "revision_history": revision_history,
            // CSAF 2.0 knows draft, interim and final only; a withdrawn
            // advisory stays final and says so in a note.
            "status": "final",
            "version": latest_number.to_string(),
        }),
    );
    Value::Object(doc)
}

/// "This advisory was withdrawn on ... Reason: ...", for a withdrawn one.
pub(super) fn withdrawal_text(advisory: &Public) -> Option<String> {
    let w = advisory.withdrawn.as_ref()?;
    let mut text = format!(
        "This advisory was withdrawn on {}; its content no longer stands.",
        rfc3339(w.at)
    );
    let reason = w.reason.trim();
    if !reason.is_empty() {
        text.push_str(&format!(" Reason: {reason}"));
    }
    Some(text)
}

pub(super) fn title(advisory: &Public) -> String {
    let s = advisory.content.summary.trim();
    if s.is_empty() {
        advisory.id.to_string()
    } else {
        s.to_owned()
    }
}

pub(super) fn note(category: &str, title: &str, text: &str) -> Value {
    json!({"category": category, "text": text, "title": title})
}

/// The advisory's own references, as CSAF `external` references.
pub(super) fn external_references(advisory: &Public) -> Vec<Value> {
    advisory
        .content
        .references
        .iter()
        .filter(|r| !r.url.trim().is_empty())
        .map(|r| {
            json!({
                "category": "external",
                "summary": reference_summary(&r.kind),
                "url": r.url.trim(),
            })
        })
        .collect()
}

pub(super) fn reference_summary(kind: &str) -> String {
    match kind {
        "ADVISORY" => "Advisory".into(),
        "ARTICLE" => "Article".into(),
        "DETECTION" => "Detection".into(),
        "DISCUSSION" => "Discussion".into(),
        "REPORT" => "Report".into(),
        "FIX" => "Fix".into(),
        "INTRODUCED" => "Change that introduced the vulnerability".into(),
        "PACKAGE" => "Package".into(),
        "EVIDENCE" => "Evidence".into(),
        "WEB" => "Web page".into(),
        other if !other.trim().is_empty() => other.trim().to_owned(),
        _ => "Reference".into(),
    }
}

/// The highest-scoring severity (any CVSS version).
pub(super) fn highest(scored: &[ScoredSeverity]) -> Option<&ScoredSeverity> {
    scored
        .iter()
        .max_by(|a, b| a.base_score.total_cmp(&b.base_score))
}
