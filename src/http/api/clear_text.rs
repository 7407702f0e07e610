//! Clear text for a member contact: an admin allows a contact without a
//! usable OpenPGP key to receive embargoed advisories unencrypted (signed
//! by the list key), or withdraws that.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::membership::membership_error;
use crate::app::AppState;
use crate::app::membership as usecase;
use crate::db::{DbError, accounts};
use crate::domain::authz::Action;
use crate::domain::clear_text::Allowance;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ClearTextBody {
    /// Why this contact may receive embargoed advisories unencrypted.
    /// Required; kept with the allowance and in the audit log.
    #[serde(default)]
    #[schema(required = true, format = "not-blank")]
    reason: String,
}

/// A clear-text allowance as the API and pages show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllowanceView {
    /// The admin who allowed it, by address.
    pub allowed_by: String,
    /// RFC 3339.
    #[schema(format = DateTime, required = true)]
    pub allowed_at: Option<String>,
    /// Why the contact may receive advisories unencrypted.
    pub reason: String,
}

/// A contact's clear-text allowance.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClearTextAllowed {
    member_id: String,
    account_id: String,
    #[serde(flatten)]
    allowance: AllowanceView,
}

/// `allowance` as the API and pages show it, its admin by address.
pub async fn allowance_view(
    conn: &mut sqlx::AnyConnection,
    allowance: &Allowance,
) -> Result<AllowanceView, DbError> {
    let at = jiff::Timestamp::from_microsecond(allowance.at)
        .map(crate::publish::rfc3339)
        .ok();
    Ok(AllowanceView {
        allowed_by: accounts::actor_name(conn, &allowance.by).await?,
        allowed_at: at,
        reason: allowance.reason.clone(),
    })
}

#[utoipa::path(put, path = "/api/v1/members/{id}/contacts/{contact}/clear-text", tag = "membership",
    request_body = ClearTextBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Member id"), ("contact" = String, Path, description = "The contact's account id")),
    responses((status = 200, body = ClearTextAllowed, description = "From the next announcement on, while the contact has no usable key, they get the advisory unencrypted, signed by the list key (delivery kind `clear`); with a key they still get it encrypted"),
        (status = 401), (status = 403),
        (status = 404, description = "No such member, or the account is not its current contact"),
        (status = 409, description = "The member is no longer on the list"),
        (status = 422, description = "The reason is missing or too long")))]
pub async fn allow_clear_text(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, contact)): Path<(String, String)>,
    ApiJson(body): ApiJson<ClearTextBody>,
) -> Result<Json<ClearTextAllowed>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::AllowClearText)?;
    let allowance = usecase::allow_clear_text(&state, &caller.audit(), &id, &contact, &body.reason)
        .await
        .map_err(membership_error)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let allowance = allowance_view(&mut conn, &allowance)
        .await
        .map_err(Error::from)?;
    Ok(Json(ClearTextAllowed {
        member_id: id,
        account_id: contact,
        allowance,
    }))
}

#[utoipa::path(delete, path = "/api/v1/members/{id}/contacts/{contact}/clear-text", tag = "membership",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Member id"), ("contact" = String, Path, description = "The contact's account id")),
    responses((status = 204, description = "Withdrawn: the contact gets the notice again (encrypted with a key), and a clear delivery not yet sent fails instead of going out"),
        (status = 401), (status = 403),
        (status = 404, description = "No such member, or the account is not its contact"),
        (status = 409, description = "Clear text is not allowed for this contact")))]
pub async fn withdraw_clear_text(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, contact)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    Error::unless_allowed(&caller.actor, Action::AllowClearText)?;
    usecase::withdraw_clear_text(&state, &caller.audit(), &id, &contact)
        .await
        .map_err(membership_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
