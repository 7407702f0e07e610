//! Operator actions on jobs.

use serde_json::json;

use super::{AppState, announcements};
use crate::db::audit::{self, Actor};
use crate::db::jobs;
use crate::jobs::Job;

/// Why job in state `state` cannot be retried, for people to read.
pub fn not_dead(state: &str) -> String {
    format!("only a dead job can be retried; this one is {state}")
}

/// What a retry found.
#[derive(Debug, PartialEq, Eq)]
pub enum Retry {
    /// The dead job is queued again.
    Queued,
    /// The job is not dead (its state named): there is nothing to retry.
    NotDead(String),
    /// There is no job of that id.
    Missing,
}

/// Requeues a dead job. A delivery's job takes its failed delivery back to
/// `queued` with it, or the retry would find it finished and send nothing.
pub async fn retry(state: &AppState, actor: &Actor, id: &str) -> anyhow::Result<Retry> {
    let mut tx = state.db.begin().await?;
    let Some((kind, payload)) = jobs::retry(&mut tx, id).await? else {
        return Ok(match jobs::state_of(&mut tx, id).await? {
            Some(s) => Retry::NotDead(s),
            None => Retry::Missing,
        });
    };
    if let Ok(Job::Deliver { delivery }) = Job::from_stored(&kind, &payload) {
        announcements::retried(&mut tx, &delivery).await?;
    }
    audit::append(&mut tx, actor, "job.retried", id, json!({}));
    tx.commit().await?;
    Ok(Retry::Queued)
}
