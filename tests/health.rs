//! `/healthz` tells the truth, promptly.

use std::time::Duration;

use axum::http::StatusCode;

use crate::common::TestApp;

#[tokio::test]
async fn healthz_answers_503_within_seconds_when_the_database_does_not_answer() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    // Every pooled connection taken: the database cannot answer a probe.
    let size = app.state.db.pool.options().get_max_connections();
    let mut held = Vec::new();
    for _ in 0..size {
        held.push(app.state.db.conn().await.unwrap());
    }
    let answered = tokio::time::timeout(Duration::from_secs(5), app.get("/healthz", None))
        .await
        .expect("an answer within the probe's deadline, not the pool's 30 s");
    assert_eq!(answered.status, StatusCode::SERVICE_UNAVAILABLE);
    drop(held);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}

/// Takes every pooled connection, runs `sql` on each (errors ignored), and
/// gives them back: what a failed or cancelled write leaves behind.
async fn on_every_connection(app: &TestApp, sql: &str) {
    let mut held = Vec::new();
    for pool in app.state.db.pools() {
        for _ in 0..pool.options().get_max_connections() {
            held.push(pool.acquire().await.unwrap());
        }
    }
    for conn in &mut held {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut **conn)
            .await;
    }
}

fn postgres(app: &TestApp) -> bool {
    app.state.db.engine == embargo::db::Engine::Postgres
}

#[tokio::test]
async fn a_connection_left_inside_a_transaction_is_not_handed_out_again() {
    let app = TestApp::new().await;
    // A transaction nothing tracks: on PostgreSQL an aborted one (what a
    // cancelled BEGIN in sqlx 0.9.0 leaves), on SQLite an open one.
    let leak = if postgres(&app) {
        "BEGIN; SELECT 1/0"
    } else {
        "BEGIN"
    };
    on_every_connection(&app, leak).await;
    for i in 0..12 {
        app.report(&format!("report {i}"), None).await;
    }
    assert_eq!(app.count("reports").await, 12);
}

#[tokio::test]
async fn writes_work_again_once_the_disk_has_room() {
    let app = TestApp::new().await;
    if postgres(&app) {
        return; // SQLite's own disk-full error; PostgreSQL is covered above.
    }
    app.report("before", None).await;
    // The database may not grow: every write that needs a page fails as on
    // a full disk.
    on_every_connection(&app, "PRAGMA max_page_count = 1").await;
    let refused = app
        .post(
            "/api/v1/reports",
            None,
            serde_json::json!({ "title": "full", "description": "x".repeat(20_000) }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
    // Room again: connections that failed must not stay broken.
    on_every_connection(&app, "PRAGMA max_page_count = 1073741823").await;
    for i in 0..12 {
        app.report(&format!("after {i}"), None).await;
    }
    assert_eq!(app.count("reports").await, 13);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn healthz_says_503_while_the_database_refuses_writes() {
    let app = TestApp::new().await;
    let read_only = if postgres(&app) {
        "SET default_transaction_read_only = on"
    } else {
        "PRAGMA query_only = ON"
    };
    on_every_connection(&app, read_only).await;
    let answer = app.get("/healthz", None).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(answer.text().contains("writes"), "{}", answer.text());
    let writable = if postgres(&app) {
        "SET default_transaction_read_only = off"
    } else {
        "PRAGMA query_only = OFF"
    };
    on_every_connection(&app, writable).await;
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn healthy_connections_are_reused_not_reopened() {
    let app = TestApp::new().await;
    let mut opened = std::collections::HashSet::new();
    for _ in 0..20 {
        let mut conn = app.state.db.conn().await.unwrap();
        // Something that lives and dies with the connection.
        let marker: String = if postgres(&app) {
            sqlx::query_scalar("SELECT CAST(pg_backend_pid() AS TEXT)")
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        } else {
            sqlx::raw_sql("CREATE TEMP TABLE IF NOT EXISTS marker (id TEXT)")
                .execute(&mut *conn)
                .await
                .unwrap();
            let found: Option<String> = sqlx::query_scalar("SELECT id FROM marker")
                .fetch_optional(&mut *conn)
                .await
                .unwrap();
            match found {
                Some(id) => id,
                None => {
                    let id = opened.len().to_string();
                    sqlx::query("INSERT INTO marker (id) VALUES ($1)")
                        .bind(&id)
                        .execute(&mut *conn)
                        .await
                        .unwrap();
                    id
                }
            }
        };
        opened.insert(marker);
    }
    let size = app.state.db.pool.options().get_max_connections() as usize;
    assert!(
        opened.len() <= size,
        "{} connections for 20 uses",
        opened.len()
    );
}
