//! Storage: one query layer over SQLite and PostgreSQL through sqlx's `Any`
//! driver. Queries use `$N` placeholders, which both engines accept.

pub mod accounts;
pub mod advisories;
pub mod advisory_embargo;
pub mod advisory_lists;
pub mod advisory_patches;
pub mod announcements;
pub mod applications;
pub mod audience;
pub mod audit;
pub mod backup;
mod batch;
mod sqlite_log;
pub use sqlite_log::LogRound;
pub mod clear_text;
pub mod contact_status;
pub mod copy;
pub mod counters;
pub mod cursor;
pub mod doctor;
pub mod github;
pub mod job_lists;
pub mod jobs;
pub mod keys;
pub mod leaks;
pub mod liveness;
pub mod member_lists;
pub mod member_record;
pub mod members;
pub mod metrics;
pub mod migrate;
pub mod passkeys;
pub mod public_documents;
pub mod recovery_codes;
pub mod report_attachments;
pub mod reports;
pub mod reseal;
pub mod sealed;
pub mod search;
pub mod sessions;
pub mod shares;
pub mod tasks;
pub mod templates;
pub mod test_reports;

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Row};

pub use sqlx::Error as DbError;

pub(crate) use batch::{Params, list, padded, placeholders, rows_per_statement};

/// A transaction; the use case that needs atomicity opens it. Audit events
/// of the change wait in it and join the chain at commit, so the chain's
/// head is locked only for the commit, not the whole transaction.
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    audit: Vec<audit::Pending>,
    /// This process's write turn on SQLite ([`Db::begin`]), given back
    /// when the transaction ends; declared after `inner`, so it goes after.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    fn new(
        inner: sqlx::Transaction<'static, sqlx::Any>,
        turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    ) -> Self {
        Self {
            inner,
            audit: Vec::new(),
            _turn: turn,
        }
    }

    /// Keeps an audit event to be appended when this transaction commits.
    pub(crate) fn audit(&mut self, event: audit::Pending) {
        self.audit.push(event);
    }

    /// Appends the transaction's audit events, then commits.
    pub async fn commit(mut self) -> Result<(), DbError> {
        let events = std::mem::take(&mut self.audit);
        audit::append_all(&mut self.inner, &events).await?;
        self.inner.commit().await
    }

    /// Ends the transaction without changing anything; its audit events go too.
    pub async fn rollback(self) -> Result<(), DbError> {
        self.inner.rollback().await
    }
}

impl Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("pending_audit_events", &self.audit.len())
            .finish()
    }
}

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
    /// SQLite: the one connection [`Db::begin`] writes on.
    writer: Option<AnyPool>,
    pub engine: Engine,
    /// On SQLite, whose writers take turns, the turn of this process's
    /// writers: [`Db::begin`] waits for it before `BEGIN IMMEDIATE`, so
    /// they queue here and each starts the moment the one before commits,
    /// instead of meeting SQLite's lock and sleeping in its busy handler
    /// (1, 2, 5, 10 ms and longer between tries), which under a fan-out's
    /// steady writes cost more than the writes. Other processes still meet
    /// the busy handler.
    write_turn: Arc<tokio::sync::Mutex<()>>,
    /// SQLite: what keeps its write-ahead log short ([`Db::keep_log`]).
    log: Option<Arc<tokio::sync::Mutex<sqlite_log::Keeper>>>,
    /// Held by every clone: the background checkpointer of a SQLite
    /// database stops once the last clone is gone.
    alive: Arc<()>,
}

/// How long [`Db::begin`] waits for its write turn: SQLite's busy timeout.
const WRITE_TURN_WAIT: Duration = Duration::from_secs(10);

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
        let pool = pool_options(engine, sync, if engine == Engine::Sqlite { 4 } else { 8 })
            .connect_with(options.clone())
            .await?;
        // SQLite's one writer at a time gets one connection of its own:
        // each connection caches pages, and a write on another connection
        // empties that cache, so writers taking turns on the pool's
        // connections read the tables' upper pages again on every turn.
        let writer = match engine {
            Engine::Sqlite => Some(
                pool_options(engine, sync, 1)
                    .connect_with(options.clone())
                    .await?,
            ),
            Engine::Postgres => None,
        };
        let write_turn = Arc::new(tokio::sync::Mutex::new(()));
        let log = (engine == Engine::Sqlite).then(|| {
            Arc::new(tokio::sync::Mutex::new(sqlite_log::Keeper::new(
                pool.clone(),
                options,
                write_turn.clone(),
            )))
        });
        let db = Db {
            pool,
            writer,
            engine,
            write_turn,
            log,
            alive: Arc::new(()),
        };
        migrate::run(&db).await?;
        if let Some(log) = &db.log {
            tokio::spawn(sqlite_log::keep(log.clone(), Arc::downgrade(&db.alive)));
        }
        Ok(db)
    }

    /// Closes the connections, the writer's and the log keeper's too.
    pub async fn close(&self) {
        for pool in self.pools() {
            pool.close().await;
        }
        if let Some(log) = &self.log {
            log.lock().await.close().await;
        }
    }

    /// Every pool: the shared one and, on SQLite, the writer's.
    pub fn pools(&self) -> impl Iterator<Item = &AnyPool> {
        std::iter::once(&self.pool).chain(&self.writer)
    }

    /// Copies what SQLite's write-ahead log holds back into the database
    /// file, as far as readers allow, without waiting for readers or
    /// writers (a `PASSIVE` checkpoint); answers the log's frames and
    /// those copied. Nothing to do on PostgreSQL: `(0, 0)`.
    pub async fn checkpoint(&self) -> Result<(i64, i64), DbError> {
        match self.engine {
            Engine::Sqlite => sqlite_log::checkpoint(&self.pool).await,
            Engine::Postgres => Ok((0, 0)),
        }
    }

    /// One round of what the background does every half second on SQLite
    /// (nothing on PostgreSQL): a passive checkpoint and, once the log
    /// holds `restart_at` frames or more, the rest of the copy in the write
    /// turn so that the next commit writes the log from its start.
    pub async fn keep_log(&self, restart_at: i64) -> Result<LogRound, DbError> {
        match &self.log {
            Some(log) => log.lock().await.round(restart_at).await,
            None => Ok(LogRound {
                frames: 0,
                restarted: false,
            }),
        }
    }

    /// Begins a transaction. On SQLite it takes the write lock up front, so two
    /// writers queue on the busy timeout instead of failing on lock upgrade.
    /// Writers of this process take turns first (see `write_turn`).
    pub async fn begin(&self) -> Result<Tx, DbError> {
        match self.engine {
            Engine::Sqlite => {
                let turn =
                    tokio::time::timeout(WRITE_TURN_WAIT, self.write_turn.clone().lock_owned())
                        .await
                        .map_err(|_| {
                            DbError::Io(std::io::Error::new(
                                std::io::ErrorKind::TimedOut,
                                "the database stayed locked by this process's other writers",
                            ))
                        })?;
                let pool = self.writer.as_ref().unwrap_or(&self.pool);
                let inner = pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Tx::new(inner, Some(turn)))
            }
            Engine::Postgres => Ok(Tx::new(self.pool.begin().await?, None)),
        }
    }

    /// A read-only transaction that sees one snapshot throughout, however
    /// much is written meanwhile (WAL on SQLite, REPEATABLE READ on
    /// PostgreSQL).
    pub async fn begin_snapshot(&self) -> Result<Tx, DbError> {
        let inner = match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await?,
            Engine::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        };
        Ok(Tx::new(inner, None))
    }

    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, DbError> {
        self.pool.acquire().await
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await
    }

    /// Commits one small write (`/healthz`): a database that answers but
    /// refuses writes (full disk, read-only) is not ready.
    pub async fn probe_write(&self) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE health_probe SET at = $1 WHERE id = 1")
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}

/// The options of a pool of at most `max` connections: on SQLite, WAL and
/// the settings below on each.
fn pool_options(engine: Engine, sync: SqliteSync, max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn: &mut AnyConnection, _| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    // Statement journals (a multi-row INSERT inside a
                    // transaction) in memory, not in temporary files.
                    conn.execute("PRAGMA temp_store = MEMORY").await?;
                    // 16 MiB of pages per connection instead of 2: a
                    // fan-out to 10,000 touches more than 2 MiB of
                    // deliveries and jobs, and each page not cached is
                    // read again through a system call.
                    conn.execute("PRAGMA cache_size = -16384").await?;
                    // Checkpoints run in the background instead of in
                    // the commit that crosses 1,000 pages of log.
                    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                    // A log that grew under a burst shrinks back to this
                    // when it next starts over (see `sqlite_log`).
                    conn.execute("PRAGMA journal_size_limit = 67108864").await?;
                    conn.execute(match sync {
                        SqliteSync::Full => "PRAGMA synchronous = FULL",
                        SqliteSync::Normal => "PRAGMA synchronous = NORMAL",
                    })
                    .await?;
                }
                Ok(())
            })
        })
        .after_release(move |conn: &mut AnyConnection, _| {
            Box::pin(async move { outside_any_transaction(conn, engine).await })
        })
}

/// Whether a connection given back to the pool may be handed out again.
///
/// sqlx 0.9.0 can give back a connection still inside a transaction: a
/// failed SQLite write whose automatic rollback leaves the tracked depth
/// above zero (every later `BEGIN` then fails), or a PostgreSQL `BEGIN`
/// cancelled in flight (the server stays in a transaction nothing tracks).
/// Such a connection is closed instead; the pool opens a fresh one.
async fn outside_any_transaction(
    conn: &mut AnyConnection,
    engine: Engine,
) -> Result<bool, DbError> {
    // Runs the rollback a dropped transaction queued.
    conn.ping().await?;
    if conn.is_in_transaction() {
        return Ok(false);
    }
    match engine {
        // BEGIN fails inside a transaction; a deferred one takes no lock.
        Engine::Sqlite => {
            conn.execute("BEGIN DEFERRED").await?;
            conn.execute("COMMIT").await?;
            Ok(true)
        }
        // Inside a transaction, now() is its start, not this statement's
        // (equal only under the simple protocol, hence `raw_sql`); in an
        // aborted one the query fails and the connection is dropped.
        Engine::Postgres => {
            let row = sqlx::raw_sql("SELECT now() = statement_timestamp() AS idle")
                .fetch_one(&mut *conn)
                .await?;
            row.try_get("idle")
        }
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
