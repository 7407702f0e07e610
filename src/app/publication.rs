//! Reading what is public: published and withdrawn advisories as the
//! renderers take them. Drafts and embargoed advisories never come out.

use jiff::Timestamp;

use super::AppState;
use super::advisories::content_of;
use crate::db::advisories::{self as store, AdvisoryRow};
use crate::db::cursor::Cursor;
use crate::domain::advisory::AdvisoryId;
use crate::publish::{Public, Revision, Withdrawal, csaf};

fn ts(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The public form of `row`; `None` unless it is published or withdrawn.
pub(crate) async fn to_public(
    conn: &mut sqlx::AnyConnection,
    row: &AdvisoryRow,
) -> anyhow::Result<Option<Public>> {
    if row.published_at.is_none() || !row.state.is_public() {
        return Ok(None);
    }
    let revisions: Vec<Revision> = store::publications(conn, &row.id)
        .await?
        .into_iter()
        .map(|p| Revision {
            number: u32::try_from(p.number).unwrap_or(u32::MAX),
            at: ts(p.at),
            summary: p.summary,
        })
        .collect();
    with_revisions(row, revisions)
}

/// `row` as public with the given public versions (none for lists that do
/// not show them); `None` unless it is published or withdrawn.
fn with_revisions(row: &AdvisoryRow, revisions: Vec<Revision>) -> anyhow::Result<Option<Public>> {
    let Some(published_at) = row.published_at else {
        return Ok(None);
    };
    if !row.state.is_public() {
        return Ok(None);
    }
    let (content, scored) = content_of(row).map_err(|e| anyhow::anyhow!("{e}"))?;
    let modified_at = revisions.last().map(|r| r.at).unwrap_or(ts(published_at));
    let withdrawn = row.withdrawn_at.map(|at| Withdrawal {
        at: ts(at),
        reason: row.withdrawn_reason.clone(),
    });
    Ok(Some(Public {
        id: row.id.clone(),
        content,
        scored,
        published_at: ts(published_at),
        published_early: crate::domain::time::published_early(row.published_at, row.embargo_until),
        modified_at,
        withdrawn,
        revisions,
    }))
}

/// One public advisory; `None` for drafts, embargoed and unknown ids alike.
pub async fn find(state: &AppState, id: &str) -> anyhow::Result<Option<Public>> {
    let Ok(id) = AdvisoryId::parse(id) else {
        return Ok(None);
    };
    let mut conn = state.db.conn().await?;
    let Some(row) = store::get(&mut conn, &id).await? else {
        return Ok(None);
    };
    to_public(&mut conn, &row).await
}

/// Every public advisory, newest first.
pub async fn all(state: &AppState) -> anyhow::Result<Vec<Public>> {
    let mut conn = state.db.conn().await?;
    let rows = store::public(&mut conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(p) = to_public(&mut conn, row).await? {
            out.push(p);
        }
    }
    Ok(out)
}

/// One page of the public index, newest published first, after `before`,
/// and the next page's cursor. Without public versions: the index does not
/// show them.
pub async fn index_page(
    state: &AppState,
    before: Option<&Cursor>,
) -> anyhow::Result<(Vec<Public>, Option<Cursor>)> {
    let mut conn = state.db.conn().await?;
    let page = store::public_page(&mut conn, before).await?;
    drop(conn);
    let mut out = Vec::with_capacity(page.items.len());
    for row in &page.items {
        if let Some(p) = with_revisions(row, Vec::new())? {
            out.push(p);
        }
    }
    Ok((out, page.next))
}

/// The latest [`PAGE_SIZE`](crate::db::cursor::PAGE_SIZE) publications,
/// newest first, with their public versions (for the feed).
pub async fn latest(state: &AppState) -> anyhow::Result<Vec<Public>> {
    let mut conn = state.db.conn().await?;
    let page = store::public_page(&mut conn, None).await?;
    let mut out = Vec::with_capacity(page.items.len());
    for row in &page.items {
        if let Some(p) = to_public(&mut conn, row).await? {
            out.push(p);
        }
    }
    Ok(out)
}

/// Every public advisory as the CSAF directory lists it: its path and
/// current release date, from one query.
pub async fn csaf_listing(state: &AppState) -> anyhow::Result<Vec<csaf::Listed>> {
    let mut conn = state.db.conn().await?;
    let rows = store::public_listing(&mut conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let published_at = ts(r.published_at);
            csaf::Listed {
                path: csaf::path_of(&r.id, published_at),
                current_release_date: r.last_version_at.map_or(published_at, ts),
            }
        })
        .collect())
}
