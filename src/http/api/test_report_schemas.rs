//! The answers of the test report list (`test_reports.rs`), typed for the
//! OpenAPI document and built by the handler.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::test_reports::{AttachmentInfo, TestReportRow};

/// What a test found.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum TestResultName {
    Works,
    Problems,
    NotApplicable,
}

/// Who may read a test report besides its organisation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum VisibilityName {
    /// The admins only.
    Admins,
    /// Shared with the members it was announced to.
    Members,
}

/// A file of a test report (not its bytes).
#[derive(Debug, Serialize, ToSchema)]
pub struct TestAttachmentView {
    /// Its number in the report, from 0.
    n: i64,
    filename: String,
    content_type: String,
    /// Bytes.
    size: i64,
    /// Hex.
    sha256: String,
    /// Where to download it (a path on this server).
    url: String,
}

/// A test report.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestReportView {
    id: String,
    advisory_id: String,
    member_id: String,
    organization: String,
    #[schema(value_type = TestResultName)]
    result: String,
    /// What was tested (platform, version).
    tested: String,
    details: String,
    #[schema(value_type = VisibilityName)]
    visibility: String,
    /// Microseconds since the epoch.
    created_at: i64,
    /// Who wrote it, by address: for the admins and the author's own
    /// organisation; null for everyone else.
    #[schema(required = true)]
    author: Option<String>,
    attachments: Vec<TestAttachmentView>,
}

impl TestReportView {
    pub fn of(advisory: &str, r: &TestReportRow, files: &[AttachmentInfo], author: bool) -> Self {
        let attachments = files
            .iter()
            .map(|f| TestAttachmentView {
                n: f.n,
                filename: f.filename.clone(),
                content_type: f.content_type.clone(),
                size: f.size,
                sha256: f.sha256.clone(),
                url: format!(
                    "/api/v1/advisories/{advisory}/test-reports/{}/attachments/{}",
                    r.id, f.n
                ),
            })
            .collect();
        Self {
            id: r.id.clone(),
            advisory_id: r.advisory_id.clone(),
            member_id: r.member_id.clone(),
            organization: r.organization.clone(),
            result: r.result.clone(),
            tested: r.tested.clone(),
            details: r.details.clone(),
            visibility: r.visibility.clone(),
            created_at: r.created_at,
            author: author.then(|| r.author_email.clone()),
            attachments,
        }
    }
}

/// A page of an advisory's test reports, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestReportList {
    pub items: Vec<TestReportView>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}
