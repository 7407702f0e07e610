//! Claiming and running jobs: per-lane workers, leases renewed while a job
//! runs, panics caught, outcomes recorded in batches. No transaction is held
//! while a job runs, and nothing cancels a running job.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use super::{Job, is_permanent};
use crate::app::AppState;
use crate::db::jobs::{self as store, Claimed, Outcome};
use crate::db::{self};
use crate::domain::job::{JobState, Lane, after_failure, backoff_seconds};
use crate::domain::secret::Secret;

/// Most jobs one claim takes: each claim is a write transaction, which on
/// SQLite every other writer waits for (README, fan-out: 128 took 1,000
/// deliveries in 0.203 s against 0.215 s with 64; 256 was no faster and
/// larger).
const MAX_BATCH: usize = 128;
/// Most outcomes one recording transaction writes.
const MAX_RECORD: usize = 256;
/// How long the recorder gathers outcomes before writing them: a job's
/// outcome waits this much longer, which nothing waits for (its worker is
/// free already; a lease lasts seconds).
const GATHER: Duration = Duration::from_millis(10);
/// Finished jobs deleted per statement when pruning.
const PRUNE_BATCH: i64 = 5_000;

/// Runs due jobs until none is due; returns how many ran. Tests and
/// `embargo jobs run` call it; `serve` runs a [`Runner`].
pub async fn run_due(state: &AppState) -> anyhow::Result<usize> {
    state.clock.clone().scope(run_due_now(state)).await
}

async fn run_due_now(state: &AppState) -> anyhow::Result<usize> {
    super::outcome::reap(state).await?;
    let mut ran = 0;
    loop {
        let mut any = false;
        for lane in Lane::ALL {
            let batch = claim(state, lane, state.config.jobs.workers(lane)).await?;
            if batch.is_empty() {
                continue;
            }
            any = true;
            let mut running = JoinSet::new();
            for job in batch {
                let clock = state.clock.clone();
                running.spawn(clock.scope_owned(execute(state.clone(), job)));
            }
            let outcomes = running.join_all().await;
            ran += outcomes.len();
            super::outcome::record(state, &outcomes).await?;
        }
        if !any {
            return Ok(ran);
        }
    }
}

async fn claim(state: &AppState, lane: Lane, free: usize) -> anyhow::Result<Vec<Claimed>> {
    let now = db::now();
    let mut conn = state.db.conn().await?;
    // A read first: an idle lane does not take SQLite's write lock.
    if !store::has_due(&mut conn, lane, now).await? {
        return Ok(Vec::new());
    }
    drop(conn);
    let token = Secret::generate();
    let lease = db::seconds(lease_seconds(state) as i64);
    let limit = free.min(MAX_BATCH) as i64;
    Ok(store::claim(&state.db, lane, now, lease, token.expose(), limit).await?)
}

fn lease_seconds(state: &AppState) -> u64 {
    state.config.jobs.lease_seconds.max(3)
}

/// Runs one claimed job in its own task, renewing its lease until it ends,
/// and says how it ended. A panic is a failure like any other.
async fn execute(state: AppState, job: Claimed) -> (Claimed, Outcome) {
    let started = std::time::Instant::now();
    let lease = lease_seconds(&state);
    let parsed = Job::from_stored(&job.kind, &job.payload);
    let result = match parsed {
        Err(e) => Err(anyhow::Error::new(super::Permanent(format!(
            "unreadable {} job: {e}",
            job.kind
        )))),
        Ok(parsed) => {
            let clock = state.clock.clone();
            let last = job.attempts >= job.max_attempts;
            let mut work = tokio::spawn(clock.scope_owned(dispatch(state.clone(), parsed, last)));
            let mut renew = tokio::time::interval(Duration::from_secs(lease / 3));
            renew.tick().await;
            loop {
                tokio::select! {
                    done = &mut work => break done.unwrap_or_else(|e| Err(panic_error(e))),
                    _ = renew.tick() => renew_lease(&state, &job, lease).await,
                }
            }
        }
    };
    let outcome = outcome_of(&state, &job, result, started);
    (job, outcome)
}

/// Runs one job; `last` when this is its final attempt.
async fn dispatch(state: AppState, job: Job, last: bool) -> anyhow::Result<()> {
    use crate::app;
    match job {
        Job::Mail(mail) => super::send_mail::run(&state, &mail).await,
        Job::SendMail(mail) => super::send_mail::deliver(&state, &mail).await.map(drop),
        Job::LiftEmbargo { advisory, until } => {
            app::advisories::lift_embargo(&state, &advisory, until).await
        }
        Job::GithubSync {
            advisory,
            generation,
        } => app::github::sync_job(&state, &advisory, generation).await,
        Job::GithubRequestCve {
            advisory,
            requested_at,
        } => app::github::request_cve_job(&state, &advisory, requested_at).await,
        Job::GithubPollCve {
            advisory,
            requested_at,
            poll,
        } => app::github::poll_cve_job(&state, &advisory, requested_at, poll).await,
        Job::ExpireApplication { application } => {
            app::membership::expire_application(&state, &application).await
        }
        Job::LivenessSweep { .. } => app::liveness::sweep_job(&state).await,
        Job::MailAuditHead { .. } => app::audit::mail_head(&state).await,
        Job::KeyExpiryReminder { key, days } => {
            app::keys::expiry_reminder(&state, &key, days).await
        }
        Job::Deliver { delivery } => app::announcements::deliver(&state, &delivery, last).await,
        Job::TaskReminder { task } => app::contributions::task_reminder(&state, &task).await,
        Job::TaskDue { task } => app::contributions::task_due(&state, &task).await,
    }
}

fn panic_error(e: tokio::task::JoinError) -> anyhow::Error {
    if !e.is_panic() {
        return anyhow::anyhow!("the job's task ended: {e}");
    }
    let payload = e.into_panic();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without message".into());
    anyhow::anyhow!("panicked: {message}")
}

async fn renew_lease(state: &AppState, job: &Claimed, lease: u64) {
    let until = db::now() + db::seconds(lease as i64);
    let renewed = match state.db.conn().await {
        Ok(mut conn) => store::renew(&mut conn, job, until).await,
        Err(e) => Err(e),
    };
    match renewed {
        Ok(true) => {}
        // The job keeps running; its outcome will not count.
        Ok(false) => tracing::warn!(job.id = %job.id, job.kind = %job.kind, "lease lost"),
        Err(e) => tracing::warn!(job.id = %job.id, error = %e, "lease renewal failed"),
    }
}

fn outcome_of(
    state: &AppState,
    job: &Claimed,
    result: anyhow::Result<()>,
    started: std::time::Instant,
) -> Outcome {
    let duration_ms = started.elapsed().as_millis() as u64;
    let err = match result {
        Ok(()) => {
            tracing::info!(job.id = %job.id, job.kind = %job.kind, duration_ms, "job done");
            return Outcome::Done;
        }
        Err(err) => err,
    };
    let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
    let max = u32::try_from(job.max_attempts).unwrap_or(1);
    let next = if is_permanent(&err) {
        JobState::Dead
    } else {
        after_failure(attempts, max)
    };
    let delay = backoff_seconds(state.config.jobs.backoff_seconds, attempts);
    let error = format!("{err:#}");
    // Mail errors name recipients; the admins' job list shows them, the
    // logs do not.
    if matches!(job.kind.as_str(), "mail" | "send_mail" | "deliver") {
        tracing::warn!(job.id = %job.id, job.kind = %job.kind, attempts, state = next.as_str(), duration_ms, "job failed");
    } else {
        tracing::warn!(job.id = %job.id, job.kind = %job.kind, attempts, state = next.as_str(), duration_ms, error = %error, "job failed");
    }
    Outcome::Failed {
        state: next,
        retry_at: db::now() + db::seconds(delay as i64),
        error,
    }
}

/// The job engine inside `serve`: one dispatcher per lane, a recorder that
/// writes outcomes in batches, and upkeep (expired leases, pruning).
pub struct Runner {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    heartbeat: super::Heartbeat,
}

impl Runner {
    pub fn start(state: AppState) -> Self {
        let (stop, stopped) = watch::channel(false);
        let (record, outcomes) = mpsc::unbounded_channel();
        let mut tasks = JoinSet::new();
        let clock = state.clock.clone();
        state.runner_heartbeat.started();
        for lane in Lane::ALL {
            tasks.spawn(clock.clone().scope_owned(dispatch_lane(
                state.clone(),
                lane,
                stopped.clone(),
                record.clone(),
            )));
        }
        drop(record);
        tasks.spawn(
            clock
                .clone()
                .scope_owned(record_outcomes(state.clone(), outcomes)),
        );
        let heartbeat = state.runner_heartbeat.clone();
        tasks.spawn(clock.scope_owned(upkeep(state, stopped)));
        Self {
            stop,
            tasks,
            heartbeat,
        }
    }

    /// Stops claiming, lets running jobs finish for at most `grace`, and
    /// records what they did. Jobs still running after that keep their
    /// lease until it runs out; then another runner takes them again.
    pub async fn shutdown(mut self, grace: Duration) {
        let _ = self.stop.send(true);
        self.heartbeat.stopped();
        let drained = tokio::time::timeout(grace, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                grace_s = grace.as_secs(),
                "jobs still running at shutdown; their leases will expire"
            );
        }
    }
}

type Recorder = mpsc::UnboundedSender<(Claimed, Outcome)>;

async fn dispatch_lane(
    state: AppState,
    lane: Lane,
    mut stop: watch::Receiver<bool>,
    record: Recorder,
) {
    let workers = state.config.jobs.workers(lane);
    let slots = Arc::new(Semaphore::new(workers));
    let poll = Duration::from_millis(state.config.jobs.poll_milliseconds.max(10));
    let mut queued = state.job_wake.subscribe();
    let mut running = JoinSet::new();
    // True while the last claim came back full: more jobs are due.
    let mut backlog = false;
    while !*stop.borrow() {
        state.runner_heartbeat.beat(lane, state.clock.now());
        // Reap what finished, so the set does not grow.
        while running.try_join_next().is_some() {}
        // With a backlog, claim when half the workers are free rather than
        // one job per finished job: each claim is a write transaction, and
        // on SQLite every writer waits for the one before.
        let want = if backlog { (workers / 2).max(1) } else { 1 };
        if slots.available_permits() < want {
            tokio::select! {
                _ = slots.acquire_many(want as u32) => {}
                _ = stop.changed() => {}
                // Busy workers do not stop the heartbeat.
                _ = tokio::time::sleep(poll) => {}
            }
            continue;
        }
        let free = slots.available_permits();
        // Jobs queued from now on wake the wait below.
        queued.borrow_and_update();
        let batch = match claim(&state, lane, free).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::error!(lane = lane.as_str(), error = %format!("{e:#}"), "claiming jobs failed");
                Vec::new()
            }
        };
        let full = batch.len() == free.min(MAX_BATCH);
        backlog = full;
        for job in batch {
            // Every claimed job runs; the claim's limit keeps them within
            // the free slots.
            let permit = slots.clone().try_acquire_owned().ok();
            let state = state.clone();
            let record = record.clone();
            let clock = state.clock.clone();
            running.spawn(clock.scope_owned(async move {
                let done = execute(state, job).await;
                let _ = record.send(done);
                drop(permit);
            }));
        }
        if full {
            continue;
        }
        let wait = until_next_due(&state, lane, poll).await;
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
            _ = queued.changed() => {}
        }
    }
    while running.join_next().await.is_some() {}
}

/// How long a lane may sleep: until its next job is due, at most `poll`
/// (other processes write jobs too).
async fn until_next_due(state: &AppState, lane: Lane, poll: Duration) -> Duration {
    let Ok(mut conn) = state.db.conn().await else {
        return poll;
    };
    match store::next_run_at(&mut conn, lane).await {
        Ok(Some(next)) => {
            let micros = u64::try_from(next - db::now()).unwrap_or(0);
            // A floor keeps a due row another process holds from spinning us.
            poll.min(Duration::from_micros(micros))
                .max(Duration::from_millis(5))
        }
        _ => poll,
    }
}

/// Writes outcomes as they come, many per transaction. A write that fails
/// is retried; if it keeps failing, the leases run out and the jobs run
/// again (at least once).
async fn record_outcomes(
    state: AppState,
    mut outcomes: mpsc::UnboundedReceiver<(Claimed, Outcome)>,
) {
    let mut batch = Vec::new();
    while outcomes.recv_many(&mut batch, MAX_RECORD).await > 0 {
        gather(&mut outcomes, &mut batch).await;
        let mut delay = Duration::from_millis(100);
        loop {
            match super::outcome::record(&state, &batch).await {
                Ok(counted) => {
                    if counted < batch.len() {
                        tracing::warn!(
                            lost = batch.len() - counted,
                            "outcomes of jobs whose lease had expired were not recorded"
                        );
                    }
                    break;
                }
                Err(e) if delay < Duration::from_secs(lease_seconds(&state)) => {
                    tracing::error!(error = %e, "recording job outcomes failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(e) => {
                    tracing::error!(error = %e, jobs = batch.len(), "giving up recording job outcomes; the jobs will run again");
                    break;
                }
            }
        }
        batch.clear();
    }
}

/// Adds to `batch` the outcomes that arrive within [`GATHER`], up to
/// [`MAX_RECORD`]: during a fan-out they come one by one, and recording
/// each few in a transaction of its own made SQLite commit several times
/// as often, in the turn the deliveries' writes wait for.
async fn gather(
    outcomes: &mut mpsc::UnboundedReceiver<(Claimed, Outcome)>,
    batch: &mut Vec<(Claimed, Outcome)>,
) {
    let until = tokio::time::Instant::now() + GATHER;
    while batch.len() < MAX_RECORD {
        let more =
            tokio::time::timeout_at(until, outcomes.recv_many(batch, MAX_RECORD - batch.len()));
        match more.await {
            Ok(n) if n > 0 => {}
            // Closed (shutdown) or the time is up.
            _ => return,
        }
    }
}

/// Requeues jobs of runners that stopped renewing, and deletes finished jobs
/// past `jobs.keep_done_days`.
async fn upkeep(state: AppState, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_secs((lease_seconds(&state) / 3).max(1));
    let mut last_prune: Option<std::time::Instant> = None;
    while !*stop.borrow() {
        match super::outcome::reap(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(jobs = n, "took back jobs whose runner stopped"),
            Err(e) => tracing::error!(error = format!("{e:#}"), "reaping expired leases failed"),
        }
        if last_prune.is_none_or(|t| t.elapsed() > Duration::from_secs(3600))
            && let Ok(mut conn) = state.db.conn().await
        {
            last_prune = Some(std::time::Instant::now());
            let keep = i64::from(state.config.jobs.keep_done_days) * 86_400;
            let before = db::now() - db::seconds(keep);
            while let Ok(n) = store::prune(&mut conn, before, PRUNE_BATCH).await {
                if n < PRUNE_BATCH as u64 {
                    break;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}
