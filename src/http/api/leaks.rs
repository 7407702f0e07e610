//! Leaks: reports, retrospectives, comments, strikes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::ApiJson;
use super::leak_schemas::{
    ActionView, LeakRead, LeakRecord, LeakStatus, LeakStatusWord, MemberLeakList, NoticeSent,
    RetrospectiveView, TraceAnswer,
};
use super::paging::{PageQuery, WHOLE_LIST, next_cursor};
use super::test_reports::Created;
use crate::app::AppState;
use crate::app::leaks::{self as usecase, LeakError, LeakView, Reporter};
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::fields::{FieldErrors, present};
use crate::domain::id::MemberId;
use crate::domain::leak::{FollowUpInput, LeakReport, Retrospective};
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeakBody {
    advisory_id: String,
    /// The member whose people leaked. A member contact may still leave it
    /// out for their own organisation, as before it was required.
    #[serde(default, deserialize_with = "present")]
    #[schema(required = true, nullable = false)]
    member_id: Option<String>,
    /// What leaked (required).
    #[schema(max_length = 20000, format = "not-blank")]
    what: String,
    /// To whom (required).
    #[schema(max_length = 20000, format = "not-blank")]
    to_whom: String,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, max_length = 200)]
    when: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, max_length = 20000)]
    how_found: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, max_length = 20000)]
    containment: Option<String>,
}

fn leak_error(e: LeakError) -> Error {
    match e {
        LeakError::NotFound => Error::NotFound,
        LeakError::Conflict(m) => Error::Conflict(m),
        LeakError::Invalid(f) => Error::Invalid(f),
        LeakError::Conflicts(f) => Error::Conflicts(f),
        LeakError::Other(e) => Error::Internal(e),
    }
}

fn invalid(field: &str, message: &str) -> Error {
    let mut e = FieldErrors::new();
    e.add(field, message);
    Error::Invalid(e)
}

#[utoipa::path(post, path = "/api/v1/leaks", tag = "leaks", request_body = LeakBody, security(("bearer" = [])),
    responses((status = 201, body = Created, description = "Recorded; the admins get a mail with a link only"),
        (status = 401), (status = 403, description = "Only admins and the member's own contacts report a leak"),
        (status = 409, description = "The member is not on the list"), (status = 422)))]
pub async fn report_leak(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<LeakBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let Actor::Account {
        id: account,
        contact,
        ..
    } = &caller.actor
    else {
        return Err(Error::Unauthenticated.into());
    };
    let admin = authorize(&caller.actor, Action::ManageLeaks).is_allowed();
    let member = match (&body.member_id, contact) {
        (Some(m), _) => MemberId::parse(m).map_err(|_| {
            let mut e = FieldErrors::new();
            e.add("member_id", "no such member");
            Error::Conflicts(e)
        })?,
        (None, Some(c)) if !admin => c.member.clone(),
        (None, _) if admin => return Err(invalid("member_id", "is required").into()),
        // Neither an admin nor a member contact.
        (None, _) => return Err(Error::Forbidden.into()),
    };
    Error::unless_allowed(&caller.actor, Action::ReportLeak(&member))?;
    let input = LeakReport::parse(
        &body.what,
        &body.to_whom,
        body.when.as_deref(),
        body.how_found.as_deref(),
        body.containment.as_deref(),
    )
    .map_err(Error::Invalid)?;
    let by = Reporter { account, admin };
    let id = usecase::report(
        &state,
        &caller.audit(),
        by,
        &body.advisory_id,
        &member,
        input,
    )
    .await
    .map_err(leak_error)?;
    Ok((StatusCode::CREATED, Json(Created::new(id.as_str()))))
}

/// The leak, if the caller may read its member's records (404 if not).
pub async fn readable(state: &AppState, actor: &Actor, id: &str) -> Result<LeakView, Error> {
    if matches!(actor, Actor::Anonymous) {
        return Err(Error::Unauthenticated);
    }
    let view = usecase::get(state, id)
        .await
        .map_err(Error::Internal)?
        .ok_or(Error::NotFound)?;
    let member = MemberId::parse(&view.leak.member_id).map_err(|_| Error::NotFound)?;
    Error::hidden_unless_allowed(actor, Action::ReadLeaks(&member))?;
    Ok(view)
}

#[utoipa::path(get, path = "/api/v1/leaks/{id}", tag = "leaks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Leak id")),
    responses((status = 200, body = LeakRead, description = "The record with its `retrospective` (null before it is written) and `comments`"),
        (status = 401), (status = 404, description = "No such leak, or not one of the caller's organisation")))]
pub async fn get_leak(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<LeakRead>, ApiError> {
    let view = readable(&state, &caller.actor, &id).await?;
    let l = &view.leak;
    let retrospective = l.retrospective_at.map(|at| RetrospectiveView {
        findings: l.findings.clone(),
        root_cause: l.root_cause.clone(),
        written_at: at,
        actions: view.actions.iter().map(ActionView::of).collect(),
    });
    Ok(Json(LeakRead {
        leak: LeakRecord::of(l),
        retrospective,
        comments: view.comments,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    #[schema(format = "not-blank")]
    what: String,
    #[schema(format = "not-blank")]
    owner: String,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    due: Option<String>,
    /// `open` (also when empty or left out), `done`, or `dropped` (with a
    /// `reason`).
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, pattern = "^\\s*(open|done|dropped)?\\s*$")]
    state: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetrospectiveBody {
    #[schema(format = "not-blank")]
    findings: String,
    #[schema(format = "not-blank")]
    root_cause: String,
    #[serde(default)]
    actions: Vec<ActionBody>,
}

#[utoipa::path(put, path = "/api/v1/leaks/{id}/retrospective", tag = "leaks", request_body = RetrospectiveBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Leak id")),
    responses((status = 200, body = LeakStatus, description = "`saved`: the retrospective replaced, actions in the order given"),
        (status = 401), (status = 403), (status = 404), (status = 409, description = "Closed or withdrawn"),
        (status = 422, description = "Fields named as `actions[N].FIELD` for an action")))]
pub async fn write_retrospective(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RetrospectiveBody>,
) -> Result<Json<LeakStatus>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageLeaks)?;
    let actions: Vec<FollowUpInput<'_>> = body
        .actions
        .iter()
        .map(|a| FollowUpInput {
            what: &a.what,
            owner: &a.owner,
            due: a.due.as_deref(),
            state: a.state.as_deref(),
            reason: a.reason.as_deref(),
        })
        .collect();
    let retro =
        Retrospective::parse(&body.findings, &body.root_cause, &actions).map_err(Error::Invalid)?;
    usecase::write_retrospective(&state, &caller.audit(), &id, retro)
        .await
        .map_err(leak_error)?;
    Ok(Json(LeakStatus {
        status: LeakStatusWord::Saved,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    #[schema(format = "not-blank")]
    body: String,
}

#[utoipa::path(post, path = "/api/v1/leaks/{id}/comments", tag = "leaks", request_body = CommentBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Leak id")),
    responses((status = 201, body = Created), (status = 401),
        (status = 404, description = "No such leak, or not one of the caller's organisation"), (status = 422)))]
pub async fn comment_on_leak(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    readable(&state, &caller.actor, &id).await?;
    let Actor::Account { id: author, .. } = &caller.actor else {
        return Err(Error::Unauthenticated.into());
    };
    let comment = usecase::comment(&state, &caller.audit(), author, &id, &body.body)
        .await
        .map_err(leak_error)?;
    Ok((StatusCode::CREATED, Json(Created::new(comment.as_str()))))
}

#[utoipa::path(post, path = "/api/v1/leaks/{id}/close", tag = "leaks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Leak id")),
    responses((status = 200, body = LeakStatus, description = "`closed`"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "No retrospective yet, an action still open, or not open")))]
pub async fn close_leak(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<LeakStatus>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageLeaks)?;
    usecase::close(&state, &caller.audit(), &caller.audit().who, &id)
        .await
        .map_err(leak_error)?;
    Ok(Json(LeakStatus {
        status: LeakStatusWord::Closed,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    #[schema(format = "not-blank")]
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/leaks/{id}/withdraw", tag = "leaks", request_body = WithdrawBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Leak id")),
    responses((status = 200, body = LeakStatus, description = "`withdrawn`: the record stays, and no longer counts as a strike"),
        (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn withdraw_leak(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WithdrawBody>,
) -> Result<Json<LeakStatus>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageLeaks)?;
    usecase::withdraw(
        &state,
        &caller.audit(),
        &caller.audit().who,
        &id,
        &body.reason,
    )
    .await
    .map_err(leak_error)?;
    Ok(Json(LeakStatus {
        status: LeakStatusWord::Withdrawn,
    }))
}

#[utoipa::path(get, path = "/api/v1/members/{id}/leaks", tag = "leaks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Member id"), PageQuery),
    responses((status = 200, body = MemberLeakList, description = "Newest first: strikes are the leaks within `leaks.window_days` not withdrawn"),
        (status = 401), (status = 404, description = "No such member, or not the caller's")))]
pub async fn member_leaks(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<MemberLeakList>, ApiError> {
    let member = Error::member_in_path(&caller.actor, &id, |m| Action::ReadLeaks(m))?;
    let window = p.window(WHOLE_LIST)?;
    let (leaks, page) = usecase::page_for_member(&state, member.as_str(), &window)
        .await
        .map_err(leak_error)?;
    Ok(Json(MemberLeakList {
        items: page.items.iter().map(LeakRecord::of).collect(),
        strikes: leaks.strikes,
        removal_proposed: leaks.removal_proposed,
        next_cursor: next_cursor(&page),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceBody {
    /// A paste of an announcement as one recipient received it.
    #[schema(format = "not-blank")]
    text: String,
}

#[utoipa::path(post, path = "/api/v1/leaks/trace", tag = "leaks", request_body = TraceBody, security(("bearer" = [])),
    responses((status = 200, body = TraceAnswer, description = "Best first, at most 10: the recipients whose copy of an announced advisory the paste most likely is. `score` is 1 for the copy's tracking id, else the share of the varied phrases found in the paste that are worded as in that copy (below 1). Empty when the paste holds neither."),
        (status = 401), (status = 403), (status = 413), (status = 422)))]
pub async fn trace_leak(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<TraceBody>,
) -> Result<Json<TraceAnswer>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageLeaks)?;
    if body.text.trim().is_empty() {
        return Err(invalid("text", "is required: paste the leaked text").into());
    }
    let candidates = crate::app::leak_trace::trace(&state, &body.text)
        .await
        .map_err(Error::Internal)?;
    Ok(Json(TraceAnswer { candidates }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    /// What the list is told.
    #[schema(format = "not-blank")]
    text: String,
}

#[utoipa::path(post, path = "/api/v1/leaks/{id}/notice", tag = "leaks", request_body = NoticeBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Leak id")),
    responses((status = 201, body = NoticeSent, description = "The notice (template `leak_notice`) goes to everyone the advisory was announced to who is still cleared, encrypted to their key, or else a notice naming nothing; one delivery each, as for announcements"),
        (status = 401), (status = 403), (status = 404), (status = 409, description = "The advisory was never announced"), (status = 422)))]
pub async fn notify_list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NoticeBody>,
) -> Result<(StatusCode, Json<NoticeSent>), ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageLeaks)?;
    let recipients = usecase::notice(&state, &caller.audit(), &id, &body.text)
        .await
        .map_err(leak_error)?;
    Ok((StatusCode::CREATED, Json(NoticeSent { recipients })))
}
