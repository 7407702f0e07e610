//! Passkeys on the pages: the challenge a page's script asks for (JSON),
//! and the forms it then sends with the browser's answer: signing in,
//! confirming a password, adding one to one's account. Removing one is a
//! plain form. See `static/passkeys.js`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::account::{account_context, own_account};
use super::login::{refused, safe_next, signed_in};
use super::{CsrfOnly, Flash};
use crate::app::AppState;
use crate::app::auth::LoginError;
use crate::app::passkey_login::{self, PasskeySession};
use crate::app::passkeys::{self, PasskeyError, RegistrationAnswer};
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// A passkey failure the page cannot show as a form error.
pub(super) fn page_error(e: PasskeyError) -> Error {
    match e {
        PasskeyError::Other(e) => Error::Internal(e),
        PasskeyError::Unavailable => Error::Conflict(e.to_string()),
        PasskeyError::Invalid(why) => Error::BadRequest(why.to_owned()),
    }
}

/// What a script sends to ask for a sign-in challenge.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChallengeForm {
    csrf: String,
    next: String,
}

/// A challenge for a sign-in with a passkey alone (JSON: `ceremony` and
/// the `publicKey` options for `navigator.credentials.get`).
pub async fn sign_in_options(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<ChallengeForm>,
) -> Result<Response, PageError> {
    page.check_csrf(&form.csrf)?;
    if !state.login_limiter.check(page.ip) {
        return Err(Error::TooManyRequests.into());
    }
    let next = safe_next(&form.next).unwrap_or_default();
    let challenge = passkey_login::start_sign_in(&state, next)
        .await
        .map_err(page_error)?;
    Ok(Json(challenge).into_response())
}

/// The browser's answer to a challenge, sent as a form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    csrf: String,
    ceremony: String,
    credential: String,
    name: String,
}

/// The answer to a finished sign-in: the session, or the login page with
/// the one refusal every failed login gets.
fn after_sign_in(
    state: &AppState,
    page: &Page,
    done: Result<PasskeySession, LoginError>,
) -> Result<Response, PageError> {
    match done {
        Ok(s) => Ok(signed_in(state, &s.account, &s.session, &s.next_path)),
        Err(LoginError::Other(e)) => Err(Error::Internal(e).into()),
        Err(err) => refused(state, page, "", &err, ""),
    }
}

/// Signs in with a passkey alone.
pub async fn sign_in(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    page.check_csrf(&form.csrf)?;
    if !state.login_limiter.check(page.ip) {
        return Err(Error::TooManyRequests.into());
    }
    let ip = page.ip.to_string();
    let done = passkey_login::finish_sign_in(&state, &ip, &form.ceremony, &form.credential).await;
    after_sign_in(&state, &page, done)
}

/// Finishes a login whose password was right with one of the account's
/// passkeys.
pub async fn second_factor(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    page.check_csrf(&form.csrf)?;
    if !state.login_limiter.check(page.ip) {
        return Err(Error::TooManyRequests.into());
    }
    let ip = page.ip.to_string();
    let done =
        passkey_login::finish_second_factor(&state, &ip, &form.ceremony, &form.credential).await;
    after_sign_in(&state, &page, done)
}

/// A challenge for adding a passkey to one's account (JSON: `ceremony` and
/// the `publicKey` options for `navigator.credentials.create`).
pub async fn registration_options(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    let challenge = passkeys::start_registration(&state, account)
        .await
        .map_err(page_error)?;
    Ok(Json(challenge).into_response())
}

/// Adds the passkey the browser made; a refusal shows on the account page.
pub async fn add_passkey(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    let answer = RegistrationAnswer {
        ceremony: &form.ceremony,
        name: &form.name,
        credential: &form.credential,
    };
    match passkeys::finish_registration(&state, &page.audit(), account, answer).await {
        Ok(_) => {
            let text = format!("Passkey “{}” added.", form.name.trim());
            Ok(Flash::success(text).redirect(&state, "/account#passkeys"))
        }
        Err(PasskeyError::Invalid(why)) => {
            let mut ctx = account_context(&state, &page, account, None).await?;
            ctx["passkey_error"] = json!(why);
            let mut resp = page.render(&state, "account", "Your account", ctx)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(page_error(e).into()),
    }
}

/// Removes one of one's passkeys.
pub async fn remove_passkey(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    let removed = passkeys::remove(&state, &page.audit(), &account.id, &id)
        .await
        .map_err(page_error)?;
    if !removed {
        return Err(Error::NotFound.into());
    }
    Ok(Flash::success("Passkey removed.").redirect(&state, "/account#passkeys"))
}
