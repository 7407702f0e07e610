//! Reads of lists of private content are audited, one event per list; a
//! token's use is stamped without a write on every request.

use serde_json::Value;

use crate::common::TestApp;

async fn events(app: &TestApp, action: &str) -> Vec<Value> {
    app.state.read_log.flush().await;
    let mut conn = app.state.db.conn().await.unwrap();
    embargo::db::audit::page(&mut conn, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| serde_json::from_str(&e.detail).unwrap())
        .collect()
}

#[tokio::test]
async fn listing_reports_is_one_audit_event_naming_what_was_shown() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let mut ids = Vec::new();
    for t in ["a", "b", "c"] {
        ids.push(app.report(t, None).await.0);
    }
    let listed = app.get("/api/v1/reports", Some(&admin)).await;
    assert_eq!(listed.status, axum::http::StatusCode::OK);
    let reads = events(&app, "report.list_read").await;
    assert_eq!(reads.len(), 1, "one event for the list, not one per row");
    assert_eq!(reads[0]["count"], 3);
    let shown: Vec<&str> = reads[0]["shown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for id in &ids {
        assert!(shown.contains(&id.as_str()), "{id} in {shown:?}");
    }
}

#[tokio::test]
async fn listing_advisories_is_audited() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = crate::advisories::create(&app, &admin).await;
    app.get("/api/v1/advisories", Some(&admin)).await;
    let reads = events(&app, "advisory.list_read").await;
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["shown"][0], id.as_str());
}

#[tokio::test]
async fn reading_a_private_report_does_not_wait_for_the_write_lock() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (id, _) = app.report("private", None).await;
    // The token's first use is stamped; later reads within minutes are not.
    app.get("/api/v1/reports", Some(&admin)).await;
    // A writer holds the chain's head (on SQLite: the whole write lock).
    let mut writer = app.state.db.begin().await.unwrap();
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut *writer)
        .await
        .unwrap();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        app.get(&format!("/api/v1/reports/{id}"), Some(&admin)),
    )
    .await
    .expect("the read answers while the writer holds the lock");
    assert_eq!(read.status, axum::http::StatusCode::OK);
    writer.rollback().await.unwrap();
    let reads = events(&app, "report.read").await;
    assert_eq!(reads.len(), 1, "the read is audited once the lock is free");
}

#[tokio::test]
async fn read_events_join_the_chain_in_order_and_it_verifies() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (id, _) = app.report("private", None).await;
    for _ in 0..40 {
        let read = app
            .get(&format!("/api/v1/reports/{id}"), Some(&admin))
            .await;
        assert_eq!(read.status, axum::http::StatusCode::OK);
    }
    assert_eq!(events(&app, "report.read").await.len(), 40);
    let (head, _) = embargo::app::audit::verify(&app.state, None)
        .await
        .unwrap()
        .expect("the chain verifies");
    assert!(head >= 40);
}

async fn last_used(app: &TestApp) -> Option<i64> {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query_scalar("SELECT last_used_at FROM api_tokens")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_token_is_stamped_at_most_every_five_minutes_not_on_every_read() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    app.get("/api/v1/me", Some(&admin)).await;
    let first = last_used(&app).await.expect("stamped on first use");
    app.get("/api/v1/me", Some(&admin)).await;
    assert_eq!(
        last_used(&app).await,
        Some(first),
        "no write on the next read"
    );
    app.advance(jiff::SignedDuration::from_micros(
        embargo::db::sessions::TOKEN_STAMP_EVERY,
    ));
    app.get("/api/v1/me", Some(&admin)).await;
    assert!(
        last_used(&app).await.unwrap() >= first + embargo::db::sessions::TOKEN_STAMP_EVERY,
        "restamped once stale"
    );
}
