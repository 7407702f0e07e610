//! Patches on the admin's page of an advisory: the list with downloads,
//! and the upload form (multipart, the attachment size limit). The use
//! case is `app::advisory_patches::add_patch`; the partial template is
//! `advisory_patches.html.j2`.

use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::Flash;
use super::advisories_admin::allowed;
use super::intake_files;
use crate::app::AppState;
use crate::app::advisories::{self as usecase, AdvisoryError};
use crate::db::advisories::{self as store, AdvisoryRow};
use crate::domain::authz::Action;
use crate::http::api::advisories::advisory_error;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// What the partial shows: `items` (with their admin download links),
/// whether a patch may be added, and the size limit.
pub(super) async fn context(state: &AppState, row: &AdvisoryRow) -> Result<Value, Error> {
    let mut conn = state.db.conn().await?;
    let patches = store::patches(&mut conn, &row.id).await?;
    drop(conn);
    let items: Vec<Value> = patches
        .iter()
        .map(|p| {
            json!({ "url": format!("/admin/advisories/{}/patches/{}", row.id, p.id),
                    "filename": p.filename, "size": p.size, "sha256": p.sha256,
                    "created_at": p.created_at })
        })
        .collect();
    Ok(json!({
        "items": items, "may_add": row.state.edit().is_ok(),
        "max_file": intake_files::mib(state.config.limits.max_attachment_bytes),
    }))
}

/// `POST /admin/advisories/{id}/patches`: one file, field `patch`.
pub async fn upload_patch(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, None)?;
    let limits = &state.config.limits;
    let (max_file, max_body) = (limits.max_attachment_bytes, limits.max_body_bytes);
    let posted = intake_files::read(multipart, "patch", max_file, max_body).await?;
    page.check_csrf(posted.get("csrf"))?;
    let back = format!("/admin/advisories/{id}#patches");
    let refused = |why: &str| {
        let text = format!("The patch was not added: {why}");
        Ok(Flash::error(text).redirect(&state, &back))
    };
    if let Some(m) = &posted.too_large {
        return refused(m);
    }
    let Some(mut patch) = posted.files.into_iter().next() else {
        return refused("choose a file (it must not be empty).");
    };
    patch.filename = patch.filename.trim().chars().take(255).collect();
    match crate::app::advisory_patches::add_patch(&state, &page.audit(), &id, &patch).await {
        Ok(_) => {
            let text = format!(
                "Patch {} added: whoever may read the advisory can download it, and it is public once the advisory is.",
                patch.filename
            );
            Ok(Flash::success(text).redirect(&state, &back))
        }
        Err(AdvisoryError::Invalid(errors)) => {
            let why: Vec<String> = errors.iter().map(|(k, v)| format!("{k} {v}")).collect();
            refused(&format!("{}.", why.join("; ")))
        }
        Err(AdvisoryError::State(e)) => refused(&format!("{e}.")),
        Err(e) => Err(advisory_error(e).into()),
    }
}

/// `GET /admin/advisories/{id}/patches/{patch}`: the team's download, in
/// every state (drafts included); recorded as a read while not public.
pub async fn admin_patch(
    State(state): State<AppState>,
    page: Page,
    Path((id, patch)): Path<(String, String)>,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, None)?;
    let row = usecase::load(&state, &id).await.map_err(advisory_error)?;
    let mut conn = state.db.conn().await?;
    let (info, content) = store::patch_content(&mut conn, &row.id, &patch)
        .await?
        .ok_or(Error::NotFound)?;
    drop(conn);
    if !row.state.is_public() {
        let detail = json!({ "patch": info.id, "filename": info.filename, "size": info.size });
        let action = "advisory.patch_downloaded";
        crate::app::record_detail(&state, &page.audit(), action, row.id.as_str(), detail).await;
    }
    Ok(crate::http::view::download_as(
        &info.filename,
        &info.content_type,
        content,
    ))
}
