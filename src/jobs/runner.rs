//! Claiming and running jobs. No transaction is held while a job runs.

use std::time::Duration;

use anyhow::Context;
use tokio::sync::watch;

use crate::app::AppState;
use crate::app::advisories::LIFT_EMBARGO;
use crate::app::keys::KEY_EXPIRY_REMINDER;
use crate::app::liveness::LIVENESS_SWEEP;
use crate::app::mailer::SEND_MAIL;
use crate::app::membership::EXPIRE_APPLICATION;
use crate::db::{self, jobs};
use crate::domain::job::{after_failure, backoff_seconds};

/// A runner that has not finished a job after this long is presumed dead and
/// another may take the job.
const LEASE_SECONDS: i64 = 300;

/// Runs due jobs until none is due; returns how many ran. Tests and the CLI
/// call it directly; `serve` calls it in a loop.
pub async fn run_due(state: &AppState) -> anyhow::Result<usize> {
    let mut ran = 0;
    while let Some(job) = jobs::claim(&state.db, db::now(), db::seconds(LEASE_SECONDS)).await? {
        ran += 1;
        let started = std::time::Instant::now();
        let result = match job.kind.as_str() {
            SEND_MAIL => super::send_mail::run(state, &job.payload).await,
            LIFT_EMBARGO => crate::app::advisories::lift_embargo(state, &job.payload).await,
            EXPIRE_APPLICATION => {
                crate::app::membership::expire_application(state, &job.payload).await
            }
            LIVENESS_SWEEP => crate::app::liveness::sweep_job(state, &job.payload).await,
            KEY_EXPIRY_REMINDER => crate::app::keys::expiry_reminder(state, &job.payload).await,
            other => Err(anyhow::anyhow!("unknown job kind {other}")),
        };
        let mut conn = state.db.conn().await?;
        match result {
            Ok(()) => {
                jobs::complete(&mut conn, &job.id).await?;
                tracing::info!(job.id = %job.id, job.kind = %job.kind, duration_ms = started.elapsed().as_millis() as u64, "job done");
            }
            Err(err) => {
                let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
                let max = u32::try_from(job.max_attempts).unwrap_or(1);
                let next = after_failure(attempts, max);
                let delay = backoff_seconds(state.config.jobs.backoff_seconds, attempts);
                let retry_at = db::now() + db::seconds(delay as i64);
                let message = format!("{err:#}");
                jobs::fail(&mut conn, &job.id, next, retry_at, &message).await?;
                tracing::warn!(job.id = %job.id, job.kind = %job.kind, attempts, state = next.as_str(), error = %message, "job failed");
            }
        }
    }
    Ok(ran)
}

/// Polls for due jobs until `shutdown` turns true.
pub async fn run_forever(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.config.jobs.poll_milliseconds.max(50));
    loop {
        if *shutdown.borrow() {
            return;
        }
        if let Err(err) = run_due(&state).await.context("job runner") {
            tracing::error!(error = %format!("{err:#}"), "job runner error");
        }
        // Wake for the next due job (an embargo lifting) if it comes before
        // the next poll; polling still finds jobs other processes wrote.
        let mut wait = poll;
        if let Ok(mut conn) = state.db.conn().await
            && let Ok(Some(next)) = jobs::next_run_at(&mut conn).await
        {
            let micros = u64::try_from(next - db::now()).unwrap_or(0);
            // A floor keeps a job another process holds from spinning us.
            wait = wait
                .min(Duration::from_micros(micros))
                .max(Duration::from_millis(20));
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
}
