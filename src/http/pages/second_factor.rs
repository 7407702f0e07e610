//! One's second factor on the account pages: setting up an authenticator
//! app (TOTP) after the account's set-up, and the recovery codes, shown
//! once when made.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::CsrfOnly;
use super::account::own_account;
use crate::app::AppState;
use crate::app::auth;
use crate::app::recovery::{self, TotpError};
use crate::db::accounts::Account;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// The set-up page's context: the secret, its otpauth link (shown as a QR
/// code too) and any error.
fn totp_context(
    state: &AppState,
    account: &Account,
    secret: &str,
    error: Option<&str>,
) -> serde_json::Value {
    let uri = auth::totp(secret, &account.email, &state.config.organization)
        .and_then(|t| t.to_url().ok())
        .unwrap_or_default();
    json!({ "totp_secret": secret, "totp_uri": uri, "error": error })
}

/// Setting up an authenticator app: a new secret to add to it.
pub async fn totp_form(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    if account.totp_secret.is_some() {
        return Err(Error::Conflict(TotpError::AlreadySetUp.to_string()).into());
    }
    let ctx = totp_context(&state, account, &auth::new_totp_secret(), None);
    page.render(&state, "account_totp", "Set up an authenticator app", ctx)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TotpForm {
    csrf: String,
    totp_secret: String,
    totp: String,
}

/// Sets up the authenticator app whose code is given; shows the new
/// recovery codes once.
pub async fn add_totp(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<TotpForm>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    match recovery::add_totp(
        &state,
        &page.audit(),
        account,
        &form.totp_secret,
        &form.totp,
    )
    .await
    {
        Ok(codes) => show_codes(&state, &page, &codes, "/account"),
        Err(TotpError::WrongCode) => {
            let why = format!("Authentication code: {}", TotpError::WrongCode);
            let ctx = totp_context(&state, account, &form.totp_secret, Some(&why));
            let mut resp =
                page.render(&state, "account_totp", "Set up an authenticator app", ctx)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(TotpError::AlreadySetUp) => {
            Err(Error::Conflict(TotpError::AlreadySetUp.to_string()).into())
        }
        Err(TotpError::Other(e)) => Err(Error::Internal(e).into()),
    }
}

/// New recovery codes for an account with an authenticator app (the old
/// ones stop working), shown once.
pub async fn new_recovery_codes(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    if account.totp_secret.is_none() {
        let why = "recovery codes stand in for an authenticator app's code: set one up first";
        return Err(Error::Conflict(why.into()).into());
    }
    let codes = recovery::issue(&state, &page.audit(), &account.id).await?;
    show_codes(&state, &page, &codes, "/account")
}

/// The page that shows recovery codes, once; `then` is where it leads on.
pub(super) fn show_codes(
    state: &AppState,
    page: &Page,
    codes: &[String],
    then: &str,
) -> Result<Response, PageError> {
    let ctx = json!({ "codes": codes, "then": then });
    page.render(state, "recovery_codes", "Your recovery codes", ctx)
}
