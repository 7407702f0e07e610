//! Need-to-know shares of embargoed advisories with delegates.

use sqlx::{AnyConnection, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use crate::domain::advisory::AdvisoryId;
use crate::domain::share::Share;

/// A delegate's shares not revoked, with whether the sharing member is
/// still on the list: the facts [`crate::domain::share::Delegate`] decides on.
pub async fn live_for_delegate(
    conn: &mut AnyConnection,
    delegate: &str,
) -> Result<Vec<Share>, DbError> {
    let rows = sqlx::query(
        "SELECT s.advisory_id, s.accepted_at, m.status FROM shares s \
         JOIN members m ON m.id = s.member_id \
         WHERE s.delegate_id = $1 AND s.revoked_at IS NULL",
    )
    .bind(delegate)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .filter_map(|r| {
            let advisory: String = match r.try_get("advisory_id") {
                Ok(a) => a,
                Err(e) => return Some(Err(e)),
            };
            // An id that no longer parses grants nothing.
            let advisory = AdvisoryId::parse(&advisory).ok()?;
            Some(Ok(Share {
                advisory,
                terms_accepted: matches!(r.try_get::<Option<i64>, _>("accepted_at"), Ok(Some(_))),
                sharer_active: matches!(r.try_get::<String, _>("status").as_deref(), Ok("active")),
            }))
        })
        .collect()
}

pub struct NewShare<'a> {
    pub id: &'a str,
    pub advisory_id: &'a str,
    pub member_id: &'a str,
    pub shared_by: &'a str,
    pub delegate_id: &'a str,
    pub name: &'a str,
    pub reason: &'a str,
    pub created_at: i64,
}

pub async fn insert(conn: &mut AnyConnection, s: &NewShare<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO shares (id, advisory_id, member_id, shared_by, delegate_id, name, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(s.id)
    .bind(s.advisory_id)
    .bind(s.member_id)
    .bind(s.shared_by)
    .bind(s.delegate_id)
    .bind(s.name)
    .bind(s.reason)
    .bind(s.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ShareRow {
    pub id: String,
    pub advisory_id: String,
    pub member_id: String,
    pub shared_by: String,
    pub delegate_id: String,
    pub email: String,
    pub name: String,
    pub reason: String,
    pub created_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "s.id, s.advisory_id, s.member_id, s.shared_by, s.delegate_id, a.email, s.name, \
    s.reason, s.created_at, s.accepted_at, s.revoked_at";

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<ShareRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM shares s JOIN accounts a ON a.id = s.delegate_id WHERE s.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| share(&r)).transpose()
}

/// An advisory's shares, newest first; only `member`'s when given.
pub async fn for_advisory(
    conn: &mut AnyConnection,
    advisory: &str,
    member: Option<&str>,
) -> Result<Vec<ShareRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM shares s JOIN accounts a ON a.id = s.delegate_id \
         WHERE s.advisory_id = $1 AND ($2 = '' OR s.member_id = $2) ORDER BY s.created_at DESC, s.id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(advisory)
        .bind(member.unwrap_or(""))
        .fetch_all(conn)
        .await?;
    rows.iter().map(share).collect()
}

/// The page of an advisory's shares `window` names, newest first; only
/// `member`'s when given.
pub async fn page_for_advisory(
    conn: &mut AnyConnection,
    advisory: &str,
    member: Option<&str>,
    window: &Window,
) -> Result<Page<ShareRow>, DbError> {
    let order = window.order();
    let sql = format!(
        "SELECT {COLUMNS} FROM shares s JOIN accounts a ON a.id = s.delegate_id \
         WHERE s.advisory_id = $1 AND ($2 = '' OR s.member_id = $2) AND {} \
         ORDER BY s.created_at {order}, s.id {order} LIMIT $7",
        Window::condition("s.created_at", "s.id", 3)
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(advisory)
        .bind(member.unwrap_or(""));
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows.iter().map(share).collect::<Result<Vec<_>, _>>()?;
    Ok(window.page(rows, |s| Cursor {
        at: s.created_at,
        id: s.id.clone(),
    }))
}

/// Revokes a live share; false when it was revoked already.
pub async fn revoke(
    conn: &mut AnyConnection,
    id: &str,
    by: &str,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE shares SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the delegate's acceptance of a live share's terms; false when
/// it was revoked (accepting twice keeps the first instant).
pub async fn accept(conn: &mut AnyConnection, id: &str, now: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE shares SET accepted_at = COALESCE(accepted_at, $2) WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn share(r: &sqlx::any::AnyRow) -> Result<ShareRow, DbError> {
    Ok(ShareRow {
        id: r.try_get("id")?,
        advisory_id: r.try_get("advisory_id")?,
        member_id: r.try_get("member_id")?,
        shared_by: r.try_get("shared_by")?,
        delegate_id: r.try_get("delegate_id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
        accepted_at: r.try_get("accepted_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}
