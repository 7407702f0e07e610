//! Request bodies of the wrong shape or size are refused with the right
//! status, and change nothing.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::common::{CSRF, TestApp, path_of};

async fn post_raw(app: &TestApp, path: &str, token: &str, body: &str) -> crate::common::Response {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    app.request(req).await
}

#[tokio::test]
async fn a_json_array_where_an_object_is_expected_is_refused_and_makes_no_token() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let tokens = app.count("api_tokens").await;

    let resp = post_raw(&app, "/api/v1/tokens", &admin, "[]").await;

    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.text()
    );
    assert!(resp.json()["errors"]["body"].is_string(), "{}", resp.text());
    assert_eq!(app.count("api_tokens").await, tokens);
}

#[tokio::test]
async fn an_array_holding_null_does_not_unassign_a_report() {
    let app = TestApp::new().await;
    let (admin_id, admin) = app
        .account("admin@project.test", embargo::domain::account::Role::Admin)
        .await;
    let (id, _) = app.report("Overflow", None).await;
    let path = format!("/api/v1/reports/{id}/assignee");
    let assigned = app
        .post(&path, Some(&admin), json!({ "assignee": admin_id }))
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text());

    let resp = post_raw(&app, &path, &admin, "[null]").await;

    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.text()
    );
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await;
    assert_eq!(detail.json()["report"]["assignee_id"], admin_id);
}

#[tokio::test]
async fn null_for_a_documented_optional_string_is_refused() {
    let app = TestApp::new().await;
    for field in ["reporter_email", "reporter_name", "github"] {
        let mut body = json!({ "title": "Overflow", "description": "details" });
        body[field] = serde_json::Value::Null;

        let resp = app.post("/api/v1/reports", None, body).await;

        assert_eq!(
            resp.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            resp.text()
        );
    }
    assert_eq!(app.count("reports").await, 0);
    let absent = json!({ "title": "Overflow", "description": "details" });
    let resp = app.post("/api/v1/reports", None, absent).await;
    assert_eq!(
        resp.status,
        StatusCode::CREATED,
        "left out is fine: {}",
        resp.text()
    );
}

#[tokio::test]
async fn the_documented_null_that_unassigns_a_report_still_does() {
    let app = TestApp::new().await;
    let (admin_id, admin) = app
        .account("admin@project.test", embargo::domain::account::Role::Admin)
        .await;
    let (id, _) = app.report("Overflow", None).await;
    let path = format!("/api/v1/reports/{id}/assignee");
    app.post(&path, Some(&admin), json!({ "assignee": admin_id }))
        .await;

    let resp = app
        .post(&path, Some(&admin), json!({ "assignee": null }))
        .await;

    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await;
    assert!(detail.json()["report"]["assignee_id"].is_null());
}

#[tokio::test]
async fn an_upload_over_the_body_limit_answers_413_and_stores_nothing() {
    let app = TestApp::with_config(|c| c.limits.max_body_bytes = 4096).await;
    let (_, tracking) = app.report("Overflow", None).await;
    let path = format!("{}/messages", path_of(&tracking));
    let big = vec![b'x'; 20_000];

    let req = crate::pages::reply_with_file(&path, CSRF, "see the file", ("big.bin", &big));
    let resp = app.request(req).await;

    assert_eq!(
        resp.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        resp.text()
    );
    assert_eq!(app.count("messages").await, 0);
    assert_eq!(app.count("attachments").await, 0);
}
