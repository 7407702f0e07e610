//! Leak records, their retrospectives (actions, comments) and strikes.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use super::{list, placeholders};
use crate::domain::leak::{LeakReport, Retrospective};

const COLUMNS: &str = "l.id, l.advisory_id, l.member_id, m.organization, l.reported_by, \
    l.what, l.to_whom, l.leaked_when, l.how_found, l.containment, l.created_at, l.state, \
    l.decided_by, l.decided_at, l.withdrawn_reason, l.findings, l.root_cause, l.retrospective_at";

#[derive(Debug, Clone, serde::Serialize)]
pub struct LeakRow {
    pub id: String,
    pub advisory_id: String,
    pub member_id: String,
    pub organization: String,
    pub reported_by: String,
    pub what: String,
    pub to_whom: String,
    pub when: String,
    pub how_found: String,
    pub containment: String,
    pub created_at: i64,
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub withdrawn_reason: String,
    pub findings: String,
    pub root_cause: String,
    pub retrospective_at: Option<i64>,
}

fn leak(r: &AnyRow) -> Result<LeakRow, DbError> {
    Ok(LeakRow {
        id: r.try_get("id")?,
        advisory_id: r.try_get("advisory_id")?,
        member_id: r.try_get("member_id")?,
        organization: r.try_get("organization")?,
        reported_by: r.try_get("reported_by")?,
        what: r.try_get("what")?,
        to_whom: r.try_get("to_whom")?,
        when: r.try_get("leaked_when")?,
        how_found: r.try_get("how_found")?,
        containment: r.try_get("containment")?,
        created_at: r.try_get("created_at")?,
        state: r.try_get("state")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        withdrawn_reason: r.try_get("withdrawn_reason")?,
        findings: r.try_get("findings")?,
        root_cause: r.try_get("root_cause")?,
        retrospective_at: r.try_get("retrospective_at")?,
    })
}

pub struct NewLeak<'a> {
    pub id: &'a str,
    pub advisory_id: &'a str,
    pub member_id: &'a str,
    pub reported_by: &'a str,
    pub report: &'a LeakReport,
    pub created_at: i64,
}

pub async fn insert(conn: &mut AnyConnection, l: &NewLeak<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO leaks (id, advisory_id, member_id, reported_by, what, to_whom, leaked_when, \
         how_found, containment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(l.id)
    .bind(l.advisory_id)
    .bind(l.member_id)
    .bind(l.reported_by)
    .bind(&l.report.what)
    .bind(&l.report.to_whom)
    .bind(&l.report.when)
    .bind(&l.report.how_found)
    .bind(&l.report.containment)
    .bind(l.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<LeakRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM leaks l JOIN members m ON m.id = l.member_id WHERE l.id = $1"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(leak).transpose()
}

/// A member's leak records, newest first (at most `limit`).
pub async fn for_member(
    conn: &mut AnyConnection,
    member: &str,
    limit: i64,
) -> Result<Vec<LeakRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM leaks l JOIN members m ON m.id = l.member_id \
         WHERE l.member_id = $1 ORDER BY l.created_at DESC, l.id DESC LIMIT $2"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(member)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(leak).collect()
}

/// The page of a member's leak records `window` names, newest first.
pub async fn member_page(
    conn: &mut AnyConnection,
    member: &str,
    window: &Window,
) -> Result<Page<LeakRow>, DbError> {
    let order = window.order();
    let sql = format!(
        "SELECT {COLUMNS} FROM leaks l JOIN members m ON m.id = l.member_id \
         WHERE l.member_id = $1 AND {} ORDER BY l.created_at {order}, l.id {order} LIMIT $6",
        Window::condition("l.created_at", "l.id", 2),
    );
    let query = sqlx::query(AssertSqlSafe(sql)).bind(member);
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows.iter().map(leak).collect::<Result<Vec<_>, _>>()?;
    Ok(window.page(rows, |l| Cursor {
        at: l.created_at,
        id: l.id.clone(),
    }))
}

/// The page of leak records `window` names, newest first, matching
/// `search` (what leaked, to whom, the advisory id, the organisation).
pub async fn page(
    conn: &mut AnyConnection,
    search: Option<&str>,
    window: &Window,
) -> Result<Page<LeakRow>, DbError> {
    let order = window.order();
    let sql = format!(
        "SELECT {COLUMNS} FROM leaks l JOIN members m ON m.id = l.member_id WHERE {} AND {} \
         ORDER BY l.created_at {order}, l.id {order} LIMIT $6",
        super::search::any_of(
            1,
            &["l.what", "l.to_whom", "l.advisory_id", "m.organization"]
        ),
        Window::condition("l.created_at", "l.id", 2),
    );
    let query = sqlx::query(AssertSqlSafe(sql)).bind(search.and_then(super::search::pattern));
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows.iter().map(leak).collect::<Result<Vec<_>, _>>()?;
    Ok(window.page(rows, |l| Cursor {
        at: l.created_at,
        id: l.id.clone(),
    }))
}

/// A member's leaks that count: reported since `since`, not withdrawn.
pub async fn strikes(conn: &mut AnyConnection, member: &str, since: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM leaks WHERE member_id = $1 AND created_at >= $2 AND state <> 'withdrawn'",
    )
    .bind(member)
    .bind(since)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ActionRow {
    pub what: String,
    pub owner: String,
    pub due: String,
    pub state: String,
    pub reason: String,
}

pub async fn actions(conn: &mut AnyConnection, leak: &str) -> Result<Vec<ActionRow>, DbError> {
    let rows = sqlx::query(
        "SELECT what, owner, due, state, reason FROM leak_actions WHERE leak_id = $1 ORDER BY position",
    )
    .bind(leak)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ActionRow {
                what: r.try_get("what")?,
                owner: r.try_get("owner")?,
                due: r.try_get("due")?,
                state: r.try_get("state")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Replaces the retrospective of an open leak; false when it is not open.
pub async fn save_retrospective(
    conn: &mut AnyConnection,
    leak: &str,
    retro: &Retrospective,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE leaks SET findings = $2, root_cause = $3, retrospective_at = $4 WHERE id = $1 AND state = 'open'",
    )
    .bind(leak)
    .bind(&retro.findings)
    .bind(&retro.root_cause)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM leak_actions WHERE leak_id = $1")
        .bind(leak)
        .execute(&mut *conn)
        .await?;
    if retro.actions.is_empty() {
        return Ok(true);
    }
    // Only placeholders are formatted in; every value is bound.
    let sql = format!(
        "INSERT INTO leak_actions (leak_id, position, what, owner, due, state, reason) VALUES {}",
        placeholders(retro.actions.len(), 7)
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for (i, a) in retro.actions.iter().enumerate() {
        q = q
            .bind(leak)
            .bind(i as i64)
            .bind(&a.what)
            .bind(&a.owner)
            .bind(&a.due)
            .bind(a.state.as_str())
            .bind(&a.reason);
    }
    q.execute(conn).await?;
    Ok(true)
}

/// Ends an open leak as `closed`, or any not withdrawn as `withdrawn`;
/// false when it was not in such a state.
pub async fn decide(
    conn: &mut AnyConnection,
    leak: &str,
    state: &str,
    by: &str,
    reason: &str,
    now: i64,
) -> Result<bool, DbError> {
    let from = if state == "closed" {
        "state = 'open'"
    } else {
        "state <> 'withdrawn'"
    };
    let sql = format!(
        "UPDATE leaks SET state = $2, decided_by = $3, decided_at = $4, withdrawn_reason = $5 \
         WHERE id = $1 AND {from}"
    );
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(leak)
        .bind(state)
        .bind(by)
        .bind(now)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A comment on a leak.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CommentRow {
    pub id: String,
    /// The author's account id.
    pub author: String,
    /// The author's address.
    pub email: String,
    pub body: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

pub async fn add_comment(
    conn: &mut AnyConnection,
    id: &str,
    leak: &str,
    author: &str,
    body: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO leak_comments (id, leak_id, author, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(leak)
    .bind(author)
    .bind(body)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn comments(conn: &mut AnyConnection, leak: &str) -> Result<Vec<CommentRow>, DbError> {
    let rows = sqlx::query(
        "SELECT c.id, c.author, a.email, c.body, c.created_at FROM leak_comments c \
         JOIN accounts a ON a.id = c.author WHERE c.leak_id = $1 ORDER BY c.created_at, c.id",
    )
    .bind(leak)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CommentRow {
                id: r.try_get("id")?,
                author: r.try_get("author")?,
                email: r.try_get("email")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Records that the admins were sent a removal proposal at `strikes`;
/// true when that is news (no proposal yet, or one at fewer strikes).
pub async fn propose_removal(
    conn: &mut AnyConnection,
    member: &str,
    strikes: i64,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO leak_removal_proposals (member_id, proposed_at, strikes) VALUES ($1, $2, $3) \
         ON CONFLICT (member_id) DO UPDATE SET proposed_at = excluded.proposed_at, strikes = excluded.strikes \
         WHERE leak_removal_proposals.strikes < excluded.strikes",
    )
    .bind(member)
    .bind(now)
    .bind(strikes)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A delivery of an announced advisory, as a trace compares it.
pub struct Traceable {
    pub delivery_id: String,
    pub email: String,
    pub member_id: String,
}

/// The deliveries that carried an advisory itself (not a notice or a
/// follow-up), of
/// `advisories` when some are named, at most `limit`, newest first.
pub async fn traceable(
    conn: &mut AnyConnection,
    advisories: &[String],
    limit: i64,
) -> Result<Vec<Traceable>, DbError> {
    let only = if advisories.is_empty() {
        String::new()
    } else {
        format!("AND a.advisory_id IN ({})", list(2, advisories.len()))
    };
    // Only placeholders are formatted in; every value is bound.
    let sql = format!(
        "SELECT d.id, d.email, d.member_id FROM deliveries d \
         JOIN announcements a ON a.id = d.announcement_id \
         WHERE a.purpose = 'advisory' AND d.kind <> 'notice' {only} ORDER BY a.created_at DESC, d.id LIMIT $1"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql)).bind(limit);
    for a in advisories {
        q = q.bind(a);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Traceable {
                delivery_id: r.try_get("id")?,
                email: r.try_get("email")?,
                member_id: r.try_get("member_id")?,
            })
        })
        .collect()
}
