//! Leak pages: reporting a leak (a member contact on `/member`, an admin on
//! the advisory's page), one leak with its retrospective and comments (the
//! member's contacts and the admins), and the admins' decisions.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::{Flash, see_other};
use crate::app::AppState;
use crate::app::leaks::{self as usecase, LeakError, Reporter};
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::fields::FieldErrors;
use crate::domain::id::MemberId;
use crate::domain::leak::{FollowUpInput, LeakReport, Retrospective};
use crate::http::api::leaks::readable;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct LeakForm {
    #[serde(skip_serializing)]
    csrf: String,
    advisory_id: String,
    member_id: String,
    what: String,
    to_whom: String,
    when: String,
    how_found: String,
    containment: String,
}

fn account(page: &Page) -> Result<&crate::domain::id::AccountId, Error> {
    match &page.actor {
        Actor::Account { id, .. } => Ok(id),
        _ => Err(Error::Unauthenticated),
    }
}

/// The form again, with what was typed and what is wrong.
fn form_again(
    state: &AppState,
    page: &Page,
    action: &str,
    form: &LeakForm,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let admin = action.starts_with("/admin/");
    let ctx = json!({ "action": action, "admin": admin, "form": form, "errors": errors });
    let mut resp = page.render(state, "leak_form", "Report a leak", ctx)?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

async fn report(
    state: &AppState,
    page: &Page,
    form: LeakForm,
    member: MemberId,
    action: &str,
    done: &str,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReportLeak(&member))?;
    page.check_csrf(&form.csrf)?;
    let admin = authorize(&page.actor, Action::ManageLeaks).is_allowed();
    let opt = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    let input = match LeakReport::parse(
        &form.what,
        &form.to_whom,
        opt(&form.when).as_deref(),
        opt(&form.how_found).as_deref(),
        opt(&form.containment).as_deref(),
    ) {
        Ok(input) => input,
        Err(errors) => return form_again(state, page, action, &form, &errors),
    };
    let by = Reporter {
        account: account(page)?,
        admin,
    };
    match usecase::report(state, &page.audit(), by, &form.advisory_id, &member, input).await {
        Ok(id) => {
            let text = match admin {
                true => "Leak recorded; the member's record counts it.",
                false => "Leak reported to the security team. Thank you for telling us.",
            };
            Ok(Flash::success(text).redirect(state, &format!("{done}/{id}")))
        }
        Err(LeakError::Invalid(errors) | LeakError::Conflicts(errors)) => {
            form_again(state, page, action, &form, &errors)
        }
        Err(LeakError::Conflict(m)) => {
            let mut errors = FieldErrors::new();
            errors.add("member_id", m);
            form_again(state, page, action, &form, &errors)
        }
        Err(e) => Err(leak_error(e).into()),
    }
}

fn leak_error(e: LeakError) -> Error {
    match e {
        LeakError::NotFound => Error::NotFound,
        LeakError::Conflict(m) => Error::Conflict(m),
        LeakError::Invalid(f) => Error::Invalid(f),
        LeakError::Conflicts(f) => Error::Conflicts(f),
        LeakError::Other(e) => Error::Internal(e),
    }
}

/// `POST /member/leaks`: a member contact reports a leak by their organisation.
pub async fn member_report(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<LeakForm>,
) -> Result<Response, PageError> {
    let member = match &page.actor {
        Actor::Account {
            contact: Some(c), ..
        } => c.member.clone(),
        Actor::Anonymous => return Err(Error::Unauthenticated.into()),
        _ => return Err(Error::Forbidden.into()),
    };
    report(
        &state,
        &page,
        form,
        member,
        "/member/leaks",
        "/member/leaks",
    )
    .await
}

/// `POST /admin/advisories/{id}/leaks`: an admin records a member's leak.
pub async fn admin_report(
    State(state): State<AppState>,
    page: Page,
    Path(advisory): Path<String>,
    Form(mut form): Form<LeakForm>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ManageLeaks)?;
    crate::app::advisories::load(&state, &advisory)
        .await
        .map_err(crate::http::api::advisories::advisory_error)?;
    form.advisory_id = advisory.clone();
    let action = format!("/admin/advisories/{advisory}/leaks");
    let Ok(member) = MemberId::parse(form.member_id.trim()) else {
        page.check_csrf(&form.csrf)?;
        let mut errors = FieldErrors::new();
        errors.add("member_id", "choose the member whose people leaked");
        return form_again(&state, &page, &action, &form, &errors);
    };
    report(&state, &page, form, member, &action, "/admin/leaks").await
}

/// The leak page, for the admins (`/admin/leaks`) or the member's contacts
/// (`/member/leaks`), with `errors` from the form that failed.
async fn render(
    state: &AppState,
    page: &Page,
    base: &str,
    id: &str,
    errors: &FieldErrors,
    typed: serde_json::Value,
) -> Result<Response, PageError> {
    let view = readable(state, &page.actor, id).await?;
    let admin = base == "/admin/leaks";
    let ctx = json!({
        "leak": view.leak, "actions": view.actions, "comments": view.comments,
        "admin": admin, "base": base, "errors": errors, "typed": typed,
    });
    let title = format!("Leak {}", view.leak.id);
    let mut resp = page.render(state, "leak", &title, ctx)?;
    if !errors.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn member_show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ManageOwnMember)?;
    render(
        &state,
        &page,
        "/member/leaks",
        &id,
        &FieldErrors::new(),
        json!({}),
    )
    .await
}

/// `?told=N`: a notice just went to N recipients.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    told: Option<u32>,
}

pub async fn admin_show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ManageLeaks)?;
    let typed = json!({ "told": q.told });
    render(
        &state,
        &page,
        "/admin/leaks",
        &id,
        &FieldErrors::new(),
        typed,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    csrf: String,
    body: String,
}

async fn comment(
    state: &AppState,
    page: &Page,
    base: &str,
    id: &str,
    form: CommentForm,
) -> Result<Response, PageError> {
    readable(state, &page.actor, id).await?;
    page.check_csrf(&form.csrf)?;
    match usecase::comment(state, &page.audit(), account(page)?, id, &form.body).await {
        Ok(_) => {
            let to = format!("{base}/{id}#comments");
            Ok(Flash::success("Comment added.").redirect(state, &to))
        }
        Err(LeakError::Invalid(errors) | LeakError::Conflicts(errors)) => {
            render(state, page, base, id, &errors, json!({ "body": form.body })).await
        }
        Err(e) => Err(leak_error(e).into()),
    }
}

pub async fn member_comment(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ManageOwnMember)?;
    comment(&state, &page, "/member/leaks", &id, form).await
}

pub async fn admin_comment(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ManageLeaks)?;
    comment(&state, &page, "/admin/leaks", &id, form).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    csrf: String,
    /// `retrospective`, `close`, `withdraw` or `notice`.
    decision: String,
    /// The notice to the list.
    text: String,
    findings: String,
    root_cause: String,
    /// One action a line: `what | owner | due | state | reason`.
    actions: String,
    reason: String,
}

/// The actions typed one a line, `what | owner | due | state | reason`.
fn action_lines(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('|').map(str::trim).collect())
        .collect()
}

/// `POST /admin/leaks/{id}`: the retrospective saved, the leak closed or
/// withdrawn, as `decision` says.
pub async fn decide(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ManageLeaks)?;
    page.check_csrf(&form.csrf)?;
    let audit = page.audit();
    let result = match form.decision.as_str() {
        "retrospective" => {
            let lines = action_lines(&form.actions);
            let inputs: Vec<FollowUpInput<'_>> = lines
                .iter()
                .map(|l| FollowUpInput {
                    what: l.first().copied().unwrap_or_default(),
                    owner: l.get(1).copied().unwrap_or_default(),
                    due: l.get(2).copied(),
                    state: l.get(3).copied(),
                    reason: l.get(4).copied(),
                })
                .collect();
            match Retrospective::parse(&form.findings, &form.root_cause, &inputs) {
                Ok(retro) => usecase::write_retrospective(&state, &audit, &id, retro).await,
                Err(e) => Err(LeakError::Invalid(e)),
            }
        }
        "close" => usecase::close(&state, &audit, &audit.who, &id).await,
        "withdraw" => usecase::withdraw(&state, &audit, &audit.who, &id, &form.reason).await,
        "notice" => match usecase::notice(&state, &audit, &id, &form.text).await {
            Ok(n) => return Ok(see_other(&format!("/admin/leaks/{id}?told={n}#notice"))),
            Err(e) => Err(e),
        },
        _ => return Err(Error::BadRequest("unknown decision".into()).into()),
    };
    let typed = json!({
        "findings": form.findings, "root_cause": form.root_cause,
        "actions": form.actions, "reason": form.reason, "text": form.text,
    });
    match result {
        Ok(()) => {
            let text = match form.decision.as_str() {
                "retrospective" => "Retrospective saved.",
                "close" => "Leak closed.",
                _ => "Leak record withdrawn; it no longer counts against the member.",
            };
            Ok(Flash::success(text).redirect(&state, &format!("/admin/leaks/{id}")))
        }
        Err(LeakError::Invalid(e) | LeakError::Conflicts(e)) => {
            // Actions are named by row; the form has one field, by line.
            let mut errors = FieldErrors::new();
            for (k, v) in e.iter() {
                match k.strip_prefix("actions[").and_then(|r| r.split_once("].")) {
                    Some((n, field)) => {
                        let line = n.parse::<usize>().unwrap_or_default() + 1;
                        errors.add("actions", format!("line {line}, {field}: {v}"));
                    }
                    None => errors.add(k, v),
                }
            }
            render(&state, &page, "/admin/leaks", &id, &errors, typed).await
        }
        Err(LeakError::Conflict(m)) => {
            let mut errors = FieldErrors::new();
            let field = if form.decision == "notice" {
                "text"
            } else {
                "decision"
            };
            errors.add(field, m);
            render(&state, &page, "/admin/leaks", &id, &errors, typed).await
        }
        Err(e) => Err(leak_error(e).into()),
    }
}
