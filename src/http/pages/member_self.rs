//! The organisation page of a member contact: its details and contacts,
//! adding and removing colleagues, and leaving the list.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::Flash;
use crate::app::AppState;
use crate::app::member_self;
use crate::app::membership::MembershipError;
use crate::db::accounts::Account;
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::membership::ContactInput;
use crate::http::api::membership::membership_error;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

fn contact(page: &Page) -> Result<&Account, Error> {
    Error::unless_allowed(&page.actor, Action::ManageOwnMember)?;
    page.account.as_ref().ok_or(Error::Unauthenticated)
}

async fn render(
    state: &AppState,
    page: &Page,
    errors: &FieldErrors,
    typed: &ContactForm,
) -> Result<Response, PageError> {
    let account = contact(page)?;
    let (member, contacts) = member_self::overview(state, &account.id)
        .await
        .map_err(membership_error)?;
    let leaks = crate::app::leaks::for_member(state, &member.id)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    // Its own record, as the admins and the yearly review see it.
    let id = crate::domain::id::MemberId::parse(&member.id).map_err(anyhow::Error::from)?;
    Error::unless_allowed(&page.actor, Action::ReadMemberRecord(&id))?;
    let record = crate::app::contributions::record::of_member(state, &member.id)
        .await
        .map_err(crate::http::api::test_reports::contribution_error)?;
    let ctx = json!({
        "record": record,
        "leaks": leaks.items, "strikes": leaks.strikes, "leak_form": {},
        "member": member, "contacts": contacts, "me": account.id.as_str(), "errors": errors,
        "form": { "name": typed.name, "email": typed.email },
    });
    let mut resp = page.render(state, "member", &member.organization, ctx)?;
    if !errors.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn show(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    render(&state, &page, &FieldErrors::new(), &ContactForm::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    csrf: String,
    name: String,
    email: String,
    openpgp_key: String,
}

pub async fn add_contact(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<ContactForm>,
) -> Result<Response, PageError> {
    let account = contact(&page)?;
    page.check_csrf(&form.csrf)?;
    let input = ContactInput {
        name: form.name.clone(),
        email: form.email.clone(),
        openpgp_key: Some(form.openpgp_key.clone()).filter(|k| !k.trim().is_empty()),
    };
    let who = form.name.trim().to_owned();
    match member_self::add_contact(&state, &page.audit(), &account.id, input).await {
        Ok(_) => {
            let text = format!("{who} added; they are mailed a link to set up their account.");
            Ok(Flash::success(text).redirect(&state, "/member"))
        }
        Err(MembershipError::Invalid(e)) => {
            // The use case names fields as contacts[0].*; the form has one contact.
            let mut errors = FieldErrors::new();
            for (k, v) in e.iter() {
                errors.add(k.strip_prefix("contacts[0].").unwrap_or(k), v);
            }
            render(&state, &page, &errors, &form).await
        }
        Err(MembershipError::Conflict(m)) => {
            let mut errors = FieldErrors::new();
            errors.add("email", m);
            render(&state, &page, &errors, &form).await
        }
        Err(other) => Err(membership_error(other).into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveContactForm {
    csrf: String,
    /// `yes` from the confirmation page.
    confirm: String,
}

pub async fn remove_contact(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<RemoveContactForm>,
) -> Result<Response, PageError> {
    let account = contact(&page)?;
    page.check_csrf(&form.csrf)?;
    if form.confirm != "yes" {
        let (member, contacts) = member_self::overview(&state, &account.id)
            .await
            .map_err(membership_error)?;
        let gone = contacts
            .iter()
            .find(|c| c.account_id == id)
            .ok_or(Error::NotFound)?;
        let who = format!("{} <{}>", gone.name, gone.email);
        let confirm = super::confirm::Confirm {
            about: member.organization.clone(),
            about_link: Some("/member".into()),
            happens: vec![format!(
                "{who} is no longer a contact of {}: they lose access to everything embargoed at once and get no more announcements.",
                member.organization
            )],
            reason: "",
            action: format!("/member/contacts/{id}/remove"),
            fields: vec![],
            button: format!("Remove {}", gone.name),
            cancel: "/member".into(),
        };
        return super::confirm::render(&state, &page, &format!("Remove {}?", gone.name), confirm);
    }
    match member_self::remove_contact(&state, &page.audit(), &account.id, &id).await {
        Ok(()) => {
            let text = "Contact removed; their access to embargoed material has ended.";
            Ok(Flash::success(text).redirect(&state, "/member"))
        }
        Err(MembershipError::Conflict(m)) => {
            let mut errors = FieldErrors::new();
            errors.add("contacts", m);
            render(&state, &page, &errors, &ContactForm::default()).await
        }
        Err(other) => Err(membership_error(other).into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LeaveForm {
    csrf: String,
    reason: String,
    confirm: String,
}

pub async fn leave(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<LeaveForm>,
) -> Result<Response, PageError> {
    let account = contact(&page)?;
    page.check_csrf(&form.csrf)?;
    if form.confirm != "yes" {
        let mut errors = FieldErrors::new();
        errors.add(
            "confirm",
            "tick the box to confirm: leaving ends every contact's access at once",
        );
        return render(&state, &page, &errors, &ContactForm::default()).await;
    }
    member_self::leave(&state, &page.audit(), &account.id, &form.reason)
        .await
        .map_err(membership_error)?;
    let text = "Your organisation has left the list; every contact's access has ended.";
    Ok(Flash::success(text).redirect(&state, "/"))
}
