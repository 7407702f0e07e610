//! The audit log's head kept outside the database: printed, mailed daily,
//! and checked against by `audit verify --anchor`; verification while the
//! service writes.

use embargo::domain::audit::{Anchor, ChainError, GENESIS};
use sqlx::AssertSqlSafe;

use crate::common::TestApp;
use crate::common::process::{Env, last_line};

async fn current_anchor(app: &TestApp) -> Anchor {
    let mut conn = app.state.db.conn().await.unwrap();
    let (seq, hash) = embargo::db::audit::head(&mut conn).await.unwrap();
    Anchor { seq, hash }
}

/// Edits event `seq` and recomputes every hash after it, as an attacker
/// with write access to the database would.
async fn rewrite_history(app: &TestApp, seq: i64) {
    let mut conn = app.state.db.conn().await.unwrap();
    let mut events = embargo::db::audit::page(&mut conn, 0, 10_000)
        .await
        .unwrap();
    events[(seq - 1) as usize].detail = r#"{"forged":true}"#.into();
    let mut prev = GENESIS.to_owned();
    for ev in events.iter_mut() {
        ev.prev_hash = prev.clone();
        ev.hash = ev.expected_hash();
        prev = ev.hash.clone();
        sqlx::query(
            "UPDATE audit_events SET detail = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
        )
        .bind(&ev.detail)
        .bind(&ev.prev_hash)
        .bind(&ev.hash)
        .bind(ev.seq)
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE audit_head SET hash = '{prev}' WHERE id = 1"
    )))
    .execute(&mut *conn)
    .await
    .unwrap();
}

#[tokio::test]
async fn an_anchor_kept_outside_proves_an_early_rewrite_that_the_chain_alone_hides() {
    let app = TestApp::new().await;
    app.admin_token().await;
    app.report("One", None).await;
    let anchor = current_anchor(&app).await;
    app.report("Two", None).await;
    let state = &app.state;
    let whole = embargo::app::audit::verify(state, Some(anchor.clone()))
        .await
        .unwrap();
    assert!(whole.is_ok(), "{whole:?}");

    rewrite_history(&app, 2).await;
    let alone = embargo::app::audit::verify(state, None).await.unwrap();
    assert!(alone.is_ok(), "recomputed hashes make a whole chain");
    let anchored = embargo::app::audit::verify(state, Some(anchor.clone()))
        .await
        .unwrap();
    assert_eq!(
        anchored,
        Err(ChainError::AnchorMismatch { seq: anchor.seq })
    );
}

#[tokio::test]
async fn audit_verify_passes_while_reports_are_being_submitted() {
    let app = TestApp::with_config(|c| c.limits.reports_per_hour = 10_000).await;
    let writer = async {
        for i in 0..60 {
            app.report(&format!("r{i}"), Some("r@example.net")).await;
        }
    };
    let checker = async {
        let mut checks = 0;
        for _ in 0..20 {
            let verdict = embargo::app::audit::verify(&app.state, None).await.unwrap();
            assert!(verdict.is_ok(), "{verdict:?}");
            checks += 1;
            tokio::task::yield_now().await;
        }
        checks
    };
    let ((), checks) = tokio::join!(writer, checker);
    assert_eq!(checks, 20);
    assert!(
        embargo::app::audit::verify(&app.state, None)
            .await
            .unwrap()
            .is_ok()
    );
}

#[tokio::test]
async fn the_admins_get_the_head_by_mail_each_day() {
    let app = TestApp::new().await;
    app.admin_token().await;
    embargo::app::audit::ensure_daily(&app.state).await.unwrap();
    embargo::app::audit::ensure_daily(&app.state).await.unwrap();
    app.run_jobs().await;
    let mails = app.mails_to("admin@project.test");
    let heads: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Audit log head"))
        .collect();
    assert_eq!(
        heads.len(),
        1,
        "one mail a day, however often it is ensured"
    );
    let anchor = heads[0]
        .text
        .lines()
        .find_map(|l| l.trim().parse::<Anchor>().ok())
        .expect("the mail carries SEQ:HASH");
    let verdict = embargo::app::audit::verify(&app.state, Some(anchor))
        .await
        .unwrap();
    assert!(verdict.is_ok(), "{verdict:?}");
    let mut conn = app.state.db.conn().await.unwrap();
    let next: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'mail_audit_head' AND state = 'queued'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(next, 1, "tomorrow's is scheduled");
}

#[tokio::test]
async fn audit_head_prints_an_anchor_that_verify_accepts() {
    let env = Env::new().await;
    assert!(
        env.run(&["admin", "add", "a@project.test"], b"")
            .status
            .success()
    );
    let head = env.run(&["audit", "head"], b"");
    assert!(head.status.success());
    let anchor = last_line(&head);
    assert!(anchor.parse::<Anchor>().is_ok(), "{anchor}");
    let ok = env.run(&["audit", "verify", "--anchor", &anchor], b"");
    assert_eq!(ok.status.code(), Some(0), "{}", last_line(&ok));
    assert!(last_line(&ok).contains("through the anchor"));
    let bad = env.run(&["audit", "verify", "--anchor", "not-an-anchor"], b"");
    assert_eq!(bad.status.code(), Some(2), "a usage error");
}
