//! The distribution list: criteria, applications, vouches, decisions,
//! members, and the list policy.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::ApiJson;
use super::body_schemas::{ApplicationBody, OrganizationBody};
use super::membership_schemas::{
    ApplicantView, ApplicationStep, ApplicationView, Applied, CriteriaList, Decided, Decision,
    MemberAdded, MemberRemoved, PolicyAccepted, PolicyView, RemovedStatus, Versioned, Vouched,
    VoucherRef,
};
use super::paging::KeyPageQuery;
use crate::app::AppState;
use crate::app::membership::{self as usecase, ApplicationInput, MembershipError};
use crate::db::{applications as apps, members};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::membership::{Criterion, DirectoryEntry, OrganizationInput};
use crate::domain::secret::Secret;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

/// Maps membership errors to API errors.
pub fn membership_error(e: MembershipError) -> Error {
    match e {
        MembershipError::Invalid(f) => Error::Invalid(f),
        MembershipError::Conflicts(f) => Error::Conflicts(f),
        MembershipError::State(s) => {
            let mut f = FieldErrors::new();
            f.add("status", s.to_string());
            Error::Conflicts(f)
        }
        MembershipError::NotFound => Error::NotFound,
        MembershipError::Forbidden(_) => Error::Forbidden,
        MembershipError::Conflict(m) => Error::Conflict(m),
        MembershipError::Other(e) => Error::Internal(e),
    }
}

#[utoipa::path(get, path = "/api/v1/criteria", tag = "membership", params(KeyPageQuery),
    responses((status = 200, body = CriteriaList)))]
pub async fn get_criteria(
    State(state): State<AppState>,
    caller: ApiCaller,
    super::ApiQuery(p): super::ApiQuery<KeyPageQuery>,
) -> Result<Json<CriteriaList>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Apply)?;
    let (version, items) = usecase::criteria(&state).await?;
    let (items, next) = p.page(items, |c| c.key.as_str())?;
    Ok(Json(CriteriaList {
        version,
        items,
        next_cursor: next,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CriteriaBody {
    /// The whole new list; each `key` once.
    #[schema(value_type = Vec<CriterionItem>, min_items = 1)]
    items: Vec<Criterion>,
}

/// One criterion of `PUT /api/v1/criteria` (the schema of [`Criterion`]).
#[derive(ToSchema)]
#[allow(dead_code)]
struct CriterionItem {
    /// Stable: applications answer by it.
    #[schema(pattern = "^[a-z0-9_]{1,40}$")]
    key: String,
    #[schema(format = "not-blank")]
    title: String,
    description: String,
}

#[utoipa::path(put, path = "/api/v1/criteria", tag = "membership", request_body = CriteriaBody, security(("bearer" = [])),
    responses((status = 200, body = Versioned, description = "The criteria's new version"), (status = 401), (status = 403), (status = 422)))]
pub async fn update_criteria(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<CriteriaBody>,
) -> Result<Json<Versioned>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    let version = usecase::update_criteria(&state, &caller.audit(), body.items)
        .await
        .map_err(membership_error)?;
    Ok(Json(Versioned { version }))
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "membership",
    request_body(content = ApplicationBody),
    responses((status = 201, body = Applied, description = "The alias confirmation link arrives by mail"), (status = 422), (status = 429)))]
pub async fn create_application(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> Result<Response, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Apply)?;
    if !state.report_limiter.check(caller.ip) {
        return Err(Error::TooManyRequests.into());
    }
    let applied = usecase::apply(&state, &caller.audit(), input)
        .await
        .map_err(membership_error)?;
    Ok((
        StatusCode::CREATED,
        Json(Applied {
            id: applied.id,
            status_url: applied.status_url,
        }),
    )
        .into_response())
}

/// An application as the team reviews it: answers, confirmation time, vouches.
pub async fn application_view(
    state: &AppState,
    app: &apps::Application,
) -> Result<ApplicationView, Error> {
    let mut conn = state.db.conn().await?;
    let vouches = apps::vouches(&mut conn, &app.id).await?;
    let voucher = members::get(&mut conn, &app.voucher_member_id).await?;
    let voucher = voucher.map(|m| VoucherRef {
        id: m.id,
        organization: m.organization,
    });
    Ok(ApplicationView::new(app, vouches, voucher))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "membership", security(("bearer" = [])),
    responses((status = 200, body = ApplicationView, description = "The application with `vouches`, `voucher` and `seconds_to_confirm`"), (status = 401), (status = 403), (status = 404)))]
pub async fn get_application(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ApplicationView>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let app = apps::get(&mut conn, &id)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    drop(conn);
    Ok(Json(application_view(&state, &app).await?))
}

/// What the applicant sees through their status link.
pub fn applicant_view(app: &apps::Application) -> ApplicantView {
    ApplicantView::of(app)
}

#[utoipa::path(get, path = "/api/v1/applications/status/{token}", tag = "membership",
    responses((status = 200, body = ApplicantView), (status = 404)))]
pub async fn application_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(token): Path<String>,
) -> Result<Json<ApplicantView>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Apply)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let app = apps::by_status_link(&mut conn, &Secret::from_presented(&token).hash())
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    Ok(Json(applicant_view(&app)))
}

#[utoipa::path(post, path = "/api/v1/applications/confirm/{token}", tag = "membership",
    responses((status = 200, body = ApplicationStep, description = "`in_review`"), (status = 404), (status = 422)))]
pub async fn confirm_application(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(token): Path<String>,
) -> Result<Json<ApplicationStep>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Apply)?;
    let app = usecase::confirm_alias(&state, &caller.audit(), &token)
        .await
        .map_err(membership_error)?;
    Ok(Json(ApplicationStep { status: app.status }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VouchBody {
    /// Why you vouch (or decline); recorded with your name.
    statement: String,
    /// `false` to decline. Default `true`.
    #[serde(default = "yes")]
    vouch: bool,
}

fn yes() -> bool {
    true
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/vouches", tag = "membership", request_body = VouchBody, security(("bearer" = [])),
    responses((status = 201, body = Vouched), (status = 401), (status = 403, description = "not a member contact"), (status = 404, description = "no such application, or not a contact of the member it names"), (status = 422)))]
pub async fn vouch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VouchBody>,
) -> Result<Response, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Vouch)?;
    let account = caller.account.as_ref().ok_or(Error::Unauthenticated)?;
    usecase::vouch(
        &state,
        &caller.audit(),
        &caller.actor,
        &account.id,
        &id,
        body.vouch,
        &body.statement,
    )
    .await
    .map_err(membership_error)?;
    let vouched = Vouched {
        vouched: body.vouch,
    };
    Ok((StatusCode::CREATED, Json(vouched)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// `approve` or `reject`.
    #[schema(pattern = "^(approve|reject)$")]
    decision: String,
    /// Sent to the applicant.
    #[serde(default)]
    #[schema(required = true, format = "not-blank")]
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "membership", request_body = DecisionBody, security(("bearer" = [])),
    responses((status = 200, body = Decision), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<Decision>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    let approve = match body.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            let mut f = FieldErrors::new();
            f.add("decision", "must be approve or reject");
            return Err(Error::Invalid(f).into());
        }
    };
    let member = usecase::decide(&state, &caller.audit(), &id, approve, &body.reason)
        .await
        .map_err(membership_error)?;
    Ok(Json(Decision {
        status: if approve {
            Decided::Approved
        } else {
            Decided::Rejected
        },
        member_id: member.map(|m| m.to_string()),
    }))
}

#[utoipa::path(post, path = "/api/v1/members", tag = "membership", security(("bearer" = [])),
    request_body(content = OrganizationBody),
    responses((status = 201, body = MemberAdded, description = "Each contact gets a set-up link by mail"), (status = 401), (status = 403), (status = 409), (status = 422)))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> Result<Response, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    let id = usecase::add_member(&state, &caller.audit(), &input)
        .await
        .map_err(membership_error)?;
    let added = MemberAdded {
        id: id.as_str().to_owned(),
    };
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// `m` as [`MemberView::Directory`] shows it.
pub fn directory_entry(m: &members::Member) -> DirectoryEntry<'_> {
    DirectoryEntry {
        id: &m.id,
        organization: &m.organization,
    }
}

/// Why a member is removed: told to them, so required (the advisories'
/// `ReasonBody` has its own rules).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RemovalBody {
    #[serde(default)]
    #[schema(required = true, format = "not-blank")]
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/members/{id}/removal", tag = "membership", request_body = RemovalBody, security(("bearer" = [])),
    responses((status = 200, body = MemberRemoved, description = "`removed`"), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RemovalBody>,
) -> Result<Json<MemberRemoved>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    usecase::remove_member(&state, &caller.audit(), &id, &body.reason)
        .await
        .map_err(membership_error)?;
    Ok(Json(MemberRemoved {
        status: RemovedStatus::Removed,
    }))
}

#[utoipa::path(get, path = "/api/v1/policy", tag = "membership",
    responses((status = 200, body = PolicyView)))]
pub async fn get_policy(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<PolicyView>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Apply)?;
    let (version, text, published_at) = usecase::current_policy(&state).await?;
    let published = jiff::Timestamp::from_microsecond(published_at)
        .map(crate::publish::rfc3339)
        .ok();
    Ok(Json(PolicyView {
        version,
        text,
        published_at: published,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PolicyBody {
    /// The new policy, Markdown.
    #[schema(format = "not-blank")]
    text: String,
}

#[utoipa::path(post, path = "/api/v1/policy", tag = "membership", request_body = PolicyBody, security(("bearer" = [])),
    responses((status = 201, body = Versioned, description = "The policy's new version; contacts must accept it again"), (status = 401), (status = 403), (status = 422)))]
pub async fn publish_policy(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<Response, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    let version = usecase::publish_policy(&state, &caller.audit(), &body.text)
        .await
        .map_err(membership_error)?;
    Ok((StatusCode::CREATED, Json(Versioned { version })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptBody {
    /// The version read and accepted; must be the current one (409 when
    /// a newer one was published meanwhile).
    #[serde(deserialize_with = "super::whole::number")]
    version: i64,
}

#[utoipa::path(post, path = "/api/v1/policy/accept", tag = "membership", request_body = AcceptBody, security(("bearer" = [])),
    responses((status = 200, body = PolicyAccepted), (status = 401), (status = 403), (status = 409, description = "not the current version"), (status = 422)))]
pub async fn accept_policy(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Result<Json<PolicyAccepted>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::AcceptPolicy)?;
    let account = caller.account.as_ref().ok_or(Error::Unauthenticated)?;
    usecase::accept_policy(&state, &caller.audit(), &account.id, body.version)
        .await
        .map_err(membership_error)?;
    Ok(Json(PolicyAccepted {
        accepted: body.version,
    }))
}
