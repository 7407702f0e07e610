//! Who files and reads test reports, works on tasks, reads a record.

use super::tests::{account, contact};
use super::*;

fn member_of(actor: &Actor) -> MemberId {
    match actor {
        Actor::Account {
            contact: Some(c), ..
        } => c.member.clone(),
        _ => unreachable!("a contact"),
    }
}

#[test]
fn test_reports_are_filed_by_cleared_contacts_and_admin_only_ones_stay_with_their_member() {
    let author = contact(true, true);
    let mine = member_of(&author);
    let other = contact(true, true);
    let admin = account(Role::Admin);
    assert!(authorize(&author, Action::ReportTest).is_allowed());
    assert!(!authorize(&contact(true, false), Action::ReportTest).is_allowed());
    assert!(!authorize(&admin, Action::ReportTest).is_allowed());
    assert!(!authorize(&account(Role::Delegate), Action::ReportTest).is_allowed());
    let private = Action::ReadTestReport {
        author: &mine,
        shared: false,
    };
    let shared = Action::ReadTestReport {
        author: &mine,
        shared: true,
    };
    assert!(authorize(&author, private).is_allowed());
    assert!(authorize(&admin, private).is_allowed());
    assert!(!authorize(&other, private).is_allowed());
    assert!(authorize(&other, shared).is_allowed());
    // Not cleared (policy not accepted): nothing, not even its own.
    let paused = Actor::Account {
        id: AccountId::generate(),
        role: Role::Member,
        contact: Some(Contact {
            member: mine.clone(),
            member_active: true,
            accepted_current_policy: false,
        }),
        delegate: None,
    };
    assert!(!authorize(&paused, private).is_allowed());
    for nobody in [Actor::Anonymous, account(Role::Delegate)] {
        assert!(!authorize(&nobody, shared).is_allowed());
    }
}

#[test]
fn a_task_is_worked_on_by_its_two_members_and_admins_only() {
    let primary = contact(true, true);
    let backup = contact(true, true);
    let (p, b) = (member_of(&primary), member_of(&backup));
    let task = Action::WorkOnTask {
        primary: &p,
        backup: &b,
    };
    assert!(authorize(&primary, task).is_allowed());
    assert!(authorize(&backup, task).is_allowed());
    assert!(authorize(&account(Role::Admin), task).is_allowed());
    assert!(!authorize(&contact(true, true), task).is_allowed());
    assert!(!authorize(&account(Role::Delegate), task).is_allowed());
    assert_eq!(
        authorize(&Actor::Anonymous, task),
        Decision::Unauthenticated
    );
}

#[test]
fn a_record_is_read_by_the_admins_and_the_members_own_contacts() {
    let own = contact(true, false);
    let mine = member_of(&own);
    assert!(authorize(&own, Action::ReadMemberRecord(&mine)).is_allowed());
    assert!(authorize(&account(Role::Admin), Action::ReadMemberRecord(&mine)).is_allowed());
    assert!(!authorize(&contact(true, true), Action::ReadMemberRecord(&mine)).is_allowed());
    assert!(!authorize(&account(Role::Delegate), Action::ReadMemberRecord(&mine)).is_allowed());
}
