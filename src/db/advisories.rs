//! Advisories, their revisions, embargo history and public versions.

use sqlx::{AnyConnection, Row};

use super::{DbError, sealed};
use crate::domain::advisory::{AdvisoryId, AdvisoryState};
use crate::domain::id::ReportId;

#[derive(Debug, Clone)]
pub struct AdvisoryRow {
    pub id: AdvisoryId,
    pub state: AdvisoryState,
    /// OSV-shaped JSON.
    pub content: String,
    pub report_id: Option<String>,
    pub embargo_until: Option<i64>,
    pub embargo_zone: Option<String>,
    pub first_distributed_at: Option<i64>,
    pub published_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
    pub withdrawn_reason: String,
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const COLUMNS: &str = "id, state, content, report_id, embargo_until, embargo_zone, first_distributed_at, \
    published_at, withdrawn_at, withdrawn_reason, revision, created_at, updated_at";

/// An advisory's content is sealed (`db::sealed`) until it is published:
/// then it is public, and stored in clear.
pub const CONTENT: &str = "advisories.content";
/// Every revision's content stays sealed: the history holds what was
/// written under embargo.
pub const REVISION_CONTENT: &str = "advisory_revisions.content";

/// The row a revision's sealed content is bound to.
pub fn revision_row(id: &AdvisoryId, number: i64) -> String {
    format!("{id}:{number}")
}

/// `content` as stored for an advisory in `state`: sealed unless public.
fn stored_content(id: &AdvisoryId, state: AdvisoryState, content: &str) -> Result<String, DbError> {
    Ok(match state {
        AdvisoryState::Published => content.to_owned(),
        _ => sealed::seal_text(CONTENT, id.as_str(), content)?,
    })
}

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> DbError {
    DbError::Decode(Box::new(e))
}

pub(super) fn row(r: &sqlx::any::AnyRow) -> Result<AdvisoryRow, DbError> {
    let id: String = r.try_get("id")?;
    let state: String = r.try_get("state")?;
    Ok(AdvisoryRow {
        id: AdvisoryId::parse(&id).map_err(decode)?,
        state: AdvisoryState::parse(&state).map_err(decode)?,
        content: sealed::open_text(CONTENT, &id, r.try_get("content")?)?,
        report_id: r.try_get("report_id")?,
        embargo_until: r.try_get("embargo_until")?,
        embargo_zone: r.try_get("embargo_zone")?,
        first_distributed_at: r.try_get("first_distributed_at")?,
        published_at: r.try_get("published_at")?,
        withdrawn_at: r.try_get("withdrawn_at")?,
        withdrawn_reason: r.try_get("withdrawn_reason")?,
        revision: r.try_get("revision")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Takes the next number of `year`: `PREFIX-YEAR-NNNN`.
pub async fn next_id(
    conn: &mut AnyConnection,
    prefix: &str,
    year: i16,
) -> Result<(AdvisoryId, i64), DbError> {
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO advisory_counters (year, last_seq) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last_seq = advisory_counters.last_seq + 1 RETURNING last_seq",
    )
    .bind(i64::from(year))
    .fetch_one(conn)
    .await?;
    Ok((AdvisoryId::new(prefix, year, seq), seq))
}

pub struct NewAdvisory<'a> {
    pub id: &'a AdvisoryId,
    pub year: i16,
    pub seq: i64,
    pub content: &'a str,
    pub report_id: Option<&'a str>,
}

pub async fn insert(conn: &mut AnyConnection, a: NewAdvisory<'_>) -> Result<(), DbError> {
    let now = super::now();
    sqlx::query(
        "INSERT INTO advisories (id, year, seq, state, content, report_id, revision, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5, 1, $6, $6)",
    )
    .bind(a.id.as_str())
    .bind(i64::from(a.year))
    .bind(a.seq)
    .bind(stored_content(a.id, AdvisoryState::Draft, a.content)?)
    .bind(a.report_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
) -> Result<Option<AdvisoryRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM advisories WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.as_str())
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(row)
        .transpose()
}

/// The advisories made from report `report`, oldest first.
pub async fn for_report(
    conn: &mut AnyConnection,
    report: &ReportId,
) -> Result<Vec<AdvisoryRow>, DbError> {
    let sql =
        format!("SELECT {COLUMNS} FROM advisories WHERE report_id = $1 ORDER BY created_at, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(report.as_str())
        .fetch_all(conn)
        .await?;
    rows.iter().map(row).collect()
}

/// Everything the public may see: published and withdrawn, newest first.
pub async fn public(conn: &mut AnyConnection) -> Result<Vec<AdvisoryRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM advisories WHERE state IN ('published', 'withdrawn') AND published_at IS NOT NULL ORDER BY published_at DESC, id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?;
    rows.iter().map(row).collect()
}

/// One content revision to record.
pub struct Revision<'a> {
    pub number: i64,
    pub actor: &'a str,
    pub reason: &'a str,
    /// JSON list of the top-level fields that changed.
    pub changed: &'a str,
    pub content: &'a str,
}

/// Stores new content as revision `rev.number`; false when another edit
/// got there first or the state moved on from `from` (the caller's view
/// was stale: a correction to a published advisory must not land after its
/// withdrawal, nor an embargoed edit after the lift without its notice).
pub async fn update_content(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    from: AdvisoryState,
    rev: &Revision<'_>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE advisories SET content = $1, revision = $2, updated_at = $3 \
         WHERE id = $4 AND revision = $5 AND state = $6",
    )
    .bind(stored_content(id, from, rev.content)?)
    .bind(rev.number)
    .bind(super::now())
    .bind(id.as_str())
    .bind(rev.number - 1)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    insert_revision(conn, id, rev).await?;
    Ok(true)
}

pub async fn insert_revision(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    rev: &Revision<'_>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO advisory_revisions (advisory_id, revision, at, actor, reason, changed, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.as_str())
    .bind(rev.number)
    .bind(super::now())
    .bind(rev.actor)
    .bind(rev.reason)
    .bind(rev.changed)
    .bind(sealed::seal_text(
        REVISION_CONTENT,
        &revision_row(id, rev.number),
        rev.content,
    )?)
    .execute(conn)
    .await?;
    Ok(())
}

/// One content revision, as the history shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RevisionRow {
    pub revision: i64,
    /// Microseconds since the epoch.
    pub at: i64,
    /// Who made it, as the audit log names them.
    pub actor: String,
    pub reason: String,
    /// The top-level fields that changed.
    #[schema(value_type = Vec<String>)]
    pub changed: serde_json::Value,
}

pub async fn revisions(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
) -> Result<Vec<RevisionRow>, DbError> {
    let rows = sqlx::query(
        "SELECT revision, at, actor, reason, changed FROM advisory_revisions WHERE advisory_id = $1 ORDER BY revision",
    )
    .bind(id.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let changed: String = r.try_get("changed")?;
            Ok(RevisionRow {
                revision: r.try_get("revision")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                reason: r.try_get("reason")?,
                changed: serde_json::from_str(&changed).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}

/// Publishes if the advisory is still as the caller saw it: in `from`
/// state and, for a scheduled lift, with the same embargo instant. The
/// condition makes publication happen once however many runners try.
pub async fn mark_published(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    from: AdvisoryState,
    embargo_until: Option<i64>,
    at: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE advisories SET state = 'published', published_at = $1, updated_at = $1 \
         WHERE id = $2 AND state = $3 AND ($4 IS NULL OR embargo_until = $4)",
    )
    .bind(at)
    .bind(id.as_str())
    .bind(from.as_str())
    .bind(embargo_until)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    // Public now: its content is stored in clear from here on.
    let stored: String = sqlx::query_scalar("SELECT content FROM advisories WHERE id = $1")
        .bind(id.as_str())
        .fetch_one(&mut *conn)
        .await?;
    let clear = sealed::open_text(CONTENT, id.as_str(), stored)?;
    sqlx::query("UPDATE advisories SET content = $1 WHERE id = $2")
        .bind(clear)
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(true)
}

/// Withdraws if the advisory is still in `from`; false otherwise. The state
/// decides whether a public tombstone is due, so it must be the one seen.
pub async fn mark_withdrawn(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    from: AdvisoryState,
    reason: &str,
    at: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE advisories SET state = 'withdrawn', withdrawn_at = $1, withdrawn_reason = $2, updated_at = $1 \
         WHERE id = $3 AND state = $4 AND state <> 'withdrawn'",
    )
    .bind(at)
    .bind(reason)
    .bind(id.as_str())
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds the next public version; returns its number.
pub async fn add_publication(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    at: i64,
    summary: &str,
) -> Result<i64, DbError> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM publications WHERE advisory_id = $1",
    )
    .bind(id.as_str())
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO publications (advisory_id, number, at, summary) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.as_str())
    .bind(number)
    .bind(at)
    .bind(summary)
    .execute(conn)
    .await?;
    Ok(number)
}

#[derive(Debug, Clone)]
pub struct PublicationRow {
    pub number: i64,
    pub at: i64,
    pub summary: String,
}

pub async fn publications(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
) -> Result<Vec<PublicationRow>, DbError> {
    let rows = sqlx::query(
        "SELECT number, at, summary FROM publications WHERE advisory_id = $1 ORDER BY number",
    )
    .bind(id.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PublicationRow {
                number: r.try_get("number")?,
                at: r.try_get("at")?,
                summary: r.try_get("summary")?,
            })
        })
        .collect()
}

pub use super::advisory_embargo::{
    EmbargoChange, EmbargoChangeRow, Lift, Seen, drop_stale_lift, embargo_history, lift,
    set_embargo,
};
pub use super::advisory_lists::{Listed, page, public_listing, public_page};
pub use super::advisory_patches::{PatchInfo, insert_patch, patch_content, patches};

/// Records the first time the advisory went to the list (embargo rules
/// count from it); later announcements keep the first instant.
pub async fn mark_distributed(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE advisories SET first_distributed_at = $2 WHERE id = $1 AND first_distributed_at IS NULL",
    )
    .bind(id.as_str())
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}
