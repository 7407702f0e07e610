//! "Add" and "remove" buttons: the form again with a row more or less,
//! everything typed kept, nothing saved.

use super::*;

/// Posts `fields` with the button `action`; the page must come back (200).
async fn press(tab: &Tab<'_>, path: &str, fields: &[(String, String)], action: &str) -> String {
    let mut fields = fields.to_vec();
    set(&mut fields, "action", action);
    let resp = post(tab, path, &fields).await;
    assert_eq!(resp.status, OK, "{action}: {}", resp.text());
    resp.text()
}

#[tokio::test]
async fn row_buttons_add_and_remove_rows_and_keep_what_was_typed() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let start = tab.get("/admin/advisories/new").await.text();
    let mut fields = form_fields(&start, ADVISORIES);
    assert_eq!(
        value_of(&fields, "packages[0].ranges[0].events[0].kind"),
        Some("introduced")
    );
    assert_eq!(
        value_of(&fields, "packages[0].ranges[0].events[1].kind"),
        Some("fixed")
    );
    assert_eq!(
        value_of(&fields, "packages[0].ranges[0].events[2].kind"),
        None
    );
    set(&mut fields, "summary", "Typed summary");
    set(&mut fields, "packages[0].ecosystem", "PyPI");
    set(
        &mut fields,
        "packages[0].ranges[0].events[0].version",
        "1.0",
    );
    set(&mut fields, "cvss3.AV", "L");
    set(&mut fields, "cwes[0]", "CWE-79");

    // The button names the list; the response scrolls to it.
    let add = "add:packages[0].ranges[0].events";
    let button =
        format!("value=\"{add}\" formaction=\"/admin/advisories#packages[0].ranges[0].events\"");
    assert!(start.contains(&button), "{start}");
    let html = press(&tab, ADVISORIES, &fields, add).await;
    let fields = form_fields(&html, ADVISORIES);
    assert_eq!(
        value_of(&fields, "packages[0].ranges[0].events[2].kind"),
        Some("fixed")
    );
    assert_eq!(
        value_of(&fields, "packages[0].ranges[0].events[2].version"),
        Some("")
    );
    for (name, typed) in [
        ("summary", "Typed summary"),
        ("packages[0].ecosystem", "PyPI"),
        ("packages[0].ranges[0].events[0].version", "1.0"),
        ("cvss3.AV", "L"),
        ("cwes[0]", "CWE-79"),
    ] {
        assert_eq!(value_of(&fields, name), Some(typed), "{name} is kept");
    }
    assert!(
        !html.contains("There is a problem"),
        "a row button checks nothing"
    );
    assert!(
        unescape(&html).contains("CWE-79: Improper Neutralization"),
        "the weakness is named"
    );

    let html = press(
        &tab,
        ADVISORIES,
        &fields,
        "remove:packages[0].ranges[0].events[0]",
    )
    .await;
    let mut fields = form_fields(&html, ADVISORIES);
    assert_eq!(
        value_of(&fields, "packages[0].ranges[0].events[0].kind"),
        Some("fixed"),
        "the next moved up"
    );
    assert_eq!(
        value_of(&fields, "packages[0].ranges[0].events[2].kind"),
        None
    );
    set(&mut fields, "packages[0].name", "typed-name");

    for (button, appears) in [
        ("add:packages", "packages[1].ranges[0].events[1].version"),
        ("add:packages[0].ranges", "packages[0].ranges[1].type"),
        ("add:cwes", "cwes[1]"),
        ("add:aliases", "aliases[1]"),
        ("add:credits", "credits[1].name"),
        ("add:references", "references[1].url"),
    ] {
        let html = press(&tab, ADVISORIES, &fields, button).await;
        fields = form_fields(&html, ADVISORIES);
        assert!(
            value_of(&fields, appears).is_some(),
            "{button} adds {appears}"
        );
        assert_eq!(
            value_of(&fields, "packages[0].name"),
            Some("typed-name"),
            "{button} keeps input"
        );
    }
    let html = press(&tab, ADVISORIES, &fields, "remove:packages[0]").await;
    let fields = form_fields(&html, ADVISORIES);
    assert_eq!(
        value_of(&fields, "packages[0].name"),
        Some(""),
        "the added package moved up"
    );
    assert_eq!(value_of(&fields, "packages[1].name"), None);
    assert_eq!(app.count("advisories").await, 0, "nothing was saved");

    // The same on the edit form: the advisory stays as it was.
    let location = accepted(&tab, ADVISORIES, &pairs(&filled())).await;
    let edit = format!("{location}/edit");
    let mut fields = form_fields(&tab.get(&location).await.text(), &edit);
    set(&mut fields, "summary", "Edited, not saved");
    let html = press(&tab, &edit, &fields, "add:packages[1].ranges").await;
    let fields = form_fields(&html, &edit);
    assert_eq!(
        value_of(&fields, "packages[1].ranges[1].events[0].kind"),
        Some("introduced")
    );
    assert_eq!(value_of(&fields, "summary"), Some("Edited, not saved"));
    let id = location.strip_prefix("/admin/advisories/").expect("id");
    let a = api(&app, &token, id).await;
    assert_eq!(
        (a["revision"].as_i64(), a["summary"].as_str()),
        (Some(1), Some("Container escape through symlinks"))
    );
}
