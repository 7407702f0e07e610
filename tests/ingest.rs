//! Mail intake: new reports, replies joining threads, retries, bad mail.

use embargo::app::ingest::{IngestError, Outcome, ingest};

use crate::common::{TestApp, path_of};

const NEW: &str = "From: Rita Reporter <rita@example.net>\r\nTo: security@project.test\r\n\
Subject: =?UTF-8?Q?Heap_overflow_in_=C3=BCnpack?=\r\nMessage-ID: <first@example.net>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n--xx\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\nThe unpacker overflows (caf=E9).\r\n--xx\r\n\
Content-Type: text/x-diff; name=fix.patch\r\nContent-Disposition: attachment; filename=fix.patch\r\n\r\n--- a\r\n+++ b\r\n--xx--\r\n";

#[tokio::test]
async fn a_new_mail_becomes_a_report_with_an_acknowledgement() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let Outcome::NewReport(id) = ingest(&app.state, NEW.as_bytes()).await.unwrap() else {
        panic!("not new")
    };
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    let r = &detail["report"];
    assert_eq!(r["title"], "Heap overflow in ünpack");
    assert_eq!(r["description"], "The unpacker overflows (café).");
    assert_eq!(r["reporter_email"], "rita@example.net");
    assert_eq!(r["reporter_name"], "Rita Reporter");
    assert_eq!(r["source"], "mail");
    assert_eq!(detail["attachments"][0]["filename"], "fix.patch");
    app.run_jobs().await;
    let ack = app.mails_to("rita@example.net");
    assert_eq!(ack.len(), 1);
    assert_eq!(ack[0].in_reply_to.as_deref(), Some("<first@example.net>"));
    assert!(ack[0].text.contains("http://embargo.test/track/"));
}

#[tokio::test]
async fn the_same_message_delivered_twice_is_taken_once() {
    let app = TestApp::new().await;
    ingest(&app.state, NEW.as_bytes()).await.unwrap();
    assert!(matches!(
        ingest(&app.state, NEW.as_bytes()).await.unwrap(),
        Outcome::Duplicate
    ));
    assert_eq!(app.count("reports").await, 1);
    assert_eq!(
        app.run_jobs().await,
        1,
        "one acknowledgement (no admins yet)"
    );
}

#[tokio::test]
async fn a_reply_to_the_plus_address_joins_the_thread() {
    let app = TestApp::new().await;
    let Outcome::NewReport(id) = ingest(&app.state, NEW.as_bytes()).await.unwrap() else {
        panic!()
    };
    app.run_jobs().await;
    let ack = app.mails_to("rita@example.net").remove(0);
    let reply_to = ack.reply_to.unwrap();
    let reply = format!(
        "From: rita@example.net\r\nTo: {reply_to}\r\nSubject: Re: x\r\nMessage-ID: <second@example.net>\r\n\r\nMore details.\r\n"
    );
    match ingest(&app.state, reply.as_bytes()).await.unwrap() {
        Outcome::Reply(r) => assert_eq!(r, id),
        other => panic!("{other:?}"),
    }
    assert_eq!(app.count("reports").await, 1);
    let tracking = crate::common::link_in(&ack.text, "http://embargo.test/track/").unwrap();
    let view = app
        .get(&format!("/api/v1{}", path_of(&tracking)), None)
        .await
        .json();
    assert_eq!(view["messages"][0]["body"], "More details.");
}

#[tokio::test]
async fn a_reply_by_in_reply_to_joins_the_thread() {
    let app = TestApp::new().await;
    let Outcome::NewReport(id) = ingest(&app.state, NEW.as_bytes()).await.unwrap() else {
        panic!()
    };
    app.run_jobs().await;
    let ack = app.mails_to("rita@example.net").remove(0);
    let reply = format!(
        "From: rita@example.net\r\nTo: security@project.test\r\nSubject: Re: x\r\nIn-Reply-To: {}\r\n\r\nThread by header.\r\n",
        ack.message_id
    );
    assert!(
        matches!(ingest(&app.state, reply.as_bytes()).await.unwrap(), Outcome::Reply(r) if r == id)
    );
    assert_eq!(app.count("messages").await, 1);
}

#[tokio::test]
async fn html_only_mail_becomes_text() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let raw = "From: a@example.net\r\nSubject: html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello <b>team</b></p><script>x()</script>\r\n";
    let Outcome::NewReport(id) = ingest(&app.state, raw.as_bytes()).await.unwrap() else {
        panic!()
    };
    let d = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    let text = d["report"]["description"].as_str().unwrap();
    assert!(
        text.contains("Hello") && text.contains("team") && !text.contains("<b>"),
        "{text}"
    );
}

#[tokio::test]
async fn an_encrypted_report_that_does_not_decrypt_is_stored_as_it_came_and_marked() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let raw = "From: a@example.net\r\nSubject: enc\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=b\r\n\r\n\
        --b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\n\
        Content-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA\r\n-----END PGP MESSAGE-----\r\n--b--\r\n";
    let Outcome::NewReport(id) = ingest(&app.state, raw.as_bytes()).await.unwrap() else {
        panic!()
    };
    let d = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    assert_eq!(d["report"]["encrypted"], true);
    assert!(
        d["report"]["description"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PGP MESSAGE-----")
    );
    // Not a message to the list key (nor any): kept as it came, with why.
    let e = &d["report"]["encryption"];
    assert_eq!(e["kind"], "pgp_mime", "{e}");
    assert_eq!(e["decrypted"], false);
    assert!(!e["reason"].as_str().unwrap().is_empty(), "{e}");
}

#[tokio::test]
async fn malformed_mail_is_refused_and_stores_nothing() {
    let app = TestApp::new().await;
    for raw in [
        "",
        "just some words, no headers",
        "Subject: no sender\r\n\r\nbody",
    ] {
        let err = ingest(&app.state, raw.as_bytes()).await.unwrap_err();
        assert!(matches!(err, IngestError::Malformed(_)), "{raw:?}: {err}");
    }
    assert_eq!(app.count("reports").await, 0);
    assert_eq!(app.count("jobs").await, 0);
    assert_eq!(app.count("audit_events").await, 0);
}

#[tokio::test]
async fn oversize_attachments_are_dropped_with_a_note() {
    let app = TestApp::with_config(|c| c.limits.max_attachment_bytes = 3).await;
    let admin = app.admin_token().await;
    let Outcome::NewReport(id) = ingest(&app.state, NEW.as_bytes()).await.unwrap() else {
        panic!()
    };
    let d = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    assert_eq!(d["attachments"].as_array().unwrap().len(), 0);
    assert!(
        d["report"]["description"]
            .as_str()
            .unwrap()
            .contains("fix.patch")
    );
}
