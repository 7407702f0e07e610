//! Job states and the retry schedule. A job is the outbox entry for work that
//! must follow from a committed state change (a mail, later a publication).

/// `queued -> running -> done`, or back to `queued` with a later `run_at`
/// after a failure, or `dead` once attempts are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Dead]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// Which workers take a job. Each lane has its own workers in every
/// process, so an embargo lift never waits behind thousands of mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lane {
    /// Embargo lifts and publication: due to the second.
    Critical,
    /// Outgoing mail.
    Mail,
    /// Sweeps, reminders, expiry and pruning.
    Background,
}

impl Lane {
    pub const ALL: [Lane; 3] = [Lane::Critical, Lane::Mail, Lane::Background];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Mail => "mail",
            Self::Background => "background",
        }
    }
}

/// Delay before retry number `attempt` (1-based): `base * 2^(attempt-1)`,
/// capped at one hour.
pub fn backoff_seconds(base_seconds: u64, attempt: u32) -> u64 {
    let factor = 1u64
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u64::MAX);
    base_seconds.saturating_mul(factor).min(3600)
}

/// What happens after a failed attempt.
pub fn after_failure(attempts_made: u32, max_attempts: u32) -> JobState {
    if attempts_made >= max_attempts {
        JobState::Dead
    } else {
        JobState::Queued
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_have_distinct_names() {
        let mut names: Vec<_> = Lane::ALL.iter().map(|l| l.as_str()).collect();
        names.dedup();
        assert_eq!(names, ["critical", "mail", "background"]);
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_seconds(5, 1), 5);
        assert_eq!(backoff_seconds(5, 2), 10);
        assert_eq!(backoff_seconds(5, 4), 40);
        assert_eq!(backoff_seconds(5, 40), 3600);
        assert_eq!(backoff_seconds(5, 200), 3600);
    }

    #[test]
    fn a_job_dies_after_its_last_attempt() {
        assert_eq!(after_failure(1, 3), JobState::Queued);
        assert_eq!(after_failure(3, 3), JobState::Dead);
    }
}
