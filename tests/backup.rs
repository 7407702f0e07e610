//! `embargo backup` and `embargo restore`, run as the binary against a
//! deployment whose database a `TestApp` holds open. SQLite only: these
//! back up a SQLite database (`VACUUM INTO`); on PostgreSQL the tests
//! return early, and the PostgreSQL procedure's key files are tested with
//! a `database_url` that names a server nobody connects to.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use embargo::db::Engine;
use sqlx::{AssertSqlSafe, Connection};

use crate::common::TestApp;

/// A deployment with a report, an advisory and their audit events; `None`
/// on PostgreSQL.
async fn deployment() -> Option<TestApp> {
    let app = TestApp::new().await;
    if app.state.db.engine != Engine::Sqlite {
        return None;
    }
    app.report("Heap overflow in the parser", Some("rita@example.net"))
        .await;
    let admin = app.admin_token().await;
    crate::advisories::create(&app, &admin).await;
    app.state.read_log.flush().await;
    Some(app)
}

/// `embargo --data DATA ARGS` on the default SQLite database of DATA.
fn embargo(data: &Path, args: &[&str]) -> Output {
    embargo_with(data, args, None)
}

fn embargo_with(data: &Path, args: &[&str], database_url: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_embargo"));
    c.arg("--data")
        .arg(data)
        .args(args)
        .env_remove("EMBARGO_CONFIG");
    match database_url {
        Some(url) => c.env("EMBARGO_DATABASE_URL", url),
        None => c.env_remove("EMBARGO_DATABASE_URL"),
    };
    c.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Backs `app` up to a new file in `dir`.
fn back_up(app: &TestApp, dir: &Path) -> PathBuf {
    let file = dir.join("embargo.backup");
    let out = embargo(app.dir.path(), &["backup", path(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    file
}

async fn count(db: &Path, sql: &str) -> i64 {
    let url = format!("sqlite://{}", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

fn fingerprint(data: &Path) -> String {
    let out = embargo(data, &["list-key", "show"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().next().unwrap().to_owned()
}

/// Puts `app`'s data key into the data directory `data` (made 0700), as
/// an operator does before a restore: no backup holds it.
fn bring_data_key(app: &TestApp, data: &Path) {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data)
        .unwrap();
    std::fs::copy(app.dir.path().join("data-key"), data.join("data-key")).unwrap();
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_backup_taken_while_the_service_writes_restores_the_same_rows_keys_and_audit_chain() {
    let Some(app) = deployment().await else {
        return;
    };
    let tables = ["reports", "advisories", "accounts", "audit_events"];
    let mut before = Vec::new();
    for t in tables {
        before.push(app.count(t).await);
    }
    assert!(before.iter().all(|&n| n > 0), "{before:?}");
    // A write in flight while the backup runs: not committed, not copied.
    let mut tx = app.state.db.begin().await.unwrap();
    sqlx::query("UPDATE health_probe SET at = 42 WHERE id = 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let file = back_up(&app, out_dir.path());
    tx.rollback().await.unwrap();
    assert_eq!(mode(&file), 0o600);
    assert_eq!(listing(out_dir.path()), ["embargo.backup"]);

    let target = tempfile::tempdir().unwrap();
    let data = target.path().join("data");
    // Without the data key, which no backup holds: refused, nothing written.
    let out = embargo(&data, &["restore", path(&file)]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no backup contains") && stderr(&out).contains("data-key"),
        "{}",
        stderr(&out)
    );
    assert!(!data.join("embargo.db").exists());
    bring_data_key(&app, &data);
    let out = embargo(&data, &["restore", path(&file)]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", stderr(&out));
    assert!(printed.contains("audit log OK: "), "{printed}");
    assert!(printed.contains("1 reports, 1 advisories"), "{printed}");
    assert!(printed.contains("list-key/current"), "{printed}");

    let db = data.join("embargo.db");
    for (t, n) in tables.iter().zip(&before) {
        assert_eq!(
            count(&db, &format!("SELECT COUNT(*) FROM {t}")).await,
            *n,
            "{t}"
        );
    }
    assert_ne!(
        count(&db, "SELECT at FROM health_probe WHERE id = 1").await,
        42
    );
    let left = "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'embargo_backup%'";
    assert_eq!(count(&db, left).await, 0);

    assert_eq!(fingerprint(&data), fingerprint(app.dir.path()));
    assert_eq!(
        std::fs::read(data.join("cookie-key")).unwrap(),
        std::fs::read(app.dir.path().join("cookie-key")).unwrap()
    );
    assert_eq!(mode(&data.join("cookie-key")), 0o600);
    assert_eq!(mode(&data.join("list-key")), 0o700);
    assert_eq!(mode(&data.join("list-key/current")), 0o600);
    let verify = embargo(&data, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
}

#[tokio::test]
async fn restoring_into_a_non_empty_directory_or_over_a_database_fails_and_changes_nothing() {
    let Some(app) = deployment().await else {
        return;
    };
    let out_dir = tempfile::tempdir().unwrap();
    let file = back_up(&app, out_dir.path());

    let target = tempfile::tempdir().unwrap();
    std::fs::write(target.path().join("notes.txt"), "mine").unwrap();
    let out = embargo(target.path(), &["restore", path(&file)]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    assert_eq!(listing(target.path()), ["notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(target.path().join("notes.txt")).unwrap(),
        "mine"
    );

    // An empty data directory, but a database elsewhere that exists.
    let data = tempfile::tempdir().unwrap();
    let elsewhere = target.path().join("notes.txt");
    let url = format!("sqlite://{}", elsewhere.display());
    let out = embargo_with(data.path(), &["restore", path(&file)], Some(&url));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert!(listing(data.path()).is_empty());
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "mine");
}

#[tokio::test]
async fn a_backup_never_replaces_a_file() {
    let Some(app) = deployment().await else {
        return;
    };
    let out_dir = tempfile::tempdir().unwrap();
    let file = back_up(&app, out_dir.path());
    let bytes = std::fs::read(&file).unwrap();
    let out = embargo(app.dir.path(), &["backup", path(&file)]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
    assert_eq!(listing(out_dir.path()), ["embargo.backup"]);
}

#[tokio::test]
async fn a_damaged_or_foreign_file_is_refused_with_a_clear_error() {
    let Some(app) = deployment().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let good = back_up(&app, dir.path());
    let bytes = std::fs::read(&good).unwrap();

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all, just some words").unwrap();
    let foreign = dir.path().join("other.db");
    let url = format!("sqlite://{}?mode=rwc", foreign.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE things (name TEXT)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let truncated = dir.path().join("truncated.backup");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();

    for (file, expected) in [
        (&text, "is not an embargo backup"),
        (&foreign, "is not an embargo backup"),
        (&truncated, "is not an embargo backup"),
    ] {
        let data = dir.path().join("data");
        let out = embargo(&data, &["restore", path(file)]);
        let err = stderr(&out);
        assert!(!out.status.success(), "{}", path(file));
        assert!(
            err.contains(path(file)) && (err.contains(expected) || err.contains("damaged")),
            "{err}"
        );
        assert!(!data.exists(), "nothing is written for {}", path(file));
    }
}

#[tokio::test]
async fn a_postgresql_deployment_backs_up_its_keys_and_is_told_how_to_dump_and_restore() {
    let Some(app) = deployment().await else {
        return;
    };
    // Nobody listens there: neither command may need the database.
    let pg = "postgres://embargo@127.0.0.1:9/embargo";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.backup");
    let out = embargo_with(app.dir.path(), &["backup", path(&file)], Some(pg));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("pg_dump --format=custom"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--keys-only"), "{}", stderr(&out));
    assert!(!file.exists());

    let out = embargo_with(
        app.dir.path(),
        &["backup", "--keys-only", path(&file)],
        Some(pg),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&file), 0o600);

    // Keys alone do not make a SQLite deployment.
    let data = dir.path().join("data");
    let out = embargo(&data, &["restore", path(&file)]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("only the key files"),
        "{}",
        stderr(&out)
    );
    assert!(!data.exists());

    // The list key in it is sealed with the data key, which it lacks.
    let out = embargo_with(&data, &["restore", path(&file)], Some(pg));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no backup contains") && stderr(&out).contains("data-key"),
        "{}",
        stderr(&out)
    );
    assert!(!data.join("list-key").exists());
    bring_data_key(&app, &data);
    let out = embargo_with(&data, &["restore", path(&file)], Some(pg));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("pg_restore "), "{}", stdout(&out));
    assert_eq!(
        std::fs::read(data.join("list-key/current")).unwrap(),
        std::fs::read(app.dir.path().join("list-key/current")).unwrap()
    );
    assert!(!data.join("embargo.db").exists());
}

#[tokio::test]
async fn a_restore_whose_audit_chain_does_not_verify_says_so_and_fails() {
    let Some(app) = deployment().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = back_up(&app, dir.path());
    let url = format!("sqlite://{}", file.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE audit_events SET subject = 'someone else' WHERE seq = 1")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let data = dir.path().join("data");
    bring_data_key(&app, &data);
    let out = embargo(&data, &["restore", path(&file)]);
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("audit log BROKEN: event 1"),
        "{}",
        stdout(&out)
    );
}
