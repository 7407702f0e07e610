//! The contacts on the admin's page of a member: where each one stands (set
//! up, which policy version accepted, OpenPGP key and its expiry) and the
//! button that mails a contact who has not set up a new set-up link.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::membership::allow;
use super::{CsrfOnly, Flash};
use crate::app::AppState;
use crate::app::membership::{self as usecase, MembershipError};
use crate::db::contact_status;
use crate::domain::authz::Action;
use crate::http::api::membership::membership_error;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// `contacts` (as the member page lists them, by `account_id`) each with
/// `status`: `set_up`, `disabled`, `policy` (`current`, `older` or `none`,
/// with `accepted_version` and the `current_version`), the key's
/// fingerprint and expiry, and the set-up link's expiry.
pub(super) async fn with_status(
    state: &AppState,
    member: &str,
    mut contacts: Value,
) -> Result<Value, Error> {
    let (current, _, _) = usecase::current_policy(state).await?;
    let mut conn = state.db.conn().await?;
    let statuses = contact_status::of_member(&mut conn, member).await?;
    drop(conn);
    let now = crate::db::now();
    for c in contacts.as_array_mut().into_iter().flatten() {
        let Some(s) = statuses.iter().find(|s| c["account_id"] == s.account_id) else {
            continue;
        };
        let policy = match s.accepted_version {
            Some(v) if v >= current => "current",
            Some(_) => "older",
            None => "none",
        };
        let mut v = serde_json::to_value(s).map_err(anyhow::Error::from)?;
        v["policy"] = json!(policy);
        v["current_version"] = json!(current);
        v["key_expired"] = json!(s.key_expires_at.is_some_and(|e| e <= now));
        v["setup_link_live"] = json!(s.setup_link_expires_at.is_some_and(|e| e > now));
        c["status"] = v;
    }
    Ok(contacts)
}

/// `POST /admin/members/{id}/contacts/{contact}/setup-link`: a new set-up
/// link by mail; the old one stops working.
pub async fn resend_setup_link(
    State(state): State<AppState>,
    page: Page,
    Path((id, contact)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    allow(&page, Action::ManageMembership)?;
    page.check_csrf(&form.csrf)?;
    let back = format!("/admin/members/{id}#contact-{contact}");
    match usecase::resend_setup_link(&state, &page.audit(), &id, &contact).await {
        Ok(email) => {
            let text = format!(
                "A new set-up link is on its way to {email}; the one sent before no longer works."
            );
            Ok(Flash::success(text).redirect(&state, &back))
        }
        Err(MembershipError::Conflict(m)) => {
            let text = format!("No link sent: {m}.");
            Ok(Flash::error(text).redirect(&state, &back))
        }
        Err(e) => Err(membership_error(e).into()),
    }
}
