//! The jobs table: the outbox written with the state change that causes it,
//! claimed in batches under a lease token.

use sqlx::{AnyConnection, Row};

use super::{Db, DbError, Engine};
use crate::domain::id::JobId;
use crate::domain::job::{JobState, Lane};

pub use super::job_lists::{JobRow, list, page, retry, state_of};

/// A job to write, in the caller's transaction.
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub lane: Lane,
    pub payload: serde_json::Value,
    /// What the job is about (`ack:{report}`); two enqueues with one key
    /// make one job.
    pub idempotency_key: &'a str,
    pub run_at: i64,
    pub max_attempts: u32,
}

/// A job's payload is sealed (`db::sealed`): a queued mail holds the
/// values its template shows (a report's title, a link).
pub const PAYLOAD: &str = "jobs.payload";

fn seal_payload(id: &JobId, payload: &serde_json::Value) -> Result<String, DbError> {
    Ok(super::sealed::seal_text(
        PAYLOAD,
        id.as_str(),
        &payload.to_string(),
    )?)
}

pub(super) fn open_payload(r: &sqlx::any::AnyRow) -> Result<String, DbError> {
    let id: String = r.try_get("id")?;
    Ok(super::sealed::open_text(
        PAYLOAD,
        &id,
        r.try_get("payload")?,
    )?)
}

/// Writes `job` unless one with its key exists; true when it was written.
pub async fn enqueue(conn: &mut AnyConnection, job: NewJob<'_>) -> Result<bool, DbError> {
    let now = super::now();
    let id = JobId::generate();
    let done = sqlx::query(
        "INSERT INTO jobs (id, kind, lane, payload, idempotency_key, state, run_at, max_attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $8) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(id.as_str())
    .bind(job.kind)
    .bind(job.lane.as_str())
    .bind(seal_payload(&id, &job.payload)?)
    .bind(job.idempotency_key)
    .bind(job.run_at)
    .bind(i64::from(job.max_attempts))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A job ready to be written: its id chosen and its payload sealed, so
/// that a writer's transaction only binds it.
#[derive(Debug)]
pub struct SealedJob {
    id: JobId,
    kind: String,
    lane: Lane,
    payload: String,
    idempotency_key: String,
    run_at: i64,
    max_attempts: i64,
}

/// Seals `jobs` for [`insert_sealed`]: the encryption and serialising done
/// before a transaction takes its turn.
pub fn seal_many(jobs: &[NewJob<'_>]) -> Result<Vec<SealedJob>, DbError> {
    jobs.iter()
        .map(|job| {
            let id = JobId::generate();
            Ok(SealedJob {
                payload: seal_payload(&id, &job.payload)?,
                id,
                kind: job.kind.to_owned(),
                lane: job.lane,
                idempotency_key: job.idempotency_key.to_owned(),
                run_at: job.run_at,
                max_attempts: i64::from(job.max_attempts),
            })
        })
        .collect()
}

/// Writes many jobs in few statements (a fan-out), skipping keys that
/// exist; the number written.
pub async fn enqueue_many(conn: &mut AnyConnection, jobs: &[NewJob<'_>]) -> Result<u64, DbError> {
    insert_sealed(conn, &seal_many(jobs)?).await
}

/// [`enqueue_many`] for jobs sealed beforehand.
pub async fn insert_sealed(conn: &mut AnyConnection, jobs: &[SealedJob]) -> Result<u64, DbError> {
    let now = super::now();
    let mut written = 0;
    // 10 values per row, as for deliveries.
    let params = super::Params::of(conn);
    for rows in jobs.chunks(params.rows(10)) {
        let sql = format!(
            "INSERT INTO jobs (id, kind, lane, payload, idempotency_key, state, run_at, max_attempts, created_at, updated_at) \
             VALUES {} ON CONFLICT (idempotency_key) DO NOTHING",
            params.placeholders(rows.len(), 10)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for job in rows {
            q = q
                .bind(job.id.as_str())
                .bind(job.kind.as_str())
                .bind(job.lane.as_str())
                .bind(job.payload.as_str())
                .bind(job.idempotency_key.as_str())
                .bind("queued")
                .bind(job.run_at)
                .bind(job.max_attempts)
                .bind(now)
                .bind(now);
        }
        written += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}

/// A job taken by a runner, valid while `lease_token` is the row's.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_token: String,
}

/// Whether `lane` has a due job: a plain read, so an idle runner polls
/// without taking SQLite's write lock.
pub async fn has_due(conn: &mut AnyConnection, lane: Lane, now: i64) -> Result<bool, DbError> {
    let row = sqlx::query(
        "SELECT id FROM jobs WHERE lane = $1 AND state = 'queued' AND run_at <= $2 ORDER BY run_at LIMIT 1",
    )
    .bind(lane.as_str())
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// Takes up to `limit` due jobs of `lane`, oldest `run_at` first, for
/// `lease` microseconds under `token`. The inner query reads the
/// `jobs_claim` index in order; PostgreSQL skips rows another claimer holds,
/// SQLite writes one transaction at a time. The selection is materialised:
/// PostgreSQL may otherwise run a `LIMIT` subquery more than once and claim
/// more than `limit`. The update joins it (`FROM next`) rather than testing
/// `id IN (...)`: with `IN`, SQLite walked every queued job through the
/// `state` index on each claim, a read that grew with the queue.
pub async fn claim(
    db: &Db,
    lane: Lane,
    now: i64,
    lease: i64,
    token: &str,
    limit: i64,
) -> Result<Vec<Claimed>, DbError> {
    // The only dialect-specific statement in the project.
    let lock = match db.engine {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let sql = format!(
        "WITH next AS MATERIALIZED (SELECT id FROM jobs WHERE lane = $1 AND state = 'queued' AND run_at <= $2 \
         ORDER BY run_at LIMIT $5{lock}) \
         UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $3, lease_token = $4, updated_at = $2 \
         FROM next WHERE jobs.id = next.id AND jobs.state = 'queued' \
         RETURNING jobs.id, jobs.kind, jobs.payload, jobs.attempts, jobs.max_attempts"
    );
    let mut tx = db.begin().await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lane.as_str())
        .bind(now)
        .bind(now + lease)
        .bind(token)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    rows.iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                payload: open_payload(r)?,
                attempts: r.try_get("attempts")?,
                max_attempts: r.try_get("max_attempts")?,
                lease_token: token.to_owned(),
            })
        })
        .collect()
}

/// Extends a running job's lease; false when the lease is no longer this
/// runner's (it expired and another runner took the job).
pub async fn renew(conn: &mut AnyConnection, job: &Claimed, until: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE jobs SET locked_until = $1 WHERE id = $2 AND lease_token = $3 AND state = 'running'",
    )
    .bind(until)
    .bind(&job.id)
    .bind(&job.lease_token)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How a claimed job ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done,
    /// Back to `queued` at `retry_at`, or `dead`.
    Failed {
        state: JobState,
        retry_at: i64,
        error: String,
    },
}

/// A job that died: what is left to tell of it.
#[derive(Debug, Clone)]
pub struct DeadJob {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub error: String,
}

/// What [`finish`] recorded.
#[derive(Debug, Default)]
pub struct Finished {
    /// Outcomes that counted.
    pub counted: usize,
    /// Of those, the jobs now dead.
    pub dead: Vec<DeadJob>,
}

/// Records outcomes, in the caller's transaction. Each counts only while
/// the job still holds the lease it was claimed with: a runner whose lease
/// expired cannot undo what the next runner did.
pub async fn finish(
    conn: &mut AnyConnection,
    outcomes: &[(Claimed, Outcome)],
) -> Result<Finished, DbError> {
    let now = super::now();
    let mut finished = Finished::default();
    // Jobs done, by the lease they were claimed under: one statement per
    // claim's worth instead of one per job, which in a fan-out was a
    // statement per recipient.
    let mut done: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (job, outcome) in outcomes {
        let Outcome::Failed {
            state,
            retry_at,
            error,
        } = outcome
        else {
            done.entry(&job.lease_token).or_default().push(&job.id);
            continue;
        };
        let updated = sqlx::query(
            "UPDATE jobs SET state = $1, run_at = $2, locked_until = NULL, lease_token = NULL, \
             last_error = $3, updated_at = $4 WHERE id = $5 AND lease_token = $6 AND state = 'running'",
        )
        .bind(state.as_str())
        .bind(retry_at)
        .bind(error)
        .bind(now)
        .bind(&job.id)
        .bind(&job.lease_token)
        .execute(&mut *conn)
        .await?;
        if updated.rows_affected() == 0 {
            continue;
        }
        finished.counted += 1;
        if *state == JobState::Dead {
            finished.dead.push(DeadJob {
                id: job.id.clone(),
                kind: job.kind.clone(),
                payload: job.payload.clone(),
                error: error.clone(),
            });
        }
    }
    let p = super::Params::of(conn);
    for (token, ids) in done {
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let chunk = super::padded(chunk, IDS_PER_STATEMENT);
            // A delivered mail may carry a capability link, which must not
            // outlive its delivery in the database: the payload goes.
            let sql = format!(
                "UPDATE jobs SET state = 'done', payload = '{{}}', locked_until = NULL, lease_token = NULL, \
                 last_error = '', updated_at = {} WHERE lease_token = {} AND state = 'running' AND id IN ({})",
                p.at(1),
                p.at(2),
                p.list(3, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now).bind(token);
            for id in chunk {
                q = q.bind(id);
            }
            let updated = q.execute(&mut *conn).await?;
            finished.counted += usize::try_from(updated.rows_affected()).unwrap_or(usize::MAX);
        }
    }
    Ok(finished)
}

/// Ids bound in one statement at most: SQLite's cost for an `IN` list
/// grows faster than its length.
const IDS_PER_STATEMENT: usize = 100;

/// What [`reap_expired`] did.
#[derive(Debug, Default)]
pub struct Reaped {
    /// Jobs put back in the queue.
    pub requeued: u64,
    /// Jobs whose attempts were used up, now dead.
    pub dead: Vec<DeadJob>,
}

/// Puts jobs whose runner's lease ran out (a crashed or stalled process)
/// back in the queue, or marks them dead when their attempts are used up.
/// Dead jobs come back so the caller can close what they were doing.
pub async fn reap_expired(conn: &mut AnyConnection, now: i64) -> Result<Reaped, DbError> {
    let dead = sqlx::query(
        "UPDATE jobs SET state = 'dead', locked_until = NULL, lease_token = NULL, \
         last_error = 'the runner holding it stopped, and its attempts are used up', updated_at = $1 \
         WHERE state = 'running' AND locked_until < $1 AND attempts >= max_attempts \
         RETURNING id, kind, payload, last_error",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(DeadJob {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            payload: open_payload(r)?,
            error: r.try_get("last_error")?,
        })
    })
    .collect::<Result<Vec<_>, DbError>>()?;
    let requeued = sqlx::query(
        "UPDATE jobs SET state = 'queued', locked_until = NULL, lease_token = NULL, \
         last_error = 'the runner holding it stopped', updated_at = $1 \
         WHERE state = 'running' AND locked_until < $1",
    )
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(Reaped { requeued, dead })
}

/// Deletes up to `limit` jobs finished before `before`; dead jobs stay
/// until an admin retries them.
pub async fn prune(conn: &mut AnyConnection, before: i64, limit: i64) -> Result<u64, DbError> {
    let done = sqlx::query(
        "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = 'done' AND updated_at < $1 LIMIT $2)",
    )
    .bind(before)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// When `lane`'s next queued job is due, if any: its runner sleeps until
/// then.
pub async fn next_run_at(conn: &mut AnyConnection, lane: Lane) -> Result<Option<i64>, DbError> {
    sqlx::query_scalar("SELECT MIN(run_at) FROM jobs WHERE lane = $1 AND state = 'queued'")
        .bind(lane.as_str())
        .fetch_one(conn)
        .await
}
