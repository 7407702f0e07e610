//! Clear text allowed for a contact: without a usable key they get the
//! advisory unencrypted but signed by the list key (PGP/MIME
//! multipart/signed), as GnuPG verifies; with a key they still get it
//! encrypted; withdrawn, they get the notice again. Only admins allow it,
//! with a reason, and both changes are audited.

use std::process::Command;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::announcements::{ALICE_KEY, announce, cleared_member, embargoed};
use crate::common::{Response, TestApp};
use crate::list_key::gnupg::Gpg;

const REASON: &str = "Their ticket system cannot decrypt; agreed with their CISO on 2026-11-02.";

pub fn clear_text_path(member: &str, contact: &str) -> String {
    format!("/api/v1/members/{member}/contacts/{contact}/clear-text")
}

/// The account id of the holder of `token`.
pub async fn account_id(app: &TestApp, token: &str) -> String {
    let me = app.get("/api/v1/me", Some(token)).await.json();
    me["id"].as_str().expect("id").to_owned()
}

pub async fn allow(app: &TestApp, admin: &str, member: &str, contact: &str) -> Response {
    let path = clear_text_path(member, contact);
    let body = Some(json!({ "reason": REASON }));
    app.api(Method::PUT, &path, Some(admin), body).await
}

async fn withdraw(app: &TestApp, token: Option<&str>, member: &str, contact: &str) -> Response {
    let path = clear_text_path(member, contact);
    app.api(Method::DELETE, &path, token, None).await
}

fn list_mails(app: &TestApp, to: &str) -> Vec<embargo::mail::OutgoingMail> {
    let mails = app.mails_to(to).into_iter();
    mails.filter(|m| m.list_id.is_some()).collect()
}

fn summary() -> String {
    let body = crate::advisories::advisory_body();
    body["summary"].as_str().expect("summary").to_owned()
}

/// The one announcement delivery to `email`, as the API shows it.
async fn delivery(app: &TestApp, admin: &str, announcement: &str, email: &str) -> Value {
    let path = format!("/api/v1/announcements/{announcement}");
    let view = app.get(&path, Some(admin)).await.json();
    let all = view["deliveries"].as_array().expect("deliveries").clone();
    all.into_iter()
        .find(|d| d["email"] == email)
        .expect("a delivery to them")
}

/// A multipart/signed message's first part, exactly as signed, and its
/// signature, cut out as a mail program does (RFC 3156 section 5).
fn signed_parts(raw: &str) -> (String, String) {
    let header_end = raw.find("\r\n\r\n").expect("headers");
    let headers = &raw[..header_end];
    assert!(
        headers.contains("Content-Type: multipart/signed;"),
        "{headers}"
    );
    let boundary = headers.split("boundary=\"").nth(1).expect("boundary");
    let boundary = &boundary[..boundary.find('"').expect("quoted")];
    let delimiter = format!("\r\n--{boundary}\r\n");
    let start = raw.find(&delimiter).expect("first part") + delimiter.len();
    let end = start + raw[start..].find(&delimiter).expect("second part");
    let second = &raw[end + delimiter.len()..];
    assert!(
        second.starts_with("Content-Type: application/pgp-signature"),
        "{second}"
    );
    let sig_start = second
        .find("-----BEGIN PGP SIGNATURE-----")
        .expect("signature");
    let sig_end = second.find("-----END PGP SIGNATURE-----").expect("end") + 27;
    (
        raw[start..end].to_owned(),
        second[sig_start..sig_end].to_owned(),
    )
}

/// GnuPG's status lines for `signature` over `data`, and whether it
/// verified.
fn gpg_verify(gpg: &Gpg, data: &str, signature: &str) -> (bool, String) {
    let (data_file, sig_file) = (gpg.path("signed.eml"), gpg.path("signed.asc"));
    std::fs::write(&data_file, data).expect("write");
    std::fs::write(&sig_file, signature).expect("write");
    let out = Command::new("gpg")
        .env("GNUPGHOME", gpg.path(""))
        .args(["--batch", "--status-fd", "1", "--verify"])
        .args([&sig_file, &data_file])
        .output()
        .expect("gpg runs");
    let status = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success(), status)
}

#[tokio::test]
async fn a_keyless_contact_allowed_clear_text_gets_the_advisory_signed_by_the_list_key_as_gnupg_verifies()
 {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, token) = cleared_member(&app, &admin, "Plain", "kim@plain.example", None).await;
    let contact = account_id(&app, &token).await;
    let allowed = allow(&app, &admin, &member, &contact).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.text());
    let allowed = allowed.json();
    assert_eq!(allowed["reason"], REASON);
    assert_eq!(allowed["allowed_by"], "admin@project.test");
    assert_eq!(allowed["account_id"], contact.as_str());
    let id = embargoed(&app, &admin).await;
    let patch = json!({ "filename": "fix.diff", "content_base64": "LS0tIGEvc3JjCisrKyBiL3NyYwo=" });
    let path = format!("/api/v1/advisories/{id}/patches");
    assert_eq!(
        app.post(&path, Some(&admin), patch).await.status,
        StatusCode::CREATED
    );

    let note = json!({ "note": "Please test the fix by Friday." });
    let resp = announce(&app, &admin, &id, note).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let ann = resp.json()["id"].as_str().expect("id").to_owned();
    let shown = delivery(&app, &admin, &ann, "kim@plain.example").await;
    assert_eq!(shown["kind"], "clear", "{shown}");
    assert_eq!(shown["clear_text"]["reason"], REASON);
    assert_eq!(shown["clear_text"]["allowed_by"], "admin@project.test");
    assert!(shown["clear_text"]["allowed_at"].is_string(), "{shown}");
    app.run_jobs().await;

    let mails = list_mails(&app, "kim@plain.example");
    assert_eq!(mails.len(), 1, "exactly one message");
    let mail = &mails[0];
    assert!(mail.encrypted.is_none(), "not encrypted");
    let raw = String::from_utf8(mail.to_message().unwrap().formatted()).unwrap();
    let subject = format!("[{id}] {} (embargoed)", summary());
    assert!(raw.contains("protocol=\"application/pgp-signature\""));
    assert!(raw.contains("micalg=pgp-sha512"), "{raw}");
    assert!(raw.contains("List-Id: "), "{raw}");
    assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
    let message_id = shown["message_id"].as_str().expect("message id");
    assert!(raw.contains(&format!("Message-ID: {message_id}")), "{raw}");

    // GnuPG verifies the part as it went on the wire, with the list key.
    let gpg = Gpg::new();
    let (fingerprint, list_key) = crate::list_key::published(&app).await;
    gpg.run(&["--import"], list_key.as_bytes());
    let (entity, signature) = signed_parts(&raw);
    let (good, status) = gpg_verify(&gpg, &entity, &signature);
    assert!(good, "{status}");
    assert!(status.contains("[GNUPG:] GOODSIG "), "{status}");
    assert!(
        status.contains(&format!("[GNUPG:] VALIDSIG {fingerprint} ")),
        "{status}"
    );
    let changed = entity.replacen("Subject: [", "Subject: (", 1);
    assert_ne!(changed, entity);
    let (good, status) = gpg_verify(&gpg, &changed, &signature);
    assert!(!good && status.contains("[GNUPG:] BADSIG "), "{status}");

    // The same content as the encrypted message, readable as it is.
    let parsed = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap();
    assert_eq!(parsed.subject(), Some(subject.as_str()), "the real subject");
    let text = parsed.body_text(0).expect("text");
    assert!(text.contains(&summary()), "{text}");
    assert!(text.contains("Please test the fix by Friday."), "{text}");
    assert!(text.contains("Europe/Berlin"), "{text}");
    let mut conn = app.state.db.conn().await.unwrap();
    let (dlv, state): (String, String) = sqlx::query_as("SELECT id, state FROM deliveries")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(state, "sent");
    assert!(text.contains(&format!("Delivery {dlv}")), "the tracking id");
    use mail_parser::MimeHeaders;
    let patch = parsed
        .attachments()
        .find(|a| a.attachment_name() == Some("fix.diff"))
        .expect("the patch");
    assert_eq!(patch.contents(), b"--- a/src\n+++ b/src\n");
    assert!(
        entity.contains(&format!("Subject: [{id}]")),
        "signed inside"
    );
}

#[tokio::test]
async fn a_contact_with_a_usable_key_gets_it_encrypted_even_when_clear_text_is_allowed() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, token) =
        cleared_member(&app, &admin, "Keyed", "alice@example.org", Some(ALICE_KEY)).await;
    let contact = account_id(&app, &token).await;
    assert_eq!(
        allow(&app, &admin, &member, &contact).await.status,
        StatusCode::OK
    );
    let id = embargoed(&app, &admin).await;
    let resp = announce(&app, &admin, &id, json!({})).await;
    let ann = resp.json()["id"].as_str().expect("id").to_owned();
    let shown = delivery(&app, &admin, &ann, "alice@example.org").await;
    assert_eq!(shown["kind"], "encrypted");
    assert!(shown["clear_text"].is_null());
    app.run_jobs().await;
    let mails = list_mails(&app, "alice@example.org");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].encrypted.is_some() && mails[0].signed.is_none());
    let raw = String::from_utf8(mails[0].to_bytes().unwrap()).unwrap();
    assert!(!raw.contains(&summary()), "nothing in clear");
}

#[tokio::test]
async fn withdrawn_the_allowance_gives_the_notice_again_and_a_clear_delivery_not_yet_sent_fails() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, token) = cleared_member(&app, &admin, "Plain", "kim@plain.example", None).await;
    let contact = account_id(&app, &token).await;
    allow(&app, &admin, &member, &contact).await;
    let id = embargoed(&app, &admin).await;
    let first = announce(&app, &admin, &id, json!({})).await.json();
    let first = first["id"].as_str().expect("id").to_owned();
    assert_eq!(
        delivery(&app, &admin, &first, "kim@plain.example").await["kind"],
        "clear"
    );

    // Withdrawn before the job runs: nothing goes out in clear.
    let gone = withdraw(&app, Some(&admin), &member, &contact).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.text());
    app.run_jobs().await;
    let failed = delivery(&app, &admin, &first, "kim@plain.example").await;
    assert_eq!(failed["state"], "failed", "{failed}");
    let answer = failed["answer"].as_str().expect("answer");
    assert!(answer.contains("no longer allowed"), "{answer}");
    assert_eq!(
        failed["clear_text"]["reason"], REASON,
        "the record keeps why it was chosen"
    );
    assert!(list_mails(&app, "kim@plain.example").is_empty());

    let again = announce(&app, &admin, &id, json!({})).await.json();
    let again = again["id"].as_str().expect("id").to_owned();
    let notice = delivery(&app, &admin, &again, "kim@plain.example").await;
    assert_eq!(notice["kind"], "notice");
    app.run_jobs().await;
    let mails = list_mails(&app, "kim@plain.example");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].signed.is_none() && mails[0].encrypted.is_none());
    assert!(!mails[0].text.contains(&summary()) && !mails[0].subject.contains(&summary()));
}

#[tokio::test]
async fn a_moved_embargo_reaches_a_clear_text_contact_signed_with_the_reason() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, token) = cleared_member(&app, &admin, "Plain", "kim@plain.example", None).await;
    let contact = account_id(&app, &token).await;
    allow(&app, &admin, &member, &contact).await;
    let id = embargoed(&app, &admin).await;
    announce(&app, &admin, &id, json!({})).await;
    app.run_jobs().await;
    let reason = "one distro needs a day more";
    crate::announcements::embargo_in(&app, &admin, &id, 96, "Europe/Berlin", reason).await;
    app.run_jobs().await;
    let mails = list_mails(&app, "kim@plain.example");
    assert_eq!(mails.len(), 2, "the announcement and the change");
    let change = &mails[1];
    assert!(
        change.subject.contains("embargo moved"),
        "{}",
        change.subject
    );
    let signed = change.signed.as_ref().expect("signed");
    assert!(change.encrypted.is_none());
    let parsed = mail_parser::MessageParser::default()
        .parse(signed.entity.as_bytes())
        .unwrap();
    let text = parsed.body_text(0).expect("text");
    assert!(text.contains("one distro needs a day more"), "{text}");
}

/// The audit events about clear text, oldest first: (actor, action,
/// subject, detail).
async fn clear_text_events(app: &TestApp) -> Vec<(String, String, String, Value)> {
    let mut conn = app.state.db.conn().await.unwrap();
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT actor, action, subject, detail FROM audit_events \
         WHERE action LIKE 'contact.clear_text_%' ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(a, b, c, d)| (a, b, c, serde_json::from_str(&d).unwrap()))
        .collect()
}

async fn allowed_columns(app: &TestApp) -> i64 {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM member_contacts WHERE clear_text_at IS NOT NULL")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn only_admins_allow_clear_text_with_a_reason_bad_input_changes_nothing_and_both_are_audited()
{
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, token) = cleared_member(&app, &admin, "Plain", "kim@plain.example", None).await;
    let contact = account_id(&app, &token).await;
    let (other_member, other_token) =
        cleared_member(&app, &admin, "Other", "olga@other.example", None).await;
    let other_contact = account_id(&app, &other_token).await;
    let path = clear_text_path(&member, &contact);
    let reason = Some(json!({ "reason": REASON }));

    // Not an admin: the contact, a colleague's organisation, nobody.
    for who in [Some(token.as_str()), Some(other_token.as_str())] {
        let put = app.api(Method::PUT, &path, who, reason.clone()).await;
        assert_eq!(put.status, StatusCode::FORBIDDEN);
        assert_eq!(
            withdraw(&app, who, &member, &contact).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let anonymous = app.api(Method::PUT, &path, None, reason.clone()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // Bad input: a clear 4xx each.
    let admin_token = admin.clone();
    let admin = Some(admin.as_str());
    for body in [json!({}), json!({ "reason": "  \n " })] {
        let missing = app.api(Method::PUT, &path, admin, Some(body)).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        let errors = missing.json();
        let said = errors["errors"]["reason"].as_str().expect("reason error");
        assert!(said.starts_with("is required"), "{said}");
    }
    for (m, c) in [
        ("mem_nosuchmember", contact.as_str()),
        (member.as_str(), "acc_nosuchaccount"),
        // A contact of another member is not this member's contact.
        (member.as_str(), other_contact.as_str()),
        (other_member.as_str(), contact.as_str()),
    ] {
        let put = app
            .api(Method::PUT, &clear_text_path(m, c), admin, reason.clone())
            .await;
        assert_eq!(put.status, StatusCode::NOT_FOUND, "{m} {c}");
        assert_eq!(
            withdraw(&app, admin, m, c).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let nothing = withdraw(&app, admin, &member, &contact).await;
    assert_eq!(nothing.status, StatusCode::CONFLICT);
    assert!(nothing.text().contains("not allowed"), "{}", nothing.text());
    assert_eq!(allowed_columns(&app).await, 0);
    assert!(clear_text_events(&app).await.is_empty());

    // Allowed, then withdrawn: who, what, about whom, why.
    let put = app.api(Method::PUT, &path, admin, reason.clone()).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    assert_eq!(allowed_columns(&app).await, 1);
    let gone = withdraw(&app, admin, &member, &contact).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(allowed_columns(&app).await, 0);
    let twice = withdraw(&app, admin, &member, &contact).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let events = clear_text_events(&app).await;
    assert_eq!(events.len(), 2, "{events:?}");
    let admin_id = account_id(&app, &admin_token).await;
    let (actor, action, subject, detail) = &events[0];
    assert_eq!(actor, &format!("account:{admin_id}"));
    assert_eq!(action, "contact.clear_text_allowed");
    assert_eq!(subject, &contact);
    assert_eq!(detail["member"], member.as_str());
    assert_eq!(detail["reason"], REASON);
    let (_, action, subject, detail) = &events[1];
    assert_eq!(action, "contact.clear_text_withdrawn");
    assert_eq!(subject, &contact);
    assert_eq!(detail["withdrawn"]["reason"], REASON);

    // A member no longer on the list: nobody of it is allowed anything.
    let removal = format!("/api/v1/members/{member}/removal");
    let removed = app.post(&removal, admin, json!({ "reason": "left" })).await;
    assert_eq!(removed.status, StatusCode::OK);
    let refused = app.api(Method::PUT, &path, admin, reason).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    assert_eq!(allowed_columns(&app).await, 0);
}

#[tokio::test]
async fn the_openapi_document_describes_the_clear_text_routes_and_the_clear_kind() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    let route = &doc["paths"]["/api/v1/members/{id}/contacts/{contact}/clear-text"];
    assert!(route["put"]["requestBody"].is_object(), "{route}");
    assert!(route["delete"]["responses"]["204"].is_object(), "{route}");
    let announcement = &doc["paths"]["/api/v1/announcements/{id}"]["get"];
    let described = announcement["responses"]["200"]["description"].to_string();
    assert!(described.contains(r#"\"clear\""#), "{described}");
}
