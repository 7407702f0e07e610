use serde_json::json;

use super::*;

/// Every field the content has, two of most.
fn rich() -> Content {
    serde_json::from_value(json!({
        "summary": "Symlink escape",
        "details": "Unpacking *follows* symlinks.\n\nUpgrade.",
        "affected": [
            {"package": {"ecosystem": "Debian:12", "name": "unpack", "purl": "pkg:deb/debian/unpack"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2-3"}]}],
             "versions": ["1.0-1", "1.1-1"]},
            {"package": {"ecosystem": "GIT", "name": "https://example.org/unpack.git"},
             "ranges": [{"type": "GIT", "repo": "https://example.org/unpack.git",
                         "events": [{"introduced": "0"}, {"last_affected": "a".repeat(40)}]},
                        {"type": "SEMVER", "events": [{"introduced": "2.0.0"}, {"limit": "3.0.0"}]}]}
        ],
        "severity": [
            {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
            {"type": "CVSS_V3", "score": "CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
        ],
        "database_specific": {"cwe_ids": ["CWE-59", "CWE-22"], "unaffected_versions": ["0.9"]},
        "aliases": ["CVE-2026-12345", "GHSA-abcd-efgh-ijkl"],
        "credits": [
            {"name": "Rita Reporter", "type": "FINDER", "contact": ["https://github.com/rita"], "github": "rita"},
            {"name": "Team"}
        ],
        "references": [{"type": "FIX", "url": "https://example.org/fix"}, {"type": "WEB", "url": "https://example.org"}]
    }))
    .unwrap()
}

#[test]
fn content_written_as_json_comes_back_from_the_editor_unchanged() {
    let content = rich();
    let draft = Draft::from_content(&content);
    assert_eq!(draft.packages[0].ecosystem, "Debian");
    assert_eq!(draft.packages[0].suffix, "12");
    assert_eq!(draft.packages[1].ranges[0].events[1].kind, "last_affected");
    assert_eq!(
        draft.cvss3.metrics["AV"], "N",
        "the 3.1 vector fills the controls"
    );
    assert_eq!(draft.cvss4.metrics["VC"], "H");
    assert_eq!(
        draft.more_severity.len(),
        1,
        "a second 3.x vector is carried"
    );
    let (back, _) = draft.to_content();
    // Builders come first, in their order; the order is all that changes.
    let mut expected = content.clone();
    expected.severity.swap(0, 1);
    assert_eq!(back, expected);
    expected.clone().validate().unwrap();
}

#[test]
fn empty_rows_are_dropped_and_origins_point_back_at_the_rows() {
    let mut draft = Draft::from_content(&rich());
    draft.packages.insert(0, PackageRow::fresh());
    draft.packages[1].ranges.insert(0, RangeRow::fresh());
    draft.packages[1].ranges[1]
        .events
        .insert(0, EventRow::new("introduced"));
    draft.cwes.insert(0, " ".into());
    draft.cwes.push("CWE-79: Improper Neutralization…".into());
    draft.cwes.push("Out-of-bounds Write".into());
    draft.cwes.push("no such weakness".into());
    draft.credits.insert(
        0,
        CreditRow {
            kind: "FINDER".into(),
            ..CreditRow::default()
        },
    );
    draft.references.push(ReferenceRow::default());
    let (content, o) = draft.to_content();
    assert_eq!(content.affected.len(), 2);
    assert_eq!(o.packages[0].0, 1);
    assert_eq!(o.packages[0].1, vec![(1, vec![1, 2])]);
    assert_eq!(o.packages[1].0, 2);
    assert_eq!(
        content.database_specific.cwe_ids,
        ["CWE-59", "CWE-22", "CWE-79", "CWE-787", "no such weakness"]
    );
    assert_eq!(o.cwes, [1, 2, 3, 4, 5]);
    assert_eq!(o.credits, [1, 2]);
    assert_eq!((content.references.len(), o.references.len()), (2, 2));
    assert_eq!(
        o.severity,
        [
            SeverityFrom::Builder(0),
            SeverityFrom::Builder(1),
            SeverityFrom::More
        ]
    );
}

#[test]
fn an_empty_form_is_empty_content() {
    let mut draft = Draft::default();
    draft.packages.push(PackageRow::fresh());
    draft.packages[0].ecosystem = "Go".into();
    draft.credits.push(CreditRow::default());
    draft.references.push(ReferenceRow::default());
    draft.cwes.push(String::new());
    let (content, _) = draft.to_content();
    assert_eq!(content, Content::default());
}
