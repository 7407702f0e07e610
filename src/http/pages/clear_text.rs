//! The admin member page's contacts, with each one's clear-text allowance,
//! and the forms that allow and withdraw it (no JavaScript; CSRF as every
//! form). The use cases are `app::membership::{allow_clear_text,
//! withdraw_clear_text}`.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Flash;
use super::liveness::{ReviewForm, render_member};
use super::member_forms::{self as forms, Layout};
use super::membership::allow;
use crate::app::AppState;
use crate::app::membership as usecase;
use crate::db::{self, clear_text as store, keys, members};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::http::api::clear_text::allowance_view;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// The allow form as typed, for the contact it was posted for.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ClearTextForm {
    #[serde(skip_serializing)]
    csrf: String,
    /// Set from the path, not the form.
    #[serde(skip_deserializing)]
    pub contact: String,
    pub reason: String,
}

/// The field an allow form's reason is shown at, per contact.
fn reason_field(contact: &str) -> String {
    format!("clear_text.{contact}")
}

/// `member`'s current contacts as the page lists them: whether they have a
/// usable key and their clear-text allowance; and the layout of their
/// forms' fields, for the error summary.
pub(super) async fn contacts(state: &AppState, member: &str) -> Result<(Value, Layout), Error> {
    let mut conn = state.db.conn().await?;
    let contacts = members::contacts(&mut conn, member).await?;
    let ids: Vec<&str> = contacts.iter().map(|c| c.account_id.as_str()).collect();
    let keys = keys::usable_many(&mut conn, &ids, db::now()).await?;
    let allowances = store::of_member(&mut conn, member).await?;
    let mut layout = Layout::default();
    let mut out = Vec::with_capacity(contacts.len());
    for c in &contacts {
        let allowance = match allowances.get(&c.account_id) {
            Some(a) => {
                let mut v = json!(allowance_view(&mut conn, a).await?);
                v["at"] = json!(a.at);
                v
            }
            None => Value::Null,
        };
        let label = format!("Why {} may receive advisories unencrypted", c.name);
        layout.add(&reason_field(&c.account_id), &label);
        out.push(json!({
            "account_id": c.account_id, "name": c.name, "email": c.email,
            "has_key": keys.contains_key(&c.account_id), "clear_text": allowance,
        }));
    }
    Ok((json!(out), layout))
}

/// Allows clear text for one contact; back to the member page.
pub async fn allow_clear_text(
    State(state): State<AppState>,
    page: Page,
    Path((id, contact)): Path<(String, String)>,
    Form(mut form): Form<ClearTextForm>,
) -> Result<Response, PageError> {
    allow(&page, Action::AllowClearText)?;
    page.check_csrf(&form.csrf)?;
    let actor = page.audit();
    match usecase::allow_clear_text(&state, &actor, &id, &contact, &form.reason).await {
        Ok(_) => {
            let text = "Clear text allowed: without a usable key, this contact now gets announcements unencrypted.";
            let to = format!("/admin/members/{id}#contact-{contact}");
            Ok(Flash::warning(text).redirect(&state, &to))
        }
        Err(e) => {
            // The use case names the field `reason`; the page has one per
            // contact.
            let mut errors = FieldErrors::new();
            for (_, m) in forms::form_errors(e)?.iter() {
                errors.add(&reason_field(&contact), m);
            }
            form.contact = contact;
            render_member(&state, &page, &id, &ReviewForm::default(), &form, &errors).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    csrf: String,
}

/// Withdraws one contact's clear-text allowance; back to the member page.
pub async fn withdraw_clear_text(
    State(state): State<AppState>,
    page: Page,
    Path((id, contact)): Path<(String, String)>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, PageError> {
    allow(&page, Action::AllowClearText)?;
    page.check_csrf(&form.csrf)?;
    usecase::withdraw_clear_text(&state, &page.audit(), &id, &contact)
        .await
        .map_err(crate::http::api::membership::membership_error)?;
    let text = "Clear text withdrawn: this contact gets embargoed advisories only encrypted again.";
    let to = format!("/admin/members/{id}#contact-{contact}");
    Ok(Flash::success(text).redirect(&state, &to))
}
