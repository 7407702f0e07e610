//! Announcements as GnuPG reads them: the advisory signed and encrypted
//! to each recipient, and the follow-ups when the embargo moves or lifts.

use axum::http::StatusCode;
use serde_json::json;

use crate::announcements::{announce, cleared_member, embargoed};
use crate::common::TestApp;

#[tokio::test]
async fn an_encrypted_announcement_decrypts_in_gnupg_with_the_list_signature_and_nothing_in_clear()
{
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let gpg = crate::list_key::gnupg::Gpg::new();
    let key = gpg.member_key("Alice <alice@example.org>");
    cleared_member(&app, &admin, "Keyed", "alice@example.org", Some(&key)).await;
    let id = embargoed(&app, &admin).await;
    let patch = app
        .post(
            &format!("/api/v1/advisories/{id}/patches"),
            Some(&admin),
            json!({ "filename": "fix.diff", "content_base64": "LS0tIGEvc3JjCisrKyBiL3NyYwo=" }),
        )
        .await;
    assert_eq!(patch.status, StatusCode::CREATED, "{}", patch.text());
    let resp = announce(
        &app,
        &admin,
        &id,
        json!({ "note": "Please test the fix by Friday." }),
    )
    .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    app.run_jobs().await;

    let mails: Vec<_> = app
        .mails_to("alice@example.org")
        .into_iter()
        .filter(|m| m.list_id.is_some())
        .collect();
    assert_eq!(mails.len(), 1, "exactly one message");
    let mail = &mails[0];
    let raw = String::from_utf8(mail.to_bytes().unwrap()).unwrap();
    let summary = crate::advisories::advisory_body()["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !raw.contains(&summary),
        "the advisory travels in clear:\n{raw}"
    );
    assert!(
        !raw.contains("Please test the fix"),
        "the note travels in clear"
    );
    assert!(
        raw.contains("Subject: [embargoed] security announcement"),
        "{raw}"
    );
    assert!(raw.contains("multipart/encrypted"), "{raw}");
    assert!(
        raw.contains("protocol=\"application/pgp-encrypted\""),
        "{raw}"
    );
    assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
    assert!(raw.contains("List-Id: "), "{raw}");

    let (fingerprint, list_key) = crate::list_key::published(&app).await;
    gpg.run(&["--import"], list_key.as_bytes());
    let armored = mail.encrypted.as_deref().unwrap();
    let plain = gpg.path("inner.eml");
    let out = gpg.run(
        &[
            "--status-fd",
            "1",
            "--output",
            plain.to_str().unwrap(),
            "--decrypt",
        ],
        armored.as_bytes(),
    );
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(
        status.contains(&format!("[GNUPG:] VALIDSIG {fingerprint} ")),
        "{status}"
    );
    assert!(status.contains("[GNUPG:] GOODMDC"), "{status}");
    let inner = std::fs::read(&plain).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&inner).unwrap();
    assert_eq!(
        parsed.subject(),
        Some(format!("[{id}] {summary} (embargoed)").as_str())
    );
    let text = parsed.body_text(0).unwrap();
    assert!(text.contains(&summary));
    assert!(text.contains("Please test the fix by Friday."));
    assert!(text.contains("Europe/Berlin"), "{text}");
    assert!(text.contains("CWE-59"), "{text}");
    assert!(text.contains("Rita Reporter"), "{text}");
    assert_eq!(parsed.attachment_count(), 1);
    let attachment = parsed.attachment(0).unwrap();
    use mail_parser::MimeHeaders;
    assert_eq!(attachment.attachment_name(), Some("fix.diff"));
    assert_eq!(attachment.contents(), b"--- a/src\n+++ b/src\n");

    let mut conn = app.state.db.conn().await.unwrap();
    let (state, kind): (String, String) = sqlx::query_as("SELECT state, kind FROM deliveries")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!((state.as_str(), kind.as_str()), ("sent", "encrypted"));
}

fn list_mails(app: &TestApp, to: &str) -> Vec<embargo::mail::OutgoingMail> {
    app.mails_to(to)
        .into_iter()
        .filter(|m| m.list_id.is_some())
        .collect()
}

#[tokio::test]
async fn moving_and_lifting_the_embargo_tell_everyone_who_got_it_and_nobody_else() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let gpg = crate::list_key::gnupg::Gpg::new();
    let key = gpg.member_key("Alice <alice@example.org>");
    cleared_member(&app, &admin, "Keyed", "alice@example.org", Some(&key)).await;
    cleared_member(&app, &admin, "Keyless", "kim@keyless.example", None).await;
    let id = embargoed(&app, &admin).await;
    assert_eq!(
        announce(&app, &admin, &id, json!({})).await.status,
        StatusCode::CREATED
    );
    app.run_jobs().await;
    // Joined after the announcement: hears nothing of it.
    cleared_member(&app, &admin, "Later", "late@later.example", None).await;

    let until = jiff::Timestamp::from_microsecond(app.now())
        .unwrap()
        .checked_add(jiff::SignedDuration::from_hours(96))
        .unwrap();
    let moved = app
        .post(
            &format!("/api/v1/advisories/{id}/embargo"),
            Some(&admin),
            json!({ "until": until.to_string(), "time_zone": "Europe/Berlin", "reason": "one distro needs a day more" }),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    app.run_jobs().await;
    let summary = crate::advisories::advisory_body()["summary"]
        .as_str()
        .unwrap()
        .to_owned();

    let alice = list_mails(&app, "alice@example.org");
    assert_eq!(alice.len(), 2, "the announcement and the change");
    let change = &alice[1];
    assert_eq!(change.subject, "[embargoed] security announcement");
    let (_, list_key) = crate::list_key::published(&app).await;
    gpg.run(&["--import"], list_key.as_bytes());
    let plain = gpg.path("change.eml");
    gpg.run(
        &["--output", plain.to_str().unwrap(), "--decrypt"],
        change.encrypted.as_deref().unwrap().as_bytes(),
    );
    let inner = String::from_utf8(std::fs::read(&plain).unwrap()).unwrap();
    assert!(inner.contains("embargo moved"), "{inner}");
    assert!(inner.contains("one distro needs a day more"), "{inner}");
    assert!(
        inner.contains(&until.strftime("%Y-%m-%d %H:%M UTC").to_string()),
        "{inner}"
    );

    let kim = list_mails(&app, "kim@keyless.example");
    assert_eq!(kim.len(), 2);
    assert!(kim[1].encrypted.is_none());
    assert!(!kim[1].text.contains(&summary) && !kim[1].subject.contains(&summary));
    assert!(
        !kim[1].text.contains("one distro"),
        "the reason stays inside"
    );
    assert!(list_mails(&app, "late@later.example").is_empty());

    // The lift: everyone who got it hears, in clear, with the public link.
    app.advance(jiff::SignedDuration::from_hours(97));
    app.run_jobs().await;
    let public = app.get(&format!("/advisories/{id}"), None).await;
    assert_eq!(public.status, StatusCode::OK);
    for who in ["alice@example.org", "kim@keyless.example"] {
        let mails = list_mails(&app, who);
        assert_eq!(mails.len(), 3, "{who}");
        let lifted = &mails[2];
        assert!(lifted.encrypted.is_none());
        assert!(
            lifted.subject.contains("embargo lifted"),
            "{}",
            lifted.subject
        );
        assert!(
            lifted.text.contains(&format!("/advisories/{id}")),
            "{}",
            lifted.text
        );
    }
    assert!(list_mails(&app, "late@later.example").is_empty());
}
