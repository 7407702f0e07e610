//! Pages: the mail templates for admins. The list says each one's purpose
//! and whether the team changed it; on a template's page Preview renders
//! the draft and saves nothing, Save changes the next mail, a refusal
//! shows at its field with the typed text kept, a stale form is refused,
//! older versions are reverted to and the built-in text reset to, and
//! whatever a template or an example holds is escaped.

use serde_json::json;

use super::membership::{field_error, textarea};
use super::*;

const PAGE: &str = "/admin/templates/report_received";
/// The built-in text's line the team's versions leave out.
const BUILT_IN: &str = "Thank you for your report";
const OURS: &str = "Hello,\n\nwe have {{ title }}.\nFollow it: {{ tracking_url }}\n";

/// The editor's form as opened at `html`, with `subject` and `text`
/// typed and sent with the button `action`.
async fn submit(tab: &Tab<'_>, html: &str, subject: &str, text: &str, action: &str) -> Response {
    let base = hidden(html, "base_version").expect("base_version");
    let lang = hidden(html, "base_lang").expect("base_lang");
    let fields = [
        ("base_version", base.as_str()),
        ("base_lang", lang.as_str()),
        ("subject", subject),
        ("text", text),
        ("html", ""),
        ("lang", lang.as_str()),
        ("reason", "friendlier"),
        ("action", action),
    ];
    tab.post(PAGE, &fields).await
}

/// Opens the page and saves `subject` and `text` as the next version.
async fn save(tab: &Tab<'_>, subject: &str, text: &str) -> Response {
    let html = tab.get(PAGE).await.text();
    let resp = submit(tab, &html, subject, text, "save").await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    resp
}

/// The acknowledgement of a report titled `title`, sent now.
async fn acknowledgement(app: &TestApp, title: &str) -> (String, String) {
    app.report(title, Some(REPORTER)).await;
    app.run_jobs().await;
    let mail = app
        .mails_to(REPORTER)
        .into_iter()
        .find(|m| m.subject.contains(title));
    let mail = mail.expect("acknowledgement");
    (mail.subject, mail.text)
}

#[tokio::test]
async fn the_list_shows_every_template_with_its_purpose_and_whether_it_is_customized() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let resp = tab.get("/admin/templates").await;
    assert_eq!(resp.status, OK);
    let html = resp.text();
    assert!(
        html.contains("<a href=\"/admin/templates\">Mail templates</a>"),
        "linked from the admin navigation"
    );
    assert!(
        html.contains("<h2 id=\"audience-reporter\">To the reporter</h2>"),
        "{html}"
    );
    let row = between(&html, "id=\"template-report_received\"", ">", "</tr>").expect("row");
    assert!(
        row.contains("href=\"/admin/templates/report_received\""),
        "{row}"
    );
    assert!(
        row.contains("The acknowledgement (&quot;report received&quot;)"),
        "{row}"
    );
    assert!(row.contains("Built-in"), "{row}");

    let german = json!({ "subject": "Eingegangen: {{ title }}", "text": OURS, "lang": "de" });
    let saved = app
        .api(
            Method::PUT,
            "/api/v1/templates/report_received",
            Some(&token),
            Some(german),
        )
        .await;
    assert_eq!(saved.status, OK, "{}", saved.text());
    let html = tab.get("/admin/templates").await.text();
    let row = between(&html, "id=\"template-report_received\"", ">", "</tr>").expect("row");
    assert!(row.contains("<strong>Customized</strong> in"), "{row}");
    assert!(row.contains("?lang=de\">de</a>"), "{row}");
    assert!(!row.contains("Built-in"), "{row}");

    // Every template the catalogue lists has its page.
    for kind in embargo::domain::mail_kind::MailKind::ALL {
        let resp = tab.get(&format!("/admin/templates/{}", kind.name())).await;
        assert_eq!(resp.status, OK, "{}", kind.name());
    }
    assert_eq!(
        tab.get("/admin/templates/no_such_mail").await.status,
        NOT_FOUND
    );
}

#[tokio::test]
async fn saving_through_the_page_changes_the_next_mail() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let html = tab.get(PAGE).await.text();
    assert!(textarea(&html, "text").contains(BUILT_IN));
    let preview = between(&html, "id=\"preview-text\"", ">", "</pre>").expect("preview");
    assert!(
        preview.contains("Path traversal in the archive extractor"),
        "{preview}"
    );
    assert!(
        html.contains("<code>tracking_url</code> (required)"),
        "{html}"
    );
    assert_eq!(hidden(&html, "base_version").as_deref(), Some("0"));

    // Browsers send a textarea's line breaks as CRLF.
    let typed = OURS.replace('\n', "\r\n");
    let resp = submit(&tab, &html, "We got it: {{ title }}", &typed, "save").await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let location = resp.header("location").expect("location");
    assert_eq!(location, format!("{PAGE}?lang=en&saved=1"));
    let html = tab.get(location).await.text();
    assert!(
        html.contains("Saved as version 1; the next mail uses it."),
        "{html}"
    );
    assert_eq!(textarea(&html, "text"), OURS);
    let version = between(&html, "id=\"version-en-1\"", ">", "</section>").expect("version 1");
    assert!(version.contains(&format!("<dd>{ADMIN}</dd>")), "{version}");
    assert!(
        version.contains("<dd>friendlier</dd>") && version.contains("Edited"),
        "{version}"
    );
    assert!(
        version.contains("Changes from the built-in text"),
        "{version}"
    );
    assert!(
        version.contains("<span class=\"diff-add\">+Follow it: {{ tracking_url }}</span>"),
        "{version}"
    );
    assert!(
        version.contains(&format!("<span class=\"diff-del\">-{BUILT_IN}")),
        "{version}"
    );
    let api = app
        .get("/api/v1/templates/report_received", Some(&token))
        .await
        .json();
    assert_eq!(api["text"], OURS, "stored with the templates' line breaks");

    let (subject, text) = acknowledgement(&app, "After the edit").await;
    assert_eq!(subject, "We got it: After the edit");
    assert!(
        text.starts_with("Hello,\n\nwe have After the edit.\nFollow it: http"),
        "{text}"
    );
}

#[tokio::test]
async fn preview_shows_the_draft_beside_the_editor_and_saves_nothing() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let html = tab.get(PAGE).await.text();
    assert!(html.contains("Preview of the text in use"));
    let resp = submit(&tab, &html, "Draft: {{ title }}", OURS, "preview").await;
    assert_eq!(resp.status, OK, "{}", resp.text());
    let page = resp.text();
    assert!(page.contains("Preview of your draft (not saved)"), "{page}");
    let subject = between(&page, "id=\"preview-subject\"", ">", "<").expect("subject");
    assert_eq!(subject, "Draft: Path traversal in the archive extractor");
    let text = between(&page, "id=\"preview-text\"", ">", "</pre>").expect("text");
    assert!(
        text.starts_with("Hello,\n\nwe have Path traversal"),
        "{text}"
    );
    assert_eq!(textarea(&page, "text"), OURS, "the typed text is kept");
    assert_eq!(hidden(&page, "base_version").as_deref(), Some("0"));

    // Enter in a field sends the form without a button: a preview too.
    let fields = [("subject", "s {{ title }}"), ("text", OURS), ("lang", "en")];
    assert_eq!(tab.post(PAGE, &fields).await.status, OK);
    assert_eq!(app.count("template_versions").await, 0);
}

#[tokio::test]
async fn an_invalid_edit_shows_its_line_at_the_field_and_keeps_the_typed_text() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let html = tab.get(PAGE).await.text();
    let typed = "Hello,\n\nfollow it here:\n{{ tracking_link }}\n";
    for action in ["save", "preview"] {
        let resp = submit(&tab, &html, "Got {{ title }}", typed, action).await;
        assert_eq!(resp.status, INVALID, "{action}");
        let page = resp.text();
        assert_eq!(
            field_error(&page, "text"),
            "line 4: unknown variable `tracking_link`"
        );
        let summary = between(&page, "class=\"error-summary\"", "<li>", "</li>").expect("summary");
        assert_eq!(
            summary,
            "<a href=\"#text\">Text: line 4: unknown variable `tracking_link`</a>"
        );
        assert_eq!(textarea(&page, "text"), typed);
        assert!(
            page.contains("value=\"Got {{ title }}\""),
            "the typed subject is kept"
        );
        assert!(page.contains("No preview until the problems listed at the top are fixed."));
    }

    let fields = [
        ("subject", "s"),
        ("text", OURS),
        ("lang", "english"),
        ("action", "save"),
    ];
    let resp = tab.post(PAGE, &fields).await;
    assert_eq!(resp.status, INVALID);
    assert!(field_error(&resp.text(), "lang").starts_with("a language tag such as"));
    assert_eq!(app.count("template_versions").await, 0);
}

#[tokio::test]
async fn a_stale_form_is_refused_with_the_conflict_and_the_typed_text_kept() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let opened = tab.get(PAGE).await.text();
    save(&tab, "Meanwhile {{ title }}", OURS).await;

    let resp = submit(&tab, &opened, "Mine {{ title }}", OURS, "save").await;
    assert_eq!(resp.status, StatusCode::CONFLICT);
    let html = resp.text();
    let summary = between(&html, "class=\"error-summary\"", "<li>", "</li>").expect("summary");
    assert!(
        summary.starts_with("Someone saved version 1 of this template after you opened it"),
        "{summary}"
    );
    assert!(html.contains("value=\"Mine {{ title }}\""));
    assert_eq!(app.count("template_versions").await, 1);

    // Saving again, knowing of version 1, replaces it.
    assert_eq!(hidden(&html, "base_version").as_deref(), Some("1"));
    let resp = submit(&tab, &html, "Mine {{ title }}", OURS, "save").await;
    assert_eq!(
        resp.header("location"),
        Some(format!("{PAGE}?lang=en&saved=2").as_str())
    );
}

#[tokio::test]
async fn an_older_version_is_reverted_to_and_the_built_in_text_reset_to() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    save(&tab, "First {{ title }}", OURS).await;
    save(&tab, "Second {{ title }}", OURS).await;
    let html = tab.get(PAGE).await.text();
    let revert = format!("action=\"{PAGE}/revert\"");
    let first = between(&html, "id=\"version-en-1\"", ">", "</section>").expect("version 1");
    assert!(
        first.contains(&revert) && first.contains("Revert to this version"),
        "{first}"
    );
    let second = between(&html, "id=\"version-en-2\"", ">", "</section>").expect("version 2");
    assert!(
        second.contains("(in use)") && !second.contains(&revert),
        "{second}"
    );
    assert!(second.contains("Changes from version 1"));

    let path = format!("{PAGE}/revert");
    let resp = tab.post(&path, &[("version", "1"), ("lang", "en")]).await;
    assert_eq!(
        resp.header("location"),
        Some(format!("{PAGE}?lang=en&reverted=3").as_str())
    );
    let html = tab
        .get(resp.header("location").expect("location"))
        .await
        .text();
    assert!(
        html.contains("Reverted: version 3 has the old text again"),
        "{html}"
    );
    assert!(html.contains("Reverted to version 1"));
    assert_eq!(
        acknowledgement(&app, "After revert").await.0,
        "First After revert"
    );
    let missing = tab.post(&path, &[("version", "9"), ("lang", "en")]).await;
    assert_eq!(missing.status, NOT_FOUND);

    let reset = format!("{PAGE}/reset");
    assert!(html.contains("Reset to the built-in text"));
    let resp = tab.post(&reset, &[("lang", "en")]).await;
    assert_eq!(
        resp.header("location"),
        Some(format!("{PAGE}?lang=en&reset=4").as_str())
    );
    let html = tab
        .get(resp.header("location").expect("location"))
        .await
        .text();
    assert!(
        html.contains("Back to the built-in text (version 4 says so)"),
        "{html}"
    );
    assert!(
        !html.contains("Reset to the built-in text"),
        "nothing left to reset"
    );
    assert!(textarea(&html, "text").contains(BUILT_IN));
    assert!(
        acknowledgement(&app, "After reset")
            .await
            .1
            .contains(BUILT_IN)
    );
    assert_eq!(app.count("template_versions").await, 4);
}

#[tokio::test]
async fn html_in_a_template_or_an_example_is_escaped_on_the_page() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let text = "<b>{{ title }}</b> <script>alert(1)</script>\n{{ tracking_url }}\n";
    save(&tab, "<i>{{ title }}</i>", text).await;
    let html = tab.get(PAGE).await.text();
    let page = "the template page";
    assert_escaped(
        &html,
        "<script>alert(1)",
        "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;",
        page,
    );
    assert_escaped(&html, "<b>", "&lt;b&gt;", page);
    assert_escaped(&html, "<i>", "&lt;i&gt;", page);
    let preview = between(&html, "id=\"preview-text\"", ">", "</pre>").expect("preview");
    assert!(preview.starts_with("&lt;b&gt;Path traversal"), "{preview}");
    let diff = between(
        &html,
        "id=\"version-en-1\"",
        "<pre class=\"diff\">",
        "</pre>",
    )
    .expect("diff");
    assert!(
        diff.contains("+&lt;b&gt;{{ title }}&lt;&#x2f;b&gt; &lt;script&gt;"),
        "{diff}"
    );
    // Examples are JSON: their quotes too.
    let example = "<code>&quot;Path traversal in the archive extractor&quot;</code>";
    assert!(html.contains(example), "{html}");
}

#[tokio::test]
async fn the_welcome_written_on_the_page_reaches_the_next_approved_applicant() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let page = "/admin/templates/application_approved";
    let html = tab.get(page).await.text();
    let base = hidden(&html, "base_version").expect("base_version");
    let fields = [
        ("base_version", base.as_str()),
        ("base_lang", "en"),
        ("subject", "{{ organization }} is on the {{ org }} list"),
        (
            "text",
            "Dear {{ organization }},\r\n\r\nyes: {{ reason }}\r\n",
        ),
        ("html", ""),
        ("lang", "en"),
        ("reason", "warmer"),
        ("action", "save"),
    ];
    let resp = tab.post(page, &fields).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let (subject, text) = crate::templates::approve_one(&app, &token, "Welcomed").await;
    assert_eq!(subject, "Welcomed is on the Test Project list");
    assert_eq!(text, "Dear Welcomed,\n\nyes: Meets every criterion.");
}
