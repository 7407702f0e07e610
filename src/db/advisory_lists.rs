//! Lists of advisories, a bounded page at a time, and the one-query
//! listing of every public advisory that the CSAF directory needs.

use sqlx::{AnyConnection, Row};

use super::DbError;
use super::advisories::{AdvisoryRow, COLUMNS, row};
use super::cursor::{Cursor, Page, Window, limit};
use crate::domain::advisory::{AdvisoryId, AdvisoryState};
use crate::domain::id::MemberId;

/// Advisories, newest created first, optionally in one state and only
/// those member `audience` is in the audience of: the page after `before`
/// (the first page without it).
pub async fn page(
    conn: &mut AnyConnection,
    state: Option<AdvisoryState>,
    audience: Option<&MemberId>,
    before: Option<&Cursor>,
) -> Result<Page<AdvisoryRow>, DbError> {
    let filter = Filter {
        state,
        audience,
        search: None,
    };
    find(conn, &filter, &Window::before(before)).await
}

/// Which advisories a list holds.
#[derive(Debug, Default, Clone, Copy)]
pub struct Filter<'a> {
    pub state: Option<AdvisoryState>,
    /// Only those this member is in the audience of.
    pub audience: Option<&'a MemberId>,
    /// A case-insensitive substring of the id or the content: summary,
    /// details, package names, aliases (CVE ids), credits, references.
    pub search: Option<&'a str>,
}

/// The page of advisories `window` names, newest created first.
pub async fn find(
    conn: &mut AnyConnection,
    filter: &Filter<'_>,
    window: &Window,
) -> Result<Page<AdvisoryRow>, DbError> {
    let key = |r: &AdvisoryRow| Cursor {
        at: r.created_at,
        id: r.id.to_string(),
    };
    let Some(needle) = filter.search.and_then(super::search::json_needle) else {
        let rows = read_window(conn, filter, window, window.limit()).await?;
        return Ok(window.page(rows, key));
    };
    // Content not yet published is sealed: matched here, once opened.
    let keep =
        |r: &AdvisoryRow| super::search::matches(&needle, [r.id.as_str(), r.content.as_str()]);
    let mut scan = super::cursor::Scan::new(window);
    while let Some(at) = scan.next_window() {
        let rows = read_window(conn, filter, &at, SCAN_BATCH).await?;
        scan.take(rows, SCAN_BATCH, key, keep);
    }
    Ok(scan.page(key))
}

/// Rows a search reads at a time.
const SCAN_BATCH: i64 = 200;

/// Up to `limit` advisories of `filter` (its search aside) in `window`.
async fn read_window(
    conn: &mut AnyConnection,
    filter: &Filter<'_>,
    window: &Window,
    limit: i64,
) -> Result<Vec<AdvisoryRow>, DbError> {
    let order = window.order();
    let sql = format!(
        "SELECT {COLUMNS} FROM advisories WHERE ($1 IS NULL OR state = $1) \
         AND ($2 IS NULL OR EXISTS (SELECT 1 FROM audience_members au \
           WHERE au.advisory_id = advisories.id AND au.member_id = $2)) \
         AND {} ORDER BY created_at {order}, id {order} LIMIT $7",
        Window::condition("created_at", "id", 3),
    );
    let (b_at, b_id, a_at, a_id) = window.bounds();
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(filter.state.map(|s| s.as_str()))
        .bind(filter.audience.map(MemberId::as_str))
        .bind(b_at)
        .bind(b_id)
        .bind(a_at)
        .bind(a_id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(row).collect()
}

/// Published and withdrawn advisories, newest published first: the page
/// after `before` (the first page without it).
pub async fn public_page(
    conn: &mut AnyConnection,
    before: Option<&Cursor>,
) -> Result<Page<AdvisoryRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM advisories WHERE state IN ('published', 'withdrawn') \
         AND published_at IS NOT NULL \
         AND ($1 IS NULL OR published_at < $1 OR (published_at = $1 AND id < $2)) \
         ORDER BY published_at DESC, id DESC LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(before.map(|c| c.at))
        .bind(before.map(|c| c.id.as_str()))
        .bind(limit())
        .fetch_all(conn)
        .await?;
    let rows = rows.iter().map(row).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(rows, |r| Cursor {
        at: r.published_at.unwrap_or_default(),
        id: r.id.to_string(),
    }))
}

/// What the CSAF directory lists of one public advisory.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: AdvisoryId,
    pub published_at: i64,
    /// The instant of its latest public version, if it has any.
    pub last_version_at: Option<i64>,
}

/// Every published or withdrawn advisory, with only what the CSAF
/// `index.txt` and `changes.csv` need, in one query.
pub async fn public_listing(conn: &mut AnyConnection) -> Result<Vec<Listed>, DbError> {
    let rows = sqlx::query(
        "SELECT a.id, a.published_at, \
         (SELECT p.at FROM publications p WHERE p.advisory_id = a.id ORDER BY p.number DESC LIMIT 1) AS last_at \
         FROM advisories a WHERE a.state IN ('published', 'withdrawn') AND a.published_at IS NOT NULL",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            Ok(Listed {
                id: AdvisoryId::parse(&id).map_err(|e| DbError::Decode(Box::new(e)))?,
                published_at: r.try_get("published_at")?,
                last_version_at: r.try_get("last_at")?,
            })
        })
        .collect()
}
