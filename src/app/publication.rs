//! Reading what is public: published and withdrawn advisories as the
//! renderers take them. Drafts and embargoed advisories never come out.

use jiff::Timestamp;

use super::AppState;
use super::advisories::content_of;
use crate::db::advisories::{self as store, AdvisoryRow};
use crate::domain::advisory::AdvisoryId;
use crate::publish::{Public, Revision, Withdrawal};

fn ts(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(Timestamp::UNIX_EPOCH)
}

async fn to_public(
    conn: &mut sqlx::AnyConnection,
    row: &AdvisoryRow,
) -> anyhow::Result<Option<Public>> {
    let Some(published_at) = row.published_at else {
        return Ok(None);
    };
    if !row.state.is_public() {
        return Ok(None);
    }
    let (content, scored) = content_of(row).map_err(|e| anyhow::anyhow!("{e}"))?;
    let revisions: Vec<Revision> = store::publications(conn, &row.id)
        .await?
        .into_iter()
        .map(|p| Revision {
            number: u32::try_from(p.number).unwrap_or(u32::MAX),
            at: ts(p.at),
            summary: p.summary,
        })
        .collect();
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
