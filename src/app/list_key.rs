//! Rotating the list's OpenPGP key: a new current key and its audit event,
//! or neither.

use anyhow::Context;
use serde_json::json;

use super::AppState;
use crate::db::audit::{self, Actor};
use crate::mail::list_key::{self, ListKey, Rotation};

/// Makes a new current list key (the older ones stay for decrypting) and
/// records `list_key.rotated`. If the event cannot be written, the previous
/// key is made current again and the error returned. Processes that loaded
/// the key before keep using it until they restart.
pub async fn rotate(state: &AppState, actor: &Actor) -> anyhow::Result<Rotation> {
    let dir = state.paths.list_key();
    let user_id = list_key::user_id(&state.config.organization, &state.config.security_address);
    let rotation = tokio::task::spawn_blocking(move || ListKey::rotate(&dir, &user_id))
        .await?
        .context("making a new list key")?;
    let recorded = async {
        let mut tx = state.db.begin().await?;
        audit::append(
            &mut tx,
            actor,
            "list_key.rotated",
            &rotation.current,
            json!({ "previous": rotation.previous, "current": rotation.current }),
        );
        tx.commit().await
    }
    .await;
    if let Err(e) = recorded {
        let undo = rotation.clone();
        tokio::task::spawn_blocking(move || undo.undo())
            .await?
            .context(
                "recording the rotation failed, and so did making the previous key current again",
            )?;
        return Err(anyhow::Error::new(e).context(
            "recording the rotation in the audit log; the previous key is current again",
        ));
    }
    tracing::info!(fingerprint = %rotation.current, previous = %rotation.previous, "rotated the list key");
    Ok(rotation)
}
