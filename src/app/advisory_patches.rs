//! Patches attached to an advisory.

use serde_json::json;

use super::AppState;
use super::advisories::{AdvisoryError, invalid, load};
use crate::db::advisories as store;
use crate::db::audit::{self, Actor};

/// Attaches a patch; it stays as private as the advisory until publication.
pub async fn add_patch(
    state: &AppState,
    actor: &Actor,
    id: &str,
    patch: &crate::db::reports::NewAttachment,
) -> Result<String, AdvisoryError> {
    let row = load(state, id).await?;
    row.state.edit()?;
    if patch.filename.trim().is_empty() {
        return Err(invalid("filename", "is required"));
    }
    if patch.content.is_empty() {
        return Err(invalid("content_base64", "the patch is empty"));
    }
    let mut tx = state.db.begin().await?;
    let pid = store::insert_patch(&mut tx, &row.id, patch, &actor.who).await?;
    if row.state.is_public() {
        // The public page lists the patches.
        super::public_documents::refresh(&mut tx, state, &row.id).await?;
    }
    audit::append(
        &mut tx,
        actor,
        "advisory.patch_added",
        row.id.as_str(),
        json!({ "patch": pid.as_str(), "filename": patch.filename, "size": patch.content.len() }),
    );
    tx.commit().await?;
    Ok(pid.to_string())
}
