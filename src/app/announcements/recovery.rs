//! Deliveries whose job ended outside [`super::deliver`]: the process
//! running it died on its last attempt, or an admin retried the dead job.

use crate::db::{self, announcements as store};
use crate::domain::announcement::DeliveryState;

/// The deliveries of jobs that died with their runner on their last
/// attempt: `failed`, not left `sending` for ever.
pub async fn gave_up(tx: &mut db::Tx, deliveries: &[String]) -> anyhow::Result<()> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = deliveries.iter().map(String::as_str).collect();
    store::finish_attempts(
        tx,
        &ids,
        DeliveryState::Failed,
        "the process sending it stopped, and its attempts are used up",
        db::now(),
    )
    .await?;
    Ok(())
}

/// An admin retried the dead job of `delivery`: it is waiting again.
pub async fn retried(tx: &mut db::Tx, delivery: &str) -> anyhow::Result<()> {
    store::reopen(tx, delivery, db::now()).await?;
    Ok(())
}
