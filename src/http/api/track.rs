//! The reporter's side, through the tracking token in the path.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::app::reports as usecase;
use crate::db::reports::NewAttachment;
use crate::domain::fields::FieldErrors;
use crate::http::error::{ApiError, Error};
use crate::http::extract::{ApiCaller, audit_actor};
use crate::http::view;

#[utoipa::path(get, path = "/api/v1/track/{token}", tag = "reporter",
    responses((status = 200, body = super::report_schemas::ReporterView, description = "`report.advisory_id` names the advisory made from the report once there is one (only its id \
        while it is a draft or embargoed); `report.advisory_url` is its public page once published, \
        also after a withdrawal (the page says so); both are null otherwise."), (status = 404)))]
pub async fn get_tracked_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(token): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (report, actor) = view::tracked_report(&state, &token).await?;
    usecase::record_read(&state, &audit_actor(&actor, caller.ip), &report.id).await;
    Ok(Json(view::reporter_view(&state, &report).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachmentUpload {
    #[schema(format = "not-blank")]
    filename: String,
    #[serde(default, deserialize_with = "crate::domain::fields::present")]
    #[schema(nullable = false)]
    content_type: Option<String>,
    /// The file, base64-encoded (RFC 4648 with padding; empty for an
    /// empty file).
    #[schema(format = "base64-or-empty")]
    content_base64: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReporterMessage {
    /// The message; may be empty when a file is attached.
    #[serde(default)]
    body: String,
    #[serde(default)]
    attachments: Vec<AttachmentUpload>,
}

#[utoipa::path(post, path = "/api/v1/track/{token}/messages", tag = "reporter", request_body = ReporterMessage,
    responses((status = 201, body = super::report_schemas::MessageAdded, description = "Added to the thread"), (status = 404), (status = 413), (status = 422)))]
pub async fn add_reporter_message(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(token): Path<String>,
    ApiJson(req): ApiJson<ReporterMessage>,
) -> Result<Response, ApiError> {
    let (report, actor) = view::tracked_report(&state, &token).await?;
    let mut errors = FieldErrors::new();
    let mut files = Vec::new();
    for (i, a) in req.attachments.iter().enumerate() {
        let encoded = a.content_base64.trim_matches(crate::domain::email::EDGE);
        match base64::engine::general_purpose::STANDARD.decode(encoded) {
            Ok(content) if content.len() > state.config.limits.max_attachment_bytes => {
                return Err(Error::TooLarge.into());
            }
            Ok(_) if a.filename.trim().is_empty() => {
                errors.add(&format!("attachments[{i}].filename"), "is required")
            }
            Ok(content) => files.push(NewAttachment {
                filename: a.filename.trim().chars().take(255).collect(),
                content_type: a
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into()),
                content,
            }),
            Err(_) => errors.add(
                &format!("attachments[{i}].content_base64"),
                "is not valid base64",
            ),
        }
    }
    if req.body.trim().is_empty() && files.is_empty() {
        errors.add("body", "write a message or attach a file");
    }
    errors.into_result().map_err(Error::Invalid)?;
    usecase::reporter_message(
        &state,
        &audit_actor(&actor, caller.ip),
        &report,
        req.body.trim(),
        None,
        &files,
    )
    .await?;
    let added = super::report_schemas::MessageAdded::default();
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

#[utoipa::path(get, path = "/api/v1/track/{token}/attachments/{attachment}", tag = "reporter",
    responses((status = 200, content_type = "application/octet-stream"), (status = 404)))]
pub async fn get_tracked_attachment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((token, attachment)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (report, actor) = view::tracked_report(&state, &token).await?;
    usecase::record_read(&state, &audit_actor(&actor, caller.ip), &report.id).await;
    Ok(view::attachment_download(&state, &report, &attachment).await?)
}
