//! Test reports on embargoed advisories: filed by cleared member contacts,
//! listed to each reader as far as they may see them, attachments
//! downloaded under the same rule.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::ApiJson;
use super::advisories::{advisory_error, may_ask_for};
use super::paging::{PageQuery, WHOLE_LIST, next_cursor};
use super::test_report_schemas::{TestReportList, TestReportView};
use crate::app::AppState;
use crate::app::contributions::ContributionError;
use crate::app::contributions::test_reports::{self as usecase, Author};
use crate::db::advisories::AdvisoryRow;
use crate::db::reports::NewAttachment;
use crate::db::test_reports::{self as test_store, AttachmentInfo, TestReportRow};
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::contribution::{ATTACHMENTS_MAX, TestReport, Visibility};
use crate::domain::fields::{FieldErrors, present};
use crate::domain::id::MemberId;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

/// Maps the use cases' errors to API errors.
pub fn contribution_error(e: ContributionError) -> Error {
    match e {
        ContributionError::NotFound => Error::NotFound,
        ContributionError::Conflict(m) => Error::Conflict(m),
        ContributionError::Invalid(f) => Error::Invalid(f),
        ContributionError::Conflicts(f) => Error::Conflicts(f),
        ContributionError::Other(e) => Error::Internal(e),
    }
}

/// The advisory, if the caller may read it: 403 for a caller who reads no
/// advisory by id, 404 (as for a made-up id) for one they may not read.
pub async fn readable_advisory(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<AdvisoryRow, Error> {
    may_ask_for(actor, id)?;
    let row = crate::app::advisories::load(state, id)
        .await
        .map_err(advisory_error)?;
    super::advisories::hidden_unless_readable(state, actor, &row).await?;
    Ok(row)
}

/// Whether `actor` may read `report` ([`Action::ReadTestReport`]).
fn may_read(actor: &Actor, report: &TestReportRow) -> bool {
    let Ok(author) = MemberId::parse(&report.member_id) else {
        return false;
    };
    let shared = report.visibility == Visibility::Members.as_str();
    authorize(
        actor,
        Action::ReadTestReport {
            author: &author,
            shared,
        },
    )
    .is_allowed()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    #[schema(format = "not-blank")]
    filename: String,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    content_type: Option<String>,
    /// The file, base64-encoded.
    #[schema(format = "base64")]
    content_base64: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestReportBody {
    /// `works`, `problems` or `not_applicable`.
    #[schema(pattern = "^(works|problems|not_applicable)$")]
    result: String,
    /// What was tested: versions, platforms.
    tested: String,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    details: Option<String>,
    /// `admins` (the default: the admins and your own organisation) or
    /// `members` (every member who may read the advisory).
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    visibility: Option<String>,
    /// A patch, a log: at most 10, each within `limits.max_attachment_bytes`.
    #[serde(default)]
    attachments: Vec<AttachmentBody>,
}

/// What a `201 Created` answers: the new record's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    id: String,
}

impl Created {
    pub fn new(id: &str) -> Self {
        Self { id: id.to_owned() }
    }
}

/// The attachments decoded, or what is wrong with them (by position).
fn decode_attachments(
    state: &AppState,
    sent: &[AttachmentBody],
    errors: &mut FieldErrors,
) -> Result<Vec<NewAttachment>, Error> {
    if sent.len() > ATTACHMENTS_MAX {
        errors.add(
            "attachments",
            format!("at most {ATTACHMENTS_MAX} attachments"),
        );
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for (i, a) in sent.iter().enumerate() {
        let at = |f: &str| format!("attachments[{i}].{f}");
        let content = match base64::engine::general_purpose::STANDARD
            .decode(a.content_base64.trim_matches(crate::domain::email::EDGE))
        {
            Ok(c) => c,
            Err(_) => {
                errors.add(&at("content_base64"), "is not valid base64");
                continue;
            }
        };
        if content.len() > state.config.limits.max_attachment_bytes {
            return Err(Error::TooLarge);
        }
        if content.is_empty() {
            errors.add(&at("content_base64"), "the file is empty");
        }
        let filename: String = a.filename.trim().chars().take(255).collect();
        if filename.is_empty() {
            errors.add(&at("filename"), "is required");
        }
        let content_type = a.content_type.as_deref().map(str::trim).unwrap_or_default();
        files.push(NewAttachment {
            filename,
            content_type: match content_type {
                "" => "application/octet-stream".into(),
                t => t.chars().take(255).collect(),
            },
            content,
        });
    }
    Ok(files)
}

#[utoipa::path(post, path = "/api/v1/advisories/{id}/test-reports", tag = "contributions", request_body = TestReportBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Advisory id")),
    responses((status = 201, body = Created, description = "Filed for the caller's organisation; \"works\" is as welcome as \"problems\""),
        (status = 401), (status = 403, description = "Only a cleared member contact files test reports"),
        (status = 404, description = "No such advisory, or not one the caller may read"),
        (status = 409, description = "The advisory is not embargoed"), (status = 413), (status = 422)))]
pub async fn create_test_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TestReportBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    Error::unless_allowed(&caller.actor, Action::ReportTest)?;
    let advisory = readable_advisory(&state, &caller.actor, &id).await?;
    let Actor::Account {
        id: account,
        contact: Some(contact),
        ..
    } = &caller.actor
    else {
        return Err(Error::Forbidden.into());
    };
    let mut errors = FieldErrors::new();
    let files = decode_attachments(&state, &body.attachments, &mut errors)?;
    let parsed = TestReport::parse(
        &body.result,
        &body.tested,
        body.details.as_deref(),
        body.visibility.as_deref(),
    );
    if let Err(e) = &parsed {
        for (k, v) in e.iter() {
            errors.add(k, v);
        }
    }
    errors.into_result().map_err(Error::Invalid)?;
    let report = parsed.map_err(Error::Invalid)?;
    let by = Author {
        account,
        member: &contact.member,
    };
    let created = usecase::file(&state, &caller.audit(), by, &advisory.id, &report, &files)
        .await
        .map_err(contribution_error)?;
    Ok((StatusCode::CREATED, Json(Created::new(created.as_str()))))
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}/test-reports", tag = "contributions", security(("bearer" = [])),
    params(("id" = String, Path, description = "Advisory id"), PageQuery),
    responses((status = 200, body = TestReportList, description = "Newest first: all for admins; for a member contact its own organisation's and those shared with the members"),
        (status = 401), (status = 403), (status = 404)))]
pub async fn list_test_reports(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<TestReportList>, ApiError> {
    let window = p.window(WHOLE_LIST)?;
    let advisory = readable_advisory(&state, &caller.actor, &id).await?;
    let admin = authorize(&caller.actor, Action::ManageAdvisories).is_allowed();
    let own = match &caller.actor {
        Actor::Account {
            contact: Some(c), ..
        } => Some(c.member.as_str()),
        _ => None,
    };
    // The query narrows to what the caller's organisation may read; the
    // one rule still decides each report shown.
    let scope = match (admin, own) {
        (true, _) => None,
        (false, Some(m)) => Some(m),
        (false, None) => {
            return Ok(Json(TestReportList {
                items: Vec::new(),
                next_cursor: None,
            }));
        }
    };
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let page = test_store::page_for_advisory(&mut conn, advisory.id.as_str(), scope, &window)
        .await
        .map_err(Error::from)?;
    let shown: Vec<&TestReportRow> = page
        .items
        .iter()
        .filter(|r| may_read(&caller.actor, r))
        .collect();
    let ids: Vec<&str> = shown.iter().map(|r| r.id.as_str()).collect();
    let mut files: std::collections::HashMap<&str, Vec<AttachmentInfo>> = Default::default();
    for f in test_store::attachments_of(&mut conn, &ids)
        .await
        .map_err(Error::from)?
    {
        let Some(id) = ids.iter().find(|id| **id == f.test_report_id) else {
            continue;
        };
        files.entry(id).or_default().push(f);
    }
    drop(conn);
    crate::app::record_list(
        &state,
        &caller.audit(),
        "test_report.list_read",
        advisory.id.as_str(),
        &ids,
    )
    .await;
    let items = shown
        .iter()
        .map(|r| {
            let author = admin || own == Some(r.member_id.as_str());
            let files = files.get(r.id.as_str()).map_or(&[][..], Vec::as_slice);
            TestReportView::of(advisory.id.as_str(), r, files, author)
        })
        .collect();
    Ok(Json(TestReportList {
        items,
        next_cursor: next_cursor(&page),
    }))
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}/test-reports/{report}/attachments/{n}", tag = "contributions", security(("bearer" = [])),
    params(("id" = String, Path, description = "Advisory id"), ("report" = String, Path, description = "Test report id"),
        ("n" = i64, Path, description = "The attachment's number in the report, from 0")),
    responses((status = 200, content_type = "application/octet-stream"), (status = 401), (status = 403),
        (status = 404, description = "No such attachment, or a report the caller may not read")))]
pub async fn get_test_report_attachment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, report, n)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let advisory = readable_advisory(&state, &caller.actor, &id).await?;
    let row = usecase::get(&state, &advisory.id, &report)
        .await
        .map_err(contribution_error)?;
    if !may_read(&caller.actor, &row) {
        return Err(Error::NotFound.into());
    }
    let n: i64 = n.parse().map_err(|_| Error::NotFound)?;
    let (info, content) = usecase::attachment(&state, &row, n)
        .await
        .map_err(contribution_error)?;
    crate::app::record_detail(
        &state,
        &caller.audit(),
        "test_report.attachment_read",
        &row.id,
        json!({ "advisory": advisory.id.as_str(), "n": n }),
    )
    .await;
    Ok(crate::http::view::download_as(
        &info.filename,
        &info.content_type,
        content,
    ))
}
