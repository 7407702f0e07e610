//! The advisory's GitHub mirror: its status, its repository, and "Request
//! CVE". Admins only, like every other change to an advisory.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::ApiJson;
use super::advisories::{advisory_error, may_ask_for};
use crate::app::github::{self as usecase, Status};
use crate::app::{AppState, advisories};
use crate::domain::authz::Action;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

/// The mirror of `id` after the caller passed the policy.
async fn status_of(state: &AppState, id: &str) -> Result<Status, ApiError> {
    let row = advisories::load(state, id).await.map_err(advisory_error)?;
    Ok(usecase::status(state, &row.id)
        .await
        .map_err(Error::Internal)?)
}

fn admin_only(caller: &ApiCaller, id: &str) -> Result<(), ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    may_ask_for(&caller.actor, id)?;
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}/github", tag = "advisories", security(("bearer" = [])),
    responses((status = 200, body = Status, description = "How the advisory's GitHub repository security advisory stands: the repository it is linked to, its GHSA id once made, the state embargo last gave it, the last failure (until a sync succeeds) and the CVE request"),
        (status = 401), (status = 403, description = "Not an admin"), (status = 404, description = "No such advisory")))]
pub async fn get_advisory_github(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Status>, ApiError> {
    admin_only(&caller, &id)?;
    Ok(Json(status_of(&state, &id).await?))
}

/// `PUT /api/v1/advisories/{id}/github`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// `owner/name` (a `.git` at its end is dropped); empty unlinks.
    #[schema(
        pattern = "^[ \\t\\n\\r]*((?=[A-Za-z0-9-]{1,39}/)[A-Za-z0-9]+(-[A-Za-z0-9]+)*/(?!\\.{0,2}(\\.git)?[ \\t\\n\\r]*$)[A-Za-z0-9._-]{1,100})?[ \\t\\n\\r]*$"
    )]
    pub repository: String,
}

#[utoipa::path(put, path = "/api/v1/advisories/{id}/github", tag = "advisories", security(("bearer" = [])),
    request_body = LinkBody,
    responses((status = 200, body = Status, description = "Linked (or unlinked): an embargoed or published advisory is mirrored by a job that follows"),
        (status = 401), (status = 403, description = "Not an admin"), (status = 404, description = "No such advisory"),
        (status = 409, description = "The advisory is on GitHub already in another repository (GitHub advisories cannot move), or it is withdrawn"),
        (status = 422, description = "`repository` is not `owner/name`")))]
pub async fn set_advisory_github(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Json<Status>, ApiError> {
    admin_only(&caller, &id)?;
    usecase::set_repository(&state, &caller.audit(), &id, &body.repository)
        .await
        .map_err(advisory_error)?;
    Ok(Json(status_of(&state, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/advisories/{id}/github/cve", tag = "advisories", security(("bearer" = [])),
    responses((status = 202, body = Status, description = "GitHub is asked to assign a CVE, by a job; embargo then asks every `[github] cve_poll_minutes` whether it did, and the assigned id becomes an alias of the advisory"),
        (status = 401), (status = 403, description = "Not an admin"), (status = 404, description = "No such advisory"),
        (status = 409, description = "GitHub is not configured, the advisory is not on GitHub yet (it is once embargoed and linked), it has a CVE from GitHub already, or it is withdrawn")))]
pub async fn request_advisory_cve(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Status>), ApiError> {
    admin_only(&caller, &id)?;
    usecase::request_cve(&state, &caller.audit(), &id)
        .await
        .map_err(advisory_error)?;
    Ok((StatusCode::ACCEPTED, Json(status_of(&state, &id).await?)))
}
