//! An advisory's embargo: setting or moving it (only on the advisory as the
//! caller saw it) and the history of every setting.

use sqlx::{AnyConnection, Row};

use super::DbError;
use crate::domain::advisory::{AdvisoryId, AdvisoryState};

/// One setting or move of the embargo.
pub struct EmbargoChange<'a> {
    pub until: i64,
    pub time_zone: &'a str,
    pub actor: &'a str,
    pub reason: &'a str,
    pub override_reason: &'a str,
}

/// What the caller saw before deciding: the change applies only if the
/// advisory is still so, since a lift or another move may have come between.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub state: AdvisoryState,
    pub embargo_until: Option<i64>,
}

/// Sets the embargo and the state (`embargoed`), keeping the change. False
/// (nothing written) when the advisory is no longer as `seen`.
pub async fn set_embargo(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    seen: Seen,
    c: &EmbargoChange<'_>,
) -> Result<bool, DbError> {
    let now = super::now();
    // `$6 IS NULL AND embargo_until IS NULL` is the portable spelling of
    // `IS NOT DISTINCT FROM` for a first embargo.
    let done = sqlx::query(
        "UPDATE advisories SET state = 'embargoed', embargo_until = $1, embargo_zone = $2, updated_at = $3 \
         WHERE id = $4 AND state = $5 \
         AND (embargo_until = $6 OR (embargo_until IS NULL AND $6 IS NULL))",
    )
    .bind(c.until)
    .bind(c.time_zone)
    .bind(now)
    .bind(id.as_str())
    .bind(seen.state.as_str())
    .bind(seen.embargo_until)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO embargo_changes (advisory_id, at, actor, until_at, time_zone, reason, override_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.as_str())
    .bind(now)
    .bind(c.actor)
    .bind(c.until)
    .bind(c.time_zone)
    .bind(c.reason)
    .bind(c.override_reason)
    .execute(conn)
    .await?;
    Ok(true)
}

/// One setting or move of an embargo.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EmbargoChangeRow {
    /// Microseconds since the epoch.
    pub at: i64,
    /// Who set it, as the audit log names them.
    pub actor: String,
    /// The end it was set to: microseconds since the epoch.
    pub until: i64,
    pub time_zone: String,
    pub reason: String,
    pub override_reason: String,
}

pub async fn embargo_history(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
) -> Result<Vec<EmbargoChangeRow>, DbError> {
    let rows = sqlx::query(
        "SELECT at, actor, until_at, time_zone, reason, override_reason FROM embargo_changes \
         WHERE advisory_id = $1 ORDER BY at",
    )
    .bind(id.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EmbargoChangeRow {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                until: r.try_get("until_at")?,
                time_zone: r.try_get("time_zone")?,
                reason: r.try_get("reason")?,
                override_reason: r.try_get("override_reason")?,
            })
        })
        .collect()
}

/// The lift job of one embargo instant, as the advisory page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Lift {
    pub job_id: String,
    /// `queued`, `running`, `done` or `dead`.
    pub state: String,
    pub run_at: i64,
}

/// The lift job with idempotency key `key` (see `jobs::Job::LiftEmbargo`).
pub async fn lift(conn: &mut AnyConnection, key: &str) -> Result<Option<Lift>, DbError> {
    let row = sqlx::query("SELECT id, state, run_at FROM jobs WHERE idempotency_key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(Lift {
            job_id: r.try_get("id")?,
            state: r.try_get("state")?,
            run_at: r.try_get("run_at")?,
        })
    })
    .transpose()
}

/// Closes the still-queued lift job with key `key` as done without running
/// it: its embargo was moved or the advisory published early, so it would
/// only find nothing to do, and until then it would be listed as pending.
/// A job already claimed runs and finds that itself. True when one closed.
pub async fn drop_stale_lift(
    conn: &mut AnyConnection,
    key: &str,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', payload = '{}', updated_at = $1 \
         WHERE idempotency_key = $2 AND kind = 'lift_embargo' AND state = 'queued'",
    )
    .bind(now)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
