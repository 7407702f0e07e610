//! The backup file's SQL (`embargo backup`, `app::backup`): SQLite only,
//! through sqlx's SQLite driver, since `VACUUM INTO` and a file of our own
//! are SQLite things whatever engine the service runs on.
//!
//! A backup file is a SQLite database: the service's tables as `VACUUM
//! INTO` wrote them (none in a keys-only backup), plus
//! `embargo_backup_meta` (one row) and `embargo_backup_files` (the key
//! files of the data directory), which a restore drops again.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor, Row};

use super::DbError;

/// The tables a backup adds; a restore drops them.
const META: &str = "embargo_backup_meta";
const FILES: &str = "embargo_backup_files";

/// Tables whose rows the summaries count.
pub const COUNTED: &[&str] = &[
    "accounts",
    "members",
    "reports",
    "advisories",
    "announcements",
    "audit_events",
];

/// The backup's own row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The layout of the file; 1 is this one.
    pub format: i64,
    /// `full` (database and key files) or `keys-only`.
    pub contents: String,
    /// The embargo version that wrote it.
    pub embargo_version: String,
    /// RFC 3339.
    pub created_at: String,
    /// The last migration the database had; none in a keys-only backup.
    pub migration: Option<i64>,
    /// `sqlite` or `postgres`: the engine of the deployment backed up.
    pub engine: String,
}

/// One file of the data directory, by its path there (`list-key/current`).
pub struct File {
    pub path: String,
    pub mode: u32,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Key material stays out of any printed value.
        write!(
            f,
            "File({}, {:o}, {} bytes)",
            self.path,
            self.mode,
            self.content.len()
        )
    }
}

/// Opens the service's SQLite database at `url` as it is: no migrations,
/// not created when missing; waits for writers like the service does.
pub async fn open_live(url: &str) -> Result<SqliteConnection, DbError> {
    SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
}

/// The database file a SQLite URL names.
pub fn sqlite_file(url: &str) -> Result<std::path::PathBuf, DbError> {
    Ok(SqliteConnectOptions::from_str(url)?
        .get_filename()
        .to_owned())
}

/// Opens a backup file (or one being made) on its own, with a rollback
/// journal so the file never needs a `-wal` beside it.
pub async fn open_file(path: &Path, read_only: bool) -> Result<SqliteConnection, DbError> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(read_only)
        .journal_mode(SqliteJournalMode::Delete)
        .connect()
        .await
}

/// Writes a consistent snapshot of `live` into `into`, an empty file:
/// one read transaction, so writers carry on meanwhile.
pub async fn vacuum_into(live: &mut SqliteConnection, into: &Path) -> Result<(), DbError> {
    let into = into
        .to_str()
        .ok_or_else(|| DbError::Protocol("the backup file's path is not valid UTF-8".to_owned()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(into)
        .execute(&mut *live)
        .await?;
    Ok(())
}

/// The last migration applied, from the snapshot.
pub async fn migration(conn: &mut SqliteConnection) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        .fetch_one(conn)
        .await
}

/// Adds the backup's tables with `meta` and `files`, in one transaction.
pub async fn write(
    conn: &mut SqliteConnection,
    meta: &Meta,
    files: &[File],
) -> Result<(), DbError> {
    let mut tx = conn.begin().await?;
    tx.execute(AssertSqlSafe(format!(
        "CREATE TABLE {META} (format INTEGER NOT NULL, contents TEXT NOT NULL, \
         embargo_version TEXT NOT NULL, created_at TEXT NOT NULL, migration INTEGER, \
         engine TEXT NOT NULL)"
    )))
    .await?;
    tx.execute(AssertSqlSafe(format!(
        "CREATE TABLE {FILES} (path TEXT PRIMARY KEY, mode INTEGER NOT NULL, content BLOB NOT NULL)"
    )))
    .await?;
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {META} (format, contents, embargo_version, created_at, migration, engine) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )))
    .bind(meta.format)
    .bind(&meta.contents)
    .bind(&meta.embargo_version)
    .bind(&meta.created_at)
    .bind(meta.migration)
    .bind(&meta.engine)
    .execute(&mut *tx)
    .await?;
    for f in files {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO {FILES} (path, mode, content) VALUES ($1, $2, $3)"
        )))
        .bind(&f.path)
        .bind(i64::from(f.mode))
        .bind(&f.content)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Whether SQLite finds the file whole (`PRAGMA quick_check`): `None`
/// when it does, else its first complaint.
pub async fn damage(conn: &mut SqliteConnection) -> Result<Option<String>, DbError> {
    let first: String = sqlx::query_scalar("PRAGMA quick_check(1)")
        .fetch_one(conn)
        .await?;
    Ok((first != "ok").then_some(first))
}

/// The backup's row; `None` when the file has no such table (not a backup).
pub async fn read_meta(conn: &mut SqliteConnection) -> Result<Option<Meta>, DbError> {
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ($1, $2)",
    )
    .bind(META)
    .bind(FILES)
    .fetch_one(&mut *conn)
    .await?;
    if tables != 2 {
        return Ok(None);
    }
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT format, contents, embargo_version, created_at, migration, engine FROM {META}"
    )))
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Meta {
            format: r.try_get(0)?,
            contents: r.try_get(1)?,
            embargo_version: r.try_get(2)?,
            created_at: r.try_get(3)?,
            migration: r.try_get(4)?,
            engine: r.try_get(5)?,
        })
    })
    .transpose()
}

/// The files the backup holds, by path.
pub async fn read_files(conn: &mut SqliteConnection) -> Result<Vec<File>, DbError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT path, mode, content FROM {FILES} ORDER BY path"
    )))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let mode: i64 = r.try_get(1)?;
            Ok(File {
                path: r.try_get(0)?,
                mode: u32::try_from(mode).unwrap_or(0o600) & 0o777,
                content: r.try_get(2)?,
            })
        })
        .collect()
}

/// Drops the backup's tables and rewrites the file, so the key files are
/// gone from its free pages too: the service's database never holds them.
pub async fn strip(conn: &mut SqliteConnection) -> Result<(), DbError> {
    conn.execute(AssertSqlSafe(format!("DROP TABLE {FILES}")))
        .await?;
    conn.execute(AssertSqlSafe(format!("DROP TABLE {META}")))
        .await?;
    conn.execute("VACUUM").await?;
    Ok(())
}

/// Rows of each of [`COUNTED`].
pub async fn counts(conn: &mut SqliteConnection) -> Result<Vec<(&'static str, i64)>, DbError> {
    let mut out = Vec::with_capacity(COUNTED.len());
    for table in COUNTED {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut *conn)
            .await?;
        out.push((*table, n));
    }
    Ok(out)
}
