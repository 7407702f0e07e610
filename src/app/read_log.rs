//! Audit events of reads (a private report opened, a list of private
//! content shown) are written behind the request, so a read never waits for
//! the database's write lock. They join the chain in batches, one
//! transaction per batch, normally within milliseconds of the read.
//!
//! What this costs, honestly: events not yet written when the process dies
//! (a crash, a kill -9) are lost; a graceful stop writes them first. While
//! the database refuses writes, events wait in memory and are retried; past
//! [`MAX_WAITING`] a read waits until they are written, so a reader can
//! never get ahead of the log by more than that.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::db::Db;
use crate::db::audit::{self, Pending};

/// Events held in memory before reads wait for them to be written.
pub const MAX_WAITING: usize = 10_000;

/// Events written per transaction.
const BATCH: usize = 1_000;

/// Pause before retrying a batch the database refused.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The write-behind queue of read events. Cheap to clone.
#[derive(Clone)]
pub struct ReadLog(Arc<Inner>);

struct Inner {
    db: Db,
    state: Mutex<Queue>,
    /// Woken whenever a batch is written or the writer stops.
    progress: Notify,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Pending>,
    writing: bool,
}

impl std::fmt::Debug for ReadLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadLog").finish_non_exhaustive()
    }
}

impl ReadLog {
    pub fn new(db: Db) -> Self {
        Self(Arc::new(Inner {
            db,
            state: Mutex::new(Queue::default()),
            progress: Notify::new(),
        }))
    }

    /// Queues `event`; a writer task is started if none runs. Waits only
    /// when [`MAX_WAITING`] events are already waiting.
    pub async fn record(&self, event: Pending) {
        let backlog = {
            let mut q = self.lock();
            q.waiting.push(event);
            if !q.writing {
                q.writing = true;
                tokio::spawn(self.clone().write_all());
            }
            q.waiting.len()
        };
        if backlog > MAX_WAITING {
            self.wait_until(|q| q.waiting.len() <= MAX_WAITING).await;
        }
    }

    /// Waits until every event recorded so far is written (a graceful stop,
    /// and tests that read the log).
    pub async fn flush(&self) {
        self.wait_until(|q| q.waiting.is_empty() && !q.writing)
            .await;
    }

    async fn wait_until(&self, done: impl Fn(&Queue) -> bool) {
        loop {
            let progress = self.0.progress.notified();
            if done(&self.lock()) {
                return;
            }
            progress.await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        // A panic while holding this lock leaves a plain Vec behind: usable.
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn write_all(self) {
        loop {
            let batch: Vec<Pending> = {
                let mut q = self.lock();
                if q.waiting.is_empty() {
                    q.writing = false;
                    drop(q);
                    self.0.progress.notify_waiters();
                    return;
                }
                let n = q.waiting.len().min(BATCH);
                q.waiting.drain(..n).collect()
            };
            match self.write(&batch).await {
                Ok(()) => self.0.progress.notify_waiters(),
                Err(e) => {
                    tracing::warn!(error = %e, events = batch.len(), "read events not written yet; retrying");
                    self.lock().waiting.splice(0..0, batch);
                    tokio::time::sleep(RETRY_AFTER).await;
                }
            }
        }
    }

    async fn write(&self, batch: &[Pending]) -> Result<(), crate::db::DbError> {
        let mut tx = self.0.db.begin().await?;
        audit::append_all(&mut tx, batch).await?;
        tx.commit().await
    }
}
