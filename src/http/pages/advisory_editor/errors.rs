//! The domain's errors, keyed by OSV paths (`affected[0].ranges[1].events`),
//! filed under the editor's fields (`packages[1].ranges[1].events[2].version`),
//! and labelled for the error summary.

use super::content::{Origins, SeverityFrom};
use super::fields::parse_path;
use super::severity::BUILDERS;
use super::*;
use crate::domain::advisory::Content;
use crate::domain::fields::FieldErrors;

/// What a CWE row that names no catalogue entry is told.
const NOT_A_CWE: &str = "is not a CWE id or name in the catalogue; \
    give an id such as CWE-79 or pick a name from the list";

/// `errors` (from validating `content`, made from `draft` with `origins`)
/// keyed by the editor's field ids. Keys that name no field (`state`,
/// `report_id`, `edit_reason`) are kept as they are.
pub fn to_fields(
    errors: &FieldErrors,
    draft: &Draft,
    content: &Content,
    origins: &Origins,
) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (path, message) in errors.iter() {
        let field = field_of(path, draft, content, origins);
        let message = match field.as_deref() {
            Some(f) if f.starts_with("cwes[") && message.starts_with("must look like") => NOT_A_CWE,
            _ if path.starts_with("severity[") && path.ends_with(".type") => {
                "is a vector of the other CVSS version: give it in that version's builder"
            }
            _ => message,
        };
        out.add(field.as_deref().unwrap_or(path), message);
    }
    out
}

fn field_of(path: &str, draft: &Draft, content: &Content, o: &Origins) -> Option<String> {
    let segments = parse_path(path)?;
    Some(match segments.as_slice() {
        [("affected", Some(i)), rest @ ..] => {
            let (p, ranges) = o.packages.get(*i)?;
            let at = format!("packages[{p}]");
            match rest {
                [
                    ("package", None),
                    (field @ ("ecosystem" | "name" | "purl"), None),
                ] => {
                    format!("{at}.{field}")
                }
                // "give ranges or explicit versions"
                [("ranges", None)] | [("versions", None)] => format!("{at}.versions"),
                [("ranges", Some(j)), rest @ ..] => {
                    let (r, events) = ranges.get(*j)?;
                    let at = format!("{at}.ranges[{r}]");
                    match rest {
                        [("events", None)] => {
                            let range = content.affected.get(*i)?.ranges.get(*j)?;
                            match range.bad_event().and_then(|k| events.get(k)) {
                                Some(k) => format!("{at}.events[{k}].version"),
                                // Missing or mixed kinds: the first event's kind.
                                None => match events.first() {
                                    Some(k) => format!("{at}.events[{k}].kind"),
                                    None => format!("{at}.type"),
                                },
                            }
                        }
                        [(field @ ("repo" | "type"), None)] => format!("{at}.{field}"),
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        [("severity", Some(i)), _] => match o.severity.get(*i)? {
            SeverityFrom::Builder(b) => {
                let (prefix, _, v4) = BUILDERS.get(*b)?;
                let builder = if *v4 { &draft.cvss4 } else { &draft.cvss3 };
                builder.error_field(prefix, *v4)
            }
            SeverityFrom::More => "more_severity".into(),
        },
        [("database_specific", None), ("cwe_ids", Some(i))] => format!("cwes[{}]", o.cwes.get(*i)?),
        [("aliases", Some(i))] => format!("aliases[{}]", o.aliases.get(*i)?),
        [
            ("credits", Some(i)),
            (field @ ("name" | "type" | "github"), None),
        ] => {
            format!("credits[{}].{field}", o.credits.get(*i)?)
        }
        [("references", Some(i)), (field @ ("type" | "url"), None)] => {
            format!("references[{}].{field}", o.references.get(*i)?)
        }
        _ => return None,
    })
}

/// How the error summary names a field: `Package 2, range 1, event 3: version`.
pub fn label(field: &str) -> String {
    let fixed = match field {
        "summary" => Some("Summary"),
        "details" => Some("Details"),
        "osv" => Some("OSV fields (JSON)"),
        "report_id" => Some("Report"),
        "edit_reason" => Some("Reason for this change"),
        "unaffected_versions" => Some("Versions not affected"),
        "more_severity" => Some("Further severity vectors"),
        _ => None,
    };
    if let Some(l) = fixed {
        return l.to_owned();
    }
    let Some(segments) = parse_path(field) else {
        return field.to_owned();
    };
    let mut rows = Vec::new();
    let (mut last, mut builder) = ("", None);
    for (name, index) in segments {
        match (name, index) {
            (b @ ("cvss3" | "cvss4"), None) => {
                let v4 = b == "cvss4";
                rows.push(if v4 { "CVSS 4.0" } else { "CVSS 3" }.to_owned());
                builder = Some(v4);
            }
            (list, Some(i)) => {
                let noun = match list {
                    "packages" => "package",
                    "ranges" => "range",
                    "events" => "event",
                    "cwes" => "weakness",
                    "aliases" => "alias",
                    "credits" => "credit",
                    "references" => "reference",
                    other => other,
                };
                rows.push(format!("{noun} {}", i + 1));
            }
            (name, None) => last = name,
        }
    }
    let mut text = rows.join(", ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    let metric = builder.and_then(|v4| {
        let base = crate::domain::cvss::base_metrics(v4);
        base.into_iter()
            .find(|(id, _, _)| *id == last)
            .map(|(_, name, _)| name)
    });
    let field_name = match last {
        _ if metric.is_some() => metric.unwrap_or_default(),
        "purl" => "package URL",
        "suffix" => "release",
        "versions" => "affected versions",
        "repo" => "repository",
        "url" => "URL",
        "github" => "GitHub user name",
        "extra" => "further metrics",
        "vector" => "vector",
        "type" | "kind" => "type",
        other => other,
    };
    match (text.is_empty(), field_name.is_empty()) {
        (_, true) => text,
        (true, false) => field_name.to_owned(),
        (false, false) => format!("{text}: {field_name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::advisory::Event;

    fn draft() -> Draft {
        let mut d = Draft {
            summary: "s".into(),
            packages: vec![PackageRow::fresh(), PackageRow::fresh()],
            ..Draft::default()
        };
        let p = &mut d.packages[1];
        p.ecosystem = "Go".into();
        p.name = "x".into();
        p.ranges.insert(0, RangeRow::fresh());
        let r = &mut p.ranges[1];
        r.events[0].version = "1.0.0".into();
        r.events[1].version = "1.2.0".into();
        r.events.push(EventRow {
            kind: "fixed".into(),
            version: "v2".into(),
        });
        d.cwes = vec![String::new(), "nothing of the sort".into()];
        d.cvss4.metrics.insert("AV".into(), "N".into());
        d.credits = vec![
            CreditRow::default(),
            CreditRow {
                kind: "HERO".into(),
                name: "x".into(),
                ..CreditRow::default()
            },
        ];
        d
    }

    fn errors_of(d: &Draft) -> FieldErrors {
        let (mut content, origins) = d.to_content();
        let errors = content.clone().validate().unwrap_err();
        content.summary = content.summary.trim().to_owned();
        to_fields(&errors, d, &content, &origins)
    }

    #[test]
    fn errors_land_on_the_row_and_field_that_caused_them() {
        let d = draft();
        let e = errors_of(&d);
        let version = e.get("packages[1].ranges[1].events[2].version").unwrap();
        assert!(version.contains("SemVer"), "{version}");
        assert_eq!(e.get("cwes[1]"), Some(NOT_A_CWE));
        assert!(
            e.get("cvss4.AC")
                .unwrap()
                .contains("missing mandatory base metric")
        );
        assert!(e.get("credits[1].type").is_some());
        assert_eq!(e.iter().count(), 4, "{e}");
    }

    #[test]
    fn range_errors_without_a_bad_version_point_at_the_first_event() {
        let mut d = draft();
        d.packages[1].ranges[1].events = vec![EventRow {
            kind: "fixed".into(),
            version: "1.0.0".into(),
        }];
        let e = errors_of(&d);
        assert!(
            e.get("packages[1].ranges[1].events[0].kind")
                .unwrap()
                .contains("introduced")
        );
        let (content, _) = d.to_content();
        assert!(matches!(
            content.affected[0].ranges[0].events[0],
            Event::Fixed(_)
        ));
    }

    #[test]
    fn a_package_without_versions_is_told_at_its_versions() {
        let mut d = draft();
        d.packages[1].ranges.clear();
        assert!(errors_of(&d).get("packages[1].versions").is_some());
    }

    #[test]
    fn labels_name_rows_from_one() {
        assert_eq!(
            label("packages[1].ranges[0].events[2].version"),
            "Package 2, range 1, event 3: version"
        );
        assert_eq!(label("cvss3.AV"), "CVSS 3: Attack Vector");
        assert_eq!(label("cvss4.extra"), "CVSS 4.0: further metrics");
        assert_eq!(label("cwes[0]"), "Weakness 1");
        assert_eq!(label("credits[1].github"), "Credit 2: GitHub user name");
        assert_eq!(label("summary"), "Summary");
        assert_eq!(label("state"), "state");
    }
}
