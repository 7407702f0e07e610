//! SQLite's write-ahead log goes back into the database file beside the
//! writers (`Db::checkpoint`, run in the background by every `Db`), never
//! inside a commit, where every writer queued behind it would wait; under
//! steady writes the log is made to start over in the write turn
//! (`Db::keep_log`) instead of growing without end.
//! SQLite only, whatever `EMBARGO_TEST_DATABASE_URL` says: PostgreSQL has
//! no such log to manage.

use embargo::db::Db;
use sqlx::Executor;

/// A SQLite database in a temporary directory with an empty `scratch`
/// table of pages.
async fn scratch_db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("log.db").display());
    let db = Db::connect(&url).await.expect("database");
    db.conn()
        .await
        .expect("connection")
        .execute("CREATE TABLE scratch (b BLOB NOT NULL)")
        .await
        .expect("table");
    (dir, db)
}

/// Commits `pages` rows of one page each in one transaction.
async fn commit_pages(db: &Db, pages: usize) {
    let page = vec![7u8; 4096];
    let mut tx = db.begin().await.expect("begin");
    for _ in 0..pages {
        sqlx::query("INSERT INTO scratch (b) VALUES ($1)")
            .bind(&page)
            .execute(&mut *tx)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn commits_leave_the_log_to_the_checkpoint_which_copies_it_whole() {
    let (_dir, db) = scratch_db().await;
    let automatic: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
        .fetch_one(&db.pool)
        .await
        .expect("pragma");
    assert_eq!(automatic, 0, "commits do not checkpoint");
    db.checkpoint().await.expect("checkpoint");

    // 1,500 pages and more: SQLite's own checkpoint (at 1,000) would have
    // copied and restarted the log in one of these commits.
    for _ in 0..15 {
        commit_pages(&db, 100).await;
    }
    let (log, copied) = db.checkpoint().await.expect("checkpoint");
    assert!(log >= 1_500, "the commits left {log} frames in the log");
    assert_eq!(copied, log, "with no reader, all of it is copied");
    let (log, copied) = db.checkpoint().await.expect("checkpoint");
    assert_eq!(copied, log, "{log} frames, {copied} copied");
}

/// Under steady writes and reads a passive checkpoint never catches up
/// with the last commit, or a reader still reads from the log when it has,
/// so the log never started over and grew without end (some 50 MB a
/// second at full intake). The round in the write turn bounds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_steady_writes_and_reads_the_log_starts_over_instead_of_growing() {
    let rounds = steady_writes_and_reads(200).await;
    let restarts = rounds.iter().filter(|r| r.restarted).count();
    let most = rounds.iter().map(|r| r.frames).max().unwrap_or(0);
    assert!(restarts > 0, "never started over: {rounds:?}");
    assert!(
        most < 1_000,
        "the log grew to {most} frames of the 2,400 written: {rounds:?}"
    );
}

/// Rounds of `Db::keep_log(restart_at)`, one after every 25 of 600
/// commits of 4 pages (2,400 frames), as the writer goes on; two other
/// tasks read the table over and over meanwhile.
async fn steady_writes_and_reads(restart_at: i64) -> Vec<embargo::db::LogRound> {
    let (_dir, db) = scratch_db().await;
    let (tick, mut ticks) = tokio::sync::mpsc::unbounded_channel();
    let writer = tokio::spawn({
        let db = db.clone();
        async move {
            for commit in 1..=600 {
                commit_pages(&db, 4).await;
                if commit % 25 == 0 {
                    let _ = tick.send(());
                }
            }
        }
    });
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (db, done) = (db.clone(), done.clone());
            tokio::spawn(async move {
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    sqlx::query("SELECT count(*) FROM scratch")
                        .fetch_one(&db.pool)
                        .await
                        .expect("read");
                }
            })
        })
        .collect();
    let mut rounds = Vec::new();
    while ticks.recv().await.is_some() {
        rounds.push(db.keep_log(restart_at).await.expect("round"));
    }
    writer.await.expect("writer");
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        reader.await.expect("reader");
    }
    rounds
}

/// A long reader keeps the passive passes from copying what was committed
/// after it began; the round then ends without the write turn, where
/// copying (and syncing) all of it would hold every writer, and the log
/// starts over at a round after the reader is done.
#[tokio::test]
async fn much_left_to_copy_keeps_the_round_out_of_the_write_turn() {
    let (_dir, db) = scratch_db().await;
    commit_pages(&db, 10).await;
    let mut reader = db.conn().await.expect("connection");
    reader.execute("BEGIN").await.expect("begin");
    sqlx::query("SELECT count(*) FROM scratch")
        .fetch_one(&mut *reader)
        .await
        .expect("read");
    commit_pages(&db, 400).await;

    // A writer holds the turn: a round that waited for it would never end.
    let writer = db.begin().await.expect("begin");
    let round = tokio::time::timeout(std::time::Duration::from_secs(30), db.keep_log(200))
        .await
        .expect("the round waited for the write turn")
        .expect("round");
    assert!(round.frames >= 400, "{round:?}");
    assert!(!round.restarted, "{round:?}");
    writer.rollback().await.expect("rollback");

    reader.execute("COMMIT").await.expect("commit");
    drop(reader);
    let round = db.keep_log(200).await.expect("round");
    assert!(round.restarted, "{round:?}");
}
