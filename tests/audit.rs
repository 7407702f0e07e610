//! The audit log: every change and every read of private content is a link
//! in one hash chain, and any edit, removal or reordering is found.

use axum::http::StatusCode;
use embargo::domain::audit::{ChainError, ChainVerifier};
use sqlx::AssertSqlSafe;

use crate::common::TestApp;

async fn verify(app: &TestApp) -> Result<i64, ChainError> {
    let mut conn = app.state.db.conn().await.unwrap();
    let head = embargo::db::audit::head(&mut conn).await.unwrap();
    let mut v = ChainVerifier::default();
    for ev in embargo::db::audit::page(&mut conn, 0, 10_000)
        .await
        .unwrap()
    {
        v.push(&ev)?;
    }
    v.finish((head.0, &head.1))
}

async fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query(AssertSqlSafe(sql.to_owned()))
        .execute(&mut *conn)
        .await
        .unwrap();
}

async fn actions(app: &TestApp) -> Vec<String> {
    app.state.read_log.flush().await;
    let mut conn = app.state.db.conn().await.unwrap();
    embargo::db::audit::page(&mut conn, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn changes_and_reads_are_recorded_in_a_verifiable_chain() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (id, _) = app.report("Bug", None).await;
    assert_eq!(
        app.get(&format!("/api/v1/reports/{id}"), Some(&admin))
            .await
            .status,
        StatusCode::OK
    );
    let acts = actions(&app).await;
    for expected in [
        "account.created",
        "token.created",
        "report.created",
        "report.read",
    ] {
        assert!(
            acts.iter().any(|a| a == expected),
            "missing {expected} in {acts:?}"
        );
    }
    let n = verify(&app).await.expect("chain is whole");
    assert_eq!(n as usize, acts.len());
}

#[tokio::test]
async fn an_edited_row_is_named() {
    let app = TestApp::new().await;
    app.report("one", None).await;
    app.report("two", None).await;
    exec(
        &app,
        "UPDATE audit_events SET detail = '{\"source\":\"web\"}' WHERE seq = 2",
    )
    .await;
    assert_eq!(verify(&app).await, Err(ChainError::Tampered { seq: 2 }));
}

#[tokio::test]
async fn a_removed_row_is_found() {
    let app = TestApp::new().await;
    for t in ["one", "two", "three"] {
        app.report(t, None).await;
    }
    exec(&app, "DELETE FROM audit_events WHERE seq = 2").await;
    assert_eq!(
        verify(&app).await,
        Err(ChainError::Gap {
            seq: 3,
            expected: 2
        })
    );
}

#[tokio::test]
async fn a_removed_last_row_is_found() {
    let app = TestApp::new().await;
    app.report("one", None).await;
    app.report("two", None).await;
    exec(&app, "DELETE FROM audit_events WHERE seq = 2").await;
    assert_eq!(
        verify(&app).await,
        Err(ChainError::Truncated { last: 1, head: 2 })
    );
}

#[tokio::test]
async fn concurrent_appends_keep_one_unbroken_chain() {
    let app = TestApp::with_config(|c| c.limits.reports_per_hour = 1000).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let router = app.router.clone();
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let body =
                serde_json::json!({ "title": format!("r{i}"), "description": "d" }).to_string();
            let req = axum::http::Request::post("/api/v1/reports")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body))
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    assert_eq!(verify(&app).await, Ok(12));
}

#[tokio::test]
async fn a_transaction_holds_the_chain_head_only_while_it_commits() {
    let app = TestApp::new().await;
    if app.state.db.engine != embargo::db::Engine::Postgres {
        return; // SQLite lets one writer in at a time whatever the head does.
    }
    use embargo::db::audit::{Actor, append};
    let before = verify(&app).await.unwrap();
    // A long transaction that has recorded an event but not committed yet.
    let mut slow = app.state.db.begin().await.unwrap();
    append(
        &mut slow,
        &Actor::cli(),
        "test.slow",
        "x",
        serde_json::json!({}),
    );
    // Another one records and commits meanwhile, without waiting for it.
    let fast = async {
        let mut tx = app.state.db.begin().await.unwrap();
        append(
            &mut tx,
            &Actor::cli(),
            "test.fast",
            "y",
            serde_json::json!({}),
        );
        tx.commit().await.unwrap();
    };
    tokio::time::timeout(std::time::Duration::from_secs(3), fast)
        .await
        .expect("the second transaction commits while the first is open");
    slow.commit().await.unwrap();
    assert_eq!(verify(&app).await, Ok(before + 2));
    let acts = actions(&app).await;
    let at = |a: &str| acts.iter().position(|x| x == a).unwrap();
    assert!(at("test.fast") < at("test.slow"), "chained in commit order");
}

#[tokio::test]
async fn a_rolled_back_change_leaves_no_audit_event() {
    let app = TestApp::new().await;
    use embargo::db::audit::{Actor, append};
    let before = verify(&app).await.unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    append(
        &mut tx,
        &Actor::cli(),
        "test.undone",
        "x",
        serde_json::json!({}),
    );
    tx.rollback().await.unwrap();
    assert_eq!(verify(&app).await, Ok(before));
    assert!(!actions(&app).await.iter().any(|a| a == "test.undone"));
}
