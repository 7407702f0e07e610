//! Applicants' pages: confirming the security alias (the mailed link) and
//! following an application through its status link.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use crate::app::AppState;
use crate::app::membership as usecase;
use crate::db::applications as apps;
use crate::domain::authz::{Action, authorize};
use crate::domain::secret::Secret;
use crate::http::api::membership::{applicant_view, membership_error};
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

fn public(page: &Page) -> Result<(), Error> {
    let decision = authorize(&page.actor, Action::Apply);
    if decision.is_allowed() {
        Ok(())
    } else {
        Err(Error::denied(decision))
    }
}

/// The link in the confirmation mail. Opening it is the confirmation: the
/// point is to prove someone reads the alias.
pub async fn confirm_application(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    public(&page)?;
    let app = usecase::confirm_alias(&state, &page.audit(), &token)
        .await
        .map_err(membership_error)?;
    page.render(
        &state,
        "application_status",
        "Application confirmed",
        json!({ "application": applicant_view(&app), "confirmed_now": true }),
    )
}

pub async fn application_status(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    public(&page)?;
    let mut conn = state.db.conn().await?;
    let app = apps::by_status_link(&mut conn, &Secret::from_presented(&token).hash())
        .await?
        .ok_or(Error::NotFound)?;
    drop(conn);
    page.render(
        &state,
        "application_status",
        "Your application",
        json!({ "application": applicant_view(&app), "confirmed_now": false }),
    )
}
