//! Test reports: a cleared member contact files one on an embargoed
//! advisory, with attachments; each reader sees what its visibility allows,
//! and nobody reads another member's admin-only report.

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Value, json};

use crate::announcements::{cleared_member, embargoed};
use crate::common::{Response, TestApp};
use crate::membership::accept_current_policy;

const SECRET: &str = "the heap overflow still triggers with a 4 GiB header";
const PATCH: &[u8] = b"--- a/parse.c\n+++ b/parse.c\n@@ -1 +1 @@\n-len\n+len + 1\n";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An embargoed advisory, announced to every cleared contact (so it is
/// theirs to read however narrowly reading is drawn).
pub async fn announced(app: &TestApp, admin: &str) -> String {
    let id = embargoed(app, admin).await;
    let resp = crate::announcements::announce(app, admin, &id, json!({})).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    id
}

/// A member with two cleared contacts: (member id, token of each).
async fn member_of_two(
    app: &TestApp,
    admin: &str,
    org: &str,
    a: &str,
    b: &str,
) -> (String, [String; 2]) {
    let resp = app
        .post(
            "/api/v1/members",
            Some(admin),
            json!({
                "organization": org, "website": "https://two.example",
                "security_alias": "security@two.example",
                "contacts": [{ "name": "A", "email": a }, { "name": "B", "email": b }],
            }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["id"].as_str().unwrap().to_owned();
    let mut tokens = Vec::new();
    for email in [a, b] {
        let token = app.set_up_from_mail(email).await;
        accept_current_policy(app, &token).await;
        tokens.push(token);
    }
    (id, [tokens[0].clone(), tokens[1].clone()])
}

pub async fn file(app: &TestApp, token: &str, advisory: &str, body: Value) -> Response {
    let path = format!("/api/v1/advisories/{advisory}/test-reports");
    app.post(&path, Some(token), body).await
}

fn items(resp: &Response) -> Vec<Value> {
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    resp.json()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_test_report_with_attachments_is_read_as_its_visibility_says() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, [author, colleague]) = member_of_two(
        &app,
        &admin,
        "Tester",
        "pat@tester.example",
        "kim@tester.example",
    )
    .await;
    let (_, other) = cleared_member(&app, &admin, "Other", "sam@other.example", None).await;
    let advisory = announced(&app, &admin).await;

    let private = file(
        &app,
        &author,
        &advisory,
        json!({
            "result": "problems", "tested": "1.2.3 on arm64", "details": SECRET,
            "visibility": "admins",
            "attachments": [
                { "filename": "fix-v2.patch", "content_type": "text/x-diff", "content_base64": b64(PATCH) },
                { "filename": "crash.log", "content_base64": b64(b"SIGSEGV in parse()") },
            ],
        }),
    )
    .await;
    assert_eq!(private.status, StatusCode::CREATED, "{}", private.text());
    let private = private.json()["id"].as_str().unwrap().to_owned();
    // Nothing found is a report too, and shown as such.
    let shared = file(
        &app,
        &author,
        &advisory,
        json!({ "result": "works", "tested": "1.2.3 on x86_64", "visibility": "members" }),
    )
    .await;
    assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.text());
    let shared = shared.json()["id"].as_str().unwrap().to_owned();

    let list = format!("/api/v1/advisories/{advisory}/test-reports");
    let theirs = items(&app.get(&list, Some(&other)).await);
    assert_eq!(theirs.len(), 1, "another member sees only the shared one");
    assert_eq!(theirs[0]["id"], shared.as_str());
    assert_eq!(theirs[0]["result"], "works");
    assert_eq!(theirs[0]["organization"], "Tester");
    assert_eq!(theirs[0]["author"], Value::Null);
    let own = items(&app.get(&list, Some(&colleague)).await);
    assert_eq!(own.len(), 2, "the author's organisation sees its own");
    let mine = own.iter().find(|r| r["id"] == private.as_str()).unwrap();
    assert_eq!(mine["details"], SECRET);
    assert_eq!(mine["author"], "pat@tester.example");
    assert_eq!(mine["member_id"], member.as_str());
    assert_eq!(mine["attachments"].as_array().unwrap().len(), 2);
    assert_eq!(
        mine["attachments"][1]["content_type"],
        "application/octet-stream"
    );
    assert_eq!(items(&app.get(&list, Some(&admin)).await).len(), 2);

    let patch = format!("/api/v1/advisories/{advisory}/test-reports/{private}/attachments/0");
    let got = app.get(&patch, Some(&colleague)).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, PATCH);
    assert_eq!(got.header("content-type"), Some("text/x-diff"));
    assert!(
        got.header("content-disposition")
            .unwrap()
            .contains("fix-v2.patch")
    );
    assert_eq!(app.get(&patch, Some(&admin)).await.status, StatusCode::OK);
    // Nobody reads another member's admin-only report: 404 as if made up.
    assert_eq!(
        app.get(&patch, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    let missing = format!("/api/v1/advisories/{advisory}/test-reports/{private}/attachments/2");
    assert_eq!(
        app.get(&missing, Some(&colleague)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&list, None).await.status, StatusCode::UNAUTHORIZED);

    // The audit log names ids, never what was found.
    let mut conn = app.state.db.conn().await.unwrap();
    let events: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'test_report.filed'")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        events
            .iter()
            .all(|d| !d.contains(SECRET) && !d.contains("arm64"))
    );
}

#[tokio::test]
async fn only_a_cleared_contact_files_only_on_an_embargoed_advisory_and_a_refusal_writes_nothing() {
    let app = TestApp::with_config(|c| c.limits.max_attachment_bytes = 1024).await;
    let admin = app.admin_token().await;
    let (_, author) = cleared_member(&app, &admin, "Tester", "pat@tester.example", None).await;
    let advisory = announced(&app, &admin).await;
    let ok = json!({ "result": "works", "tested": "1.0" });

    let resp = file(
        &app,
        &author,
        &advisory,
        json!({ "result": "fine", "tested": " " }),
    )
    .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = &resp.json()["errors"];
    assert!(
        errors["result"]
            .as_str()
            .unwrap()
            .contains("not_applicable")
    );
    assert_eq!(errors["tested"], "is required");
    let mut bad = ok.clone();
    bad["attachments"] = json!([{ "filename": "x.log", "content_base64": "not base64!" }]);
    let resp = file(&app, &author, &advisory, bad).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        resp.json()["errors"]["attachments[0].content_base64"],
        "is not valid base64"
    );
    let big = vec![b'x'; app.state.config.limits.max_attachment_bytes + 1];
    let mut large = ok.clone();
    large["attachments"] = json!([{ "filename": "big.log", "content_base64": b64(&big) }]);
    let resp = file(&app, &author, &advisory, large).await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    let resp = file(&app, &author, &advisory, json!({ "result": "works" })).await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "tested is required"
    );

    // The admins ask for reports; they do not file them.
    assert_eq!(
        file(&app, &admin, &advisory, ok.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let draft = crate::advisories::create(&app, &admin).await;
    let resp = file(&app, &author, &draft, ok.clone()).await;
    assert_eq!(
        resp.status,
        StatusCode::NOT_FOUND,
        "a draft is not the list's"
    );
    let published = format!("/api/v1/advisories/{advisory}/publish");
    let resp = app
        .post(&published, Some(&admin), json!({ "reason": "fixed" }))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let resp = file(&app, &author, &advisory, ok).await;
    assert_eq!(resp.status, StatusCode::CONFLICT);
    assert!(resp.text().contains("published"), "{}", resp.text());
    assert_eq!(app.count("test_reports").await, 0);
    assert_eq!(app.count("test_report_attachments").await, 0);
}
