//! A wrong field: the error names it, links to it, marks it invalid, keeps
//! what was typed, and nothing changes.

use super::*;

/// Asserts the page links `id` from its error summary, marks the field
/// invalid and shows its error; returns the error.
fn shown_at(html: &str, id: &str) -> String {
    let escaped_id = escaped(id);
    assert!(
        html.contains(&format!("<a href=\"#{escaped_id}\">")),
        "the summary links {id}: {html}"
    );
    let field = html
        .find(&format!(" id=\"{escaped_id}\" name="))
        .expect("the field");
    let tag = &html[field..field + html[field..].find('>').expect("tag end")];
    assert!(
        tag.contains("aria-invalid=\"true\""),
        "{id} is invalid: {tag}"
    );
    assert!(
        tag.contains(&format!("{escaped_id}-error\"")),
        "{id} is described by its error: {tag}"
    );
    field_error(html, &escaped_id)
}

fn wrong_fields() -> Vec<(String, String)> {
    let mut fields = filled();
    set(&mut fields, "packages[1].ranges[0].type", "SEMVER");
    set(
        &mut fields,
        "packages[1].ranges[0].events[1].version",
        "v3.2",
    );
    set(&mut fields, "cwes[1]", "CWE-99999");
    set(&mut fields, "cvss4.PR", "");
    fields
}

fn assert_all_shown(html: &str) {
    let event = shown_at(html, "packages[1].ranges[0].events[1].version");
    assert!(event.contains("SemVer 2.0"), "{event}");
    let cwe = shown_at(html, "cwes[1]");
    assert!(cwe.contains("is not in the CWE catalogue"), "{cwe}");
    let cvss = shown_at(html, "cvss4.PR");
    assert!(cvss.contains("missing mandatory base metric PR"), "{cvss}");
    let summary = unescape(html);
    assert!(
        summary.contains("Package 2, range 1, event 2: version: SEMVER ranges need"),
        "{summary}"
    );
    assert!(summary.contains("CVSS 4.0: Privileges Required: missing mandatory base metric"));
}

#[tokio::test]
async fn a_wrong_field_is_shown_on_its_row_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let resp = post(&tab, ADVISORIES, &wrong_fields()).await;
    assert_eq!(resp.status, INVALID);
    let html = resp.text();
    assert_all_shown(&html);
    let fields = form_fields(&html, ADVISORIES);
    for (name, typed) in [
        ("packages[1].ranges[0].events[1].version", "v3.2"),
        ("cwes[1]", "CWE-99999"),
        ("cvss4.PR", ""),
        ("cvss4.AV", "N"),
        ("packages[0].ranges[1].events[1].version", "2.1.1"),
    ] {
        assert_eq!(
            value_of(&fields, name),
            Some(typed),
            "{name} is kept as typed"
        );
    }
    assert_eq!(app.count("advisories").await, 0);

    let location = accepted(&tab, ADVISORIES, &pairs(&filled())).await;
    let edit = format!("{location}/edit");
    let mut fields = wrong_fields();
    set(&mut fields, "reason", "try");
    let resp = post(&tab, &edit, &fields).await;
    assert_eq!(resp.status, INVALID);
    assert_all_shown(&resp.text());
    let id = location.strip_prefix("/admin/advisories/").expect("id");
    let a = api(&app, &token, id).await;
    assert_eq!(a["revision"], 1, "nothing changed");
    assert_eq!(a["affected"], filled_affected());

    // A valid form without a reason is refused too, its fields kept.
    let mut fields = filled();
    set(&mut fields, "summary", "Kept");
    let resp = post(&tab, &edit, &fields).await;
    assert_eq!(resp.status, INVALID);
    let html = resp.text();
    assert!(field_error(&html, "edit_reason").contains("is required"));
    assert!(html.contains("<a href=\"#edit_reason\">"));
    assert_eq!(
        value_of(&form_fields(&html, &edit), "summary"),
        Some("Kept")
    );
}
