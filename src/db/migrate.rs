//! Migrations: one tree of portable SQL, applied in order, each once.

use sqlx::{AssertSqlSafe, Executor};

use super::{Db, DbError, Engine};

/// Embedded at build time so the binary carries its schema.
#[rustfmt::skip]
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../../migrations/0001_foundation.sql")),
    (2, "advisories", include_str!("../../migrations/0002_advisories.sql")),
    (3, "membership", include_str!("../../migrations/0003_membership.sql")),
    (4, "liveness", include_str!("../../migrations/0004_liveness.sql")),
    (5, "contact_keys", include_str!("../../migrations/0005_contact_keys.sql")),
    (6, "job_engine", include_str!("../../migrations/0006_job_engine.sql")),
    (7, "concurrency", include_str!("../../migrations/0007_concurrency.sql")),
    (8, "public_documents", include_str!("../../migrations/0008_public_documents.sql")),
    (9, "health_probe", include_str!("../../migrations/0009_health_probe.sql")),
    (10, "announcements", include_str!("../../migrations/0010_announcements.sql")),
    (11, "ciphertexts", include_str!("../../migrations/0011_ciphertexts.sql")),
    (12, "announcement_purpose", include_str!("../../migrations/0012_announcement_purpose.sql")),
    (13, "shares", include_str!("../../migrations/0013_shares.sql")),
    (14, "announcement_audience", include_str!("../../migrations/0014_announcement_audience.sql")),
    (15, "clear_text_allowed", include_str!("../../migrations/0015_clear_text_allowed.sql")),
    (16, "leaks", include_str!("../../migrations/0016_leaks.sql")),
    (17, "contributions", include_str!("../../migrations/0017_contributions.sql")),
    (18, "leak_notices", include_str!("../../migrations/0018_leak_notices.sql")),
    (19, "templates", include_str!("../../migrations/0019_templates.sql")),
    (20, "advisories_by_report", include_str!("../../migrations/0020_advisories_by_report.sql")),
    (21, "list_indexes", include_str!("../../migrations/0021_list_indexes.sql")),
    (22, "account_time_zone", include_str!("../../migrations/0022_account_time_zone.sql")),
    (23, "metrics_indexes", include_str!("../../migrations/0023_metrics_indexes.sql")),
    (24, "github_mirrors", include_str!("../../migrations/0024_github_mirrors.sql")),
    (25, "passkeys", include_str!("../../migrations/0025_passkeys.sql")),
    (26, "job_partial_indexes", include_str!("../../migrations/0026_job_partial_indexes.sql")),
    (27, "contact_key_packets", include_str!("../../migrations/0027_contact_key_packets.sql")),
];

/// The last migration this binary knows: a backup made at a later one
/// needs a newer embargo to restore.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Migrations whose SQLite side rebuilds a table other tables reference
/// (SQLite cannot change a CHECK constraint in place): they run with
/// foreign keys off, as SQLite's own procedure for such changes says, and
/// are checked with `PRAGMA foreign_key_check` before they commit.
const REBUILDS: &[i64] = &[18];

/// Serialises migrating instances on PostgreSQL.
const PG_LOCK_KEY: i64 = 0x656d_6261_7267;

pub async fn run(db: &Db) -> Result<(), DbError> {
    let mut conn = db.pool.acquire().await?;
    if db.engine == Engine::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(PG_LOCK_KEY)
            .execute(&mut *conn)
            .await?;
    }
    let result = apply(db, &mut conn).await;
    if db.engine == Engine::Postgres {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(PG_LOCK_KEY)
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply(db: &Db, conn: &mut sqlx::AnyConnection) -> Result<(), DbError> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await?;
    for &(version, name, sql) in MIGRATIONS {
        if applied.contains(&version) {
            continue;
        }
        let sql = match db.engine {
            Engine::Sqlite => sql.to_owned(),
            Engine::Postgres => sql.replace(" BLOB", " BYTEA"),
        };
        let rebuild = db.engine == Engine::Sqlite && REBUILDS.contains(&version);
        if rebuild {
            // Only outside a transaction does this take effect.
            conn.execute("PRAGMA foreign_keys = OFF").await?;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for statement in split_statements(&sql) {
            let (engine, statement) = engine_of(&statement);
            if engine.is_none_or(|e| e == db.engine) {
                tx.execute(AssertSqlSafe(statement.to_owned())).await?;
            }
        }
        if rebuild {
            let broken: Vec<String> =
                sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(&mut *tx)
                    .await?;
            if !broken.is_empty() {
                return Err(DbError::Protocol(format!(
                    "migration {version} would break foreign keys in {broken:?}"
                )));
            }
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(version)
        .bind(name)
        .bind(super::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if rebuild {
            conn.execute("PRAGMA foreign_keys = ON").await?;
        }
        tracing::info!(
            migration.version = version,
            migration.name = name,
            "applied migration"
        );
    }
    Ok(())
}

/// How a database's applied migrations compare with this binary's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Exactly the ones this binary knows.
    Current,
    /// One this binary knows is not applied.
    Missing,
    /// One this binary does not know is applied (a newer binary's).
    Newer,
}

/// Compares the versions in `schema_migrations` with this binary's: a
/// query over at most a few dozen rows, cheap enough for every probe.
pub async fn schema(conn: &mut sqlx::AnyConnection) -> Result<Schema, DbError> {
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await?;
    Ok(compare(&applied))
}

fn compare(applied: &[i64]) -> Schema {
    if applied
        .iter()
        .any(|v| !MIGRATIONS.iter().any(|m| m.0 == *v))
    {
        Schema::Newer
    } else if MIGRATIONS.iter().any(|m| !applied.contains(&m.0)) {
        Schema::Missing
    } else {
        Schema::Current
    }
}

/// A statement marked `/*sqlite*/` or `/*postgres*/` runs on that engine
/// only; an unmarked one on both.
fn engine_of(statement: &str) -> (Option<Engine>, &str) {
    let s = statement.trim_start();
    if let Some(rest) = s.strip_prefix("/*sqlite*/") {
        (Some(Engine::Sqlite), rest)
    } else if let Some(rest) = s.strip_prefix("/*postgres*/") {
        (Some(Engine::Postgres), rest)
    } else {
        (None, statement)
    }
}

/// Splits a script on semicolons that end a line; comment lines are dropped.
fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in sql.lines() {
        if line.trim_start().starts_with("--") {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if line.trim_end().ends_with(';') {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{MIGRATIONS, Schema, compare};

    #[test]
    fn the_schema_is_current_only_with_exactly_the_known_migrations() {
        let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.0).collect();
        assert_eq!(compare(&all), Schema::Current);
        assert_eq!(compare(&all[1..]), Schema::Missing);
        let mut newer = all.clone();
        newer.push(all[all.len() - 1] + 1);
        assert_eq!(compare(&newer), Schema::Newer);
        // A newer binary's database that also lacks one is still newer:
        // upgrading this one is the answer either way.
        assert_eq!(compare(&newer[1..]), Schema::Newer);
    }

    #[test]
    fn splits_on_line_ending_semicolons() {
        let s = super::split_statements(
            "-- c\nCREATE TABLE a (x TEXT);\nINSERT INTO a\nVALUES ('x');\n",
        );
        assert_eq!(s.len(), 2);
        assert!(s[1].contains("VALUES"));
    }
}
