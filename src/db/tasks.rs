//! Tasks on advisories, each with a primary and a backup member. Every
//! change is a conditional update on the task's state, so a job that runs
//! twice, or a hand-over racing a "done", changes it once.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use crate::domain::contribution::NewTask;

const COLUMNS: &str = "t.id, t.advisory_id, t.kind, t.title, t.primary_member, \
    p.organization AS primary_organization, t.backup_member, \
    b.organization AS backup_organization, t.due_at, t.state, t.created_by, t.created_at, \
    t.missed_at, t.done_by, t.done_member, t.done_at, t.notes, t.draft, t.draft_at, \
    t.draft_applied_at, t.draft_applied_revision";
const FROM: &str = "FROM tasks t JOIN members p ON p.id = t.primary_member \
    JOIN members b ON b.id = t.backup_member";

#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskRow {
    pub id: String,
    pub advisory_id: String,
    pub kind: String,
    pub title: String,
    pub primary: String,
    pub primary_organization: String,
    pub backup: String,
    pub backup_organization: String,
    pub due_at: i64,
    pub state: String,
    pub created_by: String,
    pub created_at: i64,
    pub missed_at: Option<i64>,
    pub done_by: Option<String>,
    pub done_member: Option<String>,
    pub done_at: Option<i64>,
    pub notes: String,
    pub draft: String,
    pub draft_at: Option<i64>,
    pub draft_applied_at: Option<i64>,
    pub draft_applied_revision: Option<i64>,
}

fn task(r: &AnyRow) -> Result<TaskRow, DbError> {
    Ok(TaskRow {
        id: r.try_get("id")?,
        advisory_id: r.try_get("advisory_id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        primary: r.try_get("primary_member")?,
        primary_organization: r.try_get("primary_organization")?,
        backup: r.try_get("backup_member")?,
        backup_organization: r.try_get("backup_organization")?,
        due_at: r.try_get("due_at")?,
        state: r.try_get("state")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        missed_at: r.try_get("missed_at")?,
        done_by: r.try_get("done_by")?,
        done_member: r.try_get("done_member")?,
        done_at: r.try_get("done_at")?,
        notes: r.try_get("notes")?,
        draft: r.try_get("draft")?,
        draft_at: r.try_get("draft_at")?,
        draft_applied_at: r.try_get("draft_applied_at")?,
        draft_applied_revision: r.try_get("draft_applied_revision")?,
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    advisory: &str,
    t: &NewTask,
    created_by: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO tasks (id, advisory_id, kind, title, primary_member, backup_member, due_at, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(advisory)
    .bind(t.kind.as_str())
    .bind(&t.title)
    .bind(t.primary.as_str())
    .bind(t.backup.as_str())
    .bind(t.due)
    .bind(created_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<TaskRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE t.id = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(task).transpose()
}

/// Every task on `advisory`, by due instant; the caller filters.
pub async fn for_advisory(
    conn: &mut AnyConnection,
    advisory: &str,
) -> Result<Vec<TaskRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE t.advisory_id = $1 ORDER BY t.due_at, t.id");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(advisory)
        .fetch_all(conn)
        .await?;
    rows.iter().map(task).collect()
}

/// The page of the tasks on `advisory` `window` names, by due instant;
/// only those naming `member` as primary or backup when given (the
/// caller still shows each to who may see it).
pub async fn page_for_advisory(
    conn: &mut AnyConnection,
    advisory: &str,
    member: Option<&str>,
    window: &Window,
) -> Result<Page<TaskRow>, DbError> {
    let order = window.ascending_order();
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE t.advisory_id = $1 \
         AND ($2 = '' OR t.primary_member = $2 OR t.backup_member = $2) AND {} \
         ORDER BY t.due_at {order}, t.id {order} LIMIT $7",
        Window::ascending_condition("t.due_at", "t.id", 3)
    );
    let query = sqlx::query(AssertSqlSafe(sql))
        .bind(advisory)
        .bind(member.unwrap_or(""));
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows.iter().map(task).collect::<Result<Vec<_>, _>>()?;
    Ok(window.page(rows, |t| Cursor {
        at: t.due_at,
        id: t.id.clone(),
    }))
}

/// What reporting a task done records.
pub struct Done<'a> {
    pub by: &'a str,
    /// The member credited with it.
    pub member: &'a str,
    pub notes: &'a str,
    pub draft: Option<&'a str>,
    pub now: i64,
}

/// Marks the task done if it is in state `from`; false when it is not
/// (done meanwhile, or handed over since it was read).
pub async fn mark_done(
    conn: &mut AnyConnection,
    id: &str,
    from: &str,
    d: &Done<'_>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE tasks SET state = 'done', done_by = $3, done_member = $4, done_at = $5, notes = $6, \
         draft = CASE WHEN $7 = 1 THEN $8 ELSE draft END, \
         draft_at = CASE WHEN $7 = 1 THEN $5 ELSE draft_at END \
         WHERE id = $1 AND state = $2",
    )
    .bind(id)
    .bind(from)
    .bind(d.by)
    .bind(d.member)
    .bind(d.now)
    .bind(d.notes)
    .bind(i64::from(d.draft.is_some()))
    .bind(d.draft.unwrap_or_default())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// At the due instant: an open task passes to its backup and counts as
/// missed by its primary. False when it was not open (done, or handed
/// over by an earlier run of the job).
pub async fn hand_over(conn: &mut AnyConnection, id: &str, now: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE tasks SET state = 'handed_over', missed_at = $2 WHERE id = $1 AND state = 'open'",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the task's draft; it is no longer the one applied.
pub async fn set_draft(
    conn: &mut AnyConnection,
    id: &str,
    draft: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE tasks SET draft = $2, draft_at = $3, draft_applied_at = NULL, \
         draft_applied_revision = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(draft)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that `draft` became advisory revision `revision`; false when
/// the task's draft changed since it was read.
pub async fn mark_draft_applied(
    conn: &mut AnyConnection,
    id: &str,
    draft: &str,
    revision: i64,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE tasks SET draft_applied_at = $3, draft_applied_revision = $4 \
         WHERE id = $1 AND draft = $2",
    )
    .bind(id)
    .bind(draft)
    .bind(now)
    .bind(revision)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
