//! Requests an allowed caller succeeds with (JSON bodies, form fields,
//! the tracking page's multipart form) and the fresh resources they use up:
//! drafts with a patch, tokens, dead jobs.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use embargo::domain::job::Lane;

use super::world::Caller;
use crate::common::TestApp;

pub const ADMIN: &str = "admin@project.test";
pub const PASSWORD: &str = "correct horse battery staple";
const BOUNDARY: &str = "matrix-boundary-5e1c";

/// A new draft advisory, created by the admin.
pub async fn fresh_advisory(app: &TestApp, admin: Option<&str>) -> String {
    let body = json!({
        "summary": "Matrix advisory",
        "affected": [{ "package": { "ecosystem": "Go", "name": "example.org/m" }, "versions": ["1.0.0"] }],
        "aliases": ["CVE-2026-40000"],
    });
    let resp = app.post("/api/v1/advisories", admin, body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().expect("advisory id").to_owned()
}

/// A JSON body that succeeds for an allowed caller.
pub fn api_body(method: &Method, template: &str) -> Option<Value> {
    if template == "/api/v1/me/time-zone" {
        return Some(json!({ "time_zone": "Europe/Berlin" }));
    }
    if template == "/api/v1/advisories/{id}/github" && method == Method::PUT {
        return Some(json!({ "repository": "acme/widget" }));
    }
    if method == Method::PATCH {
        return Some(json!({ "summary": "Edited", "reason": "matrix" }));
    }
    if method != Method::POST {
        return None;
    }
    let in_two_days = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(48))
        .expect("time");
    match template {
        "/api/v1/advisories/{id}/patches" => Some(json!({
            "filename": "p.diff", "content_base64": "LS0tIGEK",
        })),
        "/api/v1/advisories" => Some(json!({
            "summary": "s",
            "affected": [{ "package": { "ecosystem": "Go", "name": "x" }, "versions": ["1"] }],
        })),
        "/api/v1/advisories/{id}/embargo" => Some(json!({
            "until": in_two_days.to_string(), "time_zone": "UTC", "reason": "agreed",
        })),
        "/api/v1/advisories/{id}/announcements" => Some(json!({ "note": "matrix" })),
        "/api/v1/advisories/{id}/shares" => Some(json!({
            "email": "colleague@matrix.example", "name": "Colleague", "reason": "needs to know",
        })),
        "/api/v1/shares/{id}/accept" => Some(json!({})),
        "/api/v1/advisories/{id}/publish" | "/api/v1/advisories/{id}/withdraw" => {
            Some(json!({ "reason": "matrix" }))
        }
        "/api/v1/reports" => Some(json!({ "title": "t", "description": "d" })),
        "/api/v1/reports/{id}/messages" => Some(json!({ "body": "hi" })),
        "/api/v1/reports/{id}/status" => Some(json!({ "status": "triaging" })),
        "/api/v1/reports/{id}/assignee" => Some(json!({ "assignee": null })),
        "/api/v1/track/{token}/messages" => Some(json!({ "body": "x" })),
        "/api/v1/tokens" => Some(json!({ "name": "n" })),
        "/api/v1/me/sign-out-everywhere" => Some(json!({ "keep_current_token": false })),
        "/api/v1/setup/{token}" => Some(json!({ "password": "a long enough password" })),
        _ => None,
    }
}

/// Form fields after `csrf` that succeed for an allowed caller.
pub fn page_fields(template: &str, who: &Caller) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match template {
        "/report" => "&title=t&description=d".to_owned(),
        // Logging in is public: the anonymous caller uses the admin's credentials.
        "/login" => format!(
            "&email={}&password={}",
            enc(who.email.unwrap_or(ADMIN)),
            enc(PASSWORD)
        ),
        "/setup/{token}" => {
            let p = enc("a long enough password");
            format!("&password={p}&confirm={p}")
        }
        "/account/tokens" => "&name=x".to_owned(),
        "/account/language" => "&language=de".to_owned(),
        "/account/time-zone" => "&time_zone=Europe%2FBerlin".to_owned(),
        "/member/contacts/{id}/remove" => "&confirm=yes".to_owned(),
        "/admin/reports/{id}/reply" => "&body=hi".to_owned(),
        "/admin/reports/{id}/status" => "&status=triaging".to_owned(),
        "/admin/reports/{id}/assign" => "&assignee=".to_owned(),
        "/admin/advisories" => format!(
            "&summary=s&osv={}",
            enc(
                r#"{"affected": [{"package": {"ecosystem": "Go", "name": "x"}, "versions": ["1"]}]}"#
            )
        ),
        "/admin/advisories/{id}/edit" => "&summary=Edited&reason=matrix".to_owned(),
        "/admin/advisories/{id}/embargo" => {
            let in_two_days = jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::from_hours(48))
                .expect("time");
            let local = in_two_days.strftime("%Y-%m-%dT%H:%M").to_string();
            format!("&until={}&time_zone=UTC&reason=agreed", enc(&local))
        }
        "/admin/advisories/{id}/publish" | "/admin/advisories/{id}/withdraw" => {
            "&reason=matrix&confirm=yes".to_owned()
        }
        "/admin/admins" => "&email=invited%40project.test".to_owned(),
        "/admin/advisories/{id}/github" => "&repository=acme%2Fwidget".to_owned(),
        _ => String::new(),
    }
}

/// The tracking page's form: csrf, a message and a file.
pub fn multipart_request(path: &str, cookie: &str, csrf: &str) -> Request<Body> {
    let mut body = String::new();
    for (name, value) in [("csrf", csrf), ("body", "more details")] {
        body += &format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        );
    }
    body += &format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"b.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nfile content\r\n--{BOUNDARY}--\r\n"
    );
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request")
}

/// The advisory page's patch upload: csrf and a file `patch`.
pub fn patch_request(path: &str, cookie: &str, csrf: &str) -> Request<Body> {
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"patch\"; filename=\"fix.diff\"\r\n\
         Content-Type: text/x-diff\r\n\r\n--- a\n+++ b\n\r\n--{BOUNDARY}--\r\n"
    );
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request")
}

/// A new draft advisory with a patch: (advisory id, patch id).
pub async fn advisory_with_patch(app: &TestApp, admin: Option<&str>) -> (String, String) {
    let advisory = fresh_advisory(app, admin).await;
    let body = json!({ "filename": "fix.patch", "content_base64": "LS0tIGEK" });
    let path = format!("/api/v1/advisories/{advisory}/patches");
    let resp = app.post(&path, admin, body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let patch = resp.json()["id"].as_str().expect("patch id").to_owned();
    (advisory, patch)
}

/// The id of a new API token of the account `token` belongs to.
pub async fn token_id(app: &TestApp, token: Option<&str>) -> String {
    let resp = app
        .post("/api/v1/tokens", token, json!({ "name": "matrix" }))
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().expect("token id").to_owned()
}

/// A passkey of `account` (its key material a placeholder: removing one
/// does not read it).
pub async fn passkey_of(app: &TestApp, account: &str) -> String {
    let account = embargo::domain::id::AccountId::parse(account).expect("account id");
    let name = embargo::domain::passkey::PasskeyName::parse("matrix").expect("name");
    let credential_id = embargo::domain::secret::Secret::generate();
    let new = embargo::db::passkeys::NewPasskey {
        account: &account,
        name: &name,
        credential_id: credential_id.expose(),
        user_handle: "00000000-0000-4000-8000-000000000000",
        passkey: "{}",
    };
    let mut conn = app.state.db.conn().await.expect("conn");
    let id = embargo::db::passkeys::insert(&mut conn, &new).await;
    id.expect("insert").expect("a new passkey").to_string()
}

/// A dead job, for an admin to retry.
pub async fn dead_job(app: &TestApp, n: u32) -> String {
    let key = format!("matrix:{n}");
    let mut conn = app.state.db.conn().await.expect("conn");
    let job = embargo::db::jobs::NewJob {
        kind: "matrix",
        lane: Lane::Background,
        payload: json!({}),
        idempotency_key: &key,
        run_at: embargo::db::now() + embargo::db::seconds(86_400),
        max_attempts: 1,
    };
    embargo::db::jobs::enqueue(&mut conn, job)
        .await
        .expect("job");
    sqlx::query("UPDATE jobs SET state = 'dead' WHERE idempotency_key = $1")
        .bind(&key)
        .execute(&mut *conn)
        .await
        .expect("dead");
    sqlx::query_scalar("SELECT id FROM jobs WHERE idempotency_key = $1")
        .bind(&key)
        .fetch_one(&mut *conn)
        .await
        .expect("job id")
}

/// A fresh announcement of embargoed `advisory` to `member` only.
pub async fn announcement(app: &TestApp, admin: &str, advisory: &str, member: &str) -> String {
    let resp = app
        .post(
            &format!("/api/v1/advisories/{advisory}/announcements"),
            Some(admin),
            serde_json::json!({ "members": [member] }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().expect("id").to_owned()
}

/// A share of `advisory` by the contact holding `token` with `email`.
pub async fn share(app: &TestApp, token: &str, advisory: &str, email: &str) -> String {
    let resp = app
        .post(
            &format!("/api/v1/advisories/{advisory}/shares"),
            Some(token),
            serde_json::json!({ "email": email, "name": "Matrix", "reason": "matrix" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().expect("id").to_owned()
}
