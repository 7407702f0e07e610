//! Test reports: a cleared member contact says what they tested of an
//! embargoed advisory's fix and what they found, with a patch or a log if
//! they like. "It works" is as welcome as "problems".

use std::collections::HashMap;

use serde_json::json;

use super::ContributionError;
use crate::app::AppState;
use crate::db::audit::{self, Actor};
use crate::db::reports::NewAttachment;
use crate::db::test_reports::{self as store, AttachmentInfo, NewTestReport, TestReportRow};
use crate::db::{self, advisories};
use crate::domain::advisory::{AdvisoryId, AdvisoryState};
use crate::domain::contribution::TestReport;
use crate::domain::id::{AccountId, MemberId, TestReportId};

/// Who files it: a contact, for their organisation (the caller checked
/// they may read the advisory).
pub struct Author<'a> {
    pub account: &'a AccountId,
    pub member: &'a MemberId,
}

/// Records a test report on an embargoed advisory.
pub async fn file(
    state: &AppState,
    actor: &Actor,
    by: Author<'_>,
    advisory: &AdvisoryId,
    report: &TestReport,
    files: &[NewAttachment],
) -> Result<TestReportId, ContributionError> {
    let mut tx = state.db.begin().await?;
    let row = advisories::get(&mut tx, advisory)
        .await?
        .ok_or(ContributionError::NotFound)?;
    // Published meanwhile, or withdrawn: the test window is over.
    if row.state != AdvisoryState::Embargoed {
        return Err(ContributionError::Conflict(format!(
            "only an embargoed advisory takes test reports; this one is {}",
            row.state.as_str()
        )));
    }
    let id = TestReportId::generate();
    let new = NewTestReport {
        id: id.as_str(),
        advisory_id: advisory.as_str(),
        member_id: by.member.as_str(),
        author: by.account.as_str(),
        report,
        created_at: db::now(),
    };
    store::insert(&mut tx, &new, files).await?;
    // Ids only: what was tested and found may be embargoed.
    audit::append(
        &mut tx,
        actor,
        "test_report.filed",
        id.as_str(),
        json!({
            "advisory": advisory.as_str(), "member": by.member.as_str(),
            "visibility": report.visibility.as_str(), "attachments": files.len(),
        }),
    );
    tx.commit().await?;
    tracing::info!(test_report.id = %id, advisory.id = %advisory, member.id = %by.member, "test report filed");
    Ok(id)
}

/// Every test report on `advisory` with its attachments' descriptions;
/// the caller shows each only to who may read it.
pub async fn on_advisory(
    state: &AppState,
    advisory: &AdvisoryId,
) -> Result<Vec<(TestReportRow, Vec<AttachmentInfo>)>, ContributionError> {
    let mut conn = state.db.conn().await?;
    let reports = store::for_advisory(&mut conn, advisory.as_str()).await?;
    let files = store::attachments_for_advisory(&mut conn, advisory.as_str()).await?;
    let mut by_report: HashMap<String, Vec<AttachmentInfo>> = HashMap::new();
    for f in files {
        by_report
            .entry(f.test_report_id.clone())
            .or_default()
            .push(f);
    }
    Ok(reports
        .into_iter()
        .map(|r| {
            let files = by_report.remove(&r.id).unwrap_or_default();
            (r, files)
        })
        .collect())
}

/// One test report, only if it is on `advisory`.
pub async fn get(
    state: &AppState,
    advisory: &AdvisoryId,
    id: &str,
) -> Result<TestReportRow, ContributionError> {
    let mut conn = state.db.conn().await?;
    store::get(&mut conn, advisory.as_str(), id)
        .await?
        .ok_or(ContributionError::NotFound)
}

/// The `n`th attachment of a test report the caller may read.
pub async fn attachment(
    state: &AppState,
    report: &TestReportRow,
    n: i64,
) -> Result<(AttachmentInfo, Vec<u8>), ContributionError> {
    let mut conn = state.db.conn().await?;
    store::attachment_content(&mut conn, &report.id, n)
        .await?
        .ok_or(ContributionError::NotFound)
}
