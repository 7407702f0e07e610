//! The job engine: leases, supervision, idempotency keys, rendering at run
//! time, pruning and shutdown.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use embargo::app::mailer::{self, Mail};
use embargo::db::jobs::{self as store, Outcome};
use embargo::db::sealed;
use embargo::domain::job::{JobState, Lane};
use embargo::domain::mail_kind::MailKind;
use embargo::mail::Transport;
use serde_json::json;
use tokio::sync::watch;

use crate::common::TestApp;

/// Queues one mail by key, as a use case would, in its own transaction.
pub async fn queue_mail(app: &TestApp, key: &str, kind: MailKind, to: &str) -> String {
    let mut tx = app.state.db.begin().await.unwrap();
    let id = mailer::queue(
        &mut tx,
        &app.state,
        Mail::new(key, kind, json!({ "title": "t" }), vec![to.to_owned()]),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

pub async fn states(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query_as("SELECT idempotency_key, state FROM jobs ORDER BY created_at")
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

/// A transport that calls `f` for every mail.
pub fn hook<F, Fut>(f: F) -> Transport
where
    F: Fn(embargo::mail::OutgoingMail) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    Transport::Hook(Arc::new(move |m| Box::pin(f(m))))
}

/// An app whose failed jobs wait a minute before their retry.
async fn app_with(transport: Transport) -> TestApp {
    TestApp::with_transport(
        |c| c.jobs.backoff_seconds = 60,
        transport,
        Arc::new(Mutex::new(Vec::new())),
    )
    .await
}

#[tokio::test]
async fn the_same_mail_queued_twice_is_one_job_with_a_message_id_from_its_key() {
    let app = TestApp::new().await;
    let first = queue_mail(&app, "ack:rpt_1", MailKind::ReportReceived, "r@example.net").await;
    let second = queue_mail(&app, "ack:rpt_1", MailKind::ReportReceived, "r@example.net").await;
    let other = queue_mail(&app, "ack:rpt_2", MailKind::ReportReceived, "r@example.net").await;
    assert_eq!(first, second, "one key, one Message-ID");
    assert_ne!(first, other);
    assert_eq!(app.count("jobs").await, 2);
    app.run_jobs().await;
    let sent: Vec<String> = app.mails().into_iter().map(|m| m.message_id).collect();
    assert_eq!(sent.len(), 2);
    assert!(sent.contains(&first) && sent.contains(&other));
}

#[tokio::test]
async fn a_template_that_fails_kills_its_job_and_not_the_change_that_queued_it() {
    let app = TestApp::new().await;
    // The queuing transaction commits: nothing is rendered yet. A job
    // written by a release with a template this one lacks stands for any
    // template that fails.
    queue_mail(&app, "broken:1", MailKind::ReportReceived, "r@example.net").await;
    let mut conn = app.state.db.conn().await.unwrap();
    let (id, stored): (String, String) = sqlx::query_as("SELECT id, payload FROM jobs")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let payload = sealed::open_text(store::PAYLOAD, &id, stored).unwrap();
    let broken = payload.replace("\"report_received\"", "\"no_such_template\"");
    sqlx::query("UPDATE jobs SET payload = $1 WHERE id = $2")
        .bind(sealed::seal_text(store::PAYLOAD, &id, &broken).unwrap())
        .bind(&id)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    queue_mail(&app, "fine:1", MailKind::ReportReceived, "r@example.net").await;
    app.run_jobs().await;
    let rows = states(&app).await;
    assert_eq!(
        rows,
        vec![
            ("mail:broken:1".to_owned(), "dead".to_owned()),
            ("mail:fine:1".to_owned(), "done".to_owned())
        ],
        "a template error is permanent: dead at once, visible to admins"
    );
    let mut conn = app.state.db.conn().await.unwrap();
    let error: String =
        sqlx::query_scalar("SELECT last_error FROM jobs WHERE idempotency_key = 'mail:broken:1'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert!(error.contains("no_such_template"), "{error}");
}

#[tokio::test]
async fn mail_is_rendered_when_its_job_runs_from_the_recorded_template() {
    let app = TestApp::new().await;
    queue_mail(&app, "ack:x", MailKind::ReportReceived, "r@example.net").await;
    let mut conn = app.state.db.conn().await.unwrap();
    let (id, stored): (String, String) = sqlx::query_as("SELECT id, payload FROM jobs")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert!(!stored.contains("report_received"), "sealed in the table");
    let payload = sealed::open_text(store::PAYLOAD, &id, stored).unwrap();
    let payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["template"], "report_received");
    assert_eq!(
        payload["template_version"],
        app.state.templates.mail_version("report_received")
    );
    assert!(payload.get("subject").is_none(), "not rendered when queued");
    app.run_jobs().await;
    assert_eq!(app.mails()[0].subject, "Report received: t");
}

#[tokio::test]
async fn an_expired_lease_cannot_undo_the_next_runners_result() {
    let app = TestApp::new().await;
    queue_mail(&app, "ack:lease", MailKind::ReportReceived, "r@example.net").await;
    let db = &app.state.db;
    let now = embargo::db::now();
    let first = store::claim(db, Lane::Mail, now, 1, "token-a", 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    // Runner A stalls past its lease; the upkeep takes the job back.
    let mut conn = db.conn().await.unwrap();
    let reaped = store::reap_expired(&mut conn, now + 10).await.unwrap();
    assert_eq!((reaped.requeued, reaped.dead.len()), (1, 0));
    assert!(
        !store::renew(&mut conn, &first[0], now + 100).await.unwrap(),
        "a lost lease cannot be renewed"
    );
    drop(conn);
    let second = store::claim(db, Lane::Mail, now + 10, 1_000_000, "token-b", 10)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    let mut conn = db.conn().await.unwrap();
    let done = store::finish(&mut conn, &[(second[0].clone(), Outcome::Done)])
        .await
        .unwrap();
    assert_eq!(done.counted, 1);
    let late = Outcome::Failed {
        state: JobState::Queued,
        retry_at: now,
        error: "stale".into(),
    };
    let counted = store::finish(&mut conn, &[(first[0].clone(), late)])
        .await
        .unwrap();
    assert_eq!(
        counted.counted, 0,
        "the stale runner's failure does not count"
    );
    drop(conn);
    assert_eq!(states(&app).await[0].1, "done");
}

#[tokio::test]
async fn a_job_whose_runner_kept_crashing_is_dead_once_its_attempts_are_used() {
    let app = TestApp::with_config(|c| c.jobs.max_attempts = 2).await;
    queue_mail(&app, "ack:crash", MailKind::ReportReceived, "r@example.net").await;
    let db = &app.state.db;
    for attempt in 1..=2 {
        let now = embargo::db::now();
        let claimed = store::claim(db, Lane::Mail, now, 1, "t", 10).await.unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        let mut conn = db.conn().await.unwrap();
        store::reap_expired(&mut conn, now + 10).await.unwrap();
    }
    assert_eq!(states(&app).await[0].1, "dead");
}

#[tokio::test]
async fn a_panicking_job_fails_with_its_message_and_the_runner_goes_on() {
    let app = app_with(hook(|m| async move {
        if m.to[0].starts_with("boom") {
            panic!("delivery exploded");
        }
        Ok(())
    }))
    .await;
    queue_mail(&app, "a", MailKind::ReportReceived, "boom@example.net").await;
    queue_mail(&app, "b", MailKind::ReportReceived, "fine@example.net").await;
    app.run_jobs().await;
    let rows = states(&app).await;
    assert_eq!(rows[1].1, "done", "the other job still ran");
    let mut conn = app.state.db.conn().await.unwrap();
    let (state, error): (String, String) =
        sqlx::query_as("SELECT state, last_error FROM jobs WHERE idempotency_key = 'mail:a'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(state, "queued", "a panic is retried like any failure");
    assert!(error.contains("panicked: delivery exploded"), "{error}");
}

#[tokio::test]
async fn finished_jobs_are_pruned_and_dead_and_queued_ones_kept() {
    let app = app_with(hook(|m| async move {
        if m.to[0].starts_with("dead") {
            return Err(embargo::jobs::Permanent("550 no".into()).into());
        }
        Ok(())
    }))
    .await;
    queue_mail(&app, "done", MailKind::ReportReceived, "ok@example.net").await;
    queue_mail(&app, "dead", MailKind::ReportReceived, "dead@example.net").await;
    app.run_jobs().await;
    queue_mail(&app, "queued", MailKind::ReportReceived, "ok@example.net").await;
    let mut conn = app.state.db.conn().await.unwrap();
    let later = embargo::db::now() + 1;
    assert_eq!(store::prune(&mut conn, later, 100).await.unwrap(), 1);
    drop(conn);
    let keys: Vec<String> = states(&app).await.into_iter().map(|r| r.0).collect();
    assert_eq!(keys, ["mail:dead", "mail:queued"]);
}

#[tokio::test]
async fn shutdown_stops_claiming_and_lets_running_jobs_finish() {
    let (started, _) = watch::channel(0usize);
    // Running jobs hold until the test opens the gate, which it does only
    // once shutdown has begun: a runner that still claimed would run the
    // rest, one that cancelled would leave its jobs unfinished.
    let (open, gate) = watch::channel(false);
    let s = started.clone();
    let app = app_with(hook(move |_| {
        let s = s.clone();
        let mut gate = gate.clone();
        async move {
            s.send_modify(|n| *n += 1);
            let _ = gate.wait_for(|open| *open).await;
            Ok(())
        }
    }))
    .await;
    // More than the mail lane's workers take at once.
    let jobs = app.state.config.jobs.mail_workers as usize + 24;
    for i in 0..jobs {
        queue_mail(
            &app,
            &format!("m{i}"),
            MailKind::ReportReceived,
            "r@example.net",
        )
        .await;
    }
    let runner = embargo::jobs::Runner::start(app.state.clone());
    let mut life = app.state.runner_heartbeat.subscribe();
    let mut running = started.subscribe();
    let limit = Duration::from_secs(10);
    tokio::time::timeout(limit, running.wait_for(|n| *n > 0))
        .await
        .expect("no job started")
        .unwrap();
    let shutdown = tokio::spawn(runner.shutdown(limit));
    // Shutdown marks the runner stopped once it has told the lanes to stop
    // claiming.
    tokio::time::timeout(limit, life.wait_for(Option::is_none))
        .await
        .expect("the runner did not stop")
        .unwrap();
    open.send_replace(true);
    shutdown.await.unwrap();
    let rows = states(&app).await;
    let done = rows.iter().filter(|r| r.1 == "done").count();
    let queued = rows.iter().filter(|r| r.1 == "queued").count();
    let ran = *started.borrow();
    assert_eq!(
        done, ran,
        "every job that started finished and was recorded"
    );
    assert_eq!(done + queued, jobs, "none left running: {rows:?}");
    assert!(queued > 0, "no new jobs were claimed after the stop");
}
