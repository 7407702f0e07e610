//! SQLite's write-ahead log goes back into the database file beside the
//! writers (`Db::checkpoint`, run in the background by every `Db`), never
//! inside a commit, where every writer queued behind it would wait.
//! SQLite only, whatever `EMBARGO_TEST_DATABASE_URL` says: PostgreSQL has
//! no such log to manage.

use embargo::db::Db;
use sqlx::Executor;

#[tokio::test]
async fn commits_leave_the_log_to_the_checkpoint_which_copies_it_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("log.db").display());
    let db = Db::connect(&url).await.expect("database");
    let mut conn = db.conn().await.expect("connection");
    let automatic: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
        .fetch_one(&mut *conn)
        .await
        .expect("pragma");
    assert_eq!(automatic, 0, "commits do not checkpoint");
    conn.execute("CREATE TABLE scratch (b BLOB NOT NULL)")
        .await
        .expect("table");
    drop(conn);
    db.checkpoint().await.expect("checkpoint");

    // 1,500 pages and more: SQLite's own checkpoint (at 1,000) would have
    // copied and restarted the log in one of these commits.
    let page = vec![7u8; 4096];
    for _ in 0..15 {
        let mut tx = db.begin().await.expect("begin");
        for _ in 0..100 {
            sqlx::query("INSERT INTO scratch (b) VALUES ($1)")
                .bind(&page)
                .execute(&mut *tx)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    let (log, copied) = db.checkpoint().await.expect("checkpoint");
    assert!(log >= 1_500, "the commits left {log} frames in the log");
    assert_eq!(copied, log, "with no reader, all of it is copied");
    let (log, copied) = db.checkpoint().await.expect("checkpoint");
    assert_eq!(copied, log, "{log} frames, {copied} copied");
}
