//! The report routes' answers: the admins' view and triage, the reporter's
//! tracking link.

use axum::http::Method;
use serde_json::json;

use super::{CREATED, Checker, OK};
use crate::common::TestApp;

#[tokio::test]
async fn report_answers_match_the_document() {
    let app = TestApp::on_sqlite().await;
    let doc = Checker::new(&app).await;
    let (admin_id, admin) = app
        .account("admin@project.test", embargo::domain::account::Role::Admin)
        .await;
    let (id, tracking) = app
        .report("Heap overflow in the parser", Some("rita@example.net"))
        .await;
    let token = tracking.rsplit('/').next().unwrap().to_owned();
    let one = format!("/api/v1/reports/{id}");

    let r = app.get(&one, Some(&admin)).await;
    doc.check(Method::GET, "/api/v1/reports/{id}", OK, &r);
    let r = app
        .post(
            &format!("{one}/messages"),
            Some(&admin),
            json!({ "body": "Thanks!" }),
        )
        .await;
    doc.check(Method::POST, "/api/v1/reports/{id}/messages", CREATED, &r);
    let r = app
        .post(
            &format!("{one}/status"),
            Some(&admin),
            json!({ "status": "triaging" }),
        )
        .await;
    doc.check(Method::POST, "/api/v1/reports/{id}/status", OK, &r);
    let assign = json!({ "assignee": admin_id });
    let r = app
        .post(&format!("{one}/assignee"), Some(&admin), assign)
        .await;
    doc.check(Method::POST, "/api/v1/reports/{id}/assignee", OK, &r);
    let r = app
        .post(
            &format!("{one}/assignee"),
            Some(&admin),
            json!({ "assignee": null }),
        )
        .await;
    doc.check(Method::POST, "/api/v1/reports/{id}/assignee", OK, &r);
    let mut advisory = crate::advisories::advisory_body();
    advisory["report_id"] = json!(id);
    let r = app.post("/api/v1/advisories", Some(&admin), advisory).await;
    assert_eq!(r.status, CREATED, "{}", r.text());

    let track = format!("/api/v1/track/{token}");
    let message = json!({
        "body": "More detail.",
        "attachments": [{ "filename": "poc.txt", "content_base64": "cG9jCg==" }],
    });
    let r = app.post(&format!("{track}/messages"), None, message).await;
    doc.check(Method::POST, "/api/v1/track/{token}/messages", CREATED, &r);
    let r = app.get(&track, None).await;
    let seen = doc.check(Method::GET, "/api/v1/track/{token}", OK, &r);
    assert_eq!(seen["messages"].as_array().map(Vec::len), Some(2), "{seen}");
    let r = app.get(&one, Some(&admin)).await;
    let full = doc.check(Method::GET, "/api/v1/reports/{id}", OK, &r);
    assert_eq!(
        full["advisories"].as_array().map(Vec::len),
        Some(1),
        "{full}"
    );
    // The views built as JSON in one place for pages and API are held to
    // their schema member by member.
    let read = (Method::GET, "/api/v1/reports/{id}");
    let mut extra = full.clone();
    extra["report"]["surprise"] = json!(1);
    assert!(!doc.errors(&read.0, read.1, OK, &extra).is_empty());
    let mut missing = full;
    missing["messages"][0]
        .as_object_mut()
        .unwrap()
        .remove("encryption");
    assert!(!doc.errors(&read.0, read.1, OK, &missing).is_empty());
}
