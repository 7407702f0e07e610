//! The list's public OpenPGP key, for anyone to encrypt to it and check
//! what it signs.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::domain::authz::Action;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

/// The current list key.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListKeyView {
    /// The primary key's fingerprint: 40 upper-case hex digits.
    #[schema(example = "0123456789ABCDEF0123456789ABCDEF01234567")]
    fingerprint: String,
    /// The public key, ASCII-armored (`-----BEGIN PGP PUBLIC KEY BLOCK-----`).
    armored: String,
}

#[utoipa::path(get, path = "/api/v1/list-key", tag = "list key",
    responses((status = 200, body = ListKeyView, description = "The key that signs the list's mail and that reports may be encrypted to; the same as at `/list-key.asc` and in the Web Key Directory for the security address")))]
pub async fn get_list_key(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<ListKeyView>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ReadPublished)?;
    Ok(Json(ListKeyView {
        fingerprint: state.list_key.fingerprint().to_owned(),
        armored: state.list_key.armored_public().to_owned(),
    }))
}
