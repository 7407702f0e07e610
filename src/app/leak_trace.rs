//! Tracing a leaked paste of an announcement to the recipient whose copy
//! it was: by the tracking id when it is still there, else by the copy's
//! own wording ([`crate::domain::watermark`]).

use crate::db::leaks as store;
use crate::domain::advisory::AdvisoryId;
use crate::domain::id::DeliveryId;
use crate::domain::watermark::{normalize, observe, score};

/// One recipient a paste may have come from.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub email: String,
    pub member_id: String,
    pub delivery_id: String,
    /// 1 for the tracking id itself; else the share of the varied phrases
    /// found in the paste that are worded as in this copy.
    pub score: f64,
}

/// Candidates answered, best first.
const ANSWERED: usize = 10;
/// Most deliveries compared in one trace.
const COMPARED: i64 = 1_000_000;

/// The recipients `text` most likely came from, best first; empty when it
/// holds neither a tracking id nor any varied phrase.
pub async fn trace(state: &super::AppState, text: &str) -> anyhow::Result<Vec<Candidate>> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let tracking: Vec<String> = words
        .iter()
        .filter(|w| DeliveryId::parse(w).is_ok())
        .map(|w| (*w).to_owned())
        .collect();
    let mut advisories: Vec<String> = words
        .iter()
        .filter(|w| AdvisoryId::parse(w).is_ok())
        .map(|w| (*w).to_owned())
        .collect();
    advisories.sort();
    advisories.dedup();
    advisories.truncate(20);
    let observed = observe(&normalize(text));
    if tracking.is_empty() && observed.iter().all(Option::is_none) {
        return Ok(Vec::new());
    }
    let mut conn = state.db.conn().await?;
    // The advisory named in the paste narrows the field, if it names one
    // that was announced.
    let mut rows = store::traceable(&mut conn, &advisories, COMPARED).await?;
    if rows.is_empty() && !advisories.is_empty() {
        rows = store::traceable(&mut conn, &[], COMPARED).await?;
    }
    let mut candidates: Vec<Candidate> = rows
        .into_iter()
        .map(|r| {
            let score = if tracking.contains(&r.delivery_id) {
                1.0
            } else {
                // Below a tracking id: wording alone never outranks it.
                (score(&observed, &r.delivery_id) * 0.999 * 1000.0).floor() / 1000.0
            };
            Candidate {
                email: r.email,
                member_id: r.member_id,
                delivery_id: r.delivery_id,
                score,
            }
        })
        .filter(|c| c.score > 0.0)
        .collect();
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    candidates.truncate(ANSWERED);
    Ok(candidates)
}
