//! The calling account and its API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::paging::{PageQuery, WHOLE_LIST, next_cursor};
use crate::app::AppState;
use crate::app::auth::{self, SetupError, SetupInput};
use crate::db::accounts::Account;
use crate::db::sessions;
use crate::domain::authz::{Action, authorize};
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

fn own(caller: &ApiCaller) -> Result<&Account, Error> {
    let decision = authorize(&caller.actor, Action::ManageOwnAccount);
    if !decision.is_allowed() {
        return Err(Error::denied(decision));
    }
    caller.account.as_ref().ok_or(Error::Unauthenticated)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401)))]
pub async fn get_me(caller: ApiCaller) -> Result<Json<Me>, ApiError> {
    let a = own(&caller)?;
    Ok(Json(Me {
        id: a.id.to_string(),
        email: a.email.clone(),
        role: a.role.as_str(),
        language: a.language.clone(),
        time_zone: a.time_zone.clone(),
    }))
}

/// The calling account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    id: String,
    email: String,
    /// `admin`, `member` or `delegate`.
    role: &'static str,
    /// The language mail to you is written in; null: the organisation's.
    language: Option<String>,
    /// The IANA zone pages show instants in; null: the organisation's.
    time_zone: Option<String>,
}

/// A page of the caller's API tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    items: Vec<sessions::ApiToken>,
    /// The `cursor` of the next page; null on the last.
    next_cursor: Option<String>,
}

/// A new API token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    id: String,
    /// The secret; shown only now.
    token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageRequest {
    /// `de`, `pt-br`, ...; `null`: the organisation's language.
    #[schema(format = "language-tag-or-empty")]
    language: Option<String>,
}

/// The account's language, as saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct LanguageSet {
    /// `de`, `pt-br`, ...; null: the organisation's language.
    #[schema(required = true)]
    language: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/me/language", tag = "accounts", request_body = LanguageRequest, security(("bearer" = [])),
    responses((status = 200, body = LanguageSet, description = "Mail to you is written in `language` where the team has a text in it, else in English"),
        (status = 401), (status = 422)))]
pub async fn set_language(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<LanguageRequest>,
) -> Result<Json<LanguageSet>, ApiError> {
    let a = own(&caller)?;
    let edge = crate::domain::email::EDGE;
    let language = match body.language.as_deref().map(|l| l.trim_matches(edge)) {
        None | Some("") => None,
        Some(l) => Some(crate::domain::language::Language::parse(l).map_err(|e| {
            let mut errors = crate::domain::fields::FieldErrors::new();
            errors.add("language", e.to_string());
            Error::Invalid(errors)
        })?),
    };
    crate::app::auth::set_language(&state, &caller.audit(), &a.id, language.as_ref()).await?;
    Ok(Json(LanguageSet {
        language: language.map(|l| l.as_str().to_owned()),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeZoneRequest {
    /// An IANA name of the bundled time zone database such as
    /// `Europe/Berlin`, spelled as there; `null` or `""`: the
    /// organisation's zone.
    #[schema(format = "iana-time-zone")]
    time_zone: Option<String>,
}

/// The account's time zone, as saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeZoneSet {
    /// An IANA name; null: the organisation's zone.
    #[schema(required = true)]
    time_zone: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/me/time-zone", tag = "accounts", request_body = TimeZoneRequest, security(("bearer" = [])),
    responses((status = 200, body = TimeZoneSet, description = "Pages show instants in UTC and in `time_zone`"),
        (status = 401), (status = 422)))]
pub async fn set_time_zone(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<TimeZoneRequest>,
) -> Result<Json<TimeZoneSet>, ApiError> {
    let a = own(&caller)?;
    let zone = match body.time_zone.as_deref() {
        None | Some("") => None,
        Some(z) => Some(crate::domain::time::ZoneName::parse(z).map_err(|e| {
            let mut errors = crate::domain::fields::FieldErrors::new();
            errors.add("time_zone", e.to_string());
            Error::Invalid(errors)
        })?),
    };
    crate::app::auth::set_time_zone(&state, &caller.audit(), &a.id, zone.as_ref()).await?;
    Ok(Json(TimeZoneSet {
        time_zone: zone.map(|z| z.as_str().to_owned()),
    }))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = TokenList, description = "Oldest first"), (status = 401)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<TokenList>, ApiError> {
    let a = own(&caller)?;
    let window = p.window(WHOLE_LIST)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let page = sessions::token_page(&mut conn, &a.id, &window)
        .await
        .map_err(Error::from)?;
    Ok(Json(TokenList {
        next_cursor: next_cursor(&page),
        items: page.items,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    #[serde(default)]
    name: String,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = TokenRequest, security(("bearer" = [])),
    responses((status = 201, body = TokenCreated, description = "The token is shown only now"), (status = 401)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<Response, ApiError> {
    let a = own(&caller)?;
    let name: String = match req.name.trim() {
        "" => "unnamed".into(),
        n => n.chars().take(100).collect(),
    };
    let (id, token) = auth::create_token(&state, &caller.audit(), &a.id, &name).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            id: id.to_string(),
            token: token.expose().to_owned(),
        }),
    )
        .into_response())
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let a = own(&caller)?;
    if !auth::revoke_token(&state, &caller.audit(), &a.id, &id).await? {
        return Err(Error::NotFound.into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SetupRequest {
    /// Only for the first admin, whose address is chosen now.
    email: String,
    /// 12 to 256 characters.
    #[schema(required = true, min_length = 12, max_length = 256)]
    password: String,
    /// A base32 TOTP secret the caller generated, with `totp` a current code
    /// for it; both empty to set up without two-factor authentication.
    totp_secret: String,
    /// Empty, or the current code for `totp_secret`.
    totp: String,
}

/// An account whose set-up is complete.
#[derive(Debug, Serialize, ToSchema)]
pub struct SetUp {
    id: String,
    /// The address it signs in with.
    email: String,
}

#[utoipa::path(post, path = "/api/v1/setup/{token}", tag = "accounts", request_body = SetupRequest,
    responses((status = 200, body = SetUp, description = "The account, set up"), (status = 404, description = "unknown, used or expired link"), (status = 422)))]
pub async fn complete_setup(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(token): Path<String>,
    ApiJson(req): ApiJson<SetupRequest>,
) -> Result<Json<SetUp>, ApiError> {
    let link = crate::domain::secret::Secret::from_presented(&token);
    let account = auth::setup_account(&state, &link)
        .await?
        .ok_or(Error::NotFound)?;
    let input = SetupInput {
        email: &req.email,
        password: &req.password,
        confirm: &req.password,
        totp_secret: &req.totp_secret,
        totp_code: &req.totp,
    };
    match auth::complete_setup(&state, &caller.ip.to_string(), &link, &account, input).await {
        Ok(()) => {
            let email = if account.email.is_empty() {
                req.email.trim().to_owned()
            } else {
                account.email
            };
            Ok(Json(SetUp {
                id: account.id.as_str().to_owned(),
                email,
            }))
        }
        Err(SetupError::Invalid(errors)) => Err(Error::Invalid(errors).into()),
        Err(SetupError::LinkUsed) => Err(Error::NotFound.into()),
        Err(SetupError::Other(e)) => Err(Error::Internal(e).into()),
    }
}
