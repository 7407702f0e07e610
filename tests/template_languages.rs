//! Mail in the reader's language: a template's version in it where the
//! team wrote one, else English; reporters choose on the form or in the
//! API, accounts on their page or by API, admins' mail follows theirs.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;
use crate::templates::{REPORTER, save};

#[tokio::test]
async fn a_language_version_goes_to_readers_of_that_language_and_others_fall_back_to_english() {
    let app = TestApp::with_config(|c| c.organization_language = "de".into()).await;
    let admin = app.admin_token().await;
    let german = json!({ "lang": "de", "subject": "Eingegangen: {{ title }}", "text": "Danke! {{ tracking_url }}" });
    let resp = save(&app, &admin, "report_received", german).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["lang"], "de");
    let english = app
        .get("/api/v1/templates/report_received?lang=en", Some(&admin))
        .await
        .json();
    assert_eq!(english["customized"], false);
    let french = app
        .get("/api/v1/templates/report_received?lang=fr", Some(&admin))
        .await
        .json();
    assert_eq!(
        (french["text_lang"].as_str(), french["version"].as_i64()),
        (Some("en"), Some(0))
    );

    app.report("Sprache", Some(REPORTER)).await;
    app.run_jobs().await;
    assert!(
        app.mails_to(REPORTER)
            .iter()
            .any(|m| m.subject == "Eingegangen: Sprache")
    );

    let resp = app
        .get(
            "/api/v1/templates/report_received?lang=english!",
            Some(&admin),
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn readers_choose_their_language_and_get_the_teams_text_in_it() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let german = json!({ "lang": "de", "subject": "Eingegangen: {{ title }}", "text": "Danke! {{ tracking_url }}" });
    assert_eq!(
        save(&app, &admin, "report_received", german).await.status,
        StatusCode::OK
    );

    // A reporter who asked for German, one who asked for French (no text
    // in it: English), and one who asked for nothing (the organisation's).
    for (title, language) in [
        ("Deutsch", Some("de")),
        ("Francais", Some("fr")),
        ("Default", None),
    ] {
        let mut body = json!({ "title": title, "description": "d", "reporter_email": REPORTER });
        if let Some(l) = language {
            body["language"] = l.into();
        }
        assert_eq!(
            app.post("/api/v1/reports", None, body).await.status,
            StatusCode::CREATED
        );
    }
    let bad = json!({ "title": "t", "description": "d", "language": "deutsch!" });
    let resp = app.post("/api/v1/reports", None, bad).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.json()["errors"]["language"].is_string());
    app.run_jobs().await;
    let subjects: Vec<String> = app
        .mails_to(REPORTER)
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert!(
        subjects.contains(&"Eingegangen: Deutsch".to_owned()),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Report received: Francais".to_owned()),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Report received: Default".to_owned()),
        "{subjects:?}"
    );

    // An account's own choice holds for mail addressed to it.
    let resp = app
        .api(
            Method::PUT,
            "/api/v1/me/language",
            Some(&admin),
            Some(json!({ "language": "DE" })),
        )
        .await;
    assert_eq!(resp.json(), json!({ "language": "de" }));
    assert_eq!(
        app.get("/api/v1/me", Some(&admin)).await.json()["language"],
        "de"
    );
    let admin_mail =
        json!({ "lang": "de", "subject": "Neu: {{ report_id }}", "text": "{{ url }}" });
    let saved = save(&app, &admin, "report_new_for_admins", admin_mail).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    app.report("Fuer Admins", None).await;
    app.run_jobs().await;
    let admin_mails = app.mails_to("admin@project.test");
    let german = admin_mails
        .iter()
        .any(|m| m.subject.starts_with("Neu: rpt_"));
    assert!(german, "in German for the admin");
    let resp = app
        .api(
            Method::PUT,
            "/api/v1/me/language",
            Some(&admin),
            Some(json!({ "language": "x" })),
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
}
