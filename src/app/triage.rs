//! Triage of a report: its status, its assignee, reads of it, and whether
//! its first answer is overdue.

use serde_json::json;

use super::AppState;
use super::reports::mail_reporter;
use crate::db::accounts;
use crate::db::audit::{self, Actor};
use crate::db::reports::{self, Report};
use crate::domain::authz;
use crate::domain::id::{AccountId, ReportId};
use crate::domain::mail_kind::MailKind;
use crate::domain::report::{ReportStatus, StatusError};

#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error(transparent)]
    Status(#[from] StatusError),
    #[error("no such admin to assign")]
    NoSuchAssignee,
    /// Someone changed the status since it was read; nothing was written.
    #[error("the report changed meanwhile; reload and try again")]
    Stale,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for TriageError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// Moves a report to `to`; the reporter is told the new status and why.
pub async fn change_status(
    state: &AppState,
    actor: &Actor,
    report: &Report,
    to: ReportStatus,
    reason: &str,
) -> Result<(), TriageError> {
    let next = report.status.transition(to, reason)?;
    let id = ReportId::parse(&report.id).map_err(anyhow::Error::from)?;
    let reason = reason.trim();
    let mut tx = state.db.begin().await?;
    // Conditional on the status the transition was checked against: of two
    // racing changes one wins, and the loser's mail is never queued.
    if !reports::set_status(&mut tx, &id, report.status, next, reason).await? {
        return Err(TriageError::Stale);
    }
    reports::mark_responded(&mut tx, &id).await?;
    let mut updated = report.clone();
    updated.status = next;
    mail_reporter(
        &mut tx,
        state,
        &updated,
        format!("status:{id}:{}:{}", next.as_str(), crate::db::now()),
        MailKind::ReportStatusChanged,
        json!({ "reason": reason }),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        "report.status_changed",
        id.as_str(),
        json!({ "from": report.status.as_str(), "to": next.as_str(), "reason": reason }),
    );
    tx.commit().await?;
    Ok(())
}

/// Assigns a report to an admin, or unassigns it with `None`.
pub async fn assign(
    state: &AppState,
    actor: &Actor,
    report: &Report,
    to: Option<&AccountId>,
) -> Result<(), TriageError> {
    let id = ReportId::parse(&report.id).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    if let Some(a) = to {
        // The assignee must be someone who may triage the report; contact
        // facts play no part in that, so none are looked up.
        let ok = accounts::by_id(&mut tx, a).await?.is_some_and(|acc| {
            let assignee = authz::Actor::Account {
                id: acc.id,
                role: acc.role,
                contact: None,
                delegate: None,
            };
            authz::authorize(&assignee, authz::Action::TriageReport(&id)).is_allowed()
        });
        if !ok {
            return Err(TriageError::NoSuchAssignee);
        }
    }
    reports::assign(&mut tx, &id, to).await?;
    audit::append(
        &mut tx,
        actor,
        "report.assigned",
        id.as_str(),
        json!({ "to": to.map(|a| a.as_str()) }),
    );
    tx.commit().await?;
    Ok(())
}

/// Records that `actor` read a private report.
pub async fn record_read(state: &AppState, actor: &Actor, id: &str) {
    super::record(state, actor, "report.read", id).await
}

/// Whether a report is past its first-response target.
pub fn is_overdue(state: &AppState, report: &Report, now: i64) -> bool {
    crate::domain::report::first_response_overdue(
        report.status,
        report.created_at,
        report.first_response_at,
        now,
        state.config.triage.first_response_days,
    )
}
