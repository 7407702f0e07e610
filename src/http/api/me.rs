//! The calling account's OpenPGP keys, and a member contact's own
//! organisation: contacts, and leaving the list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::body_schemas::ContactBody;
use super::membership::membership_error;
use super::paging::{PageQuery, WHOLE_LIST, next_cursor};
use crate::app::AppState;
use crate::app::keys::{self as key_usecase, KeyUploadError};
use crate::app::member_self;
use crate::db::accounts::Account;
use crate::db::keys;
use crate::db::members::{ContactRow, Member};
use crate::domain::authz::Action;
use crate::domain::membership::ContactInput;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

fn account<'a>(caller: &'a ApiCaller, action: Action<'_>) -> Result<&'a Account, Error> {
    Error::unless_allowed(&caller.actor, action)?;
    caller.account.as_ref().ok_or(Error::Unauthenticated)
}

#[utoipa::path(get, path = "/api/v1/me/keys", tag = "accounts", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = KeyList, description = "Newest uploaded first; the current key has no `replaced_at`"), (status = 401)))]
pub async fn list_keys(
    State(state): State<AppState>,
    caller: ApiCaller,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<KeyList>, ApiError> {
    let a = account(&caller, Action::ManageOwnAccount)?;
    let window = p.window(WHOLE_LIST)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let page = keys::page(&mut conn, &a.id, &window)
        .await
        .map_err(Error::from)?;
    Ok(Json(KeyList {
        next_cursor: next_cursor(&page),
        items: page.items,
    }))
}

/// A page of the caller's OpenPGP keys.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct KeyList {
    items: Vec<keys::KeyRow>,
    /// The `cursor` of the next page; null on the last.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct KeyBody {
    /// The ASCII-armored public key (`gpg --armor --export ADDRESS`),
    /// with a user id of the caller's address and a usable encryption key.
    #[schema(format = "openpgp-public-key")]
    armored: String,
}

/// An OpenPGP key, uploaded.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyUploaded {
    id: String,
    /// The primary key's, upper-case hex without spaces.
    fingerprint: String,
    /// `Ed25519 + Curve25519`, `RSA 3072`, ...
    algorithm: String,
    /// RFC 3339; null: it does not expire.
    #[schema(format = DateTime, required = true)]
    expires_at: Option<String>,
    /// What is weak about it, for people to read.
    warnings: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/me/keys", tag = "accounts", request_body = KeyBody, security(("bearer" = [])),
    responses((status = 201, body = KeyUploaded, description = "It replaces the current key"), (status = 401), (status = 422, description = "names what is wrong with the key")))]
pub async fn upload_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<KeyBody>,
) -> Result<Response, ApiError> {
    let a = account(&caller, Action::ManageOwnAccount)?;
    let up = key_usecase::upload(&state, &caller.audit(), &a.id, &body.armored)
        .await
        .map_err(|e| match e {
            KeyUploadError::Invalid(f) => Error::Invalid(f),
            KeyUploadError::Other(e) => Error::Internal(e),
        })?;
    let warnings: Vec<String> = up
        .info
        .warnings
        .iter()
        .map(key_usecase::warning_text)
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(KeyUploaded {
            id: up.id,
            fingerprint: up.info.fingerprint,
            algorithm: up.info.algorithm,
            expires_at: up.info.expires_at.map(crate::publish::rfc3339),
            warnings,
        }),
    )
        .into_response())
}

#[utoipa::path(delete, path = "/api/v1/me/keys/{id}", tag = "accounts", security(("bearer" = [])),
    responses((status = 204, description = "The key is retired: now, or already (replaced by a newer one, or retired before)"), (status = 401), (status = 404, description = "The caller has no key of this id")))]
pub async fn retire_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let a = account(&caller, Action::ManageOwnAccount)?;
    if !key_usecase::retire(&state, &caller.audit(), &a.id, &id).await? {
        return Err(Error::NotFound.into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The caller's member organisation and its contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyMember {
    member: Member,
    contacts: Vec<ContactRow>,
}

#[utoipa::path(get, path = "/api/v1/me/member", tag = "membership", security(("bearer" = [])),
    responses((status = 200, body = MyMember), (status = 401), (status = 403)))]
pub async fn my_member(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<MyMember>, ApiError> {
    let a = account(&caller, Action::ManageOwnMember)?;
    let (member, contacts) = member_self::overview(&state, &a.id)
        .await
        .map_err(membership_error)?;
    Ok(Json(MyMember { member, contacts }))
}

/// A contact, added.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactAdded {
    account_id: String,
}

#[utoipa::path(post, path = "/api/v1/me/member/contacts", tag = "membership", security(("bearer" = [])),
    request_body(content = ContactBody),
    responses((status = 201, body = ContactAdded, description = "The new contact gets a set-up link and must accept the policy"), (status = 401), (status = 403), (status = 409), (status = 422)))]
pub async fn add_contact(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<Response, ApiError> {
    let a = account(&caller, Action::ManageOwnMember)?;
    let id = member_self::add_contact(&state, &caller.audit(), &a.id, input)
        .await
        .map_err(membership_error)?;
    Ok((
        StatusCode::CREATED,
        Json(ContactAdded {
            account_id: id.as_str().to_owned(),
        }),
    )
        .into_response())
}

#[utoipa::path(delete, path = "/api/v1/me/member/contacts/{id}", tag = "membership", security(("bearer" = [])),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 409, description = "the last contact")))]
pub async fn remove_contact(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let a = account(&caller, Action::ManageOwnMember)?;
    member_self::remove_contact(&state, &caller.audit(), &a.id, &id)
        .await
        .map_err(membership_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LeaveBody {
    #[serde(default)]
    reason: String,
}

/// A member's status after leaving.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LeftStatus {
    Removed,
}

/// The answer to leaving the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Left {
    status: LeftStatus,
}

#[utoipa::path(post, path = "/api/v1/me/member/leave", tag = "membership", request_body = LeaveBody, security(("bearer" = [])),
    responses((status = 200, body = Left, description = "`removed`: the organisation is removed at its request; access ends at once"), (status = 401), (status = 403)))]
pub async fn leave(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<LeaveBody>,
) -> Result<Json<Left>, ApiError> {
    let a = account(&caller, Action::ManageOwnMember)?;
    member_self::leave(&state, &caller.audit(), &a.id, &body.reason)
        .await
        .map_err(membership_error)?;
    Ok(Json(Left {
        status: LeftStatus::Removed,
    }))
}
