//! `send_mail`: deliver one rendered mail through the configured transport.

use crate::app::AppState;
use crate::mail::OutgoingMail;

pub async fn run(state: &AppState, payload: &str) -> anyhow::Result<()> {
    let mail: OutgoingMail = serde_json::from_str(payload)?;
    state.transport.send(&mail).await
}
