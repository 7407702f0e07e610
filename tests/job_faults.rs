//! Faults that must not stop the service: SMTP servers that refuse, stall
//! or never answer, and a mail backlog in front of an embargo lift.

use std::time::{Duration, Instant};

use embargo::config::Config;
use embargo::domain::mail_kind::MailKind;
use serde_json::json;

use crate::common::TestApp;
use crate::common::smtp_script::{Script, ScriptedSmtp};
use crate::job_engine::{queue_mail, states};

/// An app whose mail goes to the scripted server: 2 s per exchange, at
/// most 4 connections, then `f`.
async fn app_over_smtp(port: u16, f: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::over_smtp("127.0.0.1", port, |c| {
        c.mail.smtp.timeout_seconds = 2;
        c.mail.smtp.connections = 4;
        f(c);
    })
    .await
}

#[tokio::test]
async fn an_smtp_5xx_is_permanent_and_a_4xx_is_retried() {
    let server = ScriptedSmtp::start(Script {
        refuse: vec![
            ("gone@".into(), "550 5.1.1 no such user".into()),
            ("busy@".into(), "451 4.3.0 try again later".into()),
        ],
        ..Script::default()
    })
    .await;
    let app = app_over_smtp(server.port, |c| c.jobs.backoff_seconds = 60).await;
    queue_mail(&app, "gone", MailKind::ReportReceived, "gone@example.net").await;
    queue_mail(&app, "busy", MailKind::ReportReceived, "busy@example.net").await;
    queue_mail(&app, "fine", MailKind::ReportReceived, "fine@example.net").await;
    app.run_jobs().await;
    let rows = states(&app).await;
    assert_eq!(
        rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["dead", "queued", "done"],
        "5xx: dead after one attempt; 4xx: waits for a retry"
    );
    assert_eq!(server.accepted(), 1);
}

/// Where the server offers PIPELINING, a message's MAIL, RCPT and DATA go
/// in one write; each reply still counts: a refused recipient fails its
/// message alone, as without pipelining. Where it does not, each command
/// waits for the reply to the one before.
#[tokio::test]
async fn envelopes_are_pipelined_only_where_offered_and_refusals_still_count() {
    let refuse = vec![
        ("gone@".to_owned(), "550 5.1.1 no such user".to_owned()),
        ("busy@".to_owned(), "451 4.3.0 try again later".to_owned()),
    ];
    for pipelining in [true, false] {
        let server = ScriptedSmtp::start(Script {
            refuse: refuse.clone(),
            pipelining,
            ..Script::default()
        })
        .await;
        let app = app_over_smtp(server.port, |c| c.jobs.backoff_seconds = 60).await;
        for who in ["gone", "busy", "fine", "also"] {
            let to = format!("{who}@example.net");
            queue_mail(&app, who, MailKind::ReportReceived, &to).await;
        }
        app.run_jobs().await;
        let rows = states(&app).await;
        assert_eq!(
            rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
            ["dead", "queued", "done", "done"],
            "pipelining offered: {pipelining}"
        );
        assert_eq!(server.accepted(), 2);
        let pipelined = if pipelining { 4 } else { 0 };
        assert_eq!(server.pipelined(), pipelined, "offered: {pipelining}");
    }
}

#[tokio::test]
async fn smtp_connections_are_reused_across_mails() {
    let server = ScriptedSmtp::start(Script::default()).await;
    let app = app_over_smtp(server.port, |c| c.jobs.mail_workers = 4).await;
    for i in 0..40 {
        queue_mail(
            &app,
            &format!("m{i}"),
            MailKind::ReportReceived,
            "r@example.net",
        )
        .await;
    }
    app.run_jobs().await;
    assert_eq!(server.accepted(), 40);
    assert!(
        server.connections() <= 4,
        "40 mails over {} connections",
        server.connections()
    );
}

/// lettre writes a message's closing dot apart from its body; over a socket
/// with Nagle's algorithm on, the dot waits for the server's delayed ACK,
/// about 40 ms a message, so 50 messages over one connection would take
/// 2 s.
#[tokio::test]
async fn mail_over_one_smtp_connection_does_not_wait_for_delayed_acks() {
    let server = ScriptedSmtp::start(Script::default()).await;
    let app = app_over_smtp(server.port, |c| {
        c.mail.smtp.connections = 1;
        c.jobs.mail_workers = 50;
    })
    .await;
    for i in 0..50 {
        queue_mail(
            &app,
            &format!("m{i}"),
            MailKind::ReportReceived,
            "r@example.net",
        )
        .await;
    }
    let started = Instant::now();
    app.run_jobs().await;
    let took = started.elapsed();
    assert_eq!(server.accepted(), 50);
    assert_eq!(server.connections(), 1);
    assert!(
        took < Duration::from_secs(1),
        "50 mails over one connection took {took:?}"
    );
}

#[tokio::test]
async fn an_smtp_server_that_never_answers_fails_the_attempt_within_its_deadline() {
    let server = ScriptedSmtp::start(Script {
        silent: true,
        ..Script::default()
    })
    .await;
    let app = app_over_smtp(server.port, |c| c.jobs.backoff_seconds = 60).await;
    queue_mail(&app, "stuck", MailKind::ReportReceived, "r@example.net").await;
    let ran = tokio::time::timeout(Duration::from_secs(20), app.run_jobs()).await;
    assert_eq!(ran.expect("the attempt ends at its deadline"), 1);
    let mut conn = app.state.db.conn().await.unwrap();
    let (state, error): (String, String) = sqlx::query_as("SELECT state, last_error FROM jobs")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(state, "queued", "a silent server is worth a retry");
    assert!(error.contains("did not finish"), "{error}");
}

/// The scenario: thousands of mails stuck on an SMTP server that
/// never answers, and an embargo that ends now. The lift has its own lane.
#[tokio::test]
async fn a_lift_is_published_on_time_behind_2000_mails_to_a_silent_smtp_server() {
    let server = ScriptedSmtp::start(Script {
        silent: true,
        ..Script::default()
    })
    .await;
    let app = app_over_smtp(server.port, |c| {
        c.jobs.poll_milliseconds = 100;
        c.mail.smtp.timeout_seconds = 30;
    })
    .await;
    let admin = app.admin_token().await;
    let id = crate::advisories::create(&app, &admin).await;
    let mut tx = app.state.db.begin().await.unwrap();
    for i in 0..2000 {
        let mail = embargo::app::mailer::Mail::new(
            format!("bulk:{i}"),
            MailKind::ReportReceived,
            json!({}),
            vec![format!("r{i}@example.net")],
        );
        embargo::app::mailer::queue(&mut tx, &app.state, mail)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let runner = embargo::jobs::Runner::start(app.state.clone());
    // Let the mail lane fill all its workers with stalled deliveries.
    let deadline = Instant::now() + Duration::from_secs(15);
    while server.connections() == 0 {
        assert!(Instant::now() < deadline, "no delivery was attempted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let until = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    let until = until.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/embargo"),
            Some(&admin),
            json!({ "until": until, "time_zone": "UTC", "reason": "agreed" }),
        )
        .await;
    assert_eq!(resp.status, axum::http::StatusCode::OK, "{}", resp.text());
    let deadline = Instant::now() + Duration::from_secs(15);
    let late_ms = loop {
        let mut conn = app.state.db.conn().await.unwrap();
        let late: Option<String> = sqlx::query_scalar(
            "SELECT detail FROM audit_events WHERE action = 'advisory.published'",
        )
        .fetch_optional(&mut *conn)
        .await
        .unwrap();
        if let Some(detail) = late {
            let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
            break detail["late_ms"].as_i64().unwrap();
        }
        assert!(Instant::now() < deadline, "the embargo never lifted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let pending = states(&app)
        .await
        .into_iter()
        .filter(|r| r.0.starts_with("mail:bulk:") && r.1 != "done")
        .count();
    runner.shutdown(Duration::from_millis(100)).await;
    assert_eq!(pending, 2000, "the mail was still stuck when the lift ran");
    assert!(late_ms < 1000, "published {late_ms} ms after the instant");
}
