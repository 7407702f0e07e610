//! The list's public OpenPGP key where mail clients and people look for it:
//! `/list-key.asc` (security.txt's `Encryption:` link) and the Web Key
//! Directory of the security address (direct method). The JSON form is
//! `GET /api/v1/list-key`.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::domain::authz::Action;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::publish::wkd;

/// A rotation takes effect at the next restart; caches follow soon after.
const CACHE: &str = "public, max-age=300";

/// `/list-key.asc`: the current public key, ASCII-armored.
pub async fn armored_key(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        state.list_key.armored_public().to_owned(),
    )
        .into_response())
}

/// `/.well-known/openpgpkey/hu/{hash}` (an `?l=LOCAL` parameter is
/// accepted and not needed): the binary public key when `hash` names the
/// security address's local part, else 404. Any origin may read it, as the
/// draft asks, so web mail clients can.
pub async fn wkd_key(
    State(state): State<AppState>,
    page: Page,
    Path(hash): Path<String>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let ours = wkd::local_part_hash(wkd::local_part(&state.config.security_address));
    if hash != ours {
        return Err(Error::NotFound.into());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, CACHE),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        state.list_key.public_bytes().to_vec(),
    )
        .into_response())
}

/// `/.well-known/openpgpkey/policy`: empty; its presence says this domain
/// has a Web Key Directory.
pub async fn wkd_policy(page: Page) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        "",
    )
        .into_response())
}
