//! The liveness ping's link, and an admin's page of one member: criteria
//! answers, liveness record, reviews and the review form.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Flash;
use super::clear_text::ClearTextForm;
use super::member_forms as forms;
use super::membership::{allow, answers};
use crate::app::AppState;
use crate::app::liveness as usecase;
use crate::db::{applications as apps, liveness as store, members};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::http::api::liveness::{keep_sweeping, liveness_view};
use crate::http::api::membership::membership_error;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// The link in the ping mail. Opening it is the answer: the point is to
/// show that someone reads the alias.
pub async fn answer_ping(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    allow(&page, Action::AnswerAliasPing)?;
    let answered = usecase::answer(&state, &page.audit(), &token)
        .await
        .map_err(membership_error)?;
    keep_sweeping(&state).await;
    let ctx = json!({
        "ping": answered.ping, "organization": answered.organization, "first": answered.first,
        "every_days": state.config.membership.ping_every_days,
    });
    page.render(
        &state,
        "alias_ping_answered",
        "Security alias confirmed",
        ctx,
    )
}

/// The review form as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReviewForm {
    #[serde(skip_serializing)]
    csrf: String,
    /// `keep` or `remove`.
    outcome: String,
    notes: String,
}

/// The member page, with the review form and a contact's clear-text form
/// as typed, and `errors` at their fields.
pub(super) async fn render_member(
    state: &AppState,
    page: &Page,
    id: &str,
    typed: &ReviewForm,
    clear_text: &ClearTextForm,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let mut conn = state.db.conn().await?;
    let member = members::get(&mut conn, id).await?.ok_or(Error::NotFound)?;
    let reviews = store::reviews(&mut conn, id).await?;
    let application = match &member.application_id {
        Some(a) => apps::get(&mut conn, a).await?,
        None => None,
    };
    let events = crate::db::audit::for_subject(&mut conn, id).await?;
    // Who reviewed and who did what, named in one query.
    let actors = reviews.iter().map(|r| r.actor.as_str());
    let actors: Vec<&str> = actors
        .chain(events.iter().map(|e| e.actor.as_str()))
        .collect();
    let details: Vec<&str> = events.iter().map(|e| e.detail.as_str()).collect();
    let names = crate::http::history::Names::of(&mut conn, &actors, &details).await?;
    drop(conn);
    let history = names.events(&events);
    let reviews: Vec<Value> = reviews
        .iter()
        .map(|r| {
            json!({ "at": r.at, "actor": names.who(&r.actor), "outcome": r.outcome,
                    "notes": r.notes })
        })
        .collect();
    let answers = match &application {
        Some(a) => Some(answers(state, a).await?),
        None => None,
    };
    let record = json!(liveness_view(state, &member).await?);
    let leaks = crate::app::leaks::for_member(state, id)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    let leaks_ctx = json!({
        "items": leaks.items, "strikes": leaks.strikes, "removal_proposed": leaks.removal_proposed,
        "window_days": state.config.leaks.window_days,
        "threshold": state.config.leaks.removal_threshold,
    });
    let (contacts, contact_fields) = super::clear_text::contacts(state, id).await?;
    let contacts = super::member_contacts_admin::with_status(state, id, contacts).await?;
    let contributed = crate::app::contributions::record::of_member(state, id)
        .await
        .map_err(crate::http::api::test_reports::contribution_error)?;
    let ctx = json!({
        "leaks": leaks_ctx,
        "record": contributed,
        "member": member, "contacts": contacts, "answers": answers, "reviews": reviews,
        "pings": record["pings"], "overdue_pings": record["overdue"], "answered": record["answered"],
        "median_hours": record["median_response_hours"], "next_ping_at": record["next_ping_at"],
        "review_due_at": record["review_due_at"], "review_is_due": record["review_is_due"],
        "form": typed, "clear_text_form": clear_text, "history": history,
    });
    let mut layout = contact_fields;
    layout.add("outcome", "Outcome");
    layout.add("notes", "Notes");
    layout.add(super::members_admin::REMOVAL_REASON, "Reason for removal");
    let ctx: Value = layout.with_errors(ctx, errors);
    forms::respond(state, page, "admin_member", &member.organization, ctx)
}

pub async fn member_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    allow(&page, Action::ManageMembership)?;
    keep_sweeping(&state).await;
    let (review, clear_text) = (ReviewForm::default(), ClearTextForm::default());
    render_member(
        &state,
        &page,
        &id,
        &review,
        &clear_text,
        &FieldErrors::new(),
    )
    .await
}

pub async fn review(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    allow(&page, Action::ManageMembership)?;
    page.check_csrf(&form.csrf)?;
    keep_sweeping(&state).await;
    match usecase::review(&state, &page.audit(), &id, &form.outcome, &form.notes).await {
        Ok(_) => {
            let text = match form.outcome.as_str() {
                "remove" => "Review recorded: the member is removed and told why.",
                _ => "Review recorded: the member stays on the list.",
            };
            Ok(Flash::success(text).redirect(&state, &format!("/admin/members/{id}")))
        }
        Err(e) => {
            let errors = forms::form_errors(e)?;
            let clear_text = ClearTextForm::default();
            render_member(&state, &page, &id, &form, &clear_text, &errors).await
        }
    }
}
