//! Jobs as admins see them: the list, one job's state, and a dead job's
//! retry.

use sqlx::{AnyConnection, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use super::jobs::open_payload;
use crate::domain::job::JobState;

/// Puts a dead job back in the queue (an admin retry); its (`kind`,
/// payload), or None when there is no dead job with that id.
pub async fn retry(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(String, String)>, DbError> {
    let row = sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, lease_token = NULL, updated_at = $1 \
         WHERE id = $2 AND state = 'dead' RETURNING id, kind, payload",
    )
    .bind(super::now())
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get("kind")?, open_payload(&r)?)))
        .transpose()
}

/// The state of job `id`, if there is one.
pub async fn state_of(conn: &mut AnyConnection, id: &str) -> Result<Option<String>, DbError> {
    sqlx::query_scalar("SELECT state FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
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
    rows.iter().map(job_row).collect()
}

/// The page of jobs `window` names, newest created first, optionally in
/// one state and matching `search` (id, kind, what it is about, last
/// error).
pub async fn page(
    conn: &mut AnyConnection,
    state: Option<JobState>,
    search: Option<&str>,
    window: &Window,
) -> Result<Page<JobRow>, DbError> {
    let order = window.order();
    let sql = format!(
        "SELECT id, kind, state, run_at, attempts, max_attempts, last_error, updated_at, created_at \
         FROM jobs WHERE ($1 IS NULL OR state = $1) AND {} AND {} \
         ORDER BY created_at {order}, id {order} LIMIT $7",
        super::search::any_of(2, &["id", "kind", "idempotency_key", "last_error"]),
        Window::condition("created_at", "id", 3),
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(state.map(|s| s.as_str()))
        .bind(search.and_then(super::search::pattern));
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows
        .iter()
        .map(|r| Ok((job_row(r)?, r.try_get::<i64, _>("created_at")?)))
        .collect::<Result<Vec<_>, DbError>>()?;
    let page = window.page(rows, |(j, at)| Cursor {
        at: *at,
        id: j.id.clone(),
    });
    Ok(Page {
        items: page.items.into_iter().map(|(j, _)| j).collect(),
        next: page.next,
        prev: page.prev,
    })
}

fn job_row(r: &sqlx::any::AnyRow) -> Result<JobRow, DbError> {
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
}
