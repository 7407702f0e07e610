//! A NUL character in text is refused at the door (HTTP) or cleaned out
//! (mail), the same on SQLite and PostgreSQL; PostgreSQL cannot store it.

use axum::http::{Method, StatusCode};
use embargo::app::ingest::{Outcome, ingest};
use serde_json::json;

use crate::common::{CSRF, TestApp, path_of};

#[tokio::test]
async fn a_nul_character_anywhere_in_a_json_body_is_refused_with_422() {
    let app = TestApp::new().await;
    let top = json!({ "title": "Over\u{0}flow", "description": "details" });
    let (_, tracking) = app.report("Overflow", None).await;
    let nested = json!({ "body": "hi", "attachments": [
        { "filename": "a\u{0}.txt", "content_base64": "aGk=" }
    ] });

    let resp = app.post("/api/v1/reports", None, top).await;
    let path = format!("/api/v1{}/messages", path_of(&tracking));
    let nested_resp = app.post(&path, None, nested).await;

    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.text()
    );
    assert!(
        resp.json()["errors"]["title"].is_string(),
        "{}",
        resp.text()
    );
    assert_eq!(
        nested_resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nested_resp.text()
    );
    assert_eq!(app.count("reports").await, 1);
    assert_eq!(app.count("messages").await, 0);
}

#[tokio::test]
async fn a_nul_character_in_a_form_field_is_refused_with_422() {
    let app = TestApp::new().await;
    let form = format!("csrf={CSRF}&title=Over%00flow&description=details");
    let cookie = format!("embargo_csrf={CSRF}");

    let resp = app
        .page(Method::POST, "/report", Some(&cookie), Some(&form))
        .await;

    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.text()
    );
    assert_eq!(app.count("reports").await, 0);
}

#[tokio::test]
async fn a_nul_character_in_a_multipart_message_is_refused_with_422() {
    let app = TestApp::new().await;
    let (_, tracking) = app.report("Overflow", None).await;
    let path = format!("{}/messages", path_of(&tracking));

    let body = crate::pages::reply_with_file(&path, CSRF, "a\0b", ("x.txt", b"hi"));
    let name = crate::pages::reply_with_file(&path, CSRF, "ab", ("x\0.txt", b"hi"));
    let body = app.request(body).await;
    let name = app.request(name).await;

    assert_eq!(
        body.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        body.text()
    );
    // A raw NUL in a part's header is not even a header: the parser's 400.
    assert!(name.status.is_client_error(), "{}", name.text());
    assert_eq!(app.count("messages").await, 0);
}

const WITH_NUL: &str = "From: =?UTF-8?Q?Rita=00_Reporter?= <rita@example.net>\r\n\
To: security@project.test\r\nSubject: =?UTF-8?Q?Heap=00_overflow?=\r\nMessage-ID: <nul\0@example.net>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n--xx\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
The unpacker=00 overflows.\0\r\n--xx\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"=?UTF-8?Q?dump=00.bin?=\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nAAEA\r\n--xx--\r\n";

#[tokio::test]
async fn a_mail_with_nul_characters_is_taken_with_them_removed_from_its_text() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;

    let outcome = ingest(&app.state, WITH_NUL.as_bytes()).await;

    let Ok(Outcome::NewReport(id)) = outcome else {
        panic!("not taken: {outcome:?}")
    };
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    let r = &detail["report"];
    assert_eq!(r["title"], "Heap overflow");
    assert_eq!(r["description"], "The unpacker overflows.");
    assert_eq!(r["reporter_name"], "Rita Reporter");
    let attachment = &detail["attachments"][0];
    assert_eq!(attachment["filename"], "dump.bin");
    let file = attachment["id"].as_str().unwrap();
    let download = app
        .get(
            &format!("/api/v1/reports/{id}/attachments/{file}"),
            Some(&admin),
        )
        .await;
    assert_eq!(download.body, [0u8, 1, 0], "attachments stay as they came");
    assert!(matches!(
        ingest(&app.state, WITH_NUL.as_bytes()).await,
        Ok(Outcome::Duplicate)
    ));
}
