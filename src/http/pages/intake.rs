//! The public report form and the reporter's tracking page.

use axum::extract::multipart::MultipartError;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::see_other;
use crate::app::AppState;
use crate::app::reports::{self as usecase, Origin};
use crate::db::reports::{NewAttachment, Source};
use crate::domain::authz::{Action, authorize};
use crate::domain::fields::FieldErrors;
use crate::domain::report::ReportInput;
use crate::http::body::Form;
use crate::http::body::{NUL_MESSAGE, has_nul, invalid};
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
    })
}

pub async fn report_form(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    page.render(
        &state,
        "report_form",
        "Report a vulnerability",
        form_context(
            &ReportForm::default(),
            &FieldErrors::new(),
            crate::app::templates::languages(&state).await?,
        ),
    )
}

pub async fn create_report(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<ReportForm>,
) -> Result<Response, PageError> {
    page.check_csrf(&form.csrf)?;
    if !state.report_limiter.check(page.ip) {
        return Err(Error::TooManyRequests.into());
    }
    let report = match form.input().validate() {
        Ok(r) => r,
        Err(errors) => {
            let mut resp = page.render(
                &state,
                "report_form",
                "Report a vulnerability",
                form_context(
                    &form,
                    &errors,
                    crate::app::templates::languages(&state).await?,
                ),
            )?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(resp);
        }
    };
    let submitted = usecase::submit(
        &state,
        &page.audit(),
        &report,
        Source::Web,
        Origin::default(),
        &[],
    )
    .await?;
    let mut resp = page.render(
        &state,
        "report_submitted",
        "Report received",
        json!({
            "report_id": submitted.id.as_str(),
            "tracking_url": submitted.tracking_url,
            "has_email": report.reporter_email.is_some(),
        }),
    )?;
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
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
    ctx["notice"] = json!(null);
    page.render(&state, "track", &report.title, ctx)
}

/// Reads the tracking page's multipart form: csrf, body, one optional file.
/// A body over the request limit is 413 wherever the parser meets it; text
/// (fields, the file's name and type) holding a NUL character is 422.
async fn read_reply_form(
    mut multipart: Multipart,
    max_attachment: usize,
) -> Result<(String, String, Option<NewAttachment>), Error> {
    let (mut csrf, mut body, mut file) = (String::new(), String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(multipart_error)?,
            Some("body") => body = text_without_nul("body", field.text().await)?,
            Some("attachment") => {
                let filename = field.file_name().unwrap_or_default().to_owned();
                let content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                if has_nul(&filename) || has_nul(&content_type) {
                    return Err(invalid("attachment", NUL_MESSAGE));
                }
                let content = field.bytes().await.map_err(multipart_error)?;
                if content.len() > max_attachment {
                    return Err(Error::TooLarge);
                }
                if !filename.is_empty() && !content.is_empty() {
                    file = Some(NewAttachment {
                        filename,
                        content_type,
                        content: content.to_vec(),
                    });
                }
            }
            _ => {}
        }
    }
    Ok((csrf, body, file))
}

/// 413 for a body over the limit, 400 for anything else wrong with it.
fn multipart_error(e: MultipartError) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge
    } else {
        Error::BadRequest(e.body_text())
    }
}

fn text_without_nul(name: &str, read: Result<String, MultipartError>) -> Result<String, Error> {
    let text = read.map_err(multipart_error)?;
    if has_nul(&text) {
        return Err(invalid(name, NUL_MESSAGE));
    }
    Ok(text)
}

pub async fn add_reporter_message(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (report, actor) = view::tracked_report(&state, &token).await?;
    let (csrf, body, file) =
        read_reply_form(multipart, state.config.limits.max_attachment_bytes).await?;
    page.check_csrf(&csrf)?;
    let id =
        crate::domain::id::ReportId::parse(&report.id).map_err(|e| Error::Internal(e.into()))?;
    if !authorize(&actor, Action::ReplyToReport(&id)).is_allowed() {
        return Err(Error::NotFound.into());
    }
    let body = body.trim();
    if body.is_empty() && file.is_none() {
        let mut ctx = view::reporter_view(&state, &report).await?;
        ctx["token"] = json!(token);
        ctx["errors"] = json!({ "body": "write a message or choose a file" });
        ctx["notice"] = json!(null);
        let mut resp = page.render(&state, "track", &report.title, ctx)?;
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    }
    let files: Vec<NewAttachment> = file.into_iter().collect();
    usecase::reporter_message(
        &state,
        &audit_actor(&actor, page.ip),
        &report,
        body,
        None,
        &files,
    )
    .await?;
    Ok(see_other(&format!("/track/{token}")))
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
