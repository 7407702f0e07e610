//! Every success answer of the API matches the schema the served OpenAPI
//! document gives for its operation and status (issue 14): journeys
//! through the API with an admin token, each answer checked field by
//! field (see `checker`), on SQLite.

use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::AssertSqlSafe;

use crate::common::TestApp;

mod checker;
mod contributions;
mod membership;
mod reports;

use checker::Checker;

const OK: StatusCode = StatusCode::OK;
const CREATED: StatusCode = StatusCode::CREATED;

/// The one text value `sql` selects.
async fn scalar(app: &TestApp, sql: &str) -> String {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn execute(app: &TestApp, sql: &str) {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query(AssertSqlSafe(sql.to_owned()))
        .execute(&mut *conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn account_answers_match_the_document() {
    let app = TestApp::on_sqlite().await;
    let doc = Checker::new(&app).await;
    let admin = app.admin_token().await;
    let put = |path: &'static str, body| app.api(Method::PUT, path, Some(&admin), Some(body));
    let r = put("/api/v1/me/language", json!({ "language": "de" })).await;
    doc.check(Method::PUT, "/api/v1/me/language", OK, &r);
    let r = put("/api/v1/me/language", json!({ "language": null })).await;
    doc.check(Method::PUT, "/api/v1/me/language", OK, &r);
    let r = put(
        "/api/v1/me/time-zone",
        json!({ "time_zone": "Europe/Berlin" }),
    )
    .await;
    doc.check(Method::PUT, "/api/v1/me/time-zone", OK, &r);
}

#[tokio::test]
async fn advisory_answers_match_the_document() {
    let app = TestApp::on_sqlite().await;
    let doc = Checker::new(&app).await;
    let admin = app.admin_token().await;
    let id = crate::advisories::create(&app, &admin).await;
    let one = format!("/api/v1/advisories/{id}");

    let r = app.get(&one, Some(&admin)).await;
    doc.check(Method::GET, "/api/v1/advisories/{id}", OK, &r);
    let edit = json!({ "summary": "A new summary", "reason": "clearer" });
    let r = app.api(Method::PATCH, &one, Some(&admin), Some(edit)).await;
    let edited = doc.check(Method::PATCH, "/api/v1/advisories/{id}", OK, &r);
    assert_eq!(edited["changed"], json!(["summary"]));

    let patch = json!({ "filename": "fix.diff", "content_base64": "LS0tIGEKKysrIGIK" });
    let r = app
        .post(&format!("{one}/patches"), Some(&admin), patch)
        .await;
    doc.check(Method::POST, "/api/v1/advisories/{id}/patches", CREATED, &r);
    let r = app.get(&one, Some(&admin)).await;
    let read = doc.check(Method::GET, "/api/v1/advisories/{id}", OK, &r);
    assert_eq!(read["patches"].as_array().map(Vec::len), Some(1), "{read}");

    let until = jiff::Timestamp::from_microsecond(app.now())
        .unwrap()
        .checked_add(jiff::SignedDuration::from_hours(72))
        .unwrap();
    let embargo =
        json!({ "until": until.to_string(), "time_zone": "Europe/Berlin", "reason": "agreed" });
    let r = app
        .post(&format!("{one}/embargo"), Some(&admin), embargo)
        .await;
    doc.check(Method::POST, "/api/v1/advisories/{id}/embargo", OK, &r);
    let r = app.get(&one, Some(&admin)).await;
    doc.check(Method::GET, "/api/v1/advisories/{id}", OK, &r);
    let r = app.get("/api/v1/advisories", Some(&admin)).await;
    doc.check(Method::GET, "/api/v1/advisories", OK, &r);
    let r = app.get(&format!("{one}/history"), Some(&admin)).await;
    let history = doc.check(Method::GET, "/api/v1/advisories/{id}/history", OK, &r);
    assert_eq!(history["embargo"].as_array().map(Vec::len), Some(1));

    let reason = json!({ "reason": "fixed and released" });
    let r = app
        .post(&format!("{one}/publish"), Some(&admin), reason.clone())
        .await;
    doc.check(Method::POST, "/api/v1/advisories/{id}/publish", OK, &r);
    let r = app
        .post(&format!("{one}/withdraw"), Some(&admin), reason)
        .await;
    let withdrawn = doc.check(Method::POST, "/api/v1/advisories/{id}/withdraw", OK, &r);
    assert_eq!(withdrawn["state"], "withdrawn");
}

#[tokio::test]
async fn a_missing_mistyped_or_undocumented_field_fails_the_check() {
    let app = TestApp::on_sqlite().await;
    let doc = Checker::new(&app).await;
    let admin = app.admin_token().await;
    let id = crate::advisories::create(&app, &admin).await;
    let read = (Method::GET, "/api/v1/advisories/{id}");
    let good = app
        .get(&format!("/api/v1/advisories/{id}"), Some(&admin))
        .await
        .json();
    assert!(doc.errors(&read.0, read.1, OK, &good).is_empty());
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("revision");
    assert!(!doc.errors(&read.0, read.1, OK, &missing).is_empty());
    let mut mistyped = good.clone();
    mistyped["revision"] = json!("1");
    assert!(!doc.errors(&read.0, read.1, OK, &mistyped).is_empty());
    let mut nested = good.clone();
    nested["patches"] = json!([{ "id": "p" }]);
    assert!(!doc.errors(&read.0, read.1, OK, &nested).is_empty());
    let mut not_null = good;
    not_null["id"] = json!(null);
    assert!(!doc.errors(&read.0, read.1, OK, &not_null).is_empty());

    let language = (Method::PUT, "/api/v1/me/language");
    let fine = json!({ "language": null });
    assert!(doc.errors(&language.0, language.1, OK, &fine).is_empty());
    let extra = json!({ "language": null, "time_zone": null });
    assert!(!doc.errors(&language.0, language.1, OK, &extra).is_empty());
    assert!(
        !doc.errors(&language.0, language.1, OK, &json!({}))
            .is_empty()
    );
    let embargo = (Method::POST, "/api/v1/advisories/{id}/embargo");
    let view = json!({ "until": "tomorrow", "time_zone": "UTC", "in_time_zone": "x" });
    let bad_instant = json!({ "embargo": view, "warnings": [] });
    assert!(
        !doc.errors(&embargo.0, embargo.1, OK, &bad_instant)
            .is_empty()
    );
}

#[tokio::test]
async fn every_success_answer_is_documented_with_a_schema_or_as_bytes() {
    let app = TestApp::on_sqlite().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    let mut untyped = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, answer) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') || status == "204" {
                    continue;
                }
                let content = &answer["content"];
                let typed = content["application/json"]["schema"].is_object()
                    || content["application/octet-stream"].is_object();
                if !typed {
                    untyped.push(format!("{method} {path} {status}"));
                }
            }
        }
    }
    assert!(
        untyped.is_empty(),
        "success answers without a schema: {untyped:#?}"
    );
}
