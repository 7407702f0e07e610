//! Contributing back: members test patches and report what they found
//! (also when it works), and take on tasks with a primary and a backup
//! member. The rules, without I/O.

use super::fields::{FieldErrors, optional_text, required_text};
use super::id::MemberId;

/// Longest free-text field (details, notes).
pub const TEXT_MAX: usize = 20_000;
/// Longest short field (what was tested, a task's title).
pub const SHORT_MAX: usize = 500;
/// Longest draft: as long as an advisory's details may be.
pub const DRAFT_MAX: usize = 100_000;
/// Most attachments on one test report.
pub const ATTACHMENTS_MAX: usize = 10;
/// Microseconds before `due` when the holder is reminded.
pub const REMIND_BEFORE: i64 = 86_400 * 1_000_000;

/// Defines a closed vocabulary stored as text: `as_str`, `parse`, `ALL`.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// The accepted spellings, for error messages.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// What a test found.
    TestResult {
        /// Nothing wrong: the fix works. Welcome, and counted like any other.
        Works = "works",
        Problems = "problems",
        /// The member does not ship what is affected.
        NotApplicable = "not_applicable",
    }
);

vocabulary!(
    /// Who besides the admins reads a test report.
    Visibility {
        /// The admins and the author's own organisation.
        Admins = "admins",
        /// Every member who may read the advisory.
        Members = "members",
    }
);

vocabulary!(
    /// What a task asks for.
    TaskKind {
        ReviewPatch = "review_patch",
        TestPlatform = "test_platform",
        DraftDisclosureMail = "draft_disclosure_mail",
        DraftReleaseNotes = "draft_release_notes",
        Other = "other",
    }
);

vocabulary!(
    /// Where a task stands.
    TaskState {
        /// With the primary, before the due instant.
        Open = "open",
        /// Due and not done: the backup was asked to take it over.
        HandedOver = "handed_over",
        Done = "done",
    }
);

impl TaskKind {
    /// What it asks for, in words, as mails say it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::ReviewPatch => "review the patch",
            Self::TestPlatform => "test the fix on a platform",
            Self::DraftDisclosureMail => "draft the disclosure mail",
            Self::DraftReleaseNotes => "draft the release notes",
            Self::Other => "a task",
        }
    }

    /// Its result is a text the advisory can take over.
    pub fn takes_draft(self) -> bool {
        matches!(self, Self::DraftDisclosureMail | Self::DraftReleaseNotes)
    }
}

/// Which of a task's two members holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Primary,
    Backup,
}

impl TaskState {
    /// Who holds the task now: the backup once it was handed over.
    pub fn holder(self) -> Holder {
        match self {
            Self::HandedOver => Holder::Backup,
            Self::Open | Self::Done => Holder::Primary,
        }
    }

    /// Reporting it done: allowed once.
    pub fn finish(self) -> Result<Self, &'static str> {
        match self {
            Self::Done => Err("the task is done already"),
            Self::Open | Self::HandedOver => Ok(Self::Done),
        }
    }
}

/// A test report as validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestReport {
    pub result: TestResult,
    pub tested: String,
    pub details: String,
    pub visibility: Visibility,
}

impl TestReport {
    /// `visibility` left out means `admins`: sharing is the author's choice.
    pub fn parse(
        result: &str,
        tested: &str,
        details: Option<&str>,
        visibility: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let result = TestResult::parse(result.trim()).unwrap_or_else(|| {
            e.add(
                "result",
                format!("must be one of {}", TestResult::choices()),
            );
            TestResult::Works
        });
        let visibility = match visibility.map(str::trim) {
            None => Visibility::Admins,
            Some(v) => Visibility::parse(v).unwrap_or_else(|| {
                e.add(
                    "visibility",
                    format!("must be one of {}", Visibility::choices()),
                );
                Visibility::Admins
            }),
        };
        let report = Self {
            result,
            tested: required_text(&mut e, "tested", tested, SHORT_MAX),
            details: optional_text(&mut e, "details", details, TEXT_MAX).unwrap_or_default(),
            visibility,
        };
        e.into_result().map(|()| report)
    }
}

/// A task as validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub kind: TaskKind,
    pub title: String,
    pub primary: MemberId,
    pub backup: MemberId,
    /// Microseconds.
    pub due: i64,
}

/// A task as sent, before validation.
pub struct TaskInput<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub primary: &'a str,
    pub backup: &'a str,
    /// RFC 3339 with an offset.
    pub due: &'a str,
}

impl NewTask {
    /// The request's own rules. Whether the due instant is still ahead
    /// ([`NewTask::is_due_after`]) and whether the members exist and are on
    /// the list depend on the clock and the records: the caller's to check.
    pub fn parse(input: &TaskInput<'_>) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let edge = crate::domain::email::EDGE;
        let kind = TaskKind::parse(input.kind.trim_matches(edge)).unwrap_or_else(|| {
            e.add("kind", format!("must be one of {}", TaskKind::choices()));
            TaskKind::Other
        });
        let title = required_text(&mut e, "title", input.title, SHORT_MAX);
        let mut member = |field: &str, s: &str| {
            MemberId::parse(s.trim_matches(edge)).map_err(|_| e.add(field, "is not a member id"))
        };
        let primary = member("primary", input.primary);
        let backup = member("backup", input.backup);
        if let (Ok(p), Ok(b)) = (&primary, &backup)
            && p == b
        {
            e.add("backup", "must be another member than the primary");
        }
        let due = match input.due.trim_matches(edge).parse::<jiff::Timestamp>() {
            Ok(t) => Some(t.as_microsecond()),
            Err(_) => {
                e.add(
                    "due",
                    "must be an instant in RFC 3339 (2026-12-01T12:00:00Z)",
                );
                None
            }
        };
        match (primary, backup, due) {
            (Ok(primary), Ok(backup), Some(due)) if e.is_empty() => Ok(Self {
                kind,
                title,
                primary,
                backup,
                due,
            }),
            _ => Err(e),
        }
    }

    /// Whether the due instant lies after `now` (microseconds).
    pub fn is_due_after(&self, now: i64) -> bool {
        self.due > now
    }
}

/// When to remind the holder: a day before `due`, if that is still ahead.
pub fn reminder_at(due: i64, now: i64) -> Option<i64> {
    Some(due - REMIND_BEFORE).filter(|at| *at > now)
}

/// Validates a draft for a task of `kind`.
pub fn draft(kind: TaskKind, text: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::new();
    if !kind.takes_draft() {
        e.add(
            "draft",
            "only a draft_disclosure_mail or draft_release_notes task takes a draft",
        );
        return Err(e);
    }
    let text = required_text(&mut e, "draft", text, DRAFT_MAX);
    e.into_result().map(|()| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600 * 1_000_000;

    fn input<'a>(primary: &'a str, backup: &'a str, due: &'a str) -> TaskInput<'a> {
        TaskInput {
            kind: "test_platform",
            title: "arm64",
            primary,
            backup,
            due,
        }
    }

    #[test]
    fn a_report_that_found_nothing_is_a_report_and_visibility_defaults_to_admins() {
        let ok = TestReport::parse("works", " 1.2.3 on arm64 ", None, None).unwrap();
        assert_eq!(ok.result, TestResult::Works);
        assert_eq!(ok.tested, "1.2.3 on arm64");
        assert_eq!(ok.visibility, Visibility::Admins);
        let e = TestReport::parse("fine", "", None, Some("everyone")).unwrap_err();
        assert!(e.get("result").unwrap().contains("not_applicable"));
        assert_eq!(e.get("tested"), Some("is required"));
        assert!(e.get("visibility").is_some());
    }

    #[test]
    fn a_task_needs_two_different_members_and_a_future_due_instant() {
        let (p, b) = (MemberId::generate(), MemberId::generate());
        let now = jiff::Timestamp::from_second(1_800_000_000)
            .unwrap()
            .as_microsecond();
        let ok = NewTask::parse(&input(p.as_str(), b.as_str(), "2027-03-01T12:00:00Z")).unwrap();
        assert_eq!(ok.kind, TaskKind::TestPlatform);
        assert!(ok.is_due_after(now));
        let same = NewTask::parse(&input(p.as_str(), p.as_str(), "2027-03-01T12:00:00Z"));
        assert!(same.unwrap_err().get("backup").is_some());
        let past = NewTask::parse(&input(p.as_str(), b.as_str(), "2020-01-01T00:00:00Z")).unwrap();
        assert!(!past.is_due_after(now));
        let bad = NewTask::parse(&input("nobody", b.as_str(), "tomorrow")).unwrap_err();
        assert!(bad.get("primary").is_some() && bad.get("due").is_some());
    }

    #[test]
    fn the_reminder_is_a_day_before_and_only_if_still_ahead() {
        let now = 1_000 * HOUR;
        assert_eq!(reminder_at(now + 48 * HOUR, now), Some(now + 24 * HOUR));
        assert_eq!(reminder_at(now + 12 * HOUR, now), None);
    }

    #[test]
    fn a_task_is_done_once_and_held_by_the_backup_after_the_hand_over() {
        assert_eq!(TaskState::Open.finish(), Ok(TaskState::Done));
        assert_eq!(TaskState::HandedOver.finish(), Ok(TaskState::Done));
        assert!(TaskState::Done.finish().is_err());
        assert_eq!(TaskState::HandedOver.holder(), Holder::Backup);
        assert_eq!(TaskState::Open.holder(), Holder::Primary);
        for s in TaskState::ALL {
            assert_eq!(TaskState::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn only_drafting_tasks_take_a_draft() {
        assert!(draft(TaskKind::ReviewPatch, "text").is_err());
        assert_eq!(
            draft(TaskKind::DraftReleaseNotes, " notes ").unwrap(),
            "notes"
        );
        assert!(draft(TaskKind::DraftDisclosureMail, " ").is_err());
    }
}
