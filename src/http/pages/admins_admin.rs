//! The team's admins: who they are, whether each has set up their account,
//! and the form with which an admin invites another (a set-up link by
//! mail; `app::admins::invite_admin`).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Flash;
use super::member_forms::{self as forms, Layout};
use super::membership::allow;
use crate::app::AppState;
use crate::app::admins::{InviteError, invite_admin as invite};
use crate::db::accounts;
use crate::domain::account::Role;
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

async fn render(
    state: &AppState,
    page: &Page,
    typed: &str,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let mut conn = state.db.conn().await?;
    let all = accounts::list(&mut conn).await?;
    drop(conn);
    let admins: Vec<Value> = all
        .iter()
        .filter(|a| a.role == Role::Admin && !a.email.is_empty())
        .map(|a| {
            json!({ "email": a.email, "set_up": a.password_hash.is_some(),
                    "totp": a.totp_secret.is_some(), "disabled": a.disabled })
        })
        .collect();
    let mut layout = Layout::default();
    layout.add("email", "E-mail address");
    let ctx = layout.with_errors(json!({ "admins": admins, "email": typed }), errors);
    forms::respond(state, page, "admin_admins", "Admins", ctx)
}

pub async fn admins(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    allow(&page, Action::Administer)?;
    render(&state, &page, "", &FieldErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    csrf: String,
    email: String,
}

/// `POST /admin/admins`: invites an admin by mail.
pub async fn invite_admin(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<InviteForm>,
) -> Result<Response, PageError> {
    allow(&page, Action::Administer)?;
    page.check_csrf(&form.csrf)?;
    let by = page.account.as_ref().ok_or(Error::Unauthenticated)?;
    match invite(&state, &page.audit(), &by.email, &form.email).await {
        Ok(email) => {
            let text = format!(
                "{email} is invited: a set-up link valid for 24 hours is on its way to them."
            );
            Ok(Flash::success(text).redirect(&state, "/admin/admins"))
        }
        Err(InviteError::Invalid(errors)) => render(&state, &page, &form.email, &errors).await,
        Err(InviteError::Other(e)) => Err(Error::Internal(e).into()),
    }
}
