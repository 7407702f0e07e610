//! Contributing back: members' test reports on embargoed advisories, tasks
//! with a primary and a backup member (reminded, handed over when missed),
//! and each member's record of both.

pub mod record;
mod task_jobs;
pub mod tasks;
pub mod test_reports;

pub use task_jobs::{task_due, task_reminder};

use crate::domain::fields::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum ContributionError {
    #[error("no such advisory, test report, task or member")]
    NotFound,
    /// Not possible in the current state (409), with the reason.
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ContributionError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

impl From<crate::app::advisories::AdvisoryError> for ContributionError {
    fn from(e: crate::app::advisories::AdvisoryError) -> Self {
        use crate::app::advisories::AdvisoryError as A;
        match e {
            A::NotFound => Self::NotFound,
            A::Invalid(f) => Self::Invalid(f),
            A::Conflicts(f) => Self::Conflict(f.to_string()),
            A::Stale => Self::Conflict(e.to_string()),
            A::Conflict(why) => Self::Conflict(why),
            A::State(s) => Self::Conflict(s.to_string()),
            A::Policy { .. } => Self::Conflict(e.to_string()),
            A::Other(e) => Self::Other(e),
        }
    }
}
