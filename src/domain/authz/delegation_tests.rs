//! Delegates, shares and leaks: access that one member's contact hands on
//! or reports.

use super::tests::*;
use super::*;

pub(super) fn delegate_of(advisory: &AdvisoryId, policy: bool, terms: bool) -> Actor {
    Actor::Account {
        id: AccountId::generate(),
        role: Role::Delegate,
        contact: None,
        delegate: Some(crate::domain::share::Delegate {
            accepted_current_policy: policy,
            shares: vec![crate::domain::share::Share {
                advisory: advisory.clone(),
                terms_accepted: terms,
                sharer_active: true,
            }],
        }),
    }
}

#[test]
fn a_delegate_reads_only_the_embargoed_advisory_shared_with_them_once_accepted() {
    let shared = AdvisoryId::parse("SA-2026-0001").unwrap();
    let other = AdvisoryId::parse("SA-2026-0002").unwrap();
    let delegate = delegate_of(&shared, true, true);
    assert!(authorize(&delegate, Action::ReadAdvisoryById(&shared)).is_allowed());
    assert!(authorize(&delegate, read(&shared, AdvisoryState::Embargoed, false)).is_allowed());
    assert_eq!(
        authorize(&delegate, Action::ReadAdvisoryById(&other)),
        Decision::Deny
    );
    // Publication ends it: the public page is theirs like everyone's.
    assert_eq!(
        authorize(&delegate, read(&shared, AdvisoryState::Published, false)),
        Decision::Deny
    );
    // The list's view and sharing on are for member contacts.
    assert_eq!(
        authorize(&delegate, Action::ReadEmbargoedAdvisory),
        Decision::Deny
    );
    assert_eq!(
        authorize(&delegate, share(AdvisoryState::Embargoed, true)),
        Decision::Deny
    );
    for (policy, terms) in [(false, true), (true, false)] {
        let d = delegate_of(&shared, policy, terms);
        assert_eq!(
            authorize(&d, Action::ReadAdvisoryById(&shared)),
            Decision::Deny
        );
    }
}

#[test]
fn shares_are_made_by_cleared_contacts_and_managed_by_their_member_and_admins() {
    let cleared = contact(true, true);
    assert!(authorize(&cleared, share(AdvisoryState::Embargoed, true)).is_allowed());
    assert_eq!(
        authorize(&cleared, share(AdvisoryState::Published, true)),
        Decision::Deny
    );
    assert_eq!(
        authorize(&cleared, share(AdvisoryState::Embargoed, false)),
        Decision::Deny,
        "only a member in the audience passes it on"
    );
    assert_eq!(
        authorize(&contact(true, false), share(AdvisoryState::Embargoed, true)),
        Decision::Deny
    );
    assert_eq!(
        authorize(&account(Role::Admin), share(AdvisoryState::Embargoed, true)),
        Decision::Deny
    );
    let Actor::Account {
        contact: Some(c), ..
    } = &cleared
    else {
        unreachable!()
    };
    assert!(authorize(&cleared, Action::ManageShares(&c.member)).is_allowed());
    assert_eq!(
        authorize(&cleared, Action::ManageShares(&MemberId::generate())),
        Decision::Deny
    );
    assert!(authorize(&account(Role::Admin), Action::ManageShares(&c.member)).is_allowed());
    let delegate = delegate_of(&AdvisoryId::parse("SA-2026-0001").unwrap(), true, false);
    let Actor::Account { id, .. } = &delegate else {
        unreachable!()
    };
    assert!(authorize(&delegate, Action::AcceptShare(id)).is_allowed());
    assert_eq!(
        authorize(&delegate, Action::AcceptShare(&AccountId::generate())),
        Decision::Deny
    );
}

#[test]
fn leaks_are_reported_by_their_member_and_read_by_nobody_else() {
    let own = contact(true, false);
    let Actor::Account {
        contact: Some(c), ..
    } = &own
    else {
        unreachable!()
    };
    let mine = c.member.clone();
    let theirs = MemberId::generate();
    let admin = account(Role::Admin);
    // Reporting a leak does not wait for the policy to be accepted.
    assert!(authorize(&own, Action::ReportLeak(&mine)).is_allowed());
    assert!(!authorize(&own, Action::ReportLeak(&theirs)).is_allowed());
    assert!(authorize(&admin, Action::ReportLeak(&theirs)).is_allowed());
    assert!(authorize(&own, Action::ReadLeaks(&mine)).is_allowed());
    assert!(!authorize(&own, Action::ReadLeaks(&theirs)).is_allowed());
    assert!(!authorize(&contact(true, true), Action::ReadLeaks(&mine)).is_allowed());
    assert!(!authorize(&own, Action::ManageLeaks).is_allowed());
    assert!(authorize(&admin, Action::ManageLeaks).is_allowed());
    for nobody in [
        Actor::Anonymous,
        account(Role::Delegate),
        Actor::Reporter(ReportId::generate()),
    ] {
        assert!(!authorize(&nobody, Action::ReportLeak(&mine)).is_allowed());
        assert!(!authorize(&nobody, Action::ReadLeaks(&mine)).is_allowed());
    }
    // A member that left the list still reads its records, reports no more.
    let gone = Actor::Account {
        id: AccountId::generate(),
        role: Role::Member,
        contact: Some(Contact {
            member: mine.clone(),
            member_active: false,
            accepted_current_policy: true,
        }),
        delegate: None,
    };
    assert!(!authorize(&gone, Action::ReportLeak(&mine)).is_allowed());
    assert!(authorize(&gone, Action::ReadLeaks(&mine)).is_allowed());
}
