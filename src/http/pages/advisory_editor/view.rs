//! What `templates/pages/advisory_editor.html.j2` shows: the draft's rows
//! with their field ids, the choices of each control, and the errors in
//! the order of the form.

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::errors::label;
use super::fields::parse_path;
use super::severity::BUILDERS;
use super::*;
use crate::domain::advisory::{CREDIT_TYPES, ECOSYSTEMS, REFERENCE_TYPES};
use crate::domain::cwe;
use crate::domain::fields::FieldErrors;

/// The event kinds of a range, as OSV names them, with their labels.
pub const EVENT_KINDS: [(&str, &str); 4] = [
    ("introduced", "introduced"),
    ("fixed", "fixed"),
    ("last_affected", "last affected"),
    ("limit", "limit"),
];

pub const RANGE_TYPES: [&str; 3] = ["SEMVER", "ECOSYSTEM", "GIT"];

/// `CWE-79: Improper Neutralization …` for each weakness offered.
static CWE_OPTIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let offered = cwe::offered().map(|e| format!("{}: {}", e.cwe_id(), e.name.trim()));
    offered.collect()
});

/// What the page around the editor decides.
pub struct Frame<'a> {
    /// The advisory edited; `None` for a new one.
    pub advisory: Option<&'a str>,
    /// The JSON textarea's text.
    pub osv: String,
    pub report_id: &'a str,
    pub reason: &'a str,
    pub errors: &'a FieldErrors,
    /// The public page's context, when previewing.
    pub preview: Option<Value>,
    /// Open the "Advanced (JSON)" section (it was used).
    pub json_open: bool,
    /// The advisory is public: an edit is a public correction.
    pub published: bool,
}

/// The template context of the editor showing `draft`.
pub fn view(draft: &Draft, frame: Frame<'_>) -> Value {
    let mut d = draft.clone();
    // Every list shows at least one row to fill in.
    if d.packages.is_empty() {
        d.packages.push(PackageRow::fresh());
    }
    for list in [&mut d.cwes, &mut d.aliases] {
        if list.is_empty() {
            list.push(String::new());
        }
    }
    if d.credits.is_empty() {
        d.credits.push(CreditRow::default());
    }
    if d.references.is_empty() {
        d.references.push(ReferenceRow::default());
    }
    let packages: Vec<Value> = d
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| package(i, p))
        .collect();
    let cvss: Vec<Value> = BUILDERS
        .iter()
        .map(|(prefix, _, v4)| if *v4 { &d.cvss4 } else { &d.cvss3 }.view(prefix, *v4))
        .collect();
    let cwes: Vec<Value> = d
        .cwes
        .iter()
        .enumerate()
        .map(|(i, typed)| {
            let name = cwe::find(typed).map(|e| format!("{}: {}", e.cwe_id(), e.name.trim()));
            json!({ "field": format!("cwes[{i}]"), "value": typed, "name": name })
        })
        .collect();
    let aliases: Vec<Value> = d
        .aliases
        .iter()
        .enumerate()
        .map(|(i, a)| json!({ "field": format!("aliases[{i}]"), "value": a }))
        .collect();
    let credits = d.credits.iter().enumerate().map(|(i, c)| {
        json!({ "prefix": format!("credits[{i}]"), "number": i + 1, "name": c.name,
                "type": c.kind, "github": c.github, "contact": c.contact })
    });
    let credits: Vec<Value> = credits.collect();
    let references = d.references.iter().enumerate().map(|(i, r)| {
        json!({ "prefix": format!("references[{i}]"), "number": i + 1,
                "type": r.kind, "url": r.url })
    });
    let references: Vec<Value> = references.collect();
    let more = (!d.more_severity.is_empty())
        .then(|| serde_json::to_string(&d.more_severity).unwrap_or_default());
    let event_kinds = EVENT_KINDS.map(|(v, l)| json!({ "value": v, "label": l }));
    json!({
        // The template writes the form's URL itself, from the (validated) id.
        "mode": if frame.advisory.is_some() { "edit" } else { "new" }, "id": frame.advisory,
        "summary": d.summary, "details": d.details,
        "report_id": frame.report_id, "reason": frame.reason, "osv": frame.osv,
        "json_open": frame.json_open || frame.errors.get("osv").is_some(),
        "preview": frame.preview, "published": frame.published,
        "packages": packages, "cvss": cvss,
        "more_severity": more, "more_severity_list": d.more_severity,
        "cwes": cwes, "aliases": aliases, "credits": credits, "references": references,
        "unaffected_versions": d.unaffected_versions,
        "error_list": error_list(frame.errors),
        "options": {
            "ecosystems": ECOSYSTEMS, "range_types": RANGE_TYPES,
            "event_kinds": event_kinds,
            "credit_types": CREDIT_TYPES, "reference_types": REFERENCE_TYPES,
            "cwes": *CWE_OPTIONS, "cwe_version": cwe::VERSION, "cwe_notice": cwe::NOTICE,
        },
    })
}

fn package(i: usize, p: &PackageRow) -> Value {
    let at = format!("packages[{i}]");
    let range = |(j, r): (usize, &RangeRow)| {
        let at = format!("{at}.ranges[{j}]");
        let events = r.events.iter().enumerate().map(|(k, e)| {
            json!({ "prefix": format!("{at}.events[{k}]"), "number": k + 1,
                    "kind": e.kind, "version": e.version })
        });
        let events: Vec<Value> = events.collect();
        json!({ "prefix": at, "number": j + 1, "type": r.kind, "repo": r.repo, "events": events })
    };
    let ranges: Vec<Value> = p.ranges.iter().enumerate().map(range).collect();
    json!({
        "prefix": at, "number": i + 1, "ecosystem": p.ecosystem, "suffix": p.suffix,
        "name": p.name, "purl": p.purl, "versions": p.versions, "ranges": ranges,
    })
}

/// Where a field comes in the form, for ordering the error summary.
fn rank(field: &str) -> Vec<usize> {
    const ORDER: &[&str] = &[
        "summary",
        "details",
        "packages",
        "ecosystem",
        "suffix",
        "name",
        "purl",
        "ranges",
        "type",
        "repo",
        "events",
        "kind",
        "version",
        "versions",
        "cvss3",
        "cvss4",
        "more_severity",
        "cwes",
        "aliases",
        "credits",
        "github",
        "contact",
        "references",
        "url",
        "unaffected_versions",
        "report_id",
        "edit_reason",
        "osv",
    ];
    let Some(path) = parse_path(field) else {
        return vec![usize::MAX];
    };
    let mut key = Vec::new();
    for (name, index) in path {
        key.push(ORDER.iter().position(|o| *o == name).unwrap_or(ORDER.len()));
        key.extend(index);
    }
    key
}

/// The errors for the summary: the field id (a link target) and the text.
fn error_list(errors: &FieldErrors) -> Vec<Value> {
    let mut list: Vec<(&str, &str)> = errors.iter().collect();
    list.sort_by_key(|(field, _)| rank(field));
    list.into_iter()
        .map(|(field, message)| {
            // Errors of no field (such as the advisory's state) are not links.
            let link = !matches!(field, "state" | "body");
            json!({ "id": field, "link": link, "text": format!("{}: {message}", label(field)) })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(errors: &FieldErrors) -> Frame<'_> {
        Frame {
            advisory: None,
            osv: "{}".into(),
            report_id: "",
            reason: "",
            errors,
            preview: None,
            json_open: false,
            published: false,
        }
    }

    #[test]
    fn an_empty_draft_shows_one_row_of_each_list() {
        let none = FieldErrors::new();
        let v = view(&Draft::default(), frame(&none));
        assert_eq!(
            v["packages"][0]["ranges"][0]["events"][1]["prefix"],
            "packages[0].ranges[0].events[1]"
        );
        assert_eq!(v["packages"][0]["ranges"][0]["events"][1]["kind"], "fixed");
        for list in ["cwes", "aliases", "credits", "references"] {
            assert_eq!(v[list].as_array().map(Vec::len), Some(1), "{list}");
        }
        let offered = v["options"]["cwes"].as_array().unwrap();
        assert_eq!(offered.len(), cwe::offered().count());
        let xss = "CWE-79: Improper Neutralization of Input During Web Page Generation \
                   ('Cross-site Scripting')";
        assert!(offered.iter().any(|o| o == xss));
        assert_eq!(v["json_open"], false);
    }

    #[test]
    fn errors_are_listed_in_the_order_of_the_form() {
        let mut e = FieldErrors::new();
        for field in [
            "osv",
            "cwes[0]",
            "packages[1].name",
            "packages[0].ranges[0].events[10].version",
            "packages[0].ranges[0].events[2].version",
            "summary",
            "state",
        ] {
            e.add(field, "is wrong");
        }
        let v = view(&Draft::default(), frame(&e));
        let ids: Vec<&str> = v["error_list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "summary",
                "packages[0].ranges[0].events[2].version",
                "packages[0].ranges[0].events[10].version",
                "packages[1].name",
                "cwes[0]",
                "osv",
                "state"
            ]
        );
        assert_eq!(
            v["error_list"][1]["text"],
            "Package 1, range 1, event 3: version: is wrong"
        );
        assert_eq!(v["json_open"], true, "a JSON error opens its section");
    }

    #[test]
    fn a_cwe_row_shows_the_name_it_resolves_to() {
        let d = Draft {
            cwes: vec!["cwe-787".into(), "nothing".into()],
            ..Draft::default()
        };
        let none = FieldErrors::new();
        let v = view(&d, frame(&none));
        assert_eq!(v["cwes"][0]["name"], "CWE-787: Out-of-bounds Write");
        assert_eq!(v["cwes"][1]["name"], Value::Null);
        assert_eq!(v["cwes"][1]["value"], "nothing", "as typed");
    }
}
