use super::delegation_tests::delegate_of;
use super::*;

pub(super) fn account(role: Role) -> Actor {
    Actor::Account {
        id: AccountId::generate(),
        role,
        contact: None,
        delegate: None,
    }
}

pub(super) fn contact(active: bool, accepted: bool) -> Actor {
    Actor::Account {
        id: AccountId::generate(),
        role: Role::Member,
        contact: Some(Contact {
            member: MemberId::generate(),
            member_active: active,
            accepted_current_policy: accepted,
        }),
        delegate: None,
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
        delegate: None,
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
fn only_admins_allow_clear_text_not_the_contact_nor_their_organisation() {
    assert!(authorize(&account(Role::Admin), Action::AllowClearText).is_allowed());
    for actor in [
        // A cleared contact of an active member: still the team's call.
        contact(true, true),
        contact(true, false),
        account(Role::Member),
        account(Role::Delegate),
        Actor::Reporter(ReportId::generate()),
    ] {
        assert_eq!(
            authorize(&actor, Action::AllowClearText),
            Decision::Deny,
            "{actor:?}"
        );
    }
    assert_eq!(
        authorize(&Actor::Anonymous, Action::AllowClearText),
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

/// Reading `a` in `state`, the caller's organisation in its audience or not.
pub(super) fn read(a: &AdvisoryId, state: AdvisoryState, in_audience: bool) -> Action<'_> {
    Action::ReadAdvisory {
        id: a,
        state,
        in_audience,
    }
}

pub(super) fn share(state: AdvisoryState, in_audience: bool) -> Action<'static> {
    Action::ShareAdvisory { state, in_audience }
}

#[test]
fn which_advisory_a_reader_may_see_depends_on_its_state() {
    use AdvisoryState::*;
    let a = AdvisoryId::parse("SA-2026-0001").unwrap();
    let admin = account(Role::Admin);
    let cleared = contact(true, true);
    for state in [Draft, Embargoed, Published, Withdrawn] {
        assert!(authorize(&admin, read(&a, state, false)).is_allowed());
    }
    assert!(authorize(&cleared, read(&a, Embargoed, true)).is_allowed());
    assert!(authorize(&cleared, read(&a, Published, true)).is_allowed());
    for state in [Draft, Withdrawn] {
        assert_eq!(authorize(&cleared, read(&a, state, true)), Decision::Deny);
    }
    for state in [Draft, Embargoed, Published, Withdrawn] {
        assert_eq!(
            authorize(&contact(true, false), read(&a, state, true)),
            Decision::Deny
        );
        assert_eq!(
            authorize(
                &Actor::Reporter(ReportId::generate()),
                read(&a, state, true)
            ),
            Decision::Deny
        );
    }
}

#[test]
fn an_embargoed_advisory_is_read_only_by_the_members_it_was_announced_to() {
    use AdvisoryState::*;
    let a = AdvisoryId::parse("SA-2026-0001").unwrap();
    let cleared = contact(true, true);
    assert!(authorize(&cleared, read(&a, Embargoed, true)).is_allowed());
    assert_eq!(
        authorize(&cleared, read(&a, Embargoed, false)),
        Decision::Deny,
        "cleared, but its organisation was not chosen"
    );
    // Being in the audience clears nobody: the contact must be cleared too.
    for (active, accepted) in [(false, true), (true, false)] {
        assert_eq!(
            authorize(&contact(active, accepted), read(&a, Embargoed, true)),
            Decision::Deny
        );
    }
    // Published is public: the audience no longer matters.
    assert!(authorize(&cleared, read(&a, Published, false)).is_allowed());
    // Never announced: the team's alone.
    assert!(authorize(&account(Role::Admin), read(&a, Embargoed, false)).is_allowed());
    // A delegate's share stands on its own; the fact is about members.
    let delegate = delegate_of(&a, true, true);
    assert!(authorize(&delegate, read(&a, Embargoed, false)).is_allowed());
    assert_eq!(
        authorize(&account(Role::Delegate), read(&a, Embargoed, true)),
        Decision::Deny
    );
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
        delegate: None,
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
