//! The outbox: delivery, retries with backoff, dead jobs, and several
//! runners sharing one database.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use embargo::mail::Transport;
use sqlx::AssertSqlSafe;

use crate::common::TestApp;

async fn job_rows(app: &TestApp) -> Vec<(String, String, i64, String, i64, String)> {
    let mut conn = app.state.db.conn().await.unwrap();
    let rows = sqlx::query_as::<_, (String, String, i64, String, i64, String)>(
        "SELECT id, state, attempts, last_error, run_at, payload FROM jobs ORDER BY created_at",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    // Payloads are sealed in the table; opened here as the runner does.
    rows.into_iter()
        .map(|(id, state, attempts, error, run_at, payload)| {
            let payload =
                embargo::db::sealed::open_text(embargo::db::jobs::PAYLOAD, &id, payload).unwrap();
            (id, state, attempts, error, run_at, payload)
        })
        .collect()
}

/// A file transport whose outbox cannot be created until `unblock` runs.
fn blocked_outbox(dir: &std::path::Path) -> (Transport, std::path::PathBuf) {
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, b"not a directory").unwrap();
    (Transport::File(blocker.join("outbox")), blocker)
}

#[tokio::test]
async fn a_failing_delivery_is_retried_then_dead_then_retried_by_an_admin() {
    let outside = tempfile::tempdir().unwrap();
    let (transport, blocker) = blocked_outbox(outside.path());
    let app = TestApp::with_transport(
        |c| c.jobs.max_attempts = 3,
        transport,
        Arc::new(Mutex::new(Vec::new())),
    )
    .await;
    app.report("Bug", Some("r@example.net")).await;
    app.run_jobs().await;
    let rows = job_rows(&app).await;
    assert_eq!(rows.len(), 1);
    let (id, state, attempts, error, _, payload) = &rows[0];
    assert_eq!(state, "dead");
    assert_eq!(*attempts, 3);
    assert!(!error.is_empty());
    assert!(
        payload.contains("r@example.net"),
        "a dead job keeps what it must send"
    );

    let admin = app.admin_token().await;
    let dead = app
        .get("/api/v1/jobs?state=dead", Some(&admin))
        .await
        .json();
    assert_eq!(dead["items"][0]["id"], id.as_str());

    std::fs::remove_file(&blocker).unwrap();
    let retried = app
        .post(
            &format!("/api/v1/jobs/{id}/retry"),
            Some(&admin),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK);
    app.run_jobs().await;
    let (_, state, _, _, _, payload) = job_rows(&app)
        .await
        .into_iter()
        .find(|r| &r.0 == id)
        .unwrap();
    assert_eq!(state, "done");
    assert_eq!(
        payload, "{}",
        "a delivered job drops its payload (it held the tracking link)"
    );
    let files: Vec<_> = std::fs::read_dir(blocker.join("outbox")).unwrap().collect();
    assert_eq!(files.len(), 1);

    // A job that is not dead is there, so not "not found": 409, naming
    // its state. One that is not there at all is 404.
    let again = app
        .post(
            &format!("/api/v1/jobs/{id}/retry"),
            Some(&admin),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.json()["error"].as_str().unwrap().contains("done"));
    let none = app
        .post(
            "/api/v1/jobs/job_none/retry",
            Some(&admin),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_failure_waits_for_its_backoff() {
    let outside = tempfile::tempdir().unwrap();
    let (transport, _blocker) = blocked_outbox(outside.path());
    let app = TestApp::with_transport(
        |c| c.jobs.backoff_seconds = 60,
        transport,
        Arc::new(Mutex::new(Vec::new())),
    )
    .await;
    app.report("Bug", Some("r@example.net")).await;
    let before = embargo::db::now();
    assert_eq!(app.run_jobs().await, 1, "one attempt, then it waits");
    let (_, state, attempts, _, run_at, _) = job_rows(&app).await.remove(0);
    assert_eq!((state.as_str(), attempts), ("queued", 1));
    assert!(
        run_at >= before + 60_000_000,
        "retry is scheduled a backoff later"
    );
    assert_eq!(app.run_jobs().await, 0);
}

#[tokio::test]
async fn two_runners_deliver_each_mail_once() {
    let app = TestApp::with_config(|c| c.limits.reports_per_hour = 1000).await;
    for i in 0..16 {
        app.report(&format!("r{i}"), Some(&format!("r{i}@example.net")))
            .await;
    }
    let (a, b) = tokio::join!(
        embargo::jobs::run_due(&app.state),
        embargo::jobs::run_due(&app.state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 16);
    let mut ids: Vec<String> = app.mails().into_iter().map(|m| m.message_id).collect();
    assert_eq!(ids.len(), 16);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 16, "no mail sent twice");
}

#[tokio::test]
async fn a_job_abandoned_by_a_crashed_runner_is_taken_again() {
    let app = TestApp::new().await;
    app.report("Bug", Some("r@example.net")).await;
    let past = embargo::db::now() - 1;
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE jobs SET state = 'running', attempts = 1, locked_until = {past}"
    )))
    .execute(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(app.mails_to("r@example.net").len(), 1);
    assert_eq!(job_rows(&app).await[0].1, "done");
}

#[tokio::test]
async fn the_file_transport_writes_one_eml_per_mail_and_a_retry_rewrites_it() {
    let outside = tempfile::tempdir().unwrap();
    let outbox = outside.path().join("outbox");
    let app = TestApp::with_transport(
        |_| {},
        Transport::File(outbox.clone()),
        Arc::new(Mutex::new(Vec::new())),
    )
    .await;
    app.report("Bug", Some("r@example.net")).await;
    app.run_jobs().await;
    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(eml.contains("To: r@example.net"));
    assert!(eml.contains("Message-ID: <"));
    // Delivering the same message again (a retry after a crash) adds no copy.
    let mail: embargo::mail::OutgoingMail = embargo::mail::OutgoingMail {
        message_id: eml
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .unwrap()
            .to_owned(),
        from: "security@project.test".into(),
        to: vec!["r@example.net".into()],
        reply_to: None,
        in_reply_to: None,
        subject: "s".into(),
        text: "t".into(),
        html: None,
        ..Default::default()
    };
    Transport::File(outbox.clone()).send(&mail).await.unwrap();
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 1);
}
