//! Keeping SQLite's write-ahead log short, beside the writers.
//!
//! SQLite's own automatic checkpoint runs inside the `COMMIT` that crosses
//! its threshold: that commit waits for hundreds of pages to be copied and
//! the database file synced, and every writer of the process waits behind
//! it (the write turn), which made intake's slowest answers. Here the
//! copying runs beside the writers, as a passive checkpoint every
//! [`EVERY`].
//!
//! Under steady writes a passive checkpoint never catches up with the last
//! commit, and the log starts over from its beginning only once one has:
//! at full intake it grew by some 50 MB a second, without end. So once the
//! log holds [`RESTART_AT`] frames, a few more passive passes copy what
//! was committed during the one before, and the copy is finished inside
//! the write turn, where little is left, by a `RESTART` checkpoint that
//! waits at most 20 ms for readers; the next commit then writes the log
//! from its start, and a log file grown past 64 MiB is cut back to that
//! (`journal_size_limit`). When the passes leave much (they fell behind,
//! or a long reader kept them from copying), the round ends without the
//! turn and the next tries again: copying much there, and syncing it on a
//! busy disk, held every writer (one stall of seconds in a benchmark).
//!
//! Other processes (`embargo ingest`) append to the same log, which this
//! checkpoints too; a process that stops before its first checkpoint
//! leaves its frames for the next one, and SQLite reads them from the log
//! meanwhile.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Row};

use super::DbError;

/// How often the log is checkpointed.
const EVERY: Duration = Duration::from_millis(500);

/// Frames (4 KiB pages) in the log from which it is made to start over:
/// 32 MiB, a second or so of the heaviest intake measured.
const RESTART_AT: i64 = 8_192;

/// Frames the passes outside the write turn may leave to the one inside;
/// with more left, the round ends without it.
const LEFT_FOR_THE_TURN: i64 = 256;

/// A restart in the turn slower than this is logged: the writers waited.
const SLOW_TURN: Duration = Duration::from_millis(250);

/// What one round found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRound {
    /// Frames in the log before the round.
    pub frames: i64,
    /// Whether the next commit writes the log from its start.
    pub restarted: bool,
}

/// What the background task works with.
pub(super) struct Keeper {
    pool: AnyPool,
    options: AnyConnectOptions,
    write_turn: Arc<tokio::sync::Mutex<()>>,
    /// For the `RESTART` checkpoint: a connection of its own, whose busy
    /// timeout is short. Opened when first needed and again after an error.
    own: Option<AnyConnection>,
}

/// Nothing of the connection options: they hold the database's URL.
impl std::fmt::Debug for Keeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keeper").finish_non_exhaustive()
    }
}

impl Keeper {
    pub(super) fn new(
        pool: AnyPool,
        options: AnyConnectOptions,
        write_turn: Arc<tokio::sync::Mutex<()>>,
    ) -> Self {
        Self {
            pool,
            options,
            write_turn,
            own: None,
        }
    }

    /// A passive checkpoint and, from `restart_at` frames, a restart in the
    /// write turn.
    pub(super) async fn round(&mut self, restart_at: i64) -> Result<LogRound, DbError> {
        let (frames, mut copied) = checkpoint(&self.pool).await?;
        if frames < restart_at {
            return Ok(LogRound {
                frames,
                restarted: false,
            });
        }
        // What the writers committed during a pass is left to the next,
        // each shorter than the last, so little is left for the turn,
        // where the writers wait.
        let mut left = i64::MAX;
        for _ in 0..3 {
            let (log, now_copied) = checkpoint(&self.pool).await?;
            left = log - copied;
            copied = now_copied;
            if left <= LEFT_FOR_THE_TURN {
                break;
            }
        }
        // Much left (the passes fell behind, or a reader kept them from
        // copying): copying it in the turn would hold every writer, so the
        // next round tries again.
        if left > LEFT_FOR_THE_TURN {
            return Ok(LogRound {
                frames,
                restarted: false,
            });
        }
        let _turn = self.write_turn.clone().lock_owned().await;
        let started = std::time::Instant::now();
        let restarted = self.restart().await;
        let took = started.elapsed();
        if took > SLOW_TURN {
            tracing::warn!(
                ms = took.as_millis() as u64,
                frames_left = left,
                "restarting the SQLite log held the writers (a slow disk?)"
            );
        }
        if restarted.is_err() {
            self.own = None;
        }
        Ok(LogRound {
            frames,
            restarted: restarted?,
        })
    }

    /// Closes its own connection, if open.
    pub(super) async fn close(&mut self) {
        if let Some(conn) = self.own.take() {
            let _ = conn.close().await;
        }
    }

    /// Copies the whole log and waits (briefly) until no reader reads from
    /// it. Busy, a reader or another process's writer outlasting the short
    /// timeout, is no error: the log starts over another time.
    async fn restart(&mut self) -> Result<bool, DbError> {
        let conn = match &mut self.own {
            Some(conn) => conn,
            None => {
                let mut conn = self.options.connect().await?;
                conn.execute("PRAGMA busy_timeout = 20").await?;
                self.own.insert(conn)
            }
        };
        let row = sqlx::query("PRAGMA wal_checkpoint(RESTART)")
            .fetch_one(&mut *conn)
            .await?;
        let busy: i64 = row.try_get(0)?;
        Ok(busy == 0)
    }
}

/// Runs [`Keeper::round`] every [`EVERY`] until the last clone of the
/// `Db` is gone.
pub(super) async fn keep(keeper: Arc<tokio::sync::Mutex<Keeper>>, alive: Weak<()>) {
    let mut every = tokio::time::interval(EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let mut keeper = keeper.lock().await;
        if alive.strong_count() == 0 || keeper.pool.is_closed() {
            return;
        }
        if let Err(e) = keeper.round(RESTART_AT).await {
            tracing::warn!(error = %e, "checkpointing the SQLite log failed; tried again shortly");
        }
    }
}

/// A passive checkpoint on `pool`: answers the log's frames and those
/// copied.
pub(super) async fn checkpoint(pool: &AnyPool) -> Result<(i64, i64), DbError> {
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(pool)
        .await?;
    Ok((row.try_get(1)?, row.try_get(2)?))
}
