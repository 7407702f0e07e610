//! Both ways: an advisory written as JSON opens in the structured editor
//! with all its fields, and the "Advanced (JSON)" section still saves.

use super::*;

/// Every field the structured editor has to carry, the awkward ones too:
/// an ecosystem with a release, a GIT range, last_affected and limit,
/// explicit versions, temporal CVSS metrics, a second 3.x vector, 4.0
/// listed first, credit contacts.
fn written_as_json() -> Value {
    json!({
        "summary": "Written as JSON",
        "details": "Details.",
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
            {"type": "CVSS_V4", "score": V40},
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O"},
            {"type": "CVSS_V3", "score": "CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
        ],
        "database_specific": {"cwe_ids": ["CWE-59", "CWE-22"], "unaffected_versions": ["0.9"]},
        "aliases": ["CVE-2026-12345", "GHSA-abcd-efgh-ijkl"],
        "credits": [
            {"name": "Rita Reporter", "type": "FINDER", "contact": ["https://github.com/rita", "mailto:rita@example.net"], "github": "rita"},
            {"name": "Team"}
        ],
        "references": [{"type": "FIX", "url": "https://example.org/fix"}, {"type": "WEB", "url": "https://example.org"}]
    })
}

const CONTENT: [&str; 8] = [
    "summary",
    "details",
    "affected",
    "severity",
    "database_specific",
    "aliases",
    "credits",
    "references",
];

#[tokio::test]
async fn an_advisory_written_as_json_opens_in_the_structured_editor_with_all_its_fields() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let resp = app
        .post("/api/v1/advisories", Some(&token), written_as_json())
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["id"].as_str().expect("id").to_owned();
    let before = api(&app, &token, &id).await;
    let page = format!("/admin/advisories/{id}");
    let html = tab.get(&page).await.text();
    let edit = format!("{page}/edit");
    let mut fields = form_fields(&html, &edit);
    for (name, shown) in [
        ("packages[0].ecosystem", "Debian"),
        ("packages[0].suffix", "12"),
        ("packages[0].purl", "pkg:deb/debian/unpack"),
        ("packages[0].versions", "1.0-1\n1.1-1"),
        ("packages[1].ranges[0].type", "GIT"),
        (
            "packages[1].ranges[0].repo",
            "https://example.org/unpack.git",
        ),
        ("packages[1].ranges[0].events[1].kind", "last_affected"),
        ("packages[1].ranges[1].events[1].kind", "limit"),
        ("cvss3.AV", "N"),
        ("cvss3.extra", "E:P/RL:O"),
        ("cvss4.VC", "H"),
        ("cwes[0]", "CWE-59"),
        ("cwes[1]", "CWE-22"),
        ("aliases[1]", "GHSA-abcd-efgh-ijkl"),
        (
            "credits[0].contact",
            "https://github.com/rita\nmailto:rita@example.net",
        ),
        ("credits[0].github", "rita"),
        ("credits[1].type", ""),
        ("references[1].url", "https://example.org"),
        ("unaffected_versions", "0.9"),
    ] {
        assert_eq!(value_of(&fields, name), Some(shown), "{name}");
    }
    let shown = unescape(&html);
    assert!(
        shown.contains("CVSS_V3 <code>CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</code>"),
        "the second 3.x vector is shown"
    );
    assert!(
        shown.contains("Score <strong>9.3 (critical)</strong>"),
        "4.0 is scored"
    );

    // Saved as shown, nothing changes.
    set(&mut fields, "reason", "no change");
    set(&mut fields, "action", "save");
    let resp = post(&tab, &edit, &fields).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let after = api(&app, &token, &id).await;
    for field in CONTENT {
        assert_eq!(after[field], before[field], "{field}");
    }
    assert_eq!(after["revision"], 1, "no new revision");

    // The JSON section saves what it holds, whatever the fields above say.
    let mut structured: Value =
        serde_json::from_str(value_of(&fields, "osv").expect("osv")).expect("JSON");
    assert_eq!(
        structured["severity"],
        written_as_json()["severity"],
        "as stored"
    );
    structured["aliases"] = json!(["CVE-2026-54321"]);
    set(&mut fields, "osv", &structured.to_string());
    set(&mut fields, "aliases[0]", "CVE-2000-0001");
    set(&mut fields, "reason", "CVE assigned");
    set(&mut fields, "action", "json");
    let resp = post(&tab, &edit, &fields).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let after = api(&app, &token, &id).await;
    assert_eq!(after["aliases"], json!(["CVE-2026-54321"]));
    assert_eq!(after["affected"], before["affected"]);
    let history = api(&app, &token, &format!("{id}/history")).await;
    assert_eq!(history["revisions"][1]["changed"], json!(["aliases"]));
}

#[tokio::test]
async fn bad_json_in_the_advanced_section_opens_it_with_the_error_and_keeps_the_rest() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let mut fields = filled();
    set(&mut fields, "osv", "{\"affected\": [");
    set(&mut fields, "action", "json");
    let resp = post(&tab, ADVISORIES, &fields).await;
    assert_eq!(resp.status, INVALID);
    let html = resp.text();
    assert!(html.contains("<details id=\"advanced-json\" open>"));
    assert!(field_error(&html, "osv").starts_with("is not valid JSON"));
    let shown = form_fields(&html, ADVISORIES);
    assert_eq!(
        value_of(&shown, "osv"),
        Some("{\"affected\": ["),
        "as typed"
    );
    assert_eq!(
        value_of(&shown, "packages[0].name"),
        Some("example.org/runtime"),
        "the fields are kept"
    );
    assert_eq!(app.count("advisories").await, 0);
}
