//! The jobs table: the outbox written with the state change that causes it.

use sqlx::{AnyConnection, Row};

use super::{Db, DbError, Engine};
use crate::domain::id::JobId;
use crate::domain::job::JobState;

/// A job to write, in the caller's transaction.
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: serde_json::Value,
    /// Two enqueues with one key make one job.
    pub idempotency_key: String,
    pub run_at: i64,
    pub max_attempts: u32,
}

pub async fn enqueue(conn: &mut AnyConnection, job: NewJob<'_>) -> Result<(), DbError> {
    let now = super::now();
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, idempotency_key, state, run_at, max_attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $7) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(JobId::generate().as_str())
    .bind(job.kind)
    .bind(job.payload.to_string())
    .bind(job.idempotency_key)
    .bind(job.run_at)
    .bind(i64::from(job.max_attempts))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A job taken by a runner.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Takes the next due job, or one whose runner's lease ran out, for `lease`
/// microseconds. Safe with several processes: PostgreSQL skips rows another
/// claimer holds; SQLite writes one transaction at a time.
pub async fn claim(db: &Db, now: i64, lease: i64) -> Result<Option<Claimed>, DbError> {
    // The only dialect-specific statement in the project.
    let lock = match db.engine {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2, updated_at = $1 \
         WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $1) \
         OR (state = 'running' AND locked_until < $1) ORDER BY run_at, created_at LIMIT 1{lock}) \
         RETURNING id, kind, payload, attempts, max_attempts"
    );
    let mut tx = db.begin().await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(now + lease)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    row.map(|r| {
        Ok(Claimed {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            payload: r.try_get("payload")?,
            attempts: r.try_get("attempts")?,
            max_attempts: r.try_get("max_attempts")?,
        })
    })
    .transpose()
}

/// Marks a job done and drops its payload: a delivered mail may carry a
/// capability link, which must not outlive its delivery in the database.
pub async fn complete(conn: &mut AnyConnection, id: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE jobs SET state = 'done', payload = '{}', locked_until = NULL, last_error = '', updated_at = $1 WHERE id = $2")
        .bind(super::now())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a failed attempt: back to `queued` at `retry_at`, or `dead`.
pub async fn fail(
    conn: &mut AnyConnection,
    id: &str,
    state: JobState,
    retry_at: i64,
    error: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE jobs SET state = $1, run_at = $2, locked_until = NULL, last_error = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(state.as_str())
    .bind(retry_at)
    .bind(error)
    .bind(super::now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Puts a dead job back in the queue (an admin retry).
pub async fn retry(conn: &mut AnyConnection, id: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1 WHERE id = $2 AND state = 'dead'",
    )
    .bind(super::now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub run_at: i64,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: String,
    pub updated_at: i64,
}

/// Jobs, newest first, optionally in one state.
pub async fn list(
    conn: &mut AnyConnection,
    state: Option<JobState>,
    limit: i64,
) -> Result<Vec<JobRow>, DbError> {
    let rows = sqlx::query(
        "SELECT id, kind, state, run_at, attempts, max_attempts, last_error, updated_at FROM jobs \
         WHERE ($1 IS NULL OR state = $1) ORDER BY created_at DESC LIMIT $2",
    )
    .bind(state.map(|s| s.as_str()))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(JobRow {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                state: r.try_get("state")?,
                run_at: r.try_get("run_at")?,
                attempts: r.try_get("attempts")?,
                max_attempts: r.try_get("max_attempts")?,
                last_error: r.try_get("last_error")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect()
}

/// When the next queued job is due, if any: the runner sleeps until then.
pub async fn next_run_at(conn: &mut AnyConnection) -> Result<Option<i64>, DbError> {
    sqlx::query_scalar("SELECT MIN(run_at) FROM jobs WHERE state = 'queued'")
        .fetch_one(conn)
        .await
}
