//! Mail encrypted to the list key: GnuPG encrypts as reporters do, intake
//! decrypts (PGP/MIME with protected headers, inline PGP) and keeps the
//! ciphertext beside the plaintext; what it cannot decrypt it keeps as it
//! came, marked, with the reason, and the MTA is never told to bounce it.
//! Without `gpg` these tests fail, they do not skip.

use axum::http::Method;
use base64::Engine;
use embargo::app::ingest::{Outcome, ingest};
use serde_json::Value;
use sqlx::Row;

use crate::common::TestApp;
use crate::common::process::Env;
use crate::list_key::gnupg::Gpg;
use crate::list_key::published;

pub const SUBJECT: &str = "Heap overflow in the unpacker";
const TEXT: &str = "The unpacker overflows on file names over 4096 bytes.";
const PATCH: &[u8] =
    b"--- a/unpack.c\n+++ b/unpack.c\n@@ -1 +1 @@\n-char name[4096];\n+char name[PATH_MAX];\n";

/// A GnuPG home holding the public key at `armored`.
pub fn gpg_with(armored: &str) -> Gpg {
    let gpg = Gpg::new();
    gpg.run(&["--import"], armored.as_bytes());
    gpg
}

/// `plaintext` encrypted by `gpg` to `recipient`, armored.
pub fn encrypt(gpg: &Gpg, recipient: &str, plaintext: &[u8]) -> String {
    let out = gpg.run(
        &[
            "--trust-model",
            "always",
            "--armor",
            "--encrypt",
            "--recipient",
            recipient,
        ],
        plaintext,
    );
    String::from_utf8(out.stdout).expect("armored")
}

/// The MIME entity a client with protected headers encrypts (RFC 9788,
/// `protected-headers="v1"`): the real Subject, the text, the patch.
pub fn inner_entity() -> String {
    let patch = base64::engine::general_purpose::STANDARD.encode(PATCH);
    format!(
        "Content-Type: multipart/mixed; boundary=\"inner\"; protected-headers=\"v1\"\r\n\
         Subject: {SUBJECT}\r\nFrom: Rita Reporter <rita@example.net>\r\nTo: security@project.test\r\n\r\n\
         --inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{TEXT}\r\n\
         --inner\r\nContent-Type: text/x-diff; name=\"fix.patch\"\r\n\
         Content-Disposition: attachment; filename=\"fix.patch\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {patch}\r\n--inner--\r\n"
    )
}

/// A PGP/MIME mail (RFC 3156) carrying `armored`, its Subject a placeholder.
pub fn pgp_mime(message_id: &str, to: &str, armored: &str) -> String {
    format!(
        "From: Rita Reporter <rita@example.net>\r\nTo: {to}\r\nSubject: ...\r\n\
         Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"outer\"\r\n\r\n\
         This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n\
         --outer\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\n\
         Version: 1\r\n\r\n\
         --outer\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\
         Content-Description: OpenPGP encrypted message\r\nContent-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n\
         {}\r\n--outer--\r\n",
        armored.trim_end().replace('\n', "\r\n")
    )
}

/// A plain-text mail whose body holds `armored` between two clear lines.
fn inline(message_id: &str, to: &str, subject: &str, armored: &str) -> String {
    format!(
        "From: rita@example.net\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\nHello team,\r\n\r\n{}\r\n\r\nRita\r\n",
        armored.trim_end().replace('\n', "\r\n")
    )
}

async fn new_report(app: &TestApp, raw: &str) -> String {
    match ingest(&app.state, raw.as_bytes()).await {
        Ok(Outcome::NewReport(id)) => id,
        other => panic!("not a new report: {other:?}"),
    }
}

async fn detail(app: &TestApp, admin: &str, id: &str) -> Value {
    let resp = app.get(&format!("/api/v1/reports/{id}"), Some(admin)).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    resp.json()
}

/// The kept ciphertexts of a report: (message id, content), oldest first.
async fn kept(app: &TestApp, report: &str) -> Vec<(Option<String>, Vec<u8>)> {
    let mut conn = app.state.db.conn().await.expect("conn");
    sqlx::query(
        "SELECT id, message_id, content FROM ciphertexts WHERE report_id = $1 ORDER BY created_at, id",
    )
    .bind(report)
    .fetch_all(&mut *conn)
    .await
    .expect("ciphertexts")
    .iter()
    .map(|r| {
        let id: String = r.get("id");
        let content =
            embargo::db::sealed::open_blob("ciphertexts.content", &id, r.get("content")).unwrap();
        (r.get("message_id"), content)
    })
    .collect()
}

#[tokio::test]
async fn a_pgp_mime_report_is_decrypted_with_its_protected_subject_and_patch_and_the_ciphertext_kept()
 {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (fingerprint, armored_key) = published(&app).await;
    let gpg = gpg_with(&armored_key);
    let entity = inner_entity();
    let armored = encrypt(&gpg, &fingerprint, entity.as_bytes());

    let raw = pgp_mime("enc1@example.net", "security@project.test", &armored);
    let id = new_report(&app, &raw).await;

    let d = detail(&app, &admin, &id).await;
    let r = &d["report"];
    assert_eq!(r["title"], SUBJECT, "the protected Subject, not `...`");
    assert_eq!(r["description"], TEXT);
    assert_eq!(r["encrypted"], false, "the description is the plaintext");
    assert_eq!(d["attachments"].as_array().map(Vec::len), Some(1), "{d}");
    assert_eq!(d["attachments"][0]["filename"], "fix.patch");
    assert_eq!(d["attachments"][0]["size"], PATCH.len());
    let e = &r["encryption"];
    assert_eq!(e["kind"], "pgp_mime", "{e}");
    assert_eq!(e["decrypted"], true);
    assert_eq!(e["fingerprint"], fingerprint.as_str());
    assert_eq!(e["reason"], "");

    // The ciphertext is kept as it came, and still decrypts to what was sent.
    let kept = kept(&app, &id).await;
    assert_eq!(kept.len(), 1);
    let (message, ciphertext) = &kept[0];
    assert_eq!(*message, None, "it belongs to the report, not a message");
    assert_eq!(e["size"], ciphertext.len());
    assert!(ciphertext.starts_with(b"-----BEGIN PGP MESSAGE-----"));
    let text = String::from_utf8_lossy(ciphertext);
    assert!(!text.contains(TEXT) && !text.contains(SUBJECT));
    let list_key = app.state.list_key.clone();
    let copy = ciphertext.clone();
    let again = tokio::task::spawn_blocking(move || list_key.decrypt(&copy))
        .await
        .expect("task")
        .expect("the kept ciphertext decrypts");
    assert_eq!(again, entity.as_bytes());

    // Admins see how it came on the report page.
    app.account(
        "page-admin@project.test",
        embargo::domain::account::Role::Admin,
    )
    .await;
    let browser = app.browser("page-admin@project.test").await;
    let page = app
        .page(
            Method::GET,
            &format!("/admin/reports/{id}"),
            Some(&browser.cookie),
            None,
        )
        .await;
    let html = page.text();
    assert!(
        html.contains("Arrived encrypted to the list key") && html.contains(&fingerprint),
        "{html}"
    );

    // The audit event says it came encrypted and was decrypted; nothing more.
    let mut conn = app.state.db.conn().await.expect("conn");
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'report.created' AND subject = $1",
    )
    .bind(&id)
    .fetch_one(&mut *conn)
    .await
    .expect("event");
    assert!(detail.contains("\"decrypted\":true"), "{detail}");
    assert!(!detail.contains(TEXT));

    // The acknowledgement names the real subject, not the placeholder.
    drop(conn);
    app.run_jobs().await;
    let ack = app.mails_to("rita@example.net");
    assert_eq!(ack.len(), 1);
    assert!(ack[0].text.contains(SUBJECT), "{}", ack[0].text);
}

#[tokio::test]
async fn inline_pgp_is_decrypted_in_the_text_of_a_report_and_of_a_reply() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (fingerprint, armored_key) = published(&app).await;
    let gpg = gpg_with(&armored_key);
    let armored = encrypt(&gpg, &fingerprint, format!("{TEXT}\n").as_bytes());

    let raw = inline(
        "inl1@example.net",
        "security@project.test",
        "Unpacker crash",
        &armored,
    );
    let id = new_report(&app, &raw).await;
    let d = detail(&app, &admin, &id).await;
    assert_eq!(d["report"]["title"], "Unpacker crash");
    assert_eq!(
        d["report"]["description"],
        format!("Hello team,\r\n\r\n{TEXT}\r\n\r\nRita")
    );
    assert_eq!(d["report"]["encrypted"], false);
    assert_eq!(d["report"]["encryption"]["kind"], "inline");
    assert_eq!(
        d["report"]["encryption"]["fingerprint"],
        fingerprint.as_str()
    );
    let kept_report = kept(&app, &id).await;
    assert_eq!(kept_report.len(), 1);
    assert_eq!(
        kept_report[0].1,
        armored.trim_end().replace('\n', "\r\n").as_bytes()
    );

    // The reporter answers, encrypted, to the plus-address of the thread.
    app.run_jobs().await;
    let ack = app.mails_to("rita@example.net").remove(0);
    let reply_to = ack.reply_to.expect("a reply address");
    let more = encrypt(&gpg, &fingerprint, b"It also crashes on 1.3.\n");
    let reply = inline("inl2@example.net", &reply_to, "Re: x", &more);
    match ingest(&app.state, reply.as_bytes()).await.expect("taken") {
        Outcome::Reply(r) => assert_eq!(r, id),
        other => panic!("{other:?}"),
    }
    let d = detail(&app, &admin, &id).await;
    let m = &d["messages"][0];
    assert_eq!(
        m["body"],
        "Hello team,\r\n\r\nIt also crashes on 1.3.\r\n\r\nRita"
    );
    assert_eq!(m["encryption"]["decrypted"], true, "{m}");
    assert_eq!(m["encryption"]["kind"], "inline");
    let all = kept(&app, &id).await;
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[1].0.as_deref(),
        m["id"].as_str(),
        "kept beside the message"
    );
}

#[tokio::test]
async fn a_mail_encrypted_to_another_key_is_kept_as_it_came_and_marked_with_the_reason() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let gpg = Gpg::new();
    gpg.member_key("Someone Else <else@example.org>");
    let armored = encrypt(&gpg, "else@example.org", inner_entity().as_bytes());

    let raw = pgp_mime("other1@example.net", "security@project.test", &armored);
    let id = new_report(&app, &raw).await;
    let d = detail(&app, &admin, &id).await;
    let r = &d["report"];
    assert_eq!(r["encrypted"], true, "the description is still ciphertext");
    let description = r["description"].as_str().expect("description");
    assert!(
        description.starts_with("-----BEGIN PGP MESSAGE-----"),
        "{description}"
    );
    assert_eq!(r["title"], "(no subject)", "`...` says nothing");
    let e = &r["encryption"];
    assert_eq!(e["decrypted"], false, "{e}");
    assert_eq!(e["fingerprint"], Value::Null);
    let reason = e["reason"].as_str().expect("reason");
    assert!(
        reason.contains("not encrypted to any of the list's keys") && reason.contains("key ids"),
        "{reason}"
    );
    assert_eq!(kept(&app, &id).await.len(), 1);
    assert!(d["attachments"].as_array().is_some_and(Vec::is_empty));
}

#[tokio::test]
async fn an_encrypted_mail_expanding_past_the_size_limit_is_kept_marked_without_a_panic() {
    const LIMIT: usize = 256 * 1024;
    let app = TestApp::with_config(|c| c.limits.max_mail_bytes = LIMIT).await;
    let admin = app.admin_token().await;
    let (fingerprint, armored_key) = published(&app).await;
    let gpg = gpg_with(&armored_key);
    // 4 MiB of one letter compresses to a few KiB.
    let armored = encrypt(&gpg, &fingerprint, &vec![b'A'; 4 * 1024 * 1024]);
    assert!(armored.len() < LIMIT / 4, "{} bytes", armored.len());

    let raw = inline("big1@example.net", "security@project.test", "Big", &armored);
    let id = new_report(&app, &raw).await;
    let d = detail(&app, &admin, &id).await;
    assert_eq!(d["report"]["encrypted"], true);
    let e = &d["report"]["encryption"];
    assert_eq!(e["decrypted"], false, "{e}");
    let reason = e["reason"].as_str().expect("reason");
    assert!(
        reason.contains(&format!("larger than {LIMIT} bytes")),
        "{reason}"
    );

    // A damaged one is kept the same way.
    let damaged = armored.replacen("\n", "\nXX", 3);
    let raw = inline(
        "big2@example.net",
        "security@project.test",
        "Damaged",
        &damaged,
    );
    let id = new_report(&app, &raw).await;
    let d = detail(&app, &admin, &id).await;
    assert_eq!(d["report"]["encryption"]["decrypted"], false);
    assert_ne!(d["report"]["encryption"]["reason"], "");
}

#[tokio::test]
async fn embargo_ingest_decrypts_and_exits_0_and_keeps_what_it_cannot_decrypt_with_exit_0() {
    let env = Env::new().await;
    let show = env.run(&["list-key", "show"], b"");
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    let stdout = String::from_utf8(show.stdout).expect("text");
    let fingerprint = stdout
        .lines()
        .find_map(|l| l.strip_prefix("fingerprint: "))
        .expect("fingerprint")
        .trim()
        .to_owned();
    let armored_key = &stdout[stdout
        .find("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        .expect("key")..];
    let gpg = gpg_with(armored_key);
    gpg.member_key("Someone Else <else@example.org>");

    let to_us = encrypt(&gpg, &fingerprint, inner_entity().as_bytes());
    let out = env.run(
        &["ingest"],
        pgp_mime("cli1@example.net", "security@example.org", &to_us).as_bytes(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.report_titles().await, [SUBJECT]);
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM reports WHERE encrypted = 0")
            .await,
        1
    );

    let to_else = encrypt(&gpg, "else@example.org", b"not for the list");
    let out = env.run(
        &["ingest"],
        pgp_mime("cli2@example.net", "security@example.org", &to_else).as_bytes(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM reports WHERE encrypted = 1")
            .await,
        1
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM ciphertexts WHERE fingerprint IS NULL AND reason <> ''")
            .await,
        1
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("not for the list"), "{stderr}");
}
