//! Reports: what a reporter sends, how it is validated, and its triage states.

use super::email::{EDGE, EmailAddress, GithubHandle};
use super::fields::{FieldErrors, optional_text, required_text};
use super::language::Language;

/// Triage state: `new -> triaging -> accepted | duplicate | invalid | out-of-scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportStatus {
    New,
    Triaging,
    Accepted,
    Duplicate,
    Invalid,
    OutOfScope,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatusError {
    #[error("unknown status {0:?}")]
    Unknown(String),
    #[error("a report cannot go from {from} to {to}")]
    Illegal {
        from: &'static str,
        to: &'static str,
    },
    #[error("a reason for the reporter is required")]
    ReasonRequired,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 6] = [
        Self::New,
        Self::Triaging,
        Self::Accepted,
        Self::Duplicate,
        Self::Invalid,
        Self::OutOfScope,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Triaging => "triaging",
            Self::Accepted => "accepted",
            Self::Duplicate => "duplicate",
            Self::Invalid => "invalid",
            Self::OutOfScope => "out-of-scope",
        }
    }

    pub fn parse(s: &str) -> Result<Self, StatusError> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| StatusError::Unknown(s.to_owned()))
    }

    pub fn is_closed(self) -> bool {
        !matches!(self, Self::New | Self::Triaging)
    }

    /// Checks a transition. A closed report may be reopened into triage;
    /// every move needs a reason the reporter is told, except starting triage.
    pub fn transition(self, to: ReportStatus, reason: &str) -> Result<ReportStatus, StatusError> {
        use ReportStatus::*;
        let legal = matches!(
            (self, to),
            (New, Triaging)
                | (New | Triaging, Accepted | Duplicate | Invalid | OutOfScope)
                | (Accepted | Duplicate | Invalid | OutOfScope, Triaging)
        );
        if !legal {
            return Err(StatusError::Illegal {
                from: self.as_str(),
                to: to.as_str(),
            });
        }
        if to != Triaging && reason.trim().is_empty() {
            return Err(StatusError::ReasonRequired);
        }
        Ok(to)
    }
}

/// Raw report input from the form, the API or a parsed mail.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub title: String,
    pub description: String,
    pub affected_versions: String,
    pub unaffected_versions: String,
    #[serde(deserialize_with = "crate::domain::fields::present")]
    pub reporter_name: Option<String>,
    #[serde(deserialize_with = "crate::domain::fields::present")]
    pub reporter_email: Option<String>,
    #[serde(deserialize_with = "crate::domain::fields::present")]
    pub github: Option<String>,
    pub credit_consent: bool,
    /// The language the reporter wants our mail in (`de`); empty: the
    /// organisation's.
    #[serde(deserialize_with = "crate::domain::fields::present")]
    pub language: Option<String>,
}

/// A validated new report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub title: String,
    pub description: String,
    pub affected_versions: String,
    pub unaffected_versions: String,
    pub reporter_name: Option<String>,
    pub reporter_email: Option<EmailAddress>,
    pub github: Option<GithubHandle>,
    pub credit_consent: bool,
    pub language: Option<Language>,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 100_000;
pub const MAX_VERSIONS: usize = 2_000;

impl ReportInput {
    /// Validates every field and reports all problems at once.
    pub fn validate(&self) -> Result<NewReport, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = required_text(&mut e, "title", &self.title, MAX_TITLE);
        let description = required_text(&mut e, "description", &self.description, MAX_DESCRIPTION);
        let affected_versions = optional_text(
            &mut e,
            "affected_versions",
            Some(&self.affected_versions),
            MAX_VERSIONS,
        )
        .unwrap_or_default();
        let unaffected_versions = optional_text(
            &mut e,
            "unaffected_versions",
            Some(&self.unaffected_versions),
            MAX_VERSIONS,
        )
        .unwrap_or_default();
        let reporter_name =
            optional_text(&mut e, "reporter_name", self.reporter_name.as_deref(), 200);
        // Left out, empty or spaces alone: none. Trimmed as the API's
        // schema says (`email::EDGE`), no more.
        fn given(v: Option<&str>) -> Option<&str> {
            v.filter(|s| !s.trim_matches(EDGE).is_empty())
        }
        let reporter_email =
            given(self.reporter_email.as_deref()).and_then(|s| match EmailAddress::parse(s) {
                Ok(a) => Some(a),
                Err(err) => {
                    e.add("reporter_email", err.0);
                    None
                }
            });
        let github = given(self.github.as_deref()).and_then(|s| match GithubHandle::parse(s) {
            Ok(h) => Some(h),
            Err(err) => {
                e.add("github", err.0);
                None
            }
        });
        let language = given(self.language.as_deref()).and_then(|l| match Language::parse(l) {
            Ok(l) => Some(l),
            Err(err) => {
                e.add("language", err.to_string());
                None
            }
        });
        e.into_result()?;
        Ok(NewReport {
            title,
            description,
            affected_versions,
            unaffected_versions,
            reporter_name,
            reporter_email,
            github,
            credit_consent: self.credit_consent,
            language,
        })
    }
}

/// Whether a report waits for its first answer past the target: open,
/// unanswered, and older than `first_response_days`. Instants in
/// microseconds.
pub fn first_response_overdue(
    status: ReportStatus,
    created_at: i64,
    first_response_at: Option<i64>,
    now: i64,
    first_response_days: u32,
) -> bool {
    let limit = i64::from(first_response_days) * 86_400 * 1_000_000;
    first_response_at.is_none() && !status.is_closed() && now - created_at > limit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ReportInput {
        ReportInput {
            title: "Heap overflow".into(),
            description: "Details".into(),
            ..Default::default()
        }
    }

    #[test]
    fn anonymous_report_is_valid() {
        let r = input().validate().unwrap();
        assert_eq!(r.reporter_email, None);
        assert!(!r.credit_consent);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = ReportInput {
            title: " ".into(),
            description: String::new(),
            reporter_email: Some("nope".into()),
            github: Some("bad_handle".into()),
            ..Default::default()
        };
        let e = bad.validate().unwrap_err();
        for f in ["title", "description", "reporter_email", "github"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }

    #[test]
    fn transitions_follow_the_triage_graph() {
        use ReportStatus::*;
        assert_eq!(New.transition(Triaging, ""), Ok(Triaging));
        assert_eq!(Triaging.transition(Accepted, "confirmed"), Ok(Accepted));
        assert_eq!(New.transition(Invalid, "not a bug"), Ok(Invalid));
        assert_eq!(
            Triaging.transition(Duplicate, " "),
            Err(StatusError::ReasonRequired)
        );
        assert!(matches!(
            Accepted.transition(New, "x"),
            Err(StatusError::Illegal { .. })
        ));
        assert!(matches!(
            Accepted.transition(Invalid, "x"),
            Err(StatusError::Illegal { .. })
        ));
        assert_eq!(Invalid.transition(Triaging, ""), Ok(Triaging));
    }

    #[test]
    fn status_text_round_trips() {
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(s.as_str()), Ok(s));
        }
        assert!(ReportStatus::parse("open").is_err());
    }

    #[test]
    fn a_report_is_overdue_only_while_open_and_unanswered_past_the_target() {
        let day = 86_400 * 1_000_000;
        let open = ReportStatus::New;
        assert!(!first_response_overdue(open, 0, None, 3 * day, 3));
        assert!(first_response_overdue(open, 0, None, 3 * day + 1, 3));
        assert!(!first_response_overdue(open, 0, Some(day), 5 * day, 3));
        assert!(!first_response_overdue(
            ReportStatus::Invalid,
            0,
            None,
            5 * day,
            3
        ));
    }
}
