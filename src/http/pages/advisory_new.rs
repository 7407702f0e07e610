//! A new advisory for admins: the form, empty or prefilled from a report
//! (`?report=rpt_...`), and the draft it creates, linked to that report.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::advisories_admin::allowed;
use super::advisory_forms::*;
use super::see_other;
use crate::app::AppState;
use crate::app::advisories as usecase;
use crate::db::reports::Report;
use crate::domain::advisory::{Content, reporter_credit};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::http::view;
use crate::publish::osv::github_url;

/// Why a form prefilled from a report holds no credit.
pub(super) const NO_CONSENT: &str =
    "No credit is filled in: the reporter did not consent to credit.";
pub(super) const NO_NAME: &str =
    "No credit is filled in: the reporter agreed to be credited but gave no name or GitHub handle.";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    /// The report to prefill the form from.
    report: String,
}

/// The new-advisory form prefilled from `report`: its title as summary, its
/// description (and the versions it says are affected) as details, the
/// versions it says are not affected, its id, and the reporter as finder
/// only if they consented to credit (their GitHub profile as contact).
/// Also returns why there is no credit, when there is none.
pub(super) fn from_report(report: &Report) -> Result<(ContentForm, Option<&'static str>), Error> {
    let (name, github) = (given(&report.reporter_name), given(&report.github));
    let credit = reporter_credit(report.credit_consent, &[], name, github).map(|mut c| {
        c.contact.extend(github_url(&c));
        c
    });
    let why_none = match (&credit, report.credit_consent) {
        (Some(_), _) => None,
        (None, false) => Some(NO_CONSENT),
        (None, true) => Some(NO_NAME),
    };
    let mut details = report.description.trim_end().to_owned();
    let affected = report.affected_versions.trim();
    if !affected.is_empty() {
        details.push_str("\n\nAffected versions, as reported:\n\n");
        details.push_str(affected);
    }
    let mut content = Content::default();
    content.credits.extend(credit);
    content.database_specific.unaffected_versions = report
        .unaffected_versions
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let content = serde_json::to_value(&content).map_err(anyhow::Error::from)?;
    let form = ContentForm {
        summary: report.title.trim().to_owned(),
        details,
        osv: structured_json(&content),
        report_id: report.id.clone(),
        ..ContentForm::default()
    };
    Ok((form, why_none))
}

/// A reporter's optional field, if it holds anything.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The form; `from` is the report it was prefilled from, if any.
fn render_new(
    page: &Page,
    state: &AppState,
    form: &ContentForm,
    from: Value,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let ctx = json!({ "form": form, "from_report": from, "errors": errors });
    let mut resp = page.render(state, "admin_advisory_new", "New advisory", ctx)?;
    if !errors.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// `GET /admin/advisories/new`, with `?report=` prefilled from that report:
/// reading it takes the right to read reports too, and is recorded as a
/// read; an unknown or malformed id is 404.
pub async fn new_form(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, None)?;
    let (form, from) = match q.report.trim() {
        "" => {
            let empty = serde_json::to_value(Content::default()).map_err(anyhow::Error::from)?;
            let osv = structured_json(&empty);
            let form = ContentForm {
                osv,
                ..ContentForm::default()
            };
            (form, Value::Null)
        }
        id => {
            let report = view::authorized_report(&state, &page.actor, id, view::On::Read).await?;
            crate::app::reports::record_read(&state, &page.audit(), &report.id).await;
            let (form, why_none) = from_report(&report)?;
            let from = json!({ "id": report.id, "title": report.title, "no_credit": why_none });
            (form, from)
        }
    };
    render_new(&page, &state, &form, from, &FieldErrors::new())
}

/// `POST /admin/advisories`: a draft, linked to the form's report if any.
pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<ContentForm>,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, Some(&form.csrf))?;
    let report = Some(form.report_id.trim()).filter(|r| !r.is_empty());
    let result = match form_content(&form).and_then(usecase::parse_content) {
        Ok(content) => usecase::create(&state, &page.audit(), content, report).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(see_other(&format!("/admin/advisories/{id}"))),
        Err(e) => render_new(
            &page,
            &state,
            &form,
            Value::Null,
            &content_errors(form_errors(e, "reason")?),
        ),
    }
}
