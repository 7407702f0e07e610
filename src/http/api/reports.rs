//! Reports: intake for anyone, triage for admins.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiJson;
use super::paging::{DEFAULT_PAGE, PageQuery, next_cursor};
use super::report_schemas::{Assigned, MessageAdded, ReportAdminView, StatusChanged};
use crate::app::AppState;
use crate::app::reports::{self as usecase, Origin, TriageError};
use crate::db::reports::Source;
use crate::domain::authz::{Action, authorize};
use crate::domain::id::AccountId;
use crate::domain::report::{ReportInput, ReportStatus};
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;
use crate::http::pages::triage::{InboxItem, inbox_filter, inbox_items, triage_errors};
use crate::http::view;

/// A new report. Only `title` and `description` are required; the others
/// may be left out, but are not `null` when given.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ReportRequest {
    #[schema(format = "not-blank")]
    title: String,
    #[schema(format = "not-blank")]
    description: String,
    #[schema(nullable = false)]
    affected_versions: Option<String>,
    #[schema(nullable = false)]
    unaffected_versions: Option<String>,
    #[schema(nullable = false)]
    reporter_name: Option<String>,
    /// Leave out to report anonymously; then only the tracking link works.
    #[schema(nullable = false, format = "mailbox-or-empty", max_length = 254)]
    reporter_email: Option<String>,
    /// GitHub user name, for credit.
    #[schema(nullable = false, format = "github-handle-or-empty")]
    github: Option<String>,
    #[schema(nullable = false)]
    credit_consent: Option<bool>,
    /// The language our mail to you is written in (`de`, `pt-br`); left
    /// out: the organisation's. Where the team wrote no text in it, English.
    #[schema(nullable = false, format = "language-tag-or-empty")]
    language: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCreated {
    id: String,
    /// The reporter's private link; shown only now.
    tracking_url: String,
}

#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = ReportRequest,
    responses((status = 201, body = ReportCreated), (status = 422, description = "`{\"errors\": {FIELD: MESSAGE}}`"), (status = 429)))]
pub async fn create_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<Response, ApiError> {
    if !authorize(&caller.actor, Action::SubmitReport).is_allowed() {
        return Err(Error::Forbidden.into());
    }
    if !state.report_limiter.check(caller.ip) {
        return Err(Error::TooManyRequests.into());
    }
    let report = input.validate().map_err(Error::Invalid)?;
    let submitted = usecase::submit(
        &state,
        &caller.audit(),
        &report,
        Source::Api,
        Origin::default(),
        &[],
    )
    .await?;
    let body = ReportCreated {
        id: submitted.id.to_string(),
        tracking_url: submitted.tracking_url,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// One of new, triaging, accepted, duplicate, invalid, out-of-scope.
    #[param(pattern = "^(new|triaging|accepted|duplicate|invalid|out-of-scope)?$")]
    status: String,
    /// Case-insensitive search in titles, descriptions and the reporter's
    /// name, address and GitHub handle.
    q: String,
    /// The `next` of the previous page: the page of older reports after it.
    /// Empty: the newest page. The same as `cursor`, its first name;
    /// ignored when `cursor` is given.
    #[param(pattern = "^(-?[0-9]{1,18}\\.[0-9A-Za-z_.-]{1,100})?$")]
    before: String,
}

/// A page of the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    items: Vec<InboxItem>,
    /// The `cursor` of the next page; null on the last.
    next_cursor: Option<String>,
    /// `next_cursor` under its first name (pass it as `before`).
    next: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ListQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = ReportList, description = "One page, newest first"), (status = 400), (status = 401), (status = 403)))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: ApiCaller,
    super::ApiQuery(q): super::ApiQuery<ListQuery>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<ReportList>, ApiError> {
    let decision = authorize(&caller.actor, Action::ListReports);
    if !decision.is_allowed() {
        return Err(Error::denied(decision).into());
    }
    let filter = inbox_filter(&q.status, &q.q)?;
    let window = p.window_or_before(&q.before, DEFAULT_PAGE)?;
    let page = inbox_items(&state, &caller.audit(), &filter, &window).await?;
    let next = next_cursor(&page);
    Ok(Json(ReportList {
        items: page.items,
        next_cursor: next.clone(),
        next,
    }))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", security(("bearer" = [])),
    responses((status = 200, body = ReportAdminView, description = "The report and each message have `encryption`: `null` when the mail came in clear (or not by mail), else `{\"id\", \"kind\": \"pgp_mime\"|\"inline\", \"decrypted\", \"fingerprint\", \"reason\", \"size\", \"sha256\"}`: a mail encrypted to the list key is decrypted at intake (`decrypted` true, `fingerprint` the list key that did it) and its ciphertext kept; one that could not be decrypted (another key, damaged, over the size limit) is stored as it came, `decrypted` false with the `reason`, and the report's `encrypted` is true: its description is still the OpenPGP message"), (status = 401), (status = 403), (status = 404)))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let report = view::authorized_report(&state, &caller.actor, &id, view::On::Read).await?;
    usecase::record_read(&state, &caller.audit(), &report.id).await;
    Ok(Json(view::admin_view(&state, &report).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyRequest {
    /// Sent to the reporter and kept in the thread.
    #[schema(format = "not-blank")]
    body: String,
}

#[utoipa::path(post, path = "/api/v1/reports/{id}/messages", tag = "reports", request_body = ReplyRequest, security(("bearer" = [])),
    responses((status = 201, body = MessageAdded, description = "Sent, and kept in the thread"), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn reply_to_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReplyRequest>,
) -> Result<Response, ApiError> {
    let report = view::authorized_report(&state, &caller.actor, &id, view::On::Reply).await?;
    let account = caller.account.as_ref().ok_or(Error::Unauthenticated)?;
    if req.body.trim().is_empty() {
        let mut e = crate::domain::fields::FieldErrors::new();
        e.add("body", "is required");
        return Err(Error::Invalid(e).into());
    }
    usecase::admin_reply(
        &state,
        &caller.audit(),
        &account.id,
        &report,
        req.body.trim(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(MessageAdded::default())).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusRequest {
    /// The new status.
    #[schema(pattern = "^(new|triaging|accepted|duplicate|invalid|out-of-scope)$")]
    status: String,
    /// Told to the reporter; required except when moving to `triaging`.
    #[serde(default)]
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/reports/{id}/status", tag = "reports", request_body = StatusRequest, security(("bearer" = [])),
    responses((status = 200, body = StatusChanged), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn change_report_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<StatusRequest>,
) -> Result<Json<StatusChanged>, ApiError> {
    let report = view::authorized_report(&state, &caller.actor, &id, view::On::Triage).await?;
    let result = match ReportStatus::parse(&req.status) {
        Ok(to) => usecase::change_status(&state, &caller.audit(), &report, to, &req.reason).await,
        Err(e) => Err(TriageError::Status(e)),
    };
    match result {
        Ok(()) => Ok(Json(StatusChanged { status: req.status })),
        Err(err) => Err(triage_error(err).into()),
    }
}

/// A transition the report's status does not allow, or an assignee who is
/// not an admin, is at odds with what is stored (409); a missing reason
/// breaks the request's own rule (422).
fn triage_error(err: TriageError) -> Error {
    use crate::domain::report::StatusError;
    let stored = matches!(
        err,
        TriageError::Status(StatusError::Illegal { .. }) | TriageError::NoSuchAssignee
    );
    match triage_errors(err) {
        Ok(fields) if stored => Error::Conflicts(fields),
        Ok(fields) => Error::Invalid(fields),
        Err(e) => e,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    /// An admin's account id, or null to unassign.
    assignee: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/reports/{id}/assignee", tag = "reports", request_body = AssignRequest, security(("bearer" = [])),
    responses((status = 200, body = Assigned), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn assign_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> Result<Json<Assigned>, ApiError> {
    let report = view::authorized_report(&state, &caller.actor, &id, view::On::Triage).await?;
    let to = req
        .assignee
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|a| AccountId::parse(a).map_err(|_| TriageError::NoSuchAssignee))
        .transpose();
    let result = match to {
        Ok(to) => usecase::assign(&state, &caller.audit(), &report, to.as_ref()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Json(Assigned {
            assignee: req.assignee,
        })),
        Err(err) => Err(triage_error(err).into()),
    }
}

#[utoipa::path(get, path = "/api/v1/reports/{id}/attachments/{attachment}", tag = "reports", security(("bearer" = [])),
    responses((status = 200, content_type = "application/octet-stream"), (status = 401), (status = 403), (status = 404)))]
pub async fn get_attachment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let report = view::authorized_report(&state, &caller.actor, &id, view::On::Read).await?;
    usecase::record_read(&state, &caller.audit(), &report.id).await;
    Ok(view::attachment_download(&state, &report, &attachment).await?)
}
