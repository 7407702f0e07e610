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
//!   name to be the catalogue's. We cannot look names up, so [`cwe_name`]
//!   ships a table of common weaknesses: the first of the advisory's CWE ids
//!   found there becomes `cwe`, and all of them are listed in a note.
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

const TLP_URL: &str = "https://www.first.org/tlp/";

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
    let mut paths: Vec<String> = advisories.iter().map(path).collect();
    paths.sort();
    paths.dedup();
    paths.into_iter().map(|p| p + "\n").collect()
}

/// `changes.csv`: `"path","current_release_date"`, newest first.
pub fn changes_csv(advisories: &[Public]) -> String {
    let mut rows: Vec<(Timestamp, String)> = advisories
        .iter()
        .map(|a| (current_release_date(a), path(a)))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut seen = std::collections::HashSet::new();
    rows.retain(|(_, p)| seen.insert(p.clone()));
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
    format!(
        "{}/{}",
        advisory.published_at.strftime("%Y"),
        file_name(advisory.id.as_str())
    )
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
fn revisions(advisory: &Public) -> Vec<Revision> {
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

fn document(advisory: &Public, site: &Site) -> Value {
    let c = &advisory.content;
    let revs = revisions(advisory);
    let latest = revs.last().expect("at least one revision");

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
            "current_release_date": rfc3339(latest.at),
            "generator": {
                "engine": {"name": "embargo", "version": env!("CARGO_PKG_VERSION")},
            },
            "id": advisory.id.as_str(),
            "initial_release_date": rfc3339(advisory.published_at),
            "revision_history": revision_history,
            // CSAF 2.0 knows draft, interim and final only; a withdrawn
            // advisory stays final and says so in a note.
            "status": "final",
            "version": latest.number.to_string(),
        }),
    );
    Value::Object(doc)
}

/// "This advisory was withdrawn on ... Reason: ...", for a withdrawn one.
fn withdrawal_text(advisory: &Public) -> Option<String> {
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

fn title(advisory: &Public) -> String {
    let s = advisory.content.summary.trim();
    if s.is_empty() {
        advisory.id.to_string()
    } else {
        s.to_owned()
    }
}

fn note(category: &str, title: &str, text: &str) -> Value {
    json!({"category": category, "text": text, "title": title})
}

/// The advisory's own references, as CSAF `external` references.
fn external_references(advisory: &Public) -> Vec<Value> {
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

fn reference_summary(kind: &str) -> String {
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
fn highest(scored: &[ScoredSeverity]) -> Option<&ScoredSeverity> {
    scored
        .iter()
        .max_by(|a, b| a.base_score.total_cmp(&b.base_score))
}

fn vulnerability(advisory: &Public, site: &Site, tree: &Tree) -> Value {
    let c = &advisory.content;
    let mut v = Map::new();

    let affected = tree.ids(Status::Affected);
    let fixed = tree.ids(Status::Fixed);
    let not_affected = tree.ids(Status::NotAffected);

    let mut acknowledgments = Vec::new();
    for credit in &c.credits {
        if credit.name.trim().is_empty() {
            continue;
        }
        let mut ack = Map::new();
        ack.insert("names".into(), json!([credit.name.trim()]));
        if let Some(summary) = credit.kind.as_deref().and_then(credit_summary) {
            ack.insert("summary".into(), json!(summary));
        }
        // Web addresses only: e-mail contacts stay out of acknowledgments.
        let mut urls: Vec<String> = credit
            .contact
            .iter()
            .map(|u| u.trim().to_owned())
            .filter(|u| is_web_url(u))
            .collect();
        if let Some(gh) = osv::github_url(credit) {
            urls.push(gh);
        }
        urls.dedup();
        if !urls.is_empty() {
            ack.insert("urls".into(), json!(urls));
        }
        acknowledgments.push(Value::Object(ack));
    }
    if !acknowledgments.is_empty() {
        v.insert("acknowledgments".into(), Value::Array(acknowledgments));
    }

    let cves: Vec<&str> = c
        .aliases
        .iter()
        .map(|a| a.trim())
        .filter(|a| is_cve(a))
        .collect();
    if let Some(cve) = cves.first() {
        v.insert("cve".into(), json!(cve));
    }
    let known_cwe = c
        .database_specific
        .cwe_ids
        .iter()
        .find_map(|id| cwe_name(id).map(|name| (id.trim(), name)));
    if let Some((id, name)) = known_cwe {
        v.insert("cwe".into(), json!({"id": id, "name": name}));
    }
    let mut ids: Vec<Value> = Vec::new();
    for alias in c.aliases.iter().map(|a| a.trim()) {
        if alias.is_empty() || Some(&alias) == cves.first() {
            continue;
        }
        let id = json!({"system_name": id_system(alias), "text": alias});
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if !ids.is_empty() {
        v.insert("ids".into(), Value::Array(ids));
    }

    let mut notes = Vec::new();
    if let Some(text) = withdrawal_text(advisory) {
        notes.push(note("general", "Withdrawn", &text));
    }
    let description = [&c.details, &c.summary]
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| title(advisory));
    notes.push(note(
        "description",
        "Vulnerability description",
        &description,
    ));
    let cwes: Vec<String> = c
        .database_specific
        .cwe_ids
        .iter()
        .map(|id| match cwe_name(id) {
            Some(name) => format!("{id}: {name}"),
            None => id.clone(),
        })
        .collect();
    if cwes.len() > 1 || (cwes.len() == 1 && known_cwe.is_none()) {
        notes.push(note(
            "other",
            "Weaknesses (CWE)",
            &format!("This vulnerability is classified as: {}.", cwes.join("; ")),
        ));
    }
    let mut cvss_v3 = Vec::new();
    let mut cvss_notes = Vec::new();
    for s in &advisory.scored {
        match cvss_v3_object(s) {
            // One score per CVSS version and product (test 6.1.7).
            Some(obj)
                if !cvss_v3
                    .iter()
                    .any(|o: &Value| o["version"] == obj["version"]) =>
            {
                cvss_v3.push(obj)
            }
            _ => cvss_notes.push(format!(
                "{} (base score {:.1}, {})",
                s.score, s.base_score, s.rating
            )),
        }
    }
    if !cvss_notes.is_empty() {
        notes.push(note(
            "other",
            "Further CVSS scores",
            &format!(
                "Scores that CSAF 2.0 cannot carry in `scores` (it has no CVSS v4.0), or further vectors of the same version: {}.",
                cvss_notes.join("; ")
            ),
        ));
    }
    if !tree.unaffected_note.is_empty() {
        notes.push(note(
            "other",
            "Versions reported as not affected",
            &format!(
                "Versions reported as not affected: {}.",
                tree.unaffected_note.join(", ")
            ),
        ));
    }
    v.insert("notes".into(), Value::Array(notes));

    let mut status = Map::new();
    if !fixed.is_empty() {
        status.insert("fixed".into(), json!(fixed));
    }
    if !affected.is_empty() {
        status.insert("known_affected".into(), json!(affected));
    }
    if !not_affected.is_empty() {
        status.insert("known_not_affected".into(), json!(not_affected));
    }
    v.insert("product_status".into(), Value::Object(status));

    let references = external_references(advisory);
    if !references.is_empty() {
        v.insert("references".into(), Value::Array(references));
    }
    v.insert("release_date".into(), json!(rfc3339(advisory.published_at)));

    // A withdrawn advisory recommends nothing.
    let remediations = if advisory.withdrawn.is_some() {
        Vec::new()
    } else {
        tree.remediations(&site.advisory_url(&advisory.id))
    };
    if !remediations.is_empty() {
        v.insert("remediations".into(), Value::Array(remediations));
    }
    if !cvss_v3.is_empty() && !affected.is_empty() {
        let scores: Vec<Value> = cvss_v3
            .into_iter()
            .map(|obj| json!({"cvss_v3": obj, "products": affected}))
            .collect();
        v.insert("scores".into(), Value::Array(scores));
    }
    v.insert("title".into(), json!(title(advisory)));
    Value::Object(v)
}

fn credit_summary(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "FINDER" => "found the vulnerability",
        "REPORTER" => "reported the vulnerability",
        "ANALYST" => "analysed the vulnerability",
        "COORDINATOR" => "coordinated the disclosure",
        "REMEDIATION_DEVELOPER" => "developed the fix",
        "REMEDIATION_REVIEWER" => "reviewed the fix",
        "REMEDIATION_VERIFIER" => "verified the fix",
        "TOOL" => "tool used to find the vulnerability",
        "SPONSOR" => "sponsored the work",
        _ => return None,
    })
}

fn is_web_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

/// `ids[].system_name` for an alias such as `GHSA-xxxx-xxxx-xxxx`.
fn id_system(alias: &str) -> String {
    let prefix = alias.split('-').next().unwrap_or(alias);
    match prefix {
        "GHSA" => "GitHub Security Advisories".into(),
        "CVE" => "CVE".into(),
        "GO" => "Go Vulnerability Database".into(),
        "PYSEC" => "PyPI Advisory Database".into(),
        "RUSTSEC" => "RustSec Advisory Database".into(),
        "OSV" => "OSV".into(),
        _ => prefix.to_owned(),
    }
}

/// A CVSS v3.x severity as FIRST's `cvss-v3.x.json` object: the vector, the
/// base score and severity, and every metric the vector gives. `None` when
/// the vector is not CVSS v3 (v4 has no place in CSAF 2.0) or cannot be
/// read.
pub fn cvss_v3_object(s: &ScoredSeverity) -> Option<Value> {
    let vector = s.score.trim();
    let (prefix, metrics) = vector.split_once('/')?;
    let version = match prefix {
        "CVSS:3.1" => "3.1",
        "CVSS:3.0" => "3.0",
        _ => return None,
    };
    let mut out = Map::new();
    out.insert("version".into(), json!(version));
    out.insert("vectorString".into(), json!(vector));
    for part in metrics.split('/') {
        let (key, value) = part.split_once(':')?;
        let (property, text) = cvss_v3_metric(key, value)?;
        if out.insert(property.into(), json!(text)).is_some() {
            return None; // a metric given twice
        }
    }
    const BASE: [&str; 8] = [
        "attackVector",
        "attackComplexity",
        "privilegesRequired",
        "userInteraction",
        "scope",
        "confidentialityImpact",
        "integrityImpact",
        "availabilityImpact",
    ];
    if !BASE.iter().all(|m| out.contains_key(*m)) {
        return None;
    }
    out.insert(
        "baseScore".into(),
        json!((s.base_score * 10.0).round() / 10.0),
    );
    out.insert("baseSeverity".into(), json!(s.rating));
    Some(Value::Object(out))
}

/// One `KEY:VALUE` of a CVSS v3 vector as a property of FIRST's schema.
fn cvss_v3_metric(key: &str, value: &str) -> Option<(&'static str, &'static str)> {
    fn cia(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NONE",
            "L" => "LOW",
            "H" => "HIGH",
            _ => return None,
        })
    }
    fn modified(v: &str, base: fn(&str) -> Option<&'static str>) -> Option<&'static str> {
        if v == "X" {
            Some("NOT_DEFINED")
        } else {
            base(v)
        }
    }
    fn av(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NETWORK",
            "A" => "ADJACENT_NETWORK",
            "L" => "LOCAL",
            "P" => "PHYSICAL",
            _ => return None,
        })
    }
    fn ac(v: &str) -> Option<&'static str> {
        Some(match v {
            "L" => "LOW",
            "H" => "HIGH",
            _ => return None,
        })
    }
    fn pr(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NONE",
            "L" => "LOW",
            "H" => "HIGH",
            _ => return None,
        })
    }
    fn ui(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NONE",
            "R" => "REQUIRED",
            _ => return None,
        })
    }
    fn scope(v: &str) -> Option<&'static str> {
        Some(match v {
            "U" => "UNCHANGED",
            "C" => "CHANGED",
            _ => return None,
        })
    }
    fn requirement(v: &str) -> Option<&'static str> {
        Some(match v {
            "X" => "NOT_DEFINED",
            "L" => "LOW",
            "M" => "MEDIUM",
            "H" => "HIGH",
            _ => return None,
        })
    }
    Some(match key {
        "AV" => ("attackVector", av(value)?),
        "AC" => ("attackComplexity", ac(value)?),
        "PR" => ("privilegesRequired", pr(value)?),
        "UI" => ("userInteraction", ui(value)?),
        "S" => ("scope", scope(value)?),
        "C" => ("confidentialityImpact", cia(value)?),
        "I" => ("integrityImpact", cia(value)?),
        "A" => ("availabilityImpact", cia(value)?),
        "E" => (
            "exploitCodeMaturity",
            match value {
                "X" => "NOT_DEFINED",
                "U" => "UNPROVEN",
                "P" => "PROOF_OF_CONCEPT",
                "F" => "FUNCTIONAL",
                "H" => "HIGH",
                _ => return None,
            },
        ),
        "RL" => (
            "remediationLevel",
            match value {
                "X" => "NOT_DEFINED",
                "O" => "OFFICIAL_FIX",
                "T" => "TEMPORARY_FIX",
                "W" => "WORKAROUND",
                "U" => "UNAVAILABLE",
                _ => return None,
            },
        ),
        "RC" => (
            "reportConfidence",
            match value {
                "X" => "NOT_DEFINED",
                "U" => "UNKNOWN",
                "R" => "REASONABLE",
                "C" => "CONFIRMED",
                _ => return None,
            },
        ),
        "CR" => ("confidentialityRequirement", requirement(value)?),
        "IR" => ("integrityRequirement", requirement(value)?),
        "AR" => ("availabilityRequirement", requirement(value)?),
        "MAV" => ("modifiedAttackVector", modified(value, av)?),
        "MAC" => ("modifiedAttackComplexity", modified(value, ac)?),
        "MPR" => ("modifiedPrivilegesRequired", modified(value, pr)?),
        "MUI" => ("modifiedUserInteraction", modified(value, ui)?),
        "MS" => ("modifiedScope", modified(value, scope)?),
        "MC" => ("modifiedConfidentialityImpact", modified(value, cia)?),
        "MI" => ("modifiedIntegrityImpact", modified(value, cia)?),
        "MA" => ("modifiedAvailabilityImpact", modified(value, cia)?),
        _ => return None,
    })
}

/// The catalogue name of a common CWE (CWE 4.x), for CSAF's `cwe.name`,
/// which test 6.1.11 checks against the catalogue. Unknown ids give `None`
/// and are only mentioned in a note.
pub fn cwe_name(id: &str) -> Option<&'static str> {
    CWE_NAMES
        .iter()
        .find(|(i, _)| *i == id.trim())
        .map(|(_, name)| *name)
}

const CWE_NAMES: &[(&str, &str)] = &[
    ("CWE-20", "Improper Input Validation"),
    (
        "CWE-22",
        "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
    ),
    (
        "CWE-74",
        "Improper Neutralization of Special Elements in Output Used by a Downstream Component ('Injection')",
    ),
    (
        "CWE-77",
        "Improper Neutralization of Special Elements used in a Command ('Command Injection')",
    ),
    (
        "CWE-78",
        "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
    ),
    (
        "CWE-79",
        "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
    ),
    (
        "CWE-89",
        "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
    ),
    (
        "CWE-94",
        "Improper Control of Generation of Code ('Code Injection')",
    ),
    ("CWE-116", "Improper Encoding or Escaping of Output"),
    (
        "CWE-119",
        "Improper Restriction of Operations within the Bounds of a Memory Buffer",
    ),
    (
        "CWE-120",
        "Buffer Copy without Checking Size of Input ('Classic Buffer Overflow')",
    ),
    ("CWE-125", "Out-of-bounds Read"),
    ("CWE-129", "Improper Validation of Array Index"),
    ("CWE-190", "Integer Overflow or Wraparound"),
    ("CWE-191", "Integer Underflow (Wrap or Wraparound)"),
    (
        "CWE-200",
        "Exposure of Sensitive Information to an Unauthorized Actor",
    ),
    ("CWE-269", "Improper Privilege Management"),
    ("CWE-276", "Incorrect Default Permissions"),
    ("CWE-284", "Improper Access Control"),
    ("CWE-287", "Improper Authentication"),
    ("CWE-295", "Improper Certificate Validation"),
    ("CWE-306", "Missing Authentication for Critical Function"),
    (
        "CWE-327",
        "Use of a Broken or Risky Cryptographic Algorithm",
    ),
    (
        "CWE-347",
        "Improper Verification of Cryptographic Signature",
    ),
    ("CWE-352", "Cross-Site Request Forgery (CSRF)"),
    (
        "CWE-362",
        "Concurrent Execution using Shared Resource with Improper Synchronization ('Race Condition')",
    ),
    ("CWE-400", "Uncontrolled Resource Consumption"),
    (
        "CWE-401",
        "Missing Release of Memory after Effective Lifetime",
    ),
    ("CWE-415", "Double Free"),
    ("CWE-416", "Use After Free"),
    ("CWE-434", "Unrestricted Upload of File with Dangerous Type"),
    (
        "CWE-444",
        "Inconsistent Interpretation of HTTP Requests ('HTTP Request/Response Smuggling')",
    ),
    ("CWE-476", "NULL Pointer Dereference"),
    ("CWE-502", "Deserialization of Untrusted Data"),
    (
        "CWE-532",
        "Insertion of Sensitive Information into Log File",
    ),
    (
        "CWE-601",
        "URL Redirection to Untrusted Site ('Open Redirect')",
    ),
    (
        "CWE-611",
        "Improper Restriction of XML External Entity Reference",
    ),
    ("CWE-617", "Reachable Assertion"),
    (
        "CWE-639",
        "Authorization Bypass Through User-Controlled Key",
    ),
    ("CWE-674", "Uncontrolled Recursion"),
    (
        "CWE-732",
        "Incorrect Permission Assignment for Critical Resource",
    ),
    (
        "CWE-770",
        "Allocation of Resources Without Limits or Throttling",
    ),
    ("CWE-787", "Out-of-bounds Write"),
    ("CWE-798", "Use of Hard-coded Credentials"),
    (
        "CWE-835",
        "Loop with Unreachable Exit Condition ('Infinite Loop')",
    ),
    (
        "CWE-843",
        "Access of Resource Using Incompatible Type ('Type Confusion')",
    ),
    ("CWE-862", "Missing Authorization"),
    ("CWE-863", "Incorrect Authorization"),
    ("CWE-908", "Use of Uninitialized Resource"),
    ("CWE-918", "Server-Side Request Forgery (SSRF)"),
    (
        "CWE-1321",
        "Improperly Controlled Modification of Object Prototype Attributes ('Prototype Pollution')",
    ),
    ("CWE-1333", "Inefficient Regular Expression Complexity"),
];

// ---- product tree ----------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Affected,
    Fixed,
    NotAffected,
}

#[derive(Debug)]
struct Leaf {
    /// `product_version` or `product_version_range`.
    category: &'static str,
    name: String,
    product_name: String,
    product_id: String,
    purl: Option<String>,
    status: Status,
}

#[derive(Debug)]
struct Package {
    vendor: String,
    ecosystem: String,
    name: String,
    /// The `product_name` branch: the package name, with the ecosystem when
    /// two packages of one vendor share a name.
    branch_name: String,
    leaves: Vec<Leaf>,
    /// Fixed versions (or commits) named by the ranges, for the remediation.
    fixes: Vec<String>,
    /// `(repo, commit)` of fixes named by GIT ranges.
    fix_commits: Vec<(String, String)>,
    /// The package's purl without a version, from the first affected entry
    /// that gives one.
    base_purl: Option<String>,
}

#[derive(Debug, Default)]
struct Tree {
    packages: Vec<Package>,
    /// Used when the advisory names no package at all.
    fallback: Option<(String, String)>,
    /// Unaffected versions that did not become products.
    unaffected_note: Vec<String>,
}

impl Tree {
    fn build(advisory: &Public, site: &Site) -> Self {
        let c = &advisory.content;
        let mut tree = Tree::default();
        for a in &c.affected {
            let vendor = if site.csaf_category == "vendor" || a.package.ecosystem.trim().is_empty()
            {
                site.org.trim().to_owned()
            } else {
                a.package.ecosystem.trim().to_owned()
            };
            let ecosystem = a.package.ecosystem.trim().to_owned();
            let name = a.package.name.trim().to_owned();
            let at = match tree
                .packages
                .iter()
                .position(|p| p.vendor == vendor && p.ecosystem == ecosystem && p.name == name)
            {
                Some(i) => i,
                None => {
                    tree.packages.push(Package {
                        vendor,
                        ecosystem,
                        branch_name: name.clone(),
                        name,
                        leaves: Vec::new(),
                        fixes: Vec::new(),
                        fix_commits: Vec::new(),
                        base_purl: None,
                    });
                    tree.packages.len() - 1
                }
            };
            tree.packages[at].add_affected(a);
        }
        // Two packages of one vendor with one name (npm `x` and PyPI `x`).
        for i in 0..tree.packages.len() {
            let clash = tree.packages.iter().enumerate().any(|(j, p)| {
                j != i && p.vendor == tree.packages[i].vendor && p.name == tree.packages[i].name
            });
            if clash {
                let p = &mut tree.packages[i];
                p.branch_name = format!("{} ({})", p.name, p.ecosystem);
            }
        }

        let unaffected: Vec<&str> = c
            .database_specific
            .unaffected_versions
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        for v in unaffected {
            if tree.packages.len() == 1 && is_plain_version(v) {
                let p = &mut tree.packages[0];
                let product_name = format!("{} {v}", p.name);
                let purl = p.purl_for_version(v);
                p.add_leaf(
                    "product_version",
                    v,
                    product_name,
                    purl,
                    Status::NotAffected,
                );
            } else {
                tree.unaffected_note.push(v.to_owned());
            }
        }

        let mut n = 0;
        for p in &mut tree.packages {
            for leaf in &mut p.leaves {
                n += 1;
                leaf.product_id = format!("CSAFPID-{n:04}");
            }
        }
        if n == 0 {
            tree.fallback = Some((
                format!("Products named in advisory {}", advisory.id),
                "CSAFPID-0001".into(),
            ));
        }
        tree
    }

    fn ids(&self, status: Status) -> Vec<String> {
        if let Some((_, id)) = &self.fallback {
            return if status == Status::Affected {
                vec![id.clone()]
            } else {
                Vec::new()
            };
        }
        self.packages
            .iter()
            .flat_map(|p| &p.leaves)
            .filter(|l| l.status == status)
            .map(|l| l.product_id.clone())
            .collect()
    }

    fn to_json(&self) -> Value {
        if let Some((name, id)) = &self.fallback {
            return json!({"full_product_names": [{"name": name, "product_id": id}]});
        }
        let mut vendors: Vec<(String, Vec<Value>)> = Vec::new();
        for p in &self.packages {
            let leaves: Vec<Value> = p
                .leaves
                .iter()
                .map(|l| {
                    let mut product = Map::new();
                    product.insert("name".into(), json!(l.product_name));
                    product.insert("product_id".into(), json!(l.product_id));
                    if let Some(purl) = &l.purl {
                        product.insert(
                            "product_identification_helper".into(),
                            json!({"purl": purl}),
                        );
                    }
                    json!({"category": l.category, "name": l.name, "product": product})
                })
                .collect();
            if leaves.is_empty() {
                continue;
            }
            let branch = json!({
                "branches": leaves,
                "category": "product_name",
                "name": p.branch_name,
            });
            match vendors.iter_mut().find(|(v, _)| *v == p.vendor) {
                Some((_, products)) => products.push(branch),
                None => vendors.push((p.vendor.clone(), vec![branch])),
            }
        }
        let branches: Vec<Value> = vendors
            .into_iter()
            .map(|(vendor, products)| {
                json!({"branches": products, "category": "vendor", "name": vendor})
            })
            .collect();
        json!({ "branches": branches })
    }

    /// `vendor_fix` per package that has fixed versions, `none_available`
    /// for the others; each lists the package's affected products.
    fn remediations(&self, advisory_url: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for p in &self.packages {
            let affected: Vec<&str> = p
                .leaves
                .iter()
                .filter(|l| l.status == Status::Affected)
                .map(|l| l.product_id.as_str())
                .collect();
            if affected.is_empty() {
                continue;
            }
            let mut details = Vec::new();
            if !p.fixes.is_empty() {
                details.push(format!(
                    "Upgrade {} to a fixed version: {} (or later).",
                    p.name,
                    p.fixes.join(", ")
                ));
            }
            for (repo, commit) in &p.fix_commits {
                details.push(format!(
                    "The fix is commit {commit} in {repo}; builds from source should include it."
                ));
            }
            if details.is_empty() {
                out.push(json!({
                    "category": "none_available",
                    "details": format!("No fixed version of {} is known yet.", p.name),
                    "product_ids": affected,
                    "url": advisory_url,
                }));
            } else {
                out.push(json!({
                    "category": "vendor_fix",
                    "details": details.join(" "),
                    "product_ids": affected,
                    "url": advisory_url,
                }));
            }
        }
        out
    }
}

impl Package {
    fn add_leaf(
        &mut self,
        category: &'static str,
        name: &str,
        product_name: String,
        purl: Option<String>,
        status: Status,
    ) {
        // One product per (category, name); the first status wins, and
        // affected entries come first, so a version both listed as affected
        // and named as a fix stays affected (test 6.1.6).
        if self
            .leaves
            .iter()
            .any(|l| l.category == category && l.name == name)
        {
            return;
        }
        self.leaves.push(Leaf {
            category,
            name: name.to_owned(),
            product_name,
            product_id: String::new(),
            purl,
            status,
        });
    }

    fn purl_for_version(&self, version: &str) -> Option<String> {
        self.base_purl
            .as_deref()
            .map(|p| purl_with_version(p, version))
    }

    fn add_affected(&mut self, a: &Affected) {
        if self.base_purl.is_none() {
            self.base_purl = a
                .package
                .purl
                .as_deref()
                .map(str::trim)
                .filter(|p| p.starts_with("pkg:"))
                .map(versionless_purl);
        }
        let scheme_for_ecosystem = vers_scheme(self.base_purl.as_deref(), &self.ecosystem);
        for r in &a.ranges {
            let scheme = match r.kind {
                RangeType::Semver => "semver".to_owned(),
                RangeType::Ecosystem => scheme_for_ecosystem.clone(),
                // Commits have no order a vers scheme knows; `generic` is the
                // closest vers offers, and the repository is named alongside.
                RangeType::Git => "generic".to_owned(),
            };
            let vers = vers(r, &scheme);
            let product_name = match (&r.kind, &r.repo) {
                (RangeType::Git, Some(repo)) => format!("{} {vers} (commits of {repo})", self.name),
                _ => format!("{} {vers}", self.name),
            };
            let purl = self.base_purl.clone();
            self.add_leaf(
                "product_version_range",
                &vers,
                product_name,
                purl,
                Status::Affected,
            );
        }
        for v in a
            .versions
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            let product_name = format!("{} {v}", self.name);
            if is_plain_version(v) {
                let purl = self.purl_for_version(v);
                self.add_leaf("product_version", v, product_name, purl, Status::Affected);
            } else {
                // Not a single version (test 6.1.31): keep it as a range.
                let purl = self.base_purl.clone();
                self.add_leaf(
                    "product_version_range",
                    v,
                    product_name,
                    purl,
                    Status::Affected,
                );
            }
        }
        for r in &a.ranges {
            for ev in ordered_events(r) {
                let Event::Fixed(v) = ev else { continue };
                let v = v.trim();
                if !is_plain_version(v) {
                    continue;
                }
                if r.kind == RangeType::Git {
                    let repo = r.repo.clone().unwrap_or_default();
                    if !self.fix_commits.contains(&(repo.clone(), v.to_owned())) {
                        self.fix_commits.push((repo.clone(), v.to_owned()));
                    }
                    let product_name = format!("{} commit {v} of {repo}", self.name);
                    self.add_leaf("product_version", v, product_name, None, Status::Fixed);
                } else {
                    if !self.fixes.iter().any(|f| f == v) {
                        self.fixes.push(v.to_owned());
                    }
                    let product_name = format!("{} {v}", self.name);
                    let purl = self.purl_for_version(v);
                    self.add_leaf("product_version", v, product_name, purl, Status::Fixed);
                }
            }
        }
    }
}

// ---- versions, vers and purl ---------------------------------------------

/// A single version, not a range or prose: what `product_version` may name
/// (test 6.1.31 rejects `<`, `>` and words like "before" or "all").
pub fn is_plain_version(v: &str) -> bool {
    const WORDS: [&str; 7] = [
        "after", "all", "before", "earlier", "later", "prior", "versions",
    ];
    !v.is_empty()
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>=|*,".contains(c))
        && !WORDS.contains(&v.to_ascii_lowercase().as_str())
}

/// The vers versioning scheme for an ECOSYSTEM range: the purl type when
/// the package has a purl, else the purl type OSV's ecosystem maps to, else
/// `generic`.
pub fn vers_scheme(purl: Option<&str>, ecosystem: &str) -> String {
    if let Some(t) = purl
        .and_then(|p| p.strip_prefix("pkg:"))
        .and_then(|rest| rest.split('/').next())
        .filter(|t| {
            t.starts_with(|c: char| c.is_ascii_alphabetic())
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c))
        })
    {
        return t.to_ascii_lowercase();
    }
    let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
    match base {
        "npm" => "npm",
        "PyPI" => "pypi",
        "Maven" => "maven",
        "crates.io" => "cargo",
        "Go" => "golang",
        "RubyGems" => "gem",
        "NuGet" => "nuget",
        "Packagist" => "composer",
        "Hex" => "hex",
        "Pub" => "pub",
        "Debian" | "Ubuntu" => "deb",
        "Alpine" => "apk",
        "Red Hat" | "AlmaLinux" | "Rocky Linux" | "SUSE" | "openSUSE" => "rpm",
        "CRAN" => "cran",
        "Hackage" => "hackage",
        "ConanCenter" => "conan",
        "SwiftURL" => "swift",
        "GitHub Actions" => "github",
        _ => "generic",
    }
    .to_owned()
}

/// An OSV range as a vers range: `vers:semver/>=1.0.0|<1.2.3`.
/// `introduced: 0` is no lower bound, `fixed` and `limit` are `<`,
/// `last_affected` is `<=`; a range without bounds is `vers:{scheme}/*`.
/// SEMVER events are put in version order, as vers requires; other ranges
/// keep the order given (their ordering is the ecosystem's).
pub fn vers(range: &Range, scheme: &str) -> String {
    let mut parts = Vec::new();
    for ev in ordered_events(range) {
        let v = ev.version().trim();
        let constraint = match ev {
            Event::Introduced(_) if v == "0" => continue,
            Event::Limit(_) if v == "*" => continue,
            Event::Introduced(_) => ">=",
            Event::Fixed(_) | Event::Limit(_) => "<",
            Event::LastAffected(_) => "<=",
        };
        parts.push(format!("{constraint}{}", vers_escape(v)));
    }
    if parts.is_empty() {
        format!("vers:{scheme}/*")
    } else {
        format!("vers:{scheme}/{}", parts.join("|"))
    }
}

/// The events of a range, in version order for SEMVER ranges.
fn ordered_events(range: &Range) -> Vec<&Event> {
    let mut events: Vec<&Event> = range.events.iter().collect();
    if range.kind == RangeType::Semver {
        events.sort_by(|a, b| semver_cmp(a.version().trim(), b.version().trim()));
    }
    events
}

fn vers_escape(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        match c {
            '%' | '|' | ' ' | '<' | '>' | '=' | '!' | '*' | ',' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// SemVer 2.0 precedence (a leading `v` allowed, `0` lowest); what does not
/// parse sorts as text after what does.
fn semver_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    type Parsed<'a> = ([u64; 3], Option<&'a str>);
    fn parse(v: &str) -> Option<Parsed<'_>> {
        if v == "0" {
            return Some(([0, 0, 0], None));
        }
        let v = v.strip_prefix('v').unwrap_or(v);
        let v = v.split('+').next()?;
        let (core, pre) = match v.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (v, None),
        };
        let mut n = [0u64; 3];
        let mut parts = core.split('.');
        for slot in &mut n {
            *slot = parts.next()?.parse().ok()?;
        }
        if parts.next().is_some() {
            return None;
        }
        Some((n, pre))
    }
    fn pre_cmp(a: &str, b: &str) -> Ordering {
        let mut x = a.split('.');
        let mut y = b.split('.');
        loop {
            match (x.next(), y.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(p), Some(q)) => {
                    let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                        (Ok(m), Ok(n)) => m.cmp(&n),
                        (Ok(_), Err(_)) => Ordering::Less,
                        (Err(_), Ok(_)) => Ordering::Greater,
                        (Err(_), Err(_)) => p.cmp(q),
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
            }
        }
    }
    match (parse(a), parse(b)) {
        (Some((na, pa)), Some((nb, pb))) => na.cmp(&nb).then_with(|| match (pa, pb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(p), Some(q)) => pre_cmp(p, q),
        }),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Splits a purl into `(before version, version, qualifiers and subpath)`.
fn split_purl(purl: &str) -> (&str, Option<&str>, &str) {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    let (main, tail) = purl.split_at(end);
    let last_slash = main.rfind('/').unwrap_or(0);
    match main[last_slash..].find('@') {
        Some(i) => (
            &main[..last_slash + i],
            Some(&main[last_slash + i + 1..]),
            tail,
        ),
        None => (main, None, tail),
    }
}

/// The purl without its version: it names the package in any version.
pub fn versionless_purl(purl: &str) -> String {
    let (main, _, tail) = split_purl(purl);
    format!("{main}{tail}")
}

/// The purl of one version of the package, the version percent-encoded.
pub fn purl_with_version(purl: &str, version: &str) -> String {
    let (main, _, tail) = split_purl(purl);
    let mut encoded = String::new();
    for b in version.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{main}@{encoded}{tail}")
}
