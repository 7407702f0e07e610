//! The public report form and the reporter's tracking page.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::Flash;
use super::intake_files::{self, Posted};
use crate::app::AppState;
use crate::app::reports::{self as usecase, Origin};
use crate::db::reports::Source;
use crate::domain::authz::{Action, authorize};
use crate::domain::fields::FieldErrors;
use crate::domain::report::ReportInput;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::{Page, audit_actor};
use crate::http::view;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    csrf: String,
    title: String,
    description: String,
    affected_versions: String,
    unaffected_versions: String,
    reporter_name: String,
    reporter_email: String,
    github: String,
    credit_consent: Option<String>,
    language: String,
}

impl ReportForm {
    fn input(&self) -> ReportInput {
        ReportInput {
            title: self.title.clone(),
            description: self.description.clone(),
            affected_versions: self.affected_versions.clone(),
            unaffected_versions: self.unaffected_versions.clone(),
            reporter_name: Some(self.reporter_name.clone()),
            reporter_email: Some(self.reporter_email.clone()),
            github: Some(self.github.clone()),
            credit_consent: self
                .credit_consent
                .as_deref()
                .is_some_and(|v| matches!(v, "true" | "on" | "1")),
            language: Some(self.language.clone()),
        }
    }
}

/// The form's context; `languages` are those the team wrote mail in.
fn form_context(
    state: &AppState,
    form: &ReportForm,
    errors: &FieldErrors,
    languages: Vec<String>,
) -> serde_json::Value {
    let input = form.input();
    json!({
        "languages": languages,
        "form": {
            "title": form.title, "description": form.description,
            "affected_versions": form.affected_versions, "unaffected_versions": form.unaffected_versions,
            "reporter_name": form.reporter_name, "reporter_email": form.reporter_email,
            "github": form.github, "credit_consent": input.credit_consent,
            "language": form.language,
        },
        "errors": errors,
        "max_file": intake_files::mib(state.config.limits.max_attachment_bytes),
        "max_body": intake_files::mib(state.config.limits.max_body_bytes),
    })
}

pub async fn report_form(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    page.render(
        &state,
        "report_form",
        "Report a vulnerability",
        form_context(
            &state,
            &ReportForm::default(),
            &FieldErrors::new(),
            crate::app::templates::languages(&state).await?,
        ),
    )
}

/// The report form as sent: urlencoded, or multipart with files.
async fn read_report(
    state: &AppState,
    req: Request,
) -> Result<Result<(ReportForm, Posted), Response>, Error> {
    let multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        return Ok(Form::<ReportForm>::from_request(req, state)
            .await
            .map(|Form(f)| (f, Posted::default())));
    }
    let multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| Error::BadRequest(e.body_text()))?;
    let limits = &state.config.limits;
    let (max_file, max_body) = (limits.max_attachment_bytes, limits.max_body_bytes);
    let posted = intake_files::read(multipart, "attachment", max_file, max_body).await?;
    let text = |name: &str| posted.get(name).to_owned();
    let form = ReportForm {
        csrf: text("csrf"),
        title: text("title"),
        description: text("description"),
        affected_versions: text("affected_versions"),
        unaffected_versions: text("unaffected_versions"),
        reporter_name: text("reporter_name"),
        reporter_email: text("reporter_email"),
        github: text("github"),
        credit_consent: Some(text("credit_consent")).filter(|v| !v.is_empty()),
        language: text("language"),
    };
    Ok(Ok((form, posted)))
}

pub async fn create_report(
    State(state): State<AppState>,
    page: Page,
    req: Request,
) -> Result<Response, PageError> {
    let (form, posted) = match read_report(&state, req).await? {
        Ok(read) => read,
        Err(refused) => return Ok(refused),
    };
    page.check_csrf(&form.csrf)?;
    if !state.report_limiter.check(page.ip) {
        return Err(Error::TooManyRequests.into());
    }
    let (report, mut errors) = match form.input().validate() {
        Ok(r) => (Some(r), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    if let Some(m) = &posted.too_large {
        errors.add("attachment", m);
    }
    let Some(report) = report.filter(|_| errors.is_empty()) else {
        let languages = crate::app::templates::languages(&state).await?;
        let ctx = form_context(&state, &form, &errors, languages);
        let mut resp = page.render(&state, "report_form", "Report a vulnerability", ctx)?;
        *resp.status_mut() = match posted.too_large {
            Some(_) => StatusCode::PAYLOAD_TOO_LARGE,
            None => StatusCode::UNPROCESSABLE_ENTITY,
        };
        return Ok(resp);
    };
    let submitted = usecase::submit(
        &state,
        &page.audit(),
        &report,
        Source::Web,
        Origin::default(),
        &posted.files,
    )
    .await?;
    // Post/Redirect/Get: the confirmation shows once on the tracking page,
    // so a reload there asks nothing again. The cookie holds the message
    // only: neither the token nor anything of the report.
    let to = submitted
        .tracking_url
        .strip_prefix(state.config.base())
        .unwrap_or(&submitted.tracking_url);
    let text = submitted_text(posted.files.len(), report.reporter_email.is_some());
    Ok(Flash::success(text).redirect(&state, to))
}

/// The confirmation of a report filed on the form: what came with it,
/// where its link is, what happens next.
fn submitted_text(files: usize, has_email: bool) -> String {
    let with = match files {
        0 => String::new(),
        1 => ", with its file (listed under Attachments)".to_owned(),
        n => format!(", with its {n} files (listed under Attachments)"),
    };
    let link = match has_email {
        true => {
            "This page's address is your private link to it: bookmark it; we also mailed it to you. The security team answers here and by mail."
        }
        false => {
            "This page's address is your private link to it and, without an email address, the only way back: bookmark it now. The security team answers here."
        }
    };
    format!("Thank you: your report was received{with}. {link}")
}

pub async fn track_report(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (report, actor) = view::tracked_report(&state, &token).await?;
    let id =
        crate::domain::id::ReportId::parse(&report.id).map_err(|e| Error::Internal(e.into()))?;
    if !authorize(&actor, Action::ReadReport(&id)).is_allowed() {
        return Err(Error::NotFound.into());
    }
    usecase::record_read(&state, &audit_actor(&actor, page.ip), &report.id).await;
    let mut ctx = view::reporter_view(&state, &report).await?;
    ctx["token"] = json!(token);
    ctx["errors"] = json!({});
    page.render(&state, "track", &report.title, ctx)
}

pub async fn add_reporter_message(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (report, actor) = view::tracked_report(&state, &token).await?;
    let limits = &state.config.limits;
    let (max_file, max_body) = (limits.max_attachment_bytes, limits.max_body_bytes);
    let posted = intake_files::read(multipart, "attachment", max_file, max_body).await?;
    page.check_csrf(posted.get("csrf"))?;
    let id =
        crate::domain::id::ReportId::parse(&report.id).map_err(|e| Error::Internal(e.into()))?;
    if !authorize(&actor, Action::ReplyToReport(&id)).is_allowed() {
        return Err(Error::NotFound.into());
    }
    let body = posted.get("body").trim();
    let error = match &posted.too_large {
        Some(m) => Some(("attachment", m.as_str(), StatusCode::PAYLOAD_TOO_LARGE)),
        None if body.is_empty() && posted.files.is_empty() => Some((
            "body",
            "write a message or choose a file",
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        None => None,
    };
    if let Some((field, message, status)) = error {
        let mut ctx = view::reporter_view(&state, &report).await?;
        ctx["token"] = json!(token);
        ctx["errors"] = json!({ field: message });
        ctx["typed_body"] = json!(posted.get("body"));
        let mut resp = page.render(&state, "track", &report.title, ctx)?;
        *resp.status_mut() = status;
        return Ok(resp);
    }
    usecase::reporter_message(
        &state,
        &audit_actor(&actor, page.ip),
        &report,
        body,
        None,
        &posted.files,
    )
    .await?;
    let text = match posted.files.len() {
        0 => "Message sent to the security team.".to_owned(),
        1 => "Message and its file sent to the security team.".to_owned(),
        n => format!("Message and its {n} files sent to the security team."),
    };
    Ok(Flash::success(text).redirect(&state, &format!("/track/{token}")))
}

pub async fn reporter_attachment(
    State(state): State<AppState>,
    page: Page,
    Path((token, attachment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (report, actor) = view::tracked_report(&state, &token).await?;
    usecase::record_read(&state, &audit_actor(&actor, page.ip), &report.id).await;
    Ok(view::attachment_download(&state, &report, &attachment)
        .await?
        .into_response())
}
