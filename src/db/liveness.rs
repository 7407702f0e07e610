//! Pings to members' security aliases, the review-due notices, and the
//! periodic member reviews.

use sqlx::{AnyConnection, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use crate::domain::id::{PingId, ReviewId};
use crate::domain::secret::SecretHash;

/// One ping to a member's security alias.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ping {
    pub id: String,
    pub member_id: String,
    pub seq: i64,
    pub alias: String,
    pub sent_at: i64,
    pub due_at: i64,
    pub answered_at: Option<i64>,
}

const PING_COLUMNS: &str = "id, member_id, seq, alias, sent_at, due_at, answered_at";

fn ping(r: &sqlx::any::AnyRow) -> Result<Ping, DbError> {
    Ok(Ping {
        id: r.try_get("id")?,
        member_id: r.try_get("member_id")?,
        seq: r.try_get("seq")?,
        alias: r.try_get("alias")?,
        sent_at: r.try_get("sent_at")?,
        due_at: r.try_get("due_at")?,
        answered_at: r.try_get("answered_at")?,
    })
}

pub struct NewPing<'a> {
    pub member_id: &'a str,
    /// One more than the member's last ping as the sender read it.
    pub seq: i64,
    pub alias: &'a str,
    pub token_hash: &'a SecretHash,
    pub sent_at: i64,
    pub due_at: i64,
}

/// Inserts the member's next ping; `None` when another sweep inserted a
/// ping with this number first (since the caller read the last one).
pub async fn insert_ping(
    conn: &mut AnyConnection,
    p: NewPing<'_>,
) -> Result<Option<PingId>, DbError> {
    let id = PingId::generate();
    let done = sqlx::query(
        "INSERT INTO alias_pings (id, member_id, seq, alias, token_hash, sent_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (member_id, seq) DO NOTHING",
    )
    .bind(id.as_str())
    .bind(p.member_id)
    .bind(p.seq)
    .bind(p.alias)
    .bind(p.token_hash.as_str())
    .bind(p.sent_at)
    .bind(p.due_at)
    .execute(conn)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

/// A member's pings, newest first.
pub async fn pings(conn: &mut AnyConnection, member: &str) -> Result<Vec<Ping>, DbError> {
    let sql =
        format!("SELECT {PING_COLUMNS} FROM alias_pings WHERE member_id = $1 ORDER BY seq DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(member)
        .fetch_all(conn)
        .await?;
    rows.iter().map(ping).collect()
}

/// Records the answer to the ping whose link hashes to `token`, unless it
/// was answered before. Returns the ping and whether this was its first
/// answer.
pub async fn answer(
    conn: &mut AnyConnection,
    token: &SecretHash,
    at: i64,
) -> Result<Option<(Ping, bool)>, DbError> {
    let done = sqlx::query(
        "UPDATE alias_pings SET answered_at = $1 WHERE token_hash = $2 AND answered_at IS NULL",
    )
    .bind(at)
    .bind(token.as_str())
    .execute(&mut *conn)
    .await?;
    let sql = format!("SELECT {PING_COLUMNS} FROM alias_pings WHERE token_hash = $1");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(token.as_str())
        .fetch_optional(conn)
        .await?;
    found
        .as_ref()
        .map(|r| Ok((ping(r)?, done.rows_affected() == 1)))
        .transpose()
}

/// An active member as the sweep sees it.
#[derive(Debug, Clone)]
pub struct SweepRow {
    pub id: String,
    pub organization: String,
    pub security_alias: String,
    pub joined_at: i64,
    /// Number of the last ping (0: none yet).
    pub last_seq: i64,
    pub last_ping_at: Option<i64>,
    pub last_review_at: Option<i64>,
}

/// Every active member with its last ping and last review.
pub async fn active_members(conn: &mut AnyConnection) -> Result<Vec<SweepRow>, DbError> {
    let rows = sqlx::query(
        "SELECT m.id, m.organization, m.security_alias, m.joined_at, \
         (SELECT COALESCE(MAX(p.seq), 0) FROM alias_pings p WHERE p.member_id = m.id) AS last_seq, \
         (SELECT MAX(p.sent_at) FROM alias_pings p WHERE p.member_id = m.id) AS last_ping_at, \
         (SELECT MAX(r.at) FROM member_reviews r WHERE r.member_id = m.id) AS last_review_at \
         FROM members m WHERE m.status = 'active' ORDER BY m.joined_at, m.id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SweepRow {
                id: r.try_get("id")?,
                organization: r.try_get("organization")?,
                security_alias: r.try_get("security_alias")?,
                joined_at: r.try_get("joined_at")?,
                last_seq: r.try_get("last_seq")?,
                last_ping_at: r.try_get("last_ping_at")?,
                last_review_at: r.try_get("last_review_at")?,
            })
        })
        .collect()
}

/// Records that admins are told the review due at `due_at` is due; false
/// when they were told before.
pub async fn record_review_notice(
    conn: &mut AnyConnection,
    member: &str,
    due_at: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO review_notices (member_id, due_at, sent_at) VALUES ($1, $2, $3) \
         ON CONFLICT (member_id, due_at) DO NOTHING",
    )
    .bind(member)
    .bind(due_at)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One review of a member.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Review {
    pub id: String,
    pub member_id: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// Who reviewed, as the audit log names them.
    pub actor: String,
    #[schema(value_type = ReviewOutcome)]
    pub outcome: String,
    pub notes: String,
}

/// What a review decided (the outcome column's values).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReviewOutcome {
    Keep,
    Remove,
}

pub async fn insert_review(
    conn: &mut AnyConnection,
    member: &str,
    actor: &str,
    outcome: &str,
    notes: &str,
) -> Result<ReviewId, DbError> {
    let id = ReviewId::generate();
    sqlx::query(
        "INSERT INTO member_reviews (id, member_id, at, actor, outcome, notes) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.as_str())
    .bind(member)
    .bind(super::now())
    .bind(actor)
    .bind(outcome)
    .bind(notes)
    .execute(conn)
    .await?;
    Ok(id)
}

/// A member's reviews, newest first.
pub async fn reviews(conn: &mut AnyConnection, member: &str) -> Result<Vec<Review>, DbError> {
    let rows = sqlx::query(
        "SELECT id, member_id, at, actor, outcome, notes FROM member_reviews WHERE member_id = $1 ORDER BY at DESC, id DESC",
    )
    .bind(member)
    .fetch_all(conn)
    .await?;
    rows.iter().map(review).collect()
}

/// The page of a member's reviews `window` names, newest first.
pub async fn review_page(
    conn: &mut AnyConnection,
    member: &str,
    window: &Window,
) -> Result<Page<Review>, DbError> {
    let order = window.order();
    let sql = format!(
        "SELECT id, member_id, at, actor, outcome, notes FROM member_reviews \
         WHERE member_id = $1 AND {} ORDER BY at {order}, id {order} LIMIT $6",
        Window::condition("at", "id", 2)
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(member);
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows.iter().map(review).collect::<Result<Vec<_>, _>>()?;
    Ok(window.page(rows, |r| Cursor {
        at: r.at,
        id: r.id.clone(),
    }))
}

/// When a member was last reviewed, if ever.
pub async fn last_review_at(
    conn: &mut AnyConnection,
    member: &str,
) -> Result<Option<i64>, DbError> {
    sqlx::query_scalar("SELECT MAX(at) FROM member_reviews WHERE member_id = $1")
        .bind(member)
        .fetch_one(conn)
        .await
}

fn review(r: &sqlx::any::AnyRow) -> Result<Review, DbError> {
    Ok(Review {
        id: r.try_get("id")?,
        member_id: r.try_get("member_id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        outcome: r.try_get("outcome")?,
        notes: r.try_get("notes")?,
    })
}
