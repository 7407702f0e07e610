//! Account set-up, and an account's own page: language, time zone, API
//! tokens and OpenPGP keys (passkeys are in `passkeys.rs`, logging in in
//! `login.rs`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::{CsrfOnly, Flash, see_other};
use crate::app::AppState;
use crate::app::auth::{self, SetupError, SetupInput};
use crate::db::{accounts, sessions};
use crate::domain::account::totp_required;
use crate::domain::authz::{Action, authorize};
use crate::domain::fields::FieldErrors;
use crate::domain::language::Language;
use crate::domain::secret::Secret;
use crate::domain::time::ZoneName;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

async fn setup_account(state: &AppState, token: &str) -> Result<accounts::Account, Error> {
    auth::setup_account(state, &Secret::from_presented(token))
        .await?
        .ok_or(Error::NotFound)
}

fn setup_context(
    state: &AppState,
    token: &str,
    account: &accounts::Account,
    secret: &str,
    errors: &FieldErrors,
) -> serde_json::Value {
    // The first admin chooses an address on this very form: until then the
    // authenticator lists the account as "admin" (a link needs a name).
    let label = match account.email.as_str() {
        "" => "admin",
        email => email,
    };
    let uri = auth::totp(secret, label, &state.config.organization)
        .and_then(|t| t.to_url().ok())
        .unwrap_or_default();
    json!({
        "token": token,
        "email": account.email,
        "needs_email": account.email.is_empty(),
        "errors": errors,
        "totp_secret": secret,
        "totp_uri": uri,
        "totp_required": totp_required(account.role, state.config.auth.require_totp_for_admins),
    })
}

pub async fn setup_form(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let account = setup_account(&state, &token).await?;
    let secret = auth::new_totp_secret();
    page.render(
        &state,
        "setup",
        "Set up your account",
        setup_context(&state, &token, &account, &secret, &FieldErrors::new()),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    csrf: String,
    email: String,
    password: String,
    confirm: String,
    totp_secret: String,
    totp: String,
}

pub async fn complete_setup(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
    Form(form): Form<SetupForm>,
) -> Result<Response, PageError> {
    page.check_csrf(&form.csrf)?;
    let account = setup_account(&state, &token).await?;
    let input = SetupInput {
        email: &form.email,
        password: &form.password,
        confirm: &form.confirm,
        totp_secret: &form.totp_secret,
        totp_code: &form.totp,
    };
    match auth::complete_setup(
        &state,
        &page.ip.to_string(),
        &Secret::from_presented(&token),
        &account,
        input,
    )
    .await
    {
        Ok(()) if !form.totp.trim().is_empty() => {
            // With an authenticator app: its recovery codes, shown once.
            let actor = crate::db::audit::Actor {
                who: format!("account:{}", account.id),
                ip: page.ip.to_string(),
            };
            let codes = crate::app::recovery::issue(&state, &actor, &account.id).await?;
            super::second_factor::show_codes(&state, &page, &codes, "/login")
        }
        Ok(()) => {
            let text = "Your account is set up: log in with your e-mail address and password.";
            Ok(Flash::success(text).redirect(&state, "/login"))
        }
        Err(SetupError::Invalid(errors)) => {
            let ctx = setup_context(&state, &token, &account, &form.totp_secret, &errors);
            let mut resp = page.render(&state, "setup", "Set up your account", ctx)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(SetupError::LinkUsed) => Err(Error::NotFound.into()),
        Err(SetupError::Other(e)) => Err(Error::Internal(e).into()),
    }
}

pub(super) async fn account_context(
    state: &AppState,
    page: &Page,
    account: &accounts::Account,
    new_token: Option<&str>,
) -> Result<serde_json::Value, Error> {
    let current = page
        .session
        .as_deref()
        .map(|s| Secret::from_presented(s).hash());
    let open = crate::app::sessions::list(state, &account.id, current.as_ref()).await?;
    let mut conn = state.db.conn().await?;
    let tokens = sessions::tokens_of(&mut conn, &account.id).await?;
    let keys = crate::db::keys::list(&mut conn, &account.id).await?;
    drop(conn);
    let languages = crate::app::templates::languages(state).await?;
    let passkeys = crate::app::passkeys::list(state, &account.id)
        .await
        .map_err(super::passkeys::page_error)?;
    let unavailable = crate::app::passkeys::relying_party(state)
        .err()
        .map(|e| e.to_string());
    let recovery_unused = crate::app::recovery::unused(state, &account.id).await?;
    Ok(
        json!({ "passkeys": passkeys, "passkeys_unavailable": unavailable, "passkey_error": null,
                "has_totp": account.totp_secret.is_some(), "recovery_unused": recovery_unused,
                "sessions": open.sessions,
                "second_factor_pending": crate::http::extract::second_factor_pending(state, account).await?,
                "email": account.email, "role": account.role.as_str(), "tokens": tokens, "new_token": new_token,
                "keys": keys, "key_errors": {}, "key_text": "", "language": account.language,
                "languages": languages, "time_zone": account.time_zone,
                "organization_time_zone": state.config.organization_time_zone, "zone_errors": {} }),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TimeZoneForm {
    csrf: String,
    time_zone: String,
}

/// The zone pages show instants in for this account (empty: the
/// organisation's); back to the page, which says what it is now.
pub async fn set_time_zone(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<TimeZoneForm>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    let zone = match form.time_zone.trim() {
        "" => None,
        z => match ZoneName::parse(z) {
            Ok(z) => Some(z),
            Err(e) => {
                let mut ctx = account_context(&state, &page, account, None).await?;
                ctx["zone_errors"] = json!({ "time_zone": format!("Time zone: {e}") });
                ctx["time_zone"] = json!(form.time_zone.chars().take(100).collect::<String>());
                let mut resp = page.render(&state, "account", "Your account", ctx)?;
                *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                return Ok(resp);
            }
        },
    };
    auth::set_time_zone(&state, &page.audit(), &account.id, zone.as_ref()).await?;
    Ok(see_other("/account?saved=time_zone"))
}

/// `?saved=`: which setting was just saved, for the notice.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountQuery {
    saved: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    csrf: String,
    language: String,
}

/// The language mail to the account is written in; back to the page.
pub async fn set_language(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<LanguageForm>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    let language = match form.language.trim() {
        "" => None,
        l => Some(Language::parse(l).map_err(|e| Error::BadRequest(e.to_string()))?),
    };
    auth::set_language(&state, &page.audit(), &account.id, language.as_ref()).await?;
    let text = match &language {
        Some(l) => format!("Saved: mail to you is written in {}.", l.as_str()),
        None => "Saved: mail to you is written in the team's usual language.".to_owned(),
    };
    Ok(Flash::success(text).redirect(&state, "/account?language=saved"))
}

pub(super) fn own_account(page: &Page) -> Result<&accounts::Account, Error> {
    let decision = authorize(&page.actor, Action::ManageOwnAccount);
    if !decision.is_allowed() {
        return Err(Error::denied(decision));
    }
    page.account.as_ref().ok_or(Error::Unauthenticated)
}

pub async fn account_page(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AccountQuery>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    let mut ctx = account_context(&state, &page, account, None).await?;
    // Only a known name maps to a notice: nothing of the query is echoed.
    ctx["saved"] = json!(q.saved == "time_zone");
    page.render(&state, "account", "Your account", ctx)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    csrf: String,
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    let name = match form.name.trim() {
        "" => "unnamed",
        n => n,
    };
    let (_, token) = auth::create_token(
        &state,
        &page.audit(),
        &account.id,
        &name.chars().take(100).collect::<String>(),
    )
    .await?;
    let ctx = account_context(&state, &page, account, Some(token.expose())).await?;
    page.render(&state, "account", "Your account", ctx)
}

pub async fn revoke_token(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    if !auth::revoke_token(&state, &page.audit(), &account.id, &id).await? {
        return Err(Error::NotFound.into());
    }
    Ok(Flash::success("Token revoked.").redirect(&state, "/account"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KeyForm {
    csrf: String,
    armored: String,
}

/// Uploads an OpenPGP public key; a refused key is shown with the reason.
pub async fn upload_key(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<KeyForm>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    match crate::app::keys::upload(&state, &page.audit(), &account.id, &form.armored).await {
        Ok(_) => {
            let text = "Key added: embargoed mail to you is encrypted to it.";
            Ok(Flash::success(text).redirect(&state, "/account"))
        }
        Err(crate::app::keys::KeyUploadError::Invalid(errors)) => {
            let mut ctx = account_context(&state, &page, account, None).await?;
            ctx["key_errors"] = json!(errors);
            ctx["key_text"] = json!(form.armored);
            let mut resp = page.render(&state, "account", "Your account", ctx)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(crate::app::keys::KeyUploadError::Other(e)) => Err(Error::Internal(e).into()),
    }
}

pub async fn retire_key(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    if !crate::app::keys::retire(&state, &page.audit(), &account.id, &id).await? {
        return Err(Error::NotFound.into());
    }
    Ok(Flash::success("Key retired.").redirect(&state, "/account"))
}
