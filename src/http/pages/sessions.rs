//! One's sessions on the account page, and signing out everywhere.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use serde::Deserialize;

use super::Flash;
use super::account::own_account;
use crate::app::AppState;
use crate::app::sessions;
use crate::domain::secret::Secret;
use crate::http::body::Form;
use crate::http::error::PageError;
use crate::http::extract::{Page, SESSION_COOKIE, set_cookie};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignOutForm {
    csrf: String,
    /// "yes": this browser's session stays.
    keep_current: String,
}

/// Ends every session and revokes every API token of one's account, but
/// this session when asked to keep it.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<SignOutForm>,
) -> Result<Response, PageError> {
    let account = own_account(&page)?;
    page.check_csrf(&form.csrf)?;
    let current = page
        .session
        .as_deref()
        .map(|s| Secret::from_presented(s).hash());
    let keep = current.as_ref().filter(|_| form.keep_current == "yes");
    let done = sessions::sign_out_everywhere(&state, &page.audit(), &account.id, keep).await?;
    let text = format!(
        "Signed out everywhere: {} sessions ended, {} API tokens revoked.",
        done.sessions_ended, done.tokens_revoked
    );
    if keep.is_some() {
        return Ok(Flash::success(text).redirect(&state, "/account#sessions"));
    }
    let mut resp = Flash::success(text).redirect(&state, "/");
    resp.headers_mut()
        .append(SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", Some(0)));
    Ok(resp)
}
