//! Operator actions on jobs.

use serde_json::json;

use super::{AppState, announcements};
use crate::db::audit::{self, Actor};
use crate::db::jobs;
use crate::jobs::Job;

/// Requeues a dead job; false when there is no dead job with that id. A
/// delivery's job takes its failed delivery back to `queued` with it, or
/// the retry would find it finished and send nothing.
pub async fn retry(state: &AppState, actor: &Actor, id: &str) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    let Some((kind, payload)) = jobs::retry(&mut tx, id).await? else {
        return Ok(false);
    };
    if let Ok(Job::Deliver { delivery }) = Job::from_stored(&kind, &payload) {
        announcements::retried(&mut tx, &delivery).await?;
    }
    audit::append(&mut tx, actor, "job.retried", id, json!({}));
    tx.commit().await?;
    Ok(true)
}
