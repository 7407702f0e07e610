//! Log in and log out: the password form (with a TOTP code or a passkey
//! as second factor), where a login returns to, and its answers.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::{CsrfOnly, Flash};
use crate::app::AppState;
use crate::app::auth::{self, Login, LoginError};
use crate::db::{accounts, sessions};
use crate::domain::account::Role;
use crate::domain::secret::Secret;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::{Page, SESSION_COOKIE, set_cookie};

/// `?next=`: the page that asked for the login.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
}

pub async fn login_form(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<LoginQuery>,
) -> Result<Response, PageError> {
    let next = safe_next(&q.next).unwrap_or_default();
    page.render(
        &state,
        "login",
        "Log in",
        login_context(&state, "", None, next),
    )
}

/// What the login page shows: the address typed, the refusal, where the
/// login returns to, and whether passkeys can sign in here.
pub(super) fn login_context(
    state: &AppState,
    email: &str,
    error: Option<&str>,
    next: &str,
) -> serde_json::Value {
    let passkeys = crate::app::passkeys::relying_party(state).is_ok();
    json!({ "email": email, "error": error, "next": next, "passkeys": passkeys })
}

/// The answer to a successful login: the session cookie, and a redirect
/// to `next` (if it is a path of ours) or the account's home.
pub(super) fn signed_in(
    state: &AppState,
    account: &accounts::Account,
    session: &Secret,
    next: &str,
) -> Response {
    let home = if account.role == Role::Admin {
        "/admin/reports"
    } else {
        "/account"
    };
    let to = safe_next(next).unwrap_or(home);
    let hello = Flash::success(format!("Logged in as {}.", account.email));
    let mut resp = hello.redirect(state, to);
    let max_age = i64::from(state.config.auth.session_hours) * 3600;
    resp.headers_mut().append(
        SET_COOKIE,
        set_cookie(state, SESSION_COOKIE, session.expose(), Some(max_age)),
    );
    resp
}

/// The login page again, with `err` and 401.
pub(super) fn refused(
    state: &AppState,
    page: &Page,
    email: &str,
    err: &LoginError,
    next: &str,
) -> Result<Response, PageError> {
    let next = safe_next(next).unwrap_or_default();
    let ctx = login_context(state, email, Some(&err.to_string()), next);
    let mut resp = page.render(state, "login", "Log in", ctx)?;
    *resp.status_mut() = StatusCode::UNAUTHORIZED;
    Ok(resp)
}

/// `next` if it is a path on this site (not `//host`, not a URL, not the
/// login itself): where a login may send its visitor.
pub(super) fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains(['\\', '\r', '\n'])
        && !next.chars().any(char::is_control)
        && !next.starts_with("/login")
        && !next.starts_with("/logout")
        && next.len() <= 2000;
    ok.then_some(next)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    csrf: String,
    email: String,
    password: String,
    totp: String,
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    page.check_csrf(&form.csrf)?;
    if !state.login_limiter.check(page.ip) {
        return Err(Error::TooManyRequests.into());
    }
    let next = safe_next(&form.next).unwrap_or_default();
    let ip = page.ip.to_string();
    match auth::login(&state, &ip, &form.email, &form.password, &form.totp, next).await {
        Ok(Login::Done(account, session)) => Ok(signed_in(&state, &account, &session, next)),
        Ok(Login::Passkey(account, challenge)) => {
            let minutes = crate::domain::passkey::CEREMONY_MINUTES;
            let ctx = json!({ "email": account.email, "ceremony": challenge.ceremony,
                              "options": challenge.public_key.to_string(), "minutes": minutes,
                              "totp": account.totp_secret.is_some() });
            page.render(&state, "login_passkey", "Confirm with a passkey", ctx)
        }
        Err(LoginError::Other(e)) => Err(Error::Internal(e).into()),
        Err(err) => refused(&state, &page, &form.email, &err, next),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    page.check_csrf(&form.csrf)?;
    if let Some(s) = &page.session {
        let mut conn = state.db.conn().await?;
        sessions::delete_session(&mut conn, &Secret::from_presented(s).hash()).await?;
    }
    let mut resp = Flash::success("You are logged out.").redirect(&state, "/");
    resp.headers_mut()
        .append(SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", Some(0)));
    Ok(resp)
}
