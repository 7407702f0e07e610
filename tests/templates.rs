//! Mail templates: edited through the API, checked before saving, previewed
//! on example data, every version kept; the next mail queued uses the new
//! text and a mail already queued keeps its own.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;

pub const REPORTER: &str = "reporter@example.net";
const EDITED: &str =
    "Hi,\n\nwe have your report {{ report_id }}.\nFollow it: {{ tracking_url }}\n\n{{ org }}\n";

pub async fn save(app: &TestApp, admin: &str, name: &str, body: Value) -> crate::common::Response {
    let path = format!("/api/v1/templates/{name}");
    app.api(Method::PUT, &path, Some(admin), Some(body)).await
}

async fn ack_text(app: &TestApp, title: &str) -> String {
    app.mails_to(REPORTER)
        .into_iter()
        .find(|m| m.subject.contains(title))
        .expect("acknowledgement")
        .text
}

#[tokio::test]
async fn the_next_mail_uses_an_edit_and_a_queued_mail_keeps_its_text() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    app.report("Queued before", Some(REPORTER)).await;

    let resp = save(
        &app,
        &admin,
        "report_received",
        json!({
            "subject": "We got it: {{ title }}", "text": EDITED, "reason": "shorter",
        }),
    )
    .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let saved = resp.json();
    assert_eq!(
        (saved["version"].as_i64(), saved["customized"].as_bool()),
        (Some(1), Some(true))
    );
    app.report("Queued after", Some(REPORTER)).await;
    app.run_jobs().await;

    let before = ack_text(&app, "Queued before").await;
    assert!(before.contains("Thank you for your report"), "{before}");
    let after = ack_text(&app, "Queued after").await;
    assert!(
        after.starts_with("Hi,\n\nwe have your report rpt_"),
        "{after}"
    );
    assert!(
        app.mails_to(REPORTER)
            .iter()
            .any(|m| m.subject == "We got it: Queued after")
    );
}

#[tokio::test]
async fn an_invalid_edit_is_refused_with_its_line_and_the_old_text_stays() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let text = "Hello,\n\nfollow it here:\n{{ tracking_link }}\n";
    let resp = save(
        &app,
        &admin,
        "report_received",
        json!({ "subject": "s", "text": text }),
    )
    .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        resp.json(),
        json!({ "errors": { "text": "line 4: unknown variable `tracking_link`" } })
    );

    for (body, field, message) in [
        (
            json!({ "subject": "{{ title", "text": EDITED }),
            "subject",
            "line 1: syntax error",
        ),
        (
            json!({ "subject": "s", "text": "{{ title | shout }} {{ tracking_url }}" }),
            "text",
            "line 1: unknown filter `shout`",
        ),
        (
            json!({ "subject": "s", "text": "Thanks for {{ title }}." }),
            "text",
            "missing required variable `tracking_url`",
        ),
        (
            json!({ "subject": "s", "text": EDITED, "html": "{% include 'x' %}" }),
            "html",
            "line 1: `include` is not allowed",
        ),
    ] {
        let resp = save(&app, &admin, "report_received", body).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
        let error = resp.json()["errors"][field]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.starts_with(message), "{field}: {error}");
    }
    let current = app
        .get("/api/v1/templates/report_received", Some(&admin))
        .await
        .json();
    assert_eq!(
        (current["version"].as_i64(), current["customized"].as_bool()),
        (Some(0), Some(false))
    );
    let versions = app
        .get("/api/v1/templates/report_received/versions", Some(&admin))
        .await
        .json();
    assert_eq!(versions["items"], json!([]));
    app.report("Still built in", Some(REPORTER)).await;
    app.run_jobs().await;
    assert!(
        ack_text(&app, "Still built in")
            .await
            .contains("Thank you for your report")
    );
}

#[tokio::test]
async fn every_version_is_kept_and_revert_and_reset_work() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let first = json!({ "subject": "First {{ title }}", "text": EDITED, "reason": "our tone" });
    assert_eq!(
        save(&app, &admin, "report_received", first).await.status,
        StatusCode::OK
    );
    let second = json!({ "subject": "Second {{ title }}", "text": EDITED, "base_version": 1 });
    assert_eq!(
        save(&app, &admin, "report_received", second).await.status,
        StatusCode::OK
    );
    // A form opened before the second save is stale.
    let stale = json!({ "subject": "Stale {{ title }}", "text": EDITED, "base_version": 1 });
    assert_eq!(
        save(&app, &admin, "report_received", stale).await.status,
        StatusCode::CONFLICT
    );

    let revert = json!({ "version": 1, "reason": "the second was worse" });
    let resp = app
        .post(
            "/api/v1/templates/report_received/revert",
            Some(&admin),
            revert,
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(
        (
            resp.json()["version"].as_i64(),
            resp.json()["subject"].as_str()
        ),
        (Some(3), Some("First {{ title }}"))
    );
    app.report("After revert", Some(REPORTER)).await;
    app.run_jobs().await;
    assert!(
        app.mails_to(REPORTER)
            .iter()
            .any(|m| m.subject == "First After revert")
    );

    let resp = app
        .api(
            Method::DELETE,
            "/api/v1/templates/report_received",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(
        (
            resp.json()["version"].as_i64(),
            resp.json()["customized"].as_bool()
        ),
        (Some(4), Some(false))
    );
    assert!(
        resp.json()["text"]
            .as_str()
            .unwrap()
            .contains("Thank you for your report")
    );
    app.report("After reset", Some(REPORTER)).await;
    app.run_jobs().await;
    assert!(
        ack_text(&app, "After reset")
            .await
            .contains("Thank you for your report")
    );

    let versions = app
        .get("/api/v1/templates/report_received/versions", Some(&admin))
        .await
        .json();
    let summary: Vec<(i64, &str, bool)> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["action"].as_str().unwrap(),
                v["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (4, "reset", true),
            (3, "revert", false),
            (2, "edit", false),
            (1, "edit", false)
        ]
    );
    let first = &versions["items"][3];
    assert_eq!(
        (first["actor"].as_str(), first["reason"].as_str()),
        (Some("admin@project.test"), Some("our tone"))
    );
    assert_eq!(versions["items"][1]["reverted_to"], 1);
    assert_eq!(
        app.count("audit_events WHERE action LIKE 'template.%'")
            .await,
        4
    );

    let missing = json!({ "version": 9 });
    let resp = app
        .post(
            "/api/v1/templates/report_received/revert",
            Some(&admin),
            missing,
        )
        .await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_preview_renders_a_draft_on_example_data_and_saves_nothing() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let draft = json!({ "subject": "Got {{ title }}", "text": EDITED, "html": "<p>{{ title }} &amp; {{ tracking_url }}</p>" });
    let resp = app
        .post(
            "/api/v1/templates/report_received/preview",
            Some(&admin),
            draft,
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let preview = resp.json();
    assert_eq!(
        preview["subject"],
        "Got Path traversal in the archive extractor"
    );
    assert!(
        preview["text"]
            .as_str()
            .unwrap()
            .contains("https://security.example.org/track/")
    );
    assert!(
        preview["html"]
            .as_str()
            .unwrap()
            .starts_with("<p>Path traversal")
    );
    let saved = app
        .post(
            "/api/v1/templates/report_received/preview",
            Some(&admin),
            json!({}),
        )
        .await;
    assert!(
        saved.json()["text"]
            .as_str()
            .unwrap()
            .contains("Thank you for your report")
    );
    let bad = json!({ "subject": "s", "text": "{{ nope }}" });
    let resp = app
        .post(
            "/api/v1/templates/report_received/preview",
            Some(&admin),
            bad,
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("template_versions").await, 0);
}

#[tokio::test]
async fn the_list_names_every_mail_with_its_purpose_and_variables() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let list = app.get("/api/v1/templates", Some(&admin)).await.json();
    let items = list["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for name in embargo::render::mail_template_names() {
        assert!(names.contains(&name), "{name} missing from the list");
    }
    let ack = items
        .iter()
        .find(|t| t["name"] == "report_received")
        .unwrap();
    assert!(!ack["purpose"].as_str().unwrap().is_empty());
    let vars: Vec<&str> = ack["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert!(
        vars.contains(&"tracking_url") && vars.contains(&"org"),
        "{vars:?}"
    );
    assert_eq!(ack["customized"], false);
    assert_eq!(
        app.get("/api/v1/templates/no_such_mail", Some(&admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// Runs one application to approval: (the welcome mail's subject, text).
pub async fn approve_one(app: &TestApp, admin: &str, org: &str) -> (String, String) {
    let founder = format!("pat@founders-{}.example", org.to_lowercase());
    let (voucher, voucher_token) =
        crate::membership::founding_member(app, admin, &format!("Founders{org}"), &founder).await;
    let domain = format!("{}.example", org.to_lowercase());
    let (id, _) = crate::membership::confirmed_application(app, org, &domain, &voucher).await;
    let vouch = json!({ "statement": "We know them." });
    let path = format!("/api/v1/applications/{id}/vouches");
    assert_eq!(
        app.post(&path, Some(&voucher_token), vouch).await.status,
        StatusCode::CREATED
    );
    let decision = json!({ "decision": "approve", "reason": "Meets every criterion." });
    let path = format!("/api/v1/applications/{id}/decision");
    let resp = app.post(&path, Some(admin), decision).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    app.run_jobs().await;
    let welcome = app
        .mails_to(&format!("sec@{domain}"))
        .into_iter()
        .find(|m| m.text.contains("Meets every criterion."))
        .expect("the welcome mail");
    (welcome.subject, welcome.text)
}

#[tokio::test]
async fn the_next_approved_application_gets_the_welcome_the_team_wrote() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (subject, _) = approve_one(&app, &admin, "Before").await;
    assert!(subject.starts_with("Welcome to the"), "{subject}");

    let welcome = json!({
        "subject": "{{ organization }} joins the {{ org }} list",
        "text": "Dear {{ organization }},\n\nwe said yes: {{ reason }}\n\nSee you on the list.\n",
        "reason": "our own words",
    });
    let resp = save(&app, &admin, "application_approved", welcome).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let (subject, text) = approve_one(&app, &admin, "After").await;
    assert_eq!(subject, "After joins the Test Project list");
    assert_eq!(
        text,
        "Dear After,\n\nwe said yes: Meets every criterion.\n\nSee you on the list."
    );

    // The reason is what the welcome exists for: a text without it is refused.
    let without = json!({ "subject": "Welcome", "text": "Welcome, {{ organization }}." });
    let resp = save(&app, &admin, "application_approved", without).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, text) = approve_one(&app, &admin, "Third").await;
    assert!(
        text.starts_with("Dear Third,"),
        "the saved text stays in use: {text}"
    );
}
