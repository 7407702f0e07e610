//! Group commit for report intake. Each report is a transaction with a
//! durable commit (and, on PostgreSQL, a turn on the audit head's row
//! lock); one at a time, that commit bounds intake. Reports submitted while
//! a batch is being written wait, and the first of them then writes them
//! all in one transaction (two batches may be in flight):
//! each report still commits together with its mail jobs and audit event,
//! and many share one commit.
//!
//! A batch that fails is written again report by report, so one report's
//! failure (a duplicate Message-ID) is its own and never its neighbours'.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use tokio::sync::oneshot;

use super::AppState;
use super::reports::{Incoming, Origin, Submitted};
use crate::db::audit::Actor;
use crate::db::reports::Source;
use crate::domain::report::NewReport;

/// Most reports one transaction writes.
const MAX_BATCH: usize = 128;

/// Reports waiting to be written, and the turns to write them.
pub struct Intake {
    queue: Mutex<Vec<Pending>>,
    /// A turn is held by whoever writes a batch, until its transaction has
    /// ended.
    writers: Arc<tokio::sync::Semaphore>,
}

impl Default for Intake {
    /// Two batches at once. PostgreSQL writes one's rows while the other
    /// commits (they meet only at the audit chain's head, which each takes
    /// last). SQLite writes one transaction at a time anyway, but the
    /// second batch then begins the moment the first commits, instead of
    /// after the first's callers were answered and sent more: a fifth
    /// more reports a second in `bench/load.sh`.
    fn default() -> Self {
        Self {
            queue: Mutex::new(Vec::new()),
            writers: Arc::new(tokio::sync::Semaphore::new(2)),
        }
    }
}

/// One report to take in, owned so another task can write it.
pub struct Submission {
    pub actor: Actor,
    pub report: NewReport,
    pub source: Source,
    pub message_id: Option<String>,
}

struct Pending {
    submission: Submission,
    answer: oneshot::Sender<anyhow::Result<Submitted>>,
}

/// Queues `submission` and returns once it is committed (or failed):
/// written by an earlier caller's batch, or in a batch this caller writes.
pub async fn submit(state: &AppState, submission: Submission) -> anyhow::Result<Submitted> {
    let (answer, mut answered) = oneshot::channel();
    if let Ok(mut queue) = state.intake.queue.lock() {
        queue.push(Pending { submission, answer });
    } else {
        anyhow::bail!("the intake queue is poisoned");
    }
    loop {
        tokio::select! {
            biased;
            result = &mut answered => {
                return result.unwrap_or_else(|_| Err(anyhow::anyhow!("the intake batch was abandoned")));
            }
            turn = state.intake.writers.clone().acquire_owned() => {
                let Ok(turn) = turn else {
                    anyhow::bail!("the intake is closed");
                };
                let batch = take(state);
                if batch.is_empty() {
                    // An earlier batch took this submission; its answer is in.
                    continue;
                }
                // Written in a task of its own, which holds the turn: a
                // request dropped meanwhile (its client left) neither
                // abandons the others' reports nor lets a second batch in.
                let st = state.clone();
                let write = st.clock.clone().scope_owned(async move {
                    write_and_answer(&st, batch).await;
                    drop(turn);
                });
                let _ = tokio::spawn(write).await;
            }
        }
    }
}

fn take(state: &AppState) -> Vec<Pending> {
    match state.intake.queue.lock() {
        Ok(mut queue) => {
            let n = queue.len().min(MAX_BATCH);
            queue.drain(..n).collect()
        }
        Err(_) => Vec::new(),
    }
}

async fn write_and_answer(state: &AppState, batch: Vec<Pending>) {
    let (submissions, answers): (Vec<_>, Vec<_>) =
        batch.into_iter().map(|p| (p.submission, p.answer)).unzip();
    match write(state, &submissions).await {
        Ok(written) => {
            for (answer, submitted) in answers.into_iter().zip(written) {
                let _ = answer.send(Ok(submitted));
            }
        }
        Err(e) if answers.len() == 1 => {
            if let Some(answer) = answers.into_iter().next() {
                let _ = answer.send(Err(e));
            }
        }
        Err(_) => {
            for (submission, answer) in submissions.iter().zip(answers) {
                let alone = write(state, std::slice::from_ref(submission))
                    .await
                    .and_then(|mut one| one.pop().context("a report was not written"));
                let _ = answer.send(alone);
            }
        }
    }
}

/// Writes `submissions` in one transaction.
async fn write(state: &AppState, submissions: &[Submission]) -> anyhow::Result<Vec<Submitted>> {
    let origins: Vec<Origin<'_>> = submissions
        .iter()
        .map(|s| Origin {
            message_id: s.message_id.as_deref(),
            ciphertext: None,
        })
        .collect();
    let incoming: Vec<Incoming<'_>> = submissions
        .iter()
        .zip(&origins)
        .map(|(s, origin)| Incoming {
            actor: &s.actor,
            report: &s.report,
            source: s.source,
            origin,
            attachments: &[],
        })
        .collect();
    // Reads and sealing first, on a connection of its own: the write turn
    // (one writer at a time on SQLite) is then spent only writing.
    let mut conn = state.db.conn().await?;
    let prepared = super::reports::prepare_all(&mut conn, state, &incoming).await?;
    drop(conn);
    let mut tx = state.db.begin().await?;
    let written = super::reports::write_prepared(&mut tx, &incoming, prepared).await?;
    tx.commit().await?;
    Ok(written)
}
