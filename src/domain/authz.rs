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
        /// A member contact whose organisation is active and who accepted
        /// the current list policy: may see embargoed material.
        cleared: bool,
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
    /// Apply to join the list; read the criteria, the policy and the
    /// directory of member organisations.
    Apply,
    /// Criteria edits, the application queue and decisions, members and
    /// their removal, policy versions.
    ManageMembership,
    /// Vouch for an applicant (the use case checks it is the named member).
    Vouch,
    /// Accept the list policy.
    AcceptPolicy,
    /// Answer a liveness ping to a member's security alias: the mailed
    /// link is the capability, whoever follows it.
    AnswerAliasPing,
    /// A member contact runs their own organisation: contacts, leaving.
    ManageOwnMember,
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
    let member = matches!(
        actor,
        Actor::Account {
            role: Role::Member,
            ..
        }
    );
    let cleared_member = matches!(
        actor,
        Actor::Account {
            role: Role::Member,
            cleared: true,
            ..
        }
    );
    let allowed = match action {
        SubmitReport | ReadPublished | Apply | AnswerAliasPing => true,
        ListReports | TriageReport(_) | Administer | ManageAdvisories | ManageMembership => {
            is_admin
        }
        ReadEmbargoedAdvisory => is_admin || cleared_member,
        Vouch | ManageOwnMember => member,
        AcceptPolicy => {
            member
                || matches!(
                    actor,
                    Actor::Account {
                        role: Role::Delegate,
                        ..
                    }
                )
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
            cleared: false,
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
    fn a_member_sees_embargoed_advisories_only_when_cleared() {
        let cleared = Actor::Account {
            id: AccountId::generate(),
            role: Role::Member,
            cleared: true,
        };
        assert!(authorize(&cleared, Action::ReadEmbargoedAdvisory).is_allowed());
        assert_eq!(
            authorize(&account(Role::Member), Action::ReadEmbargoedAdvisory),
            Decision::Deny
        );
        assert_eq!(
            authorize(&cleared, Action::ManageAdvisories),
            Decision::Deny
        );
        let cleared_delegate = Actor::Account {
            id: AccountId::generate(),
            role: Role::Delegate,
            cleared: true,
        };
        assert_eq!(
            authorize(&cleared_delegate, Action::ReadEmbargoedAdvisory),
            Decision::Deny
        );
    }

    #[test]
    fn membership_is_run_by_admins_and_vouched_for_by_members() {
        assert!(authorize(&Actor::Anonymous, Action::Apply).is_allowed());
        assert_eq!(
            authorize(&Actor::Anonymous, Action::ManageMembership),
            Decision::Unauthenticated
        );
        assert_eq!(
            authorize(&account(Role::Member), Action::ManageMembership),
            Decision::Deny
        );
        assert!(authorize(&account(Role::Admin), Action::ManageMembership).is_allowed());
        assert!(authorize(&account(Role::Member), Action::Vouch).is_allowed());
        assert_eq!(
            authorize(&account(Role::Admin), Action::Vouch),
            Decision::Deny
        );
        assert!(authorize(&account(Role::Member), Action::AcceptPolicy).is_allowed());
        assert!(authorize(&account(Role::Member), Action::ManageOwnMember).is_allowed());
        assert_eq!(
            authorize(&account(Role::Delegate), Action::ManageOwnMember),
            Decision::Deny
        );
        assert_eq!(
            authorize(&account(Role::Admin), Action::ManageOwnMember),
            Decision::Deny
        );
    }

    #[test]
    fn anyone_holding_a_ping_link_answers_it_but_only_admins_review() {
        assert!(authorize(&Actor::Anonymous, Action::AnswerAliasPing).is_allowed());
        for role in [Role::Member, Role::Delegate, Role::Admin] {
            assert!(authorize(&account(role), Action::AnswerAliasPing).is_allowed());
        }
        let reporter = Actor::Reporter(ReportId::generate());
        assert!(authorize(&reporter, Action::AnswerAliasPing).is_allowed());
        assert_eq!(
            authorize(&account(Role::Member), Action::ManageMembership),
            Decision::Deny
        );
    }

    #[test]
    fn embargoed_advisories_are_not_for_uncleared_accounts() {
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
