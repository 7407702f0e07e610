//! `embargo db copy` refusing what it must not do: a dry run writes
//! nothing, a non-empty target is refused, a failure leaves the target
//! empty, a wrong engine or an unreachable target is a clear error; and
//! 100,000 rows go through in batches.

use sqlx::Connection;

use super::{copy, deployment, rows, sqlite_tables, stderr, stdout, target};
use crate::common::process::Env;

/// Every table of the target has no rows but the migrations' own.
async fn assert_empty(pg: &str, tables: &[String]) {
    for (t, n) in rows(pg, tables).await {
        let seeded = ["audit_head", "counters", "health_probe"].contains(&t.as_str());
        if !seeded {
            assert_eq!(n, 0, "{t} in the target");
        }
    }
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(pg).await.unwrap();
    let head: i64 = sqlx::query_scalar("SELECT seq FROM audit_head")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(head, 0);
}

#[tokio::test]
async fn a_dry_run_counts_the_rows_and_writes_nothing() {
    let Some(pg) = target().await else {
        return;
    };
    let d = deployment().await;
    let out = copy(&d, &pg, &["--dry-run"]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", stderr(&out));
    assert!(printed.contains("reports: 2 rows\n"), "{printed}");
    assert!(printed.contains("advisories: 2 rows\n"), "{printed}");
    let last = printed.lines().last().unwrap();
    assert!(last.starts_with("dry run: would copy "), "{last}");
    assert!(last.ends_with("nothing was written"), "{last}");
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&pg).await.unwrap();
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(n, 0, "no table was created");
}

#[tokio::test]
async fn a_target_with_rows_is_refused_by_name_and_left_unchanged() {
    let Some(pg) = target().await else {
        return;
    };
    let d = deployment().await;
    let first = copy(&d, &pg, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let tables = sqlite_tables(&d).await;
    let copied = rows(&pg, &tables).await;
    for more in [&[][..], &["--dry-run"][..]] {
        let out = copy(&d, &pg, more);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(
            err.contains("the target database is not empty") && err.contains("reports (2 rows)"),
            "{err}"
        );
        assert_eq!(rows(&pg, &tables).await, copied);
    }
}

#[tokio::test]
async fn a_failure_midway_rolls_the_whole_copy_back() {
    let Some(pg) = target().await else {
        return;
    };
    let d = deployment().await;
    // SQLite keeps a NUL in text; PostgreSQL refuses it. Reports come
    // after the accounts they reference, so some tables are written first.
    let mut conn = sqlx::SqliteConnection::connect(&d.env.database_url)
        .await
        .unwrap();
    // (A clear column: a report's title is sealed.)
    sqlx::query(
        "UPDATE reports SET status_reason = status_reason || char(0) \
         WHERE id = (SELECT MAX(id) FROM reports)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let out = copy(&d, &pg, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("copying reports"), "{err}");
    assert!(err.contains("rolled back"), "{err}");
    assert!(stdout(&out).contains("accounts: "), "{}", stdout(&out));
    assert_empty(&pg, &sqlite_tables(&d).await).await;

    // Left empty, the target takes the copy once the row is mended.
    let mut conn = sqlx::SqliteConnection::connect(&d.env.database_url)
        .await
        .unwrap();
    // SQLite's length() counts up to the NUL: what was there before it.
    sqlx::query(
        "UPDATE reports SET status_reason = substr(status_reason, 1, length(status_reason)) \
         WHERE id = (SELECT MAX(id) FROM reports)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let again = copy(&d, &pg, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
}

#[tokio::test]
async fn a_hundred_thousand_rows_are_copied_in_batches() {
    let Some(pg) = target().await else {
        return;
    };
    let d = deployment().await;
    let mut conn = sqlx::SqliteConnection::connect(&d.env.database_url)
        .await
        .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO jobs (id, kind, payload, idempotency_key, state, run_at, max_attempts, created_at, updated_at) \
         SELECT 'bulk-' || i, 'noop', '{}', 'bulk:' || i, 'done', i, 1, i, i FROM n",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let tables = sqlite_tables(&d).await;
    let source_rows = rows(&d.env.database_url, &tables).await;
    let out = copy(&d, &pg, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rows(&pg, &tables).await, source_rows);
    assert!(
        source_rows
            .iter()
            .any(|(t, n)| t == "jobs" && *n >= 100_000)
    );
}

#[tokio::test]
async fn a_wrong_engine_or_an_unreachable_target_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("embargo.db").display()
    );
    let env = Env::at(dir, sqlite.clone());
    let out = env.run(&["db", "copy", "--to", &sqlite], b"");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--to must name a PostgreSQL database"),
        "{}",
        stderr(&out)
    );

    // Nobody listens on port 9.
    let down = "postgres://embargo:s3cret@127.0.0.1:9/embargo";
    let out = env.run(&["db", "copy", "--to", down], b"");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no database at"), "{err}");
    let init = env.run(&["jobs", "list"], b"");
    assert!(init.status.success(), "{}", stderr(&init));
    for more in [&[][..], &["--dry-run"][..]] {
        let mut args = vec!["db", "copy", "--to", down];
        args.extend_from_slice(more);
        let out = env.run(&args, b"");
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(
            err.contains("connecting to the target postgres://embargo:***@127.0.0.1:9/embargo"),
            "{err}"
        );
        assert!(!err.contains("s3cret"), "{err}");
    }
    // The URL from the environment, out of the process list.
    let out = env
        .command(&["db", "copy"])
        .env("EMBARGO_COPY_TO", down)
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("connecting to the target"),
        "{}",
        stderr(&out)
    );

    let pg_source = Env::at(
        tempfile::tempdir().unwrap(),
        "postgres://embargo@127.0.0.1:9/embargo".to_owned(),
    );
    let out = pg_source.run(&["db", "copy", "--to", down], b"");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not SQLite"), "{}", stderr(&out));
}
