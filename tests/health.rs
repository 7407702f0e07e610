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
