//! The reads `embargo doctor` makes: on one connection opened read-only,
//! without running migrations, so looking at a deployment never changes it.

use std::path::PathBuf;
use std::time::Duration;

use sqlx::{AnyConnection, ConnectOptions, Connection, Executor};

use super::migrate::{self, Schema};
use super::{DbError, Engine};

/// How long opening the connection may take: a database that is down
/// should be reported, not waited for.
const CONNECT_DEADLINE: Duration = Duration::from_secs(10);

/// Where a database URL points, as far as opening it read-only goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A SQLite file, to be opened with `mode=ro`.
    SqliteFile(PathBuf),
    /// SQLite in memory: nothing to look at.
    SqliteMemory,
    Postgres(String),
}

/// Reads a `database_url`: SQLite's own options (`mode=rwc`) are dropped,
/// so the file is never created.
pub fn target(url: &str) -> Target {
    match url.strip_prefix("sqlite:") {
        Some(rest) => {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                Target::SqliteMemory
            } else {
                Target::SqliteFile(PathBuf::from(path))
            }
        }
        None => Target::Postgres(url.to_owned()),
    }
}

/// One connection that cannot write: SQLite opened `mode=ro` (the file
/// must exist), PostgreSQL with read-only transactions by default.
pub async fn open_read_only(target: &Target) -> Result<(AnyConnection, Engine), DbError> {
    sqlx::any::install_default_drivers();
    let (url, engine) = match target {
        Target::SqliteFile(path) => (
            format!("sqlite://{}?mode=ro", path.display()),
            Engine::Sqlite,
        ),
        Target::SqliteMemory => ("sqlite::memory:".to_owned(), Engine::Sqlite),
        Target::Postgres(url) => (url.clone(), Engine::Postgres),
    };
    let options = url
        .parse::<sqlx::any::AnyConnectOptions>()?
        .log_statements(tracing::log::LevelFilter::Trace);
    let mut conn = tokio::time::timeout(CONNECT_DEADLINE, AnyConnection::connect_with(&options))
        .await
        .map_err(|_| DbError::PoolTimedOut)??;
    if engine == Engine::Postgres {
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            .await?;
    }
    conn.ping().await?;
    Ok((conn, engine))
}

/// The applied migrations against this binary's; `None` when the
/// database has no migrations table at all (never served).
pub async fn schema(conn: &mut AnyConnection, engine: Engine) -> Result<Option<Schema>, DbError> {
    let sql = match engine {
        Engine::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        }
        Engine::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()"
        }
    };
    let tables: i64 = sqlx::query_scalar(sql).fetch_one(&mut *conn).await?;
    if tables == 0 {
        return Ok(None);
    }
    migrate::schema(conn).await.map(Some)
}

/// PostgreSQL's `server_version_num` (150004 for 15.4) and its
/// `server_version` as shown to people.
pub async fn postgres_version(conn: &mut AnyConnection) -> Result<(i64, String), DbError> {
    let num: String = sqlx::query_scalar("SELECT current_setting('server_version_num')")
        .fetch_one(&mut *conn)
        .await?;
    let shown: String = sqlx::query_scalar("SELECT current_setting('server_version')")
        .fetch_one(&mut *conn)
        .await?;
    let num = num
        .trim()
        .parse()
        .map_err(|e| DbError::Decode(format!("server_version_num {num:?}: {e}").into()))?;
    Ok((num, shown))
}

/// The database server's clock, in microseconds since the Unix epoch
/// (`clock_timestamp()`: the instant of the call, not of the transaction).
pub async fn postgres_now(conn: &mut AnyConnection) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)")
        .fetch_one(conn)
        .await
}

/// The first-admin set-up: active admins (as `accounts::count_admins`
/// counts them) and the expiry of the newest bootstrap set-up link still
/// open at `now`, if any.
pub async fn first_admin(
    conn: &mut AnyConnection,
    now: i64,
) -> Result<(i64, Option<i64>), DbError> {
    let admins = super::accounts::count_admins(&mut *conn).await?;
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(l.expires_at) FROM setup_links l JOIN accounts a ON a.id = l.account_id \
         WHERE a.role = 'admin' AND a.email = '' AND l.used_at IS NULL AND l.expires_at > $1",
    )
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok((admins, open))
}

#[cfg(test)]
mod tests {
    use super::{Target, target};

    #[test]
    fn sqlite_urls_lose_their_options_and_postgres_urls_stay() {
        assert_eq!(
            target("sqlite:///var/lib/embargo/embargo.db?mode=rwc"),
            Target::SqliteFile("/var/lib/embargo/embargo.db".into())
        );
        assert_eq!(
            target("sqlite:data/embargo.db"),
            Target::SqliteFile("data/embargo.db".into())
        );
        assert_eq!(target("sqlite::memory:"), Target::SqliteMemory);
        let pg = "postgres://u:p@db/embargo";
        assert_eq!(target(pg), Target::Postgres(pg.into()));
    }
}
