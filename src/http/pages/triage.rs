//! The admins' inbox, report page, triage actions and the jobs view.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{CsrfOnly, Flash};
use crate::app::AppState;
use crate::app::jobs::{Retry, not_dead};
use crate::app::reports::{self as usecase, TriageError};
use crate::db::cursor::{Page as CursorPage, Window};
use crate::db::{accounts, jobs, reports};
use crate::domain::authz::{Action, authorize};
use crate::domain::fields::FieldErrors;
use crate::domain::id::AccountId;
use crate::domain::job::JobState;
use crate::domain::report::ReportStatus;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::http::paging;
use crate::http::view;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    status: String,
    q: String,
    /// The cursor of the page to show (`before` it going forward, `after`
    /// it going back); neither for the newest.
    before: String,
    after: String,
}

/// A report as the inbox lists it (the API's `GET /api/v1/reports` too).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct InboxItem {
    pub id: String,
    pub title: String,
    /// new, triaging, accepted, duplicate, invalid or out-of-scope.
    #[schema(value_type = String)]
    pub status: ReportStatus,
    /// Microseconds since 1970.
    pub created_at: i64,
    pub updated_at: i64,
    /// How it came: `web`, `api` or `mail`.
    pub source: String,
    /// The assigned admin's address.
    pub assignee: Option<String>,
    /// Past the time to first answer without one.
    pub overdue: bool,
}

/// Inbox filter from query text; an unknown status is a 400, not "all".
pub fn inbox_filter(status: &str, q: &str) -> Result<reports::Filter, Error> {
    let status = match status.trim() {
        "" => None,
        s => Some(ReportStatus::parse(s).map_err(|e| Error::BadRequest(e.to_string()))?),
    };
    let search = Some(q.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(reports::Filter { status, search })
}

/// One page of the inbox (newest first, the page `window` names), each
/// report with its overdue flag and assignee's address, with the cursors
/// of the pages either side. The list read is audited: one event naming
/// the reports of this page.
pub async fn inbox_items(
    state: &AppState,
    reader: &crate::db::audit::Actor,
    filter: &reports::Filter,
    window: &Window,
) -> Result<CursorPage<InboxItem>, Error> {
    let mut conn = state.db.conn().await?;
    let page = reports::list(&mut conn, filter, window).await?;
    let admins = accounts::admins(&mut conn).await?;
    drop(conn);
    let list = page.items;
    let shown: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
    crate::app::record_list(state, reader, "report.list_read", "reports", &shown).await;
    let now = crate::db::now();
    let items = list
        .iter()
        .map(|r| {
            let assignee = r
                .assignee_id
                .as_deref()
                .and_then(|id| admins.iter().find(|a| a.id.as_str() == id))
                .map(|a| a.email.clone());
            InboxItem {
                id: r.id.clone(),
                title: r.title.clone(),
                status: r.status,
                created_at: r.created_at,
                updated_at: r.updated_at,
                source: r.source.clone(),
                assignee,
                overdue: usecase::is_overdue(state, r, now),
            }
        })
        .collect();
    Ok(CursorPage {
        items,
        next: page.next,
        prev: page.prev,
    })
}

pub async fn inbox(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<InboxQuery>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ListReports)?;
    let filter = inbox_filter(&q.status, &q.q)?;
    let window = paging::window(&q.before, &q.after)?;
    let found = inbox_items(&state, &page.audit(), &filter, &window).await?;
    let params = [("status", q.status.as_str()), ("q", q.q.trim())];
    let pages = paging::Links::of("/admin/reports", &params, &window, &found);
    let statuses: Vec<&str> = ReportStatus::ALL.iter().map(|s| s.as_str()).collect();
    page.render(
        &state,
        "inbox",
        "Inbox",
        json!({ "reports": found.items, "filter": { "status": q.status, "q": q.q.trim() },
                "statuses": statuses, "pages": pages }),
    )
}

async fn render_report(
    state: &AppState,
    page: &Page,
    report: &reports::Report,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let mut ctx = view::admin_view(state, report).await?;
    ctx["errors"] = json!(errors);
    ctx["notice"] = json!(null);
    let may_create = authorize(&page.actor, Action::ManageAdvisories).is_allowed();
    ctx["may_create_advisory"] = json!(may_create);
    let mut resp = page.render(state, "report_admin", &report.title, ctx)?;
    if !errors.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn show_report(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let report = view::authorized_report(&state, &page.actor, &id, view::On::Read).await?;
    usecase::record_read(&state, &page.audit(), &report.id).await;
    render_report(&state, &page, &report, &FieldErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyForm {
    csrf: String,
    body: String,
}

pub async fn reply_to_report(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, PageError> {
    let report = view::authorized_report(&state, &page.actor, &id, view::On::Reply).await?;
    page.check_csrf(&form.csrf)?;
    let account = page.account.as_ref().ok_or(Error::Unauthenticated)?;
    if form.body.trim().is_empty() {
        let mut e = FieldErrors::new();
        e.add("body", "is required");
        return render_report(&state, &page, &report, &e).await;
    }
    usecase::admin_reply(
        &state,
        &page.audit(),
        &account.id,
        &report,
        form.body.trim(),
    )
    .await?;
    let to = match report.reporter_email.is_some() {
        true => "Reply sent to the reporter.",
        false => "Reply added: the reporter reads it on their tracking page (no e-mail address).",
    };
    Ok(Flash::success(to).redirect(&state, &format!("/admin/reports/{}", report.id)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    csrf: String,
    status: String,
    reason: String,
}

/// Turns a triage failure into field errors where the user can fix it.
pub fn triage_errors(err: TriageError) -> Result<FieldErrors, Error> {
    use crate::domain::report::StatusError;
    let mut e = FieldErrors::new();
    match err {
        TriageError::Status(StatusError::ReasonRequired) => {
            e.add("reason", "is required: the reporter is told why")
        }
        TriageError::Status(other) => e.add("status", other.to_string()),
        TriageError::NoSuchAssignee => e.add("assignee", "must be an admin"),
        TriageError::Stale => return Err(Error::Conflict(TriageError::Stale.to_string())),
        TriageError::Other(err) => return Err(Error::Internal(err)),
    }
    Ok(e)
}

pub async fn change_report_status(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let report = view::authorized_report(&state, &page.actor, &id, view::On::Triage).await?;
    page.check_csrf(&form.csrf)?;
    let result = match ReportStatus::parse(&form.status) {
        Ok(to) => usecase::change_status(&state, &page.audit(), &report, to, &form.reason)
            .await
            .map(|()| to),
        Err(e) => Err(TriageError::Status(e)),
    };
    match result {
        Ok(to) => {
            let told = match report.reporter_email.is_some() {
                true => "the reporter is told by mail",
                false => "the reporter sees it on their tracking page",
            };
            let text = format!("Status set to {}; {told}.", to.as_str());
            Ok(Flash::success(text).redirect(&state, &format!("/admin/reports/{}", report.id)))
        }
        Err(err) => render_report(&state, &page, &report, &triage_errors(err)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    csrf: String,
    assignee: String,
}

pub async fn assign_report(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> Result<Response, PageError> {
    let report = view::authorized_report(&state, &page.actor, &id, view::On::Triage).await?;
    page.check_csrf(&form.csrf)?;
    let to = match form.assignee.trim() {
        "" => None,
        a => Some(AccountId::parse(a).map_err(|_| TriageError::NoSuchAssignee)),
    };
    let result = match to.transpose() {
        Ok(to) => usecase::assign(&state, &page.audit(), &report, to.as_ref())
            .await
            .map(|()| to.is_some()),
        Err(e) => Err(e),
    };
    match result {
        Ok(assigned) => {
            let text = match assigned {
                true => "Report assigned.",
                false => "Report unassigned.",
            };
            Ok(Flash::success(text).redirect(&state, &format!("/admin/reports/{}", report.id)))
        }
        Err(err) => render_report(&state, &page, &report, &triage_errors(err)?).await,
    }
}

pub async fn report_attachment(
    State(state): State<AppState>,
    page: Page,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let report = view::authorized_report(&state, &page.actor, &id, view::On::Read).await?;
    usecase::record_read(&state, &page.audit(), &report.id).await;
    Ok(view::attachment_download(&state, &report, &attachment)
        .await?
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JobsQuery {
    state: String,
    q: String,
    before: String,
    after: String,
}

/// Parses a job state filter; empty means all.
pub fn job_state_filter(s: &str) -> Result<Option<JobState>, Error> {
    match s.trim() {
        "" => Ok(None),
        s => JobState::parse(s)
            .map(Some)
            .ok_or_else(|| Error::BadRequest(format!("unknown job state {s:?}"))),
    }
}

pub async fn list_jobs(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<JobsQuery>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::Administer)?;
    let filter = job_state_filter(&q.state)?;
    let window = paging::window(&q.before, &q.after)?;
    let search = q.q.trim();
    let mut conn = state.db.conn().await?;
    let found = jobs::page(&mut conn, filter, Some(search), &window).await?;
    drop(conn);
    let params = [("state", q.state.as_str()), ("q", search)];
    let pages = paging::Links::of("/admin/jobs", &params, &window, &found);
    // The state links keep the search.
    let states: Vec<serde_json::Value> = [
        ("All", ""),
        ("Queued", "queued"),
        ("Running", "running"),
        ("Done", "done"),
        ("Dead", "dead"),
    ]
    .iter()
    .map(|&(label, s)| {
        let href = paging::link("/admin/jobs", &[("state", s), ("q", search)], None);
        json!({ "label": label, "state": s, "href": href })
    })
    .collect();
    page.render(
        &state,
        "jobs",
        "Jobs",
        json!({ "jobs": found.items, "filter_state": q.state, "q": search, "states": states,
                "pages": pages }),
    )
}

pub async fn retry_job(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::Administer)?;
    page.check_csrf(&form.csrf)?;
    match crate::app::jobs::retry(&state, &page.audit(), &id).await? {
        Retry::Queued => {}
        Retry::NotDead(s) => return Err(Error::Conflict(not_dead(&s)).into()),
        Retry::Missing => return Err(Error::NotFound.into()),
    }
    let text = "Job queued to run again.";
    Ok(Flash::success(text).redirect(&state, "/admin/jobs?state=dead"))
}
