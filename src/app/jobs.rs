//! Operator actions on jobs.

use serde_json::json;

use super::AppState;
use crate::db::audit::{self, Actor};
use crate::db::jobs;

/// Requeues a dead job; false when there is no dead job with that id.
pub async fn retry(state: &AppState, actor: &Actor, id: &str) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    let done = jobs::retry(&mut tx, id).await?;
    if done {
        audit::append(&mut tx, actor, "job.retried", id, json!({}));
    }
    tx.commit().await?;
    Ok(done)
}
