//! The one authorization decision: (actor, action) -> allow or deny.
//! Every handler calls [`authorize`]; the route matrix test pins its answers.

use super::account::Role;
use super::id::{AccountId, ReportId};

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    /// Holder of a report's tracking link: a capability for that report only.
    Reporter(ReportId),
    Account {
        id: AccountId,
        role: Role,
    },
}

/// What they want to do, with the resource it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Send a new report (web form, API, mail).
    SubmitReport,
    /// The list of all reports (admin inbox).
    ListReports,
    ReadReport(&'a ReportId),
    /// Add a message or attachment to a report's thread.
    ReplyToReport(&'a ReportId),
    /// Status changes and assignment.
    TriageReport(&'a ReportId),
    /// Accounts, jobs and other operator views.
    Administer,
    /// An account's own tokens and session.
    ManageOwnAccount,
    /// Create, edit, embargo, publish and withdraw advisories; see drafts.
    ManageAdvisories,
    /// Read one advisory before publication.
    ReadEmbargoedAdvisory,
    /// Published advisories, feeds and the like.
    ReadPublished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Nobody is signed in: ask for credentials.
    Unauthenticated,
    Deny,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

pub fn authorize(actor: &Actor, action: Action<'_>) -> Decision {
    use Action::*;
    let is_admin = matches!(
        actor,
        Actor::Account {
            role: Role::Admin,
            ..
        }
    );
    let allowed = match action {
        SubmitReport | ReadPublished => true,
        ListReports | TriageReport(_) | Administer | ManageAdvisories | ReadEmbargoedAdvisory => {
            is_admin
        }
        ReadReport(report) | ReplyToReport(report) => {
            is_admin || matches!(actor, Actor::Reporter(r) if r == report)
        }
        ManageOwnAccount => matches!(actor, Actor::Account { .. }),
    };
    match (allowed, actor) {
        (true, _) => Decision::Allow,
        (false, Actor::Anonymous) => Decision::Unauthenticated,
        (false, _) => Decision::Deny,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Role) -> Actor {
        Actor::Account {
            id: AccountId::generate(),
            role,
        }
    }

    #[test]
    fn a_report_is_private_to_admins_and_its_reporter() {
        let mine = ReportId::generate();
        let other = ReportId::generate();
        let reporter = Actor::Reporter(mine.clone());
        assert!(authorize(&reporter, Action::ReadReport(&mine)).is_allowed());
        assert_eq!(
            authorize(&reporter, Action::ReadReport(&other)),
            Decision::Deny
        );
        assert!(authorize(&account(Role::Admin), Action::ReadReport(&other)).is_allowed());
        for role in [Role::Member, Role::Delegate] {
            assert_eq!(
                authorize(&account(role), Action::ReadReport(&mine)),
                Decision::Deny
            );
            assert_eq!(
                authorize(&account(role), Action::ListReports),
                Decision::Deny
            );
        }
        assert_eq!(
            authorize(&Actor::Anonymous, Action::ReadReport(&mine)),
            Decision::Unauthenticated
        );
    }

    #[test]
    fn only_admins_triage_and_administer() {
        let r = ReportId::generate();
        assert!(authorize(&account(Role::Admin), Action::TriageReport(&r)).is_allowed());
        assert_eq!(
            authorize(&Actor::Reporter(r.clone()), Action::TriageReport(&r)),
            Decision::Deny
        );
        assert_eq!(
            authorize(&account(Role::Member), Action::Administer),
            Decision::Deny
        );
    }

    #[test]
    fn anyone_may_submit_a_report_and_read_what_is_published() {
        assert!(authorize(&Actor::Anonymous, Action::SubmitReport).is_allowed());
        assert!(authorize(&Actor::Anonymous, Action::ReadPublished).is_allowed());
    }

    #[test]
    fn embargoed_advisories_are_for_admins_only_so_far() {
        assert!(authorize(&account(Role::Admin), Action::ReadEmbargoedAdvisory).is_allowed());
        assert!(authorize(&account(Role::Admin), Action::ManageAdvisories).is_allowed());
        for role in [Role::Member, Role::Delegate] {
            assert_eq!(
                authorize(&account(role), Action::ReadEmbargoedAdvisory),
                Decision::Deny
            );
            assert_eq!(
                authorize(&account(role), Action::ManageAdvisories),
                Decision::Deny
            );
        }
        let reporter = Actor::Reporter(ReportId::generate());
        assert_eq!(
            authorize(&reporter, Action::ReadEmbargoedAdvisory),
            Decision::Deny
        );
    }
}
