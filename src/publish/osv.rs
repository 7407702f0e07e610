//! OSV records (schema 1.7): what `osv-scanner` and OSV.dev read.
//!
//! The advisory's content is already OSV-shaped; this adds the record-level
//! fields (`id`, dates, `withdrawn`), the advisory page as the first
//! `ADVISORY` reference, GitHub handles as contact URLs, and our
//! `database_specific` block. Empty arrays and strings are left out, as OSV
//! databases do.

use serde_json::{Map, Value, json};

use super::{Public, Site, rfc3339};
use crate::domain::advisory::{Affected, Credit, Range, RangeType};
use crate::domain::email::GithubHandle;

/// The OSV schema version the records follow.
pub const SCHEMA_VERSION: &str = "1.7.0";

pub fn render(advisory: &Public, site: &Site) -> Value {
    let c = &advisory.content;
    let mut out = Map::new();
    out.insert("schema_version".into(), json!(SCHEMA_VERSION));
    out.insert("id".into(), json!(site.osv_id(&advisory.id)));
    out.insert("modified".into(), json!(rfc3339(advisory.modified_at)));
    out.insert("published".into(), json!(rfc3339(advisory.published_at)));
    if let Some(w) = &advisory.withdrawn {
        out.insert("withdrawn".into(), json!(rfc3339(w.at)));
    }
    let aliases = unique(c.aliases.iter().map(|a| a.trim()).filter(|a| !a.is_empty()));
    if !aliases.is_empty() {
        out.insert("aliases".into(), json!(aliases));
    }
    insert_text(&mut out, "summary", &c.summary);
    match &advisory.withdrawn {
        // Tools show `details`; say there why the record was withdrawn.
        Some(w) => {
            let why = match w.reason.trim() {
                "" => "This advisory was withdrawn.".to_owned(),
                reason => format!("This advisory was withdrawn: {reason}"),
            };
            let details = match c.details.trim() {
                "" => why,
                _ => format!("{why}\n\n{}", c.details),
            };
            out.insert("details".into(), json!(details));
        }
        None => insert_text(&mut out, "details", &c.details),
    }
    let severity: Vec<Value> = c
        .severity
        .iter()
        .map(|s| json!({"type": s.kind, "score": s.score.trim()}))
        .collect();
    if !severity.is_empty() {
        out.insert("severity".into(), Value::Array(severity));
    }
    if !c.affected.is_empty() {
        out.insert(
            "affected".into(),
            Value::Array(c.affected.iter().map(affected).collect()),
        );
    }
    out.insert(
        "references".into(),
        Value::Array(references(advisory, site)),
    );
    let credits: Vec<Value> = c.credits.iter().map(credit).collect();
    if !credits.is_empty() {
        out.insert("credits".into(), Value::Array(credits));
    }
    let mut db = Map::new();
    db.insert("cwe_ids".into(), json!(c.database_specific.cwe_ids));
    if !c.database_specific.unaffected_versions.is_empty() {
        db.insert(
            "unaffected_versions".into(),
            json!(c.database_specific.unaffected_versions),
        );
    }
    db.insert("url".into(), json!(site.advisory_url(&advisory.id)));
    out.insert("database_specific".into(), Value::Object(db));
    Value::Object(out)
}

fn insert_text(out: &mut Map<String, Value>, key: &str, text: &str) {
    if !text.trim().is_empty() {
        out.insert(key.into(), json!(text));
    }
}

fn affected(a: &Affected) -> Value {
    let mut package = Map::new();
    package.insert("ecosystem".into(), json!(a.package.ecosystem.trim()));
    package.insert("name".into(), json!(a.package.name.trim()));
    if let Some(purl) = a.package.purl.as_deref().filter(|p| !p.trim().is_empty()) {
        package.insert("purl".into(), json!(purl.trim()));
    }
    let mut out = Map::new();
    out.insert("package".into(), Value::Object(package));
    if !a.ranges.is_empty() {
        out.insert(
            "ranges".into(),
            Value::Array(a.ranges.iter().map(range).collect()),
        );
    }
    if !a.versions.is_empty() {
        out.insert("versions".into(), json!(a.versions));
    }
    Value::Object(out)
}

fn range(r: &Range) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!(r.kind));
    // `repo` belongs to GIT ranges; OSV gives it no meaning elsewhere.
    if r.kind == RangeType::Git
        && let Some(repo) = &r.repo
    {
        out.insert("repo".into(), json!(repo));
    }
    out.insert("events".into(), json!(r.events));
    Value::Object(out)
}

/// The advisory page first (as `ADVISORY`), then the advisory's own
/// references without repeating that page.
fn references(advisory: &Public, site: &Site) -> Vec<Value> {
    let page = site.advisory_url(&advisory.id);
    let mut seen = vec![("ADVISORY".to_owned(), page.clone())];
    for r in &advisory.content.references {
        let key = (r.kind.clone(), r.url.trim().to_owned());
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    seen.into_iter()
        .map(|(kind, url)| json!({"type": kind, "url": url}))
        .collect()
}

/// A credit with its contacts; a GitHub handle becomes its profile URL.
fn credit(c: &Credit) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(c.name.trim()));
    if let Some(kind) = &c.kind {
        out.insert("type".into(), json!(kind));
    }
    let github = github_url(c);
    let contact = unique(
        c.contact
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .chain(github.as_deref()),
    );
    if !contact.is_empty() {
        out.insert("contact".into(), json!(contact));
    }
    Value::Object(out)
}

/// `https://github.com/HANDLE` for a credit with a (valid) GitHub handle.
pub fn github_url(c: &Credit) -> Option<String> {
    let handle = GithubHandle::parse(c.github.as_deref()?).ok()?;
    Some(format!("https://github.com/{}", handle.as_str()))
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}
