//! Leaks: the policy asks whoever leaked for what leaked and to whom; the
//! team reviews each in a retrospective, and repeated leaks within a window
//! lead to a removal proposal. The rules, without I/O.

use super::fields::{FieldErrors, optional_text, required_text};

/// Longest free-text field of a leak report or retrospective.
pub const TEXT_MAX: usize = 20_000;
/// Longest short field (when, an action's owner or due date).
pub const SHORT_MAX: usize = 200;
/// Most actions in one retrospective.
pub const ACTIONS_MAX: usize = 100;

/// Where a leak record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeakState {
    /// Reported; the retrospective may still change.
    Open,
    /// Reviewed, every action done or dropped.
    Closed,
    /// Not a leak after all (an admin's decision, with a reason): no strike.
    Withdrawn,
}

impl LeakState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => Self::Open,
            "closed" => Self::Closed,
            "withdrawn" => Self::Withdrawn,
            _ => return None,
        })
    }

    /// Counts against the member.
    pub fn is_strike(self) -> bool {
        self != Self::Withdrawn
    }
}

/// A leak report as validated: `what` and `to_whom` are what the policy
/// asks for, the rest helps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeakReport {
    pub what: String,
    pub to_whom: String,
    pub when: String,
    pub how_found: String,
    pub containment: String,
}

impl LeakReport {
    pub fn parse(
        what: &str,
        to_whom: &str,
        when: Option<&str>,
        how_found: Option<&str>,
        containment: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let report = Self {
            what: required_text(&mut e, "what", what, TEXT_MAX),
            to_whom: required_text(&mut e, "to_whom", to_whom, TEXT_MAX),
            when: optional_text(&mut e, "when", when, SHORT_MAX).unwrap_or_default(),
            how_found: optional_text(&mut e, "how_found", how_found, TEXT_MAX).unwrap_or_default(),
            containment: optional_text(&mut e, "containment", containment, TEXT_MAX)
                .unwrap_or_default(),
        };
        e.into_result().map(|()| report)
    }
}

/// Where one action of a retrospective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionState {
    Open,
    Done,
    /// Not taken, for the reason given.
    Dropped,
}

impl ActionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => Self::Open,
            "done" => Self::Done,
            "dropped" => Self::Dropped,
            _ => return None,
        })
    }
}

/// One follow-up action of a retrospective.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub what: String,
    pub owner: String,
    pub due: String,
    pub state: ActionState,
    /// Why it was dropped; empty otherwise.
    pub reason: String,
}

/// An action as sent, before validation.
pub struct FollowUpInput<'a> {
    pub what: &'a str,
    pub owner: &'a str,
    pub due: Option<&'a str>,
    pub state: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// A retrospective as validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retrospective {
    pub findings: String,
    pub root_cause: String,
    pub actions: Vec<FollowUp>,
}

impl Retrospective {
    /// Errors name the field, actions by position (`actions[2].reason`).
    pub fn parse(
        findings: &str,
        root_cause: &str,
        actions: &[FollowUpInput<'_>],
    ) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let findings = required_text(&mut e, "findings", findings, TEXT_MAX);
        let root_cause = required_text(&mut e, "root_cause", root_cause, TEXT_MAX);
        if actions.len() > ACTIONS_MAX {
            e.add("actions", format!("at most {ACTIONS_MAX} actions"));
        }
        let actions = actions
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let at = |f: &str| format!("actions[{i}].{f}");
                let state = match a.state.map(str::trim).filter(|s| !s.is_empty()) {
                    None => ActionState::Open,
                    Some(s) => ActionState::parse(s).unwrap_or_else(|| {
                        e.add(&at("state"), "must be open, done or dropped");
                        ActionState::Open
                    }),
                };
                let reason =
                    optional_text(&mut e, &at("reason"), a.reason, TEXT_MAX).unwrap_or_default();
                if state == ActionState::Dropped && reason.is_empty() {
                    e.add(&at("reason"), "a dropped action needs the reason");
                }
                FollowUp {
                    what: required_text(&mut e, &at("what"), a.what, TEXT_MAX),
                    owner: required_text(&mut e, &at("owner"), a.owner, SHORT_MAX),
                    due: optional_text(&mut e, &at("due"), a.due, SHORT_MAX).unwrap_or_default(),
                    state,
                    reason,
                }
            })
            .collect();
        e.into_result().map(|()| Self {
            findings,
            root_cause,
            actions,
        })
    }
}

/// Why a leak cannot be closed, if it cannot.
pub fn check_closable(
    state: LeakState,
    has_retrospective: bool,
    actions: &[ActionState],
) -> Result<(), String> {
    match state {
        LeakState::Closed => return Err("the leak is closed already".into()),
        LeakState::Withdrawn => return Err("the leak record was withdrawn".into()),
        LeakState::Open => {}
    }
    if !has_retrospective {
        return Err("write the retrospective first".into());
    }
    let open = actions.iter().filter(|a| **a == ActionState::Open).count();
    if open > 0 {
        return Err(format!(
            "{open} action(s) still open: mark each done, or dropped with a reason"
        ));
    }
    Ok(())
}

/// Microseconds: leaks reported at or after this instant count as strikes.
pub fn window_start(now: i64, window_days: u32) -> i64 {
    now.saturating_sub(i64::from(window_days) * 86_400 * 1_000_000)
}

/// The admins should consider removing the member.
pub fn removal_proposed(strikes: u64, threshold: u32) -> bool {
    strikes >= u64::from(threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action<'a>(state: Option<&'a str>, reason: Option<&'a str>) -> FollowUpInput<'a> {
        FollowUpInput {
            what: "rotate the list address",
            owner: "Sam",
            due: Some("2026-12-01"),
            state,
            reason,
        }
    }

    #[test]
    fn what_and_to_whom_are_required() {
        let e = LeakReport::parse(" ", "", None, None, None).unwrap_err();
        assert_eq!(e.get("what"), Some("is required"));
        assert_eq!(e.get("to_whom"), Some("is required"));
        let ok = LeakReport::parse(" the patch ", "a journalist", None, Some(""), None).unwrap();
        assert_eq!(ok.what, "the patch");
        assert_eq!(ok.how_found, "");
    }

    #[test]
    fn a_dropped_action_needs_a_reason_and_errors_name_the_row() {
        let e = Retrospective::parse(
            "f",
            "r",
            &[action(None, None), action(Some("dropped"), None)],
        )
        .unwrap_err();
        assert_eq!(
            e.get("actions[1].reason"),
            Some("a dropped action needs the reason")
        );
        let e = Retrospective::parse("f", "r", &[action(Some("later"), None)]).unwrap_err();
        assert!(e.get("actions[0].state").is_some());
        let ok = Retrospective::parse("f", "r", &[action(Some("dropped"), Some("moot"))]).unwrap();
        assert_eq!(ok.actions[0].state, ActionState::Dropped);
    }

    #[test]
    fn a_leak_closes_once_reviewed_and_every_action_is_done_or_dropped() {
        use ActionState::*;
        assert!(check_closable(LeakState::Open, false, &[]).is_err());
        assert!(check_closable(LeakState::Open, true, &[Done, Open]).is_err());
        assert!(check_closable(LeakState::Open, true, &[Done, Dropped]).is_ok());
        assert!(check_closable(LeakState::Closed, true, &[]).is_err());
        assert!(check_closable(LeakState::Withdrawn, true, &[]).is_err());
    }

    #[test]
    fn strikes_count_within_the_window_and_withdrawn_records_do_not() {
        let day = 86_400 * 1_000_000;
        assert_eq!(window_start(400 * day, 365), 35 * day);
        assert!(!LeakState::Withdrawn.is_strike());
        assert!(LeakState::Closed.is_strike());
        assert!(!removal_proposed(1, 2));
        assert!(removal_proposed(2, 2));
    }
}
