//! The calling account's sessions and API tokens, and signing out
//! everywhere. (In a file of its own: the other account routes are in
//! `account.rs` and `me.rs`.)

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use serde::Deserialize;
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::app::sessions::{self, Open, SignedOut};
use crate::db::accounts::Account;
use crate::domain::authz::Action;
use crate::domain::secret::{Secret, SecretHash};
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

fn own(caller: &ApiCaller) -> Result<&Account, Error> {
    Error::unless_allowed(&caller.actor, Action::ManageOwnAccount)?;
    caller.account.as_ref().ok_or(Error::Unauthenticated)
}

/// The stored hash of the bearer token this request came with.
fn calling_token(headers: &HeaderMap) -> Option<SecretHash> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let token = header.strip_prefix("Bearer ")?.trim();
    Some(Secret::from_presented(token).hash())
}

/// The calling account's live browser sessions (newest first: when each
/// was opened and last used, its browser and address) and its API tokens
/// (revoked ones too).
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, body = Open, description = "`{\"sessions\": [{\"id\", \"created_at\", \"last_seen_at\", \"expires_at\", \"user_agent\", \"ip\", \"current\"}], \"tokens\": [{\"id\", \"name\", \"created_at\", \"last_used_at\", \"revoked_at\"}]}`; instants in microseconds since the epoch"),
        (status = 401, body = crate::http::api::errors::ErrorBody, description = "no token, or a token that is wrong or revoked"),
        (status = 403, body = crate::http::api::errors::ErrorBody, description = "the account must set up a second factor first"),
    ))]
pub async fn list_sessions(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Open>, ApiError> {
    let a = own(&caller)?;
    Ok(Json(sessions::list(&state, &a.id, None).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SignOutRequest {
    /// Whether the token this request comes with stays valid (default:
    /// false, so it is revoked with the others).
    keep_current_token: bool,
}

/// Ends every browser session of the calling account and revokes every
/// API token, but the calling token with `keep_current_token`.
#[utoipa::path(post, path = "/api/v1/me/sign-out-everywhere", tag = "accounts", security(("bearer" = [])),
    request_body = SignOutRequest,
    responses(
        (status = 200, body = SignedOut, description = "`{\"sessions_ended\", \"tokens_revoked\"}`"),
        (status = 400, body = crate::http::api::errors::ErrorBody, description = "the body is not JSON"),
        (status = 401, body = crate::http::api::errors::ErrorBody, description = "no token, or a token that is wrong or revoked"),
        (status = 403, body = crate::http::api::errors::ErrorBody, description = "the account must set up a second factor first"),
        (status = 422, body = crate::http::api::errors::FieldErrorsBody, description = "`keep_current_token` is not a boolean"),
    ))]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SignOutRequest>,
) -> Result<Json<SignedOut>, ApiError> {
    let a = own(&caller)?;
    let current = calling_token(&headers);
    let keep = current.as_ref().filter(|_| req.keep_current_token);
    let done = sessions::sign_out_everywhere(&state, &caller.audit(), &a.id, keep).await?;
    Ok(Json(done))
}
