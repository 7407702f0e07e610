//! A new advisory for admins: the form, empty or prefilled from a report
//! (`?report=rpt_...`), and the draft it creates, linked to that report.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::advisories_admin::allowed;
use super::advisory_editor::errors::to_fields;
use super::advisory_editor::view::{Frame, view};
use super::advisory_editor::{Action as Button, Draft, Submission};
use super::advisory_forms::*;
use super::see_other;
use crate::app::AppState;
use crate::app::advisories as usecase;
use crate::db::reports::Report;
use crate::domain::advisory::{AdvisoryId, Content, reporter_credit};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::http::body::Form;
use crate::http::error::PageError;
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
/// versions it says are not affected, and the reporter as finder only if
/// they consented to credit (their GitHub profile as contact). Also returns
/// why there is no credit, when there is none.
pub(super) fn from_report(report: &Report) -> (Draft, Option<&'static str>) {
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
    let mut content = Content {
        summary: report.title.trim().to_owned(),
        details,
        ..Content::default()
    };
    content.credits.extend(credit);
    content.database_specific.unaffected_versions = report
        .unaffected_versions
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    (Draft::from_content(&content), why_none)
}

/// A reporter's optional field, if it holds anything.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The page around the editor (`editor` its context); `from` is the report
/// it was prefilled from, if any.
fn render_new(
    page: &Page,
    state: &AppState,
    editor: Value,
    from: Value,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let ctx = json!({ "editor": editor, "from_report": from, "errors": errors });
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
    let (draft, report_id, from) = match q.report.trim() {
        "" => (Draft::default(), String::new(), Value::Null),
        id => {
            let report = view::authorized_report(&state, &page.actor, id, view::On::Read).await?;
            crate::app::reports::record_read(&state, &page.audit(), &report.id).await;
            let (draft, why_none) = from_report(&report);
            let from = json!({ "id": report.id, "title": report.title, "no_credit": why_none });
            (draft, report.id.clone(), from)
        }
    };
    let none = FieldErrors::new();
    let editor = view(
        &draft,
        Frame {
            advisory: None,
            osv: structured_json(&draft.to_content().0),
            report_id: &report_id,
            reason: "",
            errors: &none,
            preview: None,
            json_open: false,
            published: false,
        },
    );
    render_new(&page, &state, editor, from, &none)
}

/// `POST /admin/advisories`: a draft, linked to the form's report if any;
/// or the form again, with a row more or less, a preview, or its errors.
pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut sub = Submission::from_pairs(pairs);
    allowed(&page, Action::ManageAdvisories, Some(&sub.csrf))?;
    let report = Some(sub.report_id.trim()).filter(|r| !r.is_empty());
    let (mut errors, mut preview) = (FieldErrors::new(), None);
    match sub.action.clone() {
        rows if rows.edits_rows() => sub.draft.apply(&rows),
        Button::Preview => {
            let made = sub.draft.to_content();
            let mut checked = made.0.clone();
            match checked.validate() {
                Ok(scored) => {
                    let year = crate::clock::timestamp()
                        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                        .year();
                    let id = AdvisoryId::new(&state.config.advisories.id_prefix, year, 0);
                    preview = Some(super::advisory_forms::preview(
                        &state,
                        &id,
                        checked,
                        scored,
                        None,
                        vec![],
                    ));
                }
                Err(e) => errors = to_fields(&e, &sub.draft, &made.0, &made.1),
            }
        }
        Button::Json => {
            let created = match json_content(&sub) {
                Ok(content) => usecase::create(&state, &page.audit(), content, report).await,
                Err(e) => Err(e),
            };
            match created {
                Ok(id) => return Ok(see_other(&format!("/admin/advisories/{id}"))),
                Err(e) => errors = content_errors(form_errors(e, "reason")?),
            }
        }
        _ => {
            let made = sub.draft.to_content();
            match usecase::create(&state, &page.audit(), made.0.clone(), report).await {
                Ok(id) => return Ok(see_other(&format!("/admin/advisories/{id}"))),
                Err(e) => errors = editor_errors(e, "reason", &sub.draft, &made)?,
            }
        }
    }
    let shown = Shown {
        sub: &sub,
        errors: &errors,
        preview,
    };
    let editor = posted_view(None, false, shown);
    render_new(&page, &state, editor, Value::Null, &errors)
}
