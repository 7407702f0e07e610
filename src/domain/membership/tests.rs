use super::*;
use std::collections::BTreeMap;

#[test]
fn default_criteria_are_the_seven_rules() {
    let c = default_criteria();
    assert_eq!(c.len(), 7);
    check_criteria(&c).unwrap();
}

#[test]
fn criteria_edits_are_checked() {
    let mut c = default_criteria();
    c[1].key = "security_alias".into();
    c[2].key = "Bad Key".into();
    c[3].title = " ".into();
    let e = check_criteria(&c).unwrap_err();
    assert!(
        e.get("items[1].key").is_some()
            && e.get("items[2].key").is_some()
            && e.get("items[3].title").is_some()
    );
}

#[test]
fn application_lifecycle() {
    use ApplicationStatus::*;
    assert_eq!(AwaitingConfirmation.confirm(), Ok(InReview));
    assert_eq!(
        AwaitingConfirmation.decide(true),
        Err(ApplicationError::Unconfirmed)
    );
    assert_eq!(InReview.decide(true), Ok(Approved));
    assert_eq!(InReview.decide(false), Ok(Rejected));
    assert!(Approved.decide(false).is_err());
    // Only an application in review is open to vouches and a decision.
    for s in ApplicationStatus::ALL {
        assert_eq!(s.review().is_ok(), s == InReview, "{s:?}");
    }
    assert_eq!(AwaitingConfirmation.expire(), Ok(Expired));
    assert!(InReview.expire().is_err());
    for s in ApplicationStatus::ALL {
        assert_eq!(ApplicationStatus::parse(s.as_str()), Ok(s));
    }
}

#[test]
fn answers_must_cover_every_criterion() {
    let criteria = default_criteria();
    let mut answers: BTreeMap<String, String> = criteria
        .iter()
        .map(|c| (c.key.clone(), "yes".into()))
        .collect();
    let mut e = FieldErrors::new();
    check_answers(&criteria, &answers, &mut e);
    assert!(e.is_empty());
    answers.insert("user_base".into(), " ".into());
    answers.insert("bribes".into(), "x".into());
    check_answers(&criteria, &answers, &mut e);
    assert!(e.get("criteria.user_base").is_some());
    assert!(e.get("criteria.bribes").is_some());
}

#[test]
fn organizations_need_a_site_an_alias_and_contacts() {
    let input = OrganizationInput {
        organization: "Distro".into(),
        website: "ftp://x".into(),
        security_alias: "nope".into(),
        contacts: vec![
            ContactInput {
                name: "A".into(),
                email: "a@distro.example".into(),
                openpgp_key: None,
            },
            ContactInput {
                name: "B".into(),
                email: "a@distro.example".into(),
                openpgp_key: None,
            },
        ],
    };
    let mut e = FieldErrors::new();
    assert!(input.validate(&mut e).is_none());
    assert!(
        e.get("website").is_some()
            && e.get("security_alias").is_some()
            && e.get("contacts[1].email").is_some()
    );
}

#[test]
fn those_who_run_the_membership_see_every_member_in_full() {
    let admin = Actor::Account {
        id: crate::domain::id::AccountId::generate(),
        role: crate::domain::account::Role::Admin,
        contact: None,
        delegate: None,
    };
    let view = MemberView::for_actor(&admin);
    assert_eq!(view, MemberView::Full);
    assert!(view.lists(MemberStatus::Active) && view.lists(MemberStatus::Removed));
}

#[test]
fn everyone_else_sees_the_directory_of_active_members() {
    use crate::domain::account::Role;
    let mut actors = vec![
        Actor::Anonymous,
        Actor::Reporter(crate::domain::id::ReportId::generate()),
    ];
    for role in [Role::Member, Role::Delegate] {
        actors.push(Actor::Account {
            id: crate::domain::id::AccountId::generate(),
            role,
            contact: None,
            delegate: None,
        });
    }
    for actor in &actors {
        let view = MemberView::for_actor(actor);
        assert_eq!(view, MemberView::Directory, "{actor:?}");
        assert!(view.lists(MemberStatus::Active));
        assert!(!view.lists(MemberStatus::Removed));
    }
}

#[test]
fn a_directory_entry_carries_only_the_name_and_the_id_to_pick_it_by() {
    let e = DirectoryEntry {
        id: "mem_1",
        organization: "Distro",
    };
    let v = serde_json::to_value(&e).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "organization"]);
}
