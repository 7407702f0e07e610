//! Text arrives with CRLF line ends from browsers' textareas (and from
//! some API clients); it is stored, mailed and published with LF only.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::{CSRF, TestApp};

async fn stored_description(app: &TestApp) -> String {
    let admin = app.admin_token().await;
    let list = app.get("/api/v1/reports", Some(&admin)).await.json();
    let id = list["items"][0]["id"]
        .as_str()
        .expect("a report")
        .to_owned();
    let report = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    report["report"]["description"]
        .as_str()
        .expect("description")
        .to_owned()
}

#[tokio::test]
async fn a_forms_crlf_is_stored_as_lf() {
    let app = TestApp::new().await;
    let form = format!("csrf={CSRF}&title=Overflow&description=line+one%0D%0Aline+two%0Dthree");
    let cookie = format!("embargo_csrf={CSRF}");
    let resp = app
        .page(Method::POST, "/report", Some(&cookie), Some(&form))
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.text());
    assert_eq!(stored_description(&app).await, "line one\nline two\nthree");
}

#[tokio::test]
async fn a_json_bodys_crlf_is_stored_as_lf() {
    let app = TestApp::new().await;
    let body = json!({ "title": "Overflow", "description": "line one\r\nline two" });
    assert_eq!(
        app.post("/api/v1/reports", None, body).await.status,
        StatusCode::CREATED
    );
    assert_eq!(stored_description(&app).await, "line one\nline two");
}
