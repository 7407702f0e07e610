//! The list policy for admins: the current version, who has not accepted
//! it, and the form that publishes a new version (every contact must then
//! accept again, and is mailed). The use case is
//! `app::membership::publish_policy`.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::Flash;
use super::member_forms::{self as forms, Layout};
use super::membership::allow;
use crate::app::AppState;
use crate::app::membership as usecase;
use crate::db::members;
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::publish::markdown;

async fn render(
    state: &AppState,
    page: &Page,
    typed: Option<&str>,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let (version, text, published_at) = usecase::current_policy(state).await?;
    let mut conn = state.db.conn().await?;
    let pending = members::contacts_without_acceptance(&mut conn, version).await?;
    drop(conn);
    let ctx = json!({
        "policy": { "version": version, "published_at": published_at, "html": markdown::to_html(&text) },
        "pending": pending.len(),
        "text": typed.unwrap_or(&text),
    });
    let mut layout = Layout::default();
    layout.add("text", "New policy text");
    let ctx = layout.with_errors(ctx, errors);
    forms::respond(state, page, "admin_policy", "List policy", ctx)
}

pub async fn policy(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    allow(&page, Action::ManageMembership)?;
    render(&state, &page, None, &FieldErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PolicyForm {
    csrf: String,
    text: String,
}

/// `POST /admin/policy`: publishes the text as the next version.
pub async fn publish_policy(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<PolicyForm>,
) -> Result<Response, PageError> {
    allow(&page, Action::ManageMembership)?;
    page.check_csrf(&form.csrf)?;
    let (_, current, _) = usecase::current_policy(&state).await?;
    if form.text.trim() == current.trim() {
        let e = forms::one(
            "text",
            "is the same as the current version: change it first",
        );
        return render(&state, &page, Some(&form.text), &e).await;
    }
    let version = match usecase::publish_policy(&state, &page.audit(), &form.text).await {
        Ok(v) => v,
        Err(e) => {
            let errors = forms::form_errors(e)?;
            return render(&state, &page, Some(&form.text), &errors).await;
        }
    };
    let mut conn = state.db.conn().await?;
    let told = members::contacts_without_acceptance(&mut conn, version)
        .await
        .map_err(Error::from)?
        .len();
    let s = if told == 1 { "" } else { "s" };
    let text = format!(
        "Policy version {version} published: {told} contact{s} must accept it before they see anything embargoed again, and are told by mail."
    );
    Ok(Flash::success(text).redirect(&state, "/admin/policy"))
}
