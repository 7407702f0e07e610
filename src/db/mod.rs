//! Storage: one query layer over SQLite and PostgreSQL through sqlx's `Any`
//! driver. Queries use `$N` placeholders, which both engines accept.

pub mod accounts;
pub mod advisories;
pub mod advisory_embargo;
pub mod advisory_lists;
pub mod advisory_patches;
pub mod applications;
pub mod audit;
pub mod counters;
pub mod cursor;
pub mod jobs;
pub mod keys;
pub mod liveness;
pub mod members;
pub mod migrate;
pub mod public_documents;
pub mod report_attachments;
pub mod reports;
pub mod sessions;

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};

pub use sqlx::Error as DbError;

/// A transaction; the use case that needs atomicity opens it.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// How SQLite commits. `Full` (the default) syncs every commit to disk
/// before it returns, so an acknowledged report survives a power cut;
/// `Normal` is faster and may lose the last commits on power loss (never on
/// a process crash).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSync {
    #[default]
    Full,
    Normal,
}

/// The connection pool and which engine is behind it.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
}

impl Db {
    /// Connects and runs pending migrations. SQLite gets WAL, foreign keys and
    /// a busy timeout on every connection.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        Self::connect_with(url, SqliteSync::default()).await
    }

    /// [`Db::connect`] with SQLite's commit mode chosen.
    pub async fn connect_with(url: &str, sync: SqliteSync) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            Engine::Postgres
        };
        let options: AnyConnectOptions = url
            .parse::<AnyConnectOptions>()?
            .log_statements(tracing::log::LevelFilter::Trace);
        // One direct attempt first: a wrong URL or a database that is down
        // fails at once instead of after the pool's acquire timeout.
        tokio::time::timeout(
            Duration::from_secs(10),
            AnyConnection::connect_with(&options),
        )
        .await
        .map_err(|_| DbError::PoolTimedOut)??
        .close()
        .await?;
        let pool = AnyPoolOptions::new()
            .max_connections(if engine == Engine::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn: &mut AnyConnection, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute(match sync {
                            SqliteSync::Full => "PRAGMA synchronous = FULL",
                            SqliteSync::Normal => "PRAGMA synchronous = NORMAL",
                        })
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let db = Db { pool, engine };
        migrate::run(&db).await?;
        Ok(db)
    }

    /// Begins a transaction. On SQLite it takes the write lock up front, so two
    /// writers queue on the busy timeout instead of failing on lock upgrade.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    /// A read-only transaction that sees one snapshot throughout, however
    /// much is written meanwhile (WAL on SQLite, REPEATABLE READ on
    /// PostgreSQL).
    pub async fn begin_snapshot(&self) -> Result<Tx, DbError> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await,
            Engine::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
    }

    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, DbError> {
        self.pool.acquire().await
    }

    /// Answers when the database does (`/healthz`).
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await
    }
}

/// The current instant in microseconds since the Unix epoch, by the clock
/// of the request or job being served ([`crate::clock`]).
pub fn now() -> i64 {
    crate::clock::now()
}

/// Microseconds in `seconds`.
pub fn seconds(seconds: i64) -> i64 {
    seconds.saturating_mul(1_000_000)
}
