//! The answers of the report routes (`reports.rs`, `track.rs`), typed for
//! the OpenAPI document. The report views themselves are built by
//! [`crate::http::view`], which the pages share; the structs here describe
//! them (the tests hold the answers to them), and the small answers are
//! built from them.

#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

use super::advisory_schemas::AdvisoryStateName;
use crate::db::reports::{AttachmentInfo, CiphertextInfo, Message};

/// A report's triage status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReportStatusName {
    New,
    Triaging,
    Accepted,
    Duplicate,
    Invalid,
    OutOfScope,
}

/// A report as the admins see it; instants in microseconds since the
/// epoch.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetail {
    id: String,
    title: String,
    /// Still the OpenPGP message when `encrypted` is true.
    description: String,
    affected_versions: String,
    unaffected_versions: String,
    #[schema(required = true)]
    reporter_name: Option<String>,
    #[schema(required = true)]
    reporter_email: Option<String>,
    #[schema(required = true)]
    github: Option<String>,
    credit_consent: bool,
    status: ReportStatusName,
    /// Told to the reporter with the last change.
    status_reason: String,
    #[schema(required = true)]
    assignee_id: Option<String>,
    /// How it came: `web`, `api` or `mail`.
    source: String,
    /// It came encrypted and could not be decrypted.
    encrypted: bool,
    created_at: i64,
    updated_at: i64,
    #[schema(required = true)]
    first_response_at: Option<i64>,
    /// The language the reporter asked for; null: the organisation's.
    #[schema(required = true)]
    language: Option<String>,
    /// Null when it came in clear (or not by mail).
    #[schema(required = true)]
    encryption: Option<CiphertextInfo>,
}

/// A message of a report's thread, as the admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDetail {
    #[serde(flatten)]
    message: Message,
    /// Null when it came in clear (or not by mail).
    #[schema(required = true)]
    encryption: Option<CiphertextInfo>,
}

/// One event of a history, as recorded and as read.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEvent {
    /// Microseconds since the epoch.
    at: i64,
    /// As recorded: `account:ID`, `reporter:REPORT`, `system` or `cli`.
    actor: String,
    /// The actor for people to read.
    who: String,
    /// Dotted verb, such as `report.created`.
    action: String,
    /// As recorded: a small JSON object, as text.
    detail: String,
    /// `detail` for people to read.
    text: String,
}

/// An admin one may assign a report to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminRef {
    id: String,
    email: String,
}

/// An advisory made from a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryRef {
    id: String,
    state: AdvisoryStateName,
    /// Null should its content not read.
    #[schema(required = true)]
    summary: Option<String>,
}

/// A report as the admins see it, with all that belongs to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAdminView {
    report: ReportDetail,
    /// Past the time to first answer without one.
    overdue: bool,
    /// Oldest first.
    messages: Vec<MessageDetail>,
    attachments: Vec<AttachmentInfo>,
    /// Oldest first.
    history: Vec<HistoryEvent>,
    admins: Vec<AdminRef>,
    /// The statuses it may move to.
    next_statuses: Vec<ReportStatusName>,
    advisories: Vec<AdvisoryRef>,
}

/// A report as its reporter sees it; instants in microseconds since the
/// epoch.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportForReporter {
    id: String,
    title: String,
    description: String,
    affected_versions: String,
    unaffected_versions: String,
    status: ReportStatusName,
    status_reason: String,
    created_at: i64,
    encrypted: bool,
    /// The advisory made from the report, once there is one.
    #[schema(required = true)]
    advisory_id: Option<String>,
    /// Its public page, once published.
    #[schema(required = true)]
    advisory_url: Option<String>,
}

/// What the reporter sees through their tracking link.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReporterView {
    report: ReportForReporter,
    /// Oldest first.
    messages: Vec<Message>,
    attachments: Vec<AttachmentInfo>,
}

/// A message, added (nothing more to say).
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct MessageAdded {}

/// A report's new status.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChanged {
    #[schema(value_type = ReportStatusName)]
    pub status: String,
}

/// A report's assignee, as given.
#[derive(Debug, Serialize, ToSchema)]
pub struct Assigned {
    /// The admin's account id; null (or empty) when unassigned.
    #[schema(required = true)]
    pub assignee: Option<String>,
}
