//! The one authorization decision: (actor, action) -> allow or deny.
//! Every handler calls [`authorize`]; the route matrix test pins its answers.

use super::account::Role;
use super::advisory::AdvisoryState;
use super::id::{AccountId, MemberId, ReportId};

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    /// Holder of a report's tracking link: a capability for that report only.
    Reporter(ReportId),
    Account {
        id: AccountId,
        role: Role,
        /// For a member contact: their organisation and standing.
        contact: Option<Contact>,
    },
}

/// What decides a member contact's access: the facts, looked up per
/// request; the rule is [`Contact::cleared`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub member: MemberId,
    /// The organisation is on the list (not removed, not left).
    pub member_active: bool,
    /// The contact accepted the list policy's current version.
    pub accepted_current_policy: bool,
}

impl Contact {
    /// May see embargoed material: an active member's contact who accepted
    /// the current policy. A new policy version pauses access until it is
    /// accepted again.
    pub fn cleared(&self) -> bool {
        self.member_active && self.accepted_current_policy
    }
}

impl Actor {
    fn role(&self) -> Option<Role> {
        match self {
            Actor::Account { role, .. } => Some(*role),
            _ => None,
        }
    }

    fn is_cleared_member(&self) -> bool {
        matches!(
            self,
            Actor::Account { role: Role::Member, contact: Some(c), .. } if c.cleared()
        )
    }
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
    /// Set an embargo that breaks an overridable policy rule (too long, too
    /// short notice), giving a reason; see [`super::embargo::admits`].
    OverrideEmbargoPolicy,
    /// Send an embargoed advisory to the list, and see who got it.
    Announce,
    /// Use the list's view of advisories at all (the distribution API).
    ReadEmbargoedAdvisory,
    /// Read one advisory in the list's view, given its state: drafts and
    /// withdrawn records are the team's; embargoed and published ones go
    /// to cleared members too. A refusal here hides the advisory (404).
    ReadAdvisory(AdvisoryState),
    /// Published advisories, feeds and the like.
    ReadPublished,
    /// Apply to join the list; read the criteria, the policy and the
    /// directory of member organisations.
    Apply,
    /// Criteria edits, the application queue and decisions, members and
    /// their removal, policy versions.
    ManageMembership,
    /// Vouch for applicants at all (a member contact).
    Vouch,
    /// Vouch for one application, which names this member as its voucher:
    /// only that active member's contacts. A refusal hides the application.
    VouchFor(&'a MemberId),
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
    let role = actor.role();
    let is_admin = role == Some(Role::Admin);
    let member = role == Some(Role::Member);
    let cleared_member = actor.is_cleared_member();
    let allowed = match action {
        SubmitReport | ReadPublished | Apply | AnswerAliasPing => true,
        ListReports
        | TriageReport(_)
        | Administer
        | ManageAdvisories
        | ManageMembership
        | OverrideEmbargoPolicy
        | Announce => is_admin,
        ReadEmbargoedAdvisory => is_admin || cleared_member,
        ReadAdvisory(state) => match state {
            AdvisoryState::Embargoed | AdvisoryState::Published => is_admin || cleared_member,
            AdvisoryState::Draft | AdvisoryState::Withdrawn => is_admin,
        },
        Vouch | ManageOwnMember => member,
        VouchFor(voucher) => matches!(
            actor,
            Actor::Account { role: Role::Member, contact: Some(c), .. }
                if &c.member == voucher && c.member_active
        ),
        AcceptPolicy => member || role == Some(Role::Delegate),
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
            contact: None,
        }
    }

    fn contact(active: bool, accepted: bool) -> Actor {
        Actor::Account {
            id: AccountId::generate(),
            role: Role::Member,
            contact: Some(Contact {
                member: MemberId::generate(),
                member_active: active,
                accepted_current_policy: accepted,
            }),
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
        // So only an admin can be a report's assignee.
        for role in [Role::Member, Role::Delegate] {
            assert_eq!(
                authorize(&account(role), Action::TriageReport(&r)),
                Decision::Deny
            );
        }
    }

    #[test]
    fn anyone_may_submit_a_report_and_read_what_is_published() {
        assert!(authorize(&Actor::Anonymous, Action::SubmitReport).is_allowed());
        assert!(authorize(&Actor::Anonymous, Action::ReadPublished).is_allowed());
    }

    #[test]
    fn a_member_sees_embargoed_advisories_only_when_cleared() {
        let cleared = contact(true, true);
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
            contact: Some(Contact {
                member: MemberId::generate(),
                member_active: true,
                accepted_current_policy: true,
            }),
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
    fn only_admins_may_set_the_embargo_policy_aside() {
        assert!(authorize(&account(Role::Admin), Action::OverrideEmbargoPolicy).is_allowed());
        for actor in [
            account(Role::Member),
            account(Role::Delegate),
            contact(true, true),
            Actor::Reporter(ReportId::generate()),
        ] {
            assert_eq!(
                authorize(&actor, Action::OverrideEmbargoPolicy),
                Decision::Deny
            );
        }
        assert_eq!(
            authorize(&Actor::Anonymous, Action::OverrideEmbargoPolicy),
            Decision::Unauthenticated
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

    #[test]
    fn clearance_needs_an_active_member_and_the_current_policy() {
        assert!(authorize(&contact(true, true), Action::ReadEmbargoedAdvisory).is_allowed());
        for (active, accepted) in [(false, true), (true, false), (false, false)] {
            assert_eq!(
                authorize(&contact(active, accepted), Action::ReadEmbargoedAdvisory),
                Decision::Deny,
                "active {active}, accepted {accepted}"
            );
        }
    }

    #[test]
    fn which_advisory_a_reader_may_see_depends_on_its_state() {
        use AdvisoryState::*;
        let admin = account(Role::Admin);
        let cleared = contact(true, true);
        for state in [Draft, Embargoed, Published, Withdrawn] {
            assert!(authorize(&admin, Action::ReadAdvisory(state)).is_allowed());
        }
        assert!(authorize(&cleared, Action::ReadAdvisory(Embargoed)).is_allowed());
        assert!(authorize(&cleared, Action::ReadAdvisory(Published)).is_allowed());
        for state in [Draft, Withdrawn] {
            assert_eq!(
                authorize(&cleared, Action::ReadAdvisory(state)),
                Decision::Deny
            );
        }
        for state in [Draft, Embargoed, Published, Withdrawn] {
            assert_eq!(
                authorize(&contact(true, false), Action::ReadAdvisory(state)),
                Decision::Deny
            );
            assert_eq!(
                authorize(
                    &Actor::Reporter(ReportId::generate()),
                    Action::ReadAdvisory(state)
                ),
                Decision::Deny
            );
        }
    }

    #[test]
    fn only_the_named_members_contacts_may_vouch_for_an_application() {
        let named = MemberId::generate();
        let of = |member: &MemberId, active: bool| Actor::Account {
            id: AccountId::generate(),
            role: Role::Member,
            contact: Some(Contact {
                member: member.clone(),
                member_active: active,
                accepted_current_policy: false,
            }),
        };
        assert!(authorize(&of(&named, true), Action::VouchFor(&named)).is_allowed());
        assert_eq!(
            authorize(&of(&MemberId::generate(), true), Action::VouchFor(&named)),
            Decision::Deny
        );
        assert_eq!(
            authorize(&of(&named, false), Action::VouchFor(&named)),
            Decision::Deny,
            "a removed member vouches for nobody"
        );
        assert_eq!(
            authorize(&account(Role::Admin), Action::VouchFor(&named)),
            Decision::Deny
        );
    }
}
