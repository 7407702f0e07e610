//! `/readyz` says whether this process is ready for traffic, naming the
//! check that fails: the database, its migrations, the job runner.

use std::time::Duration;

use axum::http::StatusCode;
use embargo::jobs::Runner;
use serde_json::{Value, json};

use crate::common::TestApp;

fn answer(database: &str, migrations: &str, job_runner: &str) -> Value {
    let ready = [database, migrations, job_runner]
        .iter()
        .all(|c| *c == "ok");
    json!({
        "status": if ready { "ready" } else { "not ready" },
        "checks": { "database": database, "migrations": migrations, "job_runner": job_runner },
    })
}

async fn readyz(app: &TestApp) -> (StatusCode, Value) {
    let r = app.get("/readyz", None).await;
    (r.status, r.json())
}

/// Starts a runner and waits (for events, not time) until every lane has
/// gone round its loop once.
async fn start_runner(app: &TestApp) -> Runner {
    let mut beats = app.state.runner_heartbeat.subscribe();
    let runner = Runner::start(app.state.clone());
    tokio::time::timeout(
        Duration::from_secs(10),
        beats.wait_for(|b| b.is_some_and(|b| !b.contains(&0))),
    )
    .await
    .expect("every lane turns within seconds")
    .expect("the heartbeat lives as long as the state");
    runner
}

async fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut *conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn readyz_is_ready_while_the_runner_runs_and_not_after_it_stops() {
    let app = TestApp::new().await;
    let runner = start_runner(&app).await;
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, answer("ok", "ok", "ok"));
    // Like /healthz: anyone may ask, and no cache keeps an old answer.
    let r = app.get("/readyz", None).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    runner.shutdown(Duration::from_secs(5)).await;
    assert_eq!(
        readyz(&app).await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            answer("ok", "ok", "not running")
        )
    );
}

#[tokio::test]
async fn readyz_names_the_runner_when_none_runs_or_its_heartbeat_is_stale() {
    // An idle lane turns once a poll: ten minutes here, so nothing beats
    // while the test moves the clock. The window is three polls.
    let app = TestApp::with_config(|c| c.jobs.poll_milliseconds = 600_000).await;
    assert_eq!(
        readyz(&app).await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            answer("ok", "ok", "not running")
        )
    );
    let runner = start_runner(&app).await;
    app.state.clock.advance(jiff::SignedDuration::from_mins(29));
    assert_eq!(readyz(&app).await.0, StatusCode::OK, "within the window");
    app.state.clock.advance(jiff::SignedDuration::from_mins(2));
    assert_eq!(
        readyz(&app).await,
        (StatusCode::SERVICE_UNAVAILABLE, answer("ok", "ok", "stale"))
    );
    runner.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn readyz_names_the_migrations_when_one_is_missing_or_unknown() {
    let app = TestApp::new().await;
    let runner = start_runner(&app).await;
    let newest: i64 = {
        let mut conn = app.state.db.conn().await.unwrap();
        sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    exec(
        &app,
        &format!("DELETE FROM schema_migrations WHERE version = {newest}"),
    )
    .await;
    assert_eq!(
        readyz(&app).await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            answer("ok", "missing", "ok")
        )
    );
    // Every known one applied, and one this binary does not know: a newer
    // binary migrated the database.
    exec(
        &app,
        &format!(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({newest}, 'back', 0), ({}, 'from_the_future', 0)",
            newest + 1
        ),
    )
    .await;
    assert_eq!(
        readyz(&app).await,
        (StatusCode::SERVICE_UNAVAILABLE, answer("ok", "newer", "ok"))
    );
    exec(
        &app,
        &format!("DELETE FROM schema_migrations WHERE version > {newest}"),
    )
    .await;
    assert_eq!(readyz(&app).await.0, StatusCode::OK);
    runner.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn readyz_names_the_database_within_seconds_when_it_does_not_answer() {
    let app = TestApp::new().await;
    let runner = start_runner(&app).await;
    assert_eq!(readyz(&app).await.0, StatusCode::OK);
    // Every pooled connection taken: the database cannot answer a probe.
    let size = app.state.db.pool.options().get_max_connections();
    let mut held = Vec::new();
    for _ in 0..size {
        held.push(app.state.db.conn().await.unwrap());
    }
    let answered = tokio::time::timeout(Duration::from_secs(5), readyz(&app))
        .await
        .expect("an answer within the probe's deadline, not the pool's 30 s");
    assert_eq!(
        answered,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            answer("unavailable", "unchecked", "ok")
        )
    );
    drop(held);
    assert_eq!(readyz(&app).await.0, StatusCode::OK);
    runner.shutdown(Duration::from_secs(5)).await;
}
