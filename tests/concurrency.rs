//! Two requests racing on the same thing: exactly one wins and nothing is
//! left half applied, on SQLite and on PostgreSQL. Each race is run a few
//! times, since which side reaches the database first varies.

use embargo::app::advisories::{self, AdvisoryError, EmbargoRequest};
use embargo::app::ingest::{Outcome, ingest};
use embargo::app::reports::{TriageError, change_status};
use embargo::db::audit::Actor;
use embargo::domain::advisory::{AdvisoryId, AdvisoryState};
use embargo::domain::id::{AccountId, ReportId};
use embargo::domain::report::ReportStatus;
use serde_json::json;

use crate::common::TestApp;

const ROUNDS: usize = 8;
const ALICE: &str = include_str!("data/keys/ed25519_cv25519.asc");

fn in_hours(h: i64) -> String {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(h))
        .unwrap()
        .to_string()
}

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(bind.to_owned())
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_embargo_set_while_the_lift_publishes_is_refused_and_the_advisory_stays_published() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let actor = Actor::cli();
    for round in 0..ROUNDS {
        let id = crate::advisories::create(&app, &admin).await;
        let first = in_hours(48);
        let req = |until: &'static str| EmbargoRequest {
            until,
            time_zone: "UTC",
            reason: "agreed",
            override_reason: "",
        };
        let first: &'static str = Box::leak(first.into_boxed_str());
        advisories::set_embargo(&app.state, &actor, &id, req(first))
            .await
            .unwrap();
        let until = advisories::load(&app.state, &id)
            .await
            .unwrap()
            .embargo_until
            .unwrap();
        let later: &'static str = Box::leak(in_hours(72).into_boxed_str());
        let (moved, lifted) = tokio::join!(
            advisories::set_embargo(&app.state, &actor, &id, req(later)),
            advisories::lift_embargo(&app.state, &id, until),
        );
        lifted.unwrap();
        let row = advisories::load(&app.state, &id).await.unwrap();
        match moved {
            Ok(_) => {
                assert_eq!(row.state, AdvisoryState::Embargoed, "round {round}");
                assert_eq!(row.published_at, None, "round {round}: moved and published");
            }
            Err(AdvisoryError::Stale | AdvisoryError::State(_)) => {
                assert_eq!(row.state, AdvisoryState::Published, "round {round}");
                assert_eq!(row.embargo_until, Some(until), "round {round}");
            }
            Err(e) => panic!("round {round}: {e:?}"),
        }
    }
}

#[tokio::test]
async fn a_withdrawal_racing_a_correction_leaves_no_correction_after_the_tombstone() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let actor = Actor::cli();
    for round in 0..ROUNDS {
        let id = crate::advisories::create(&app, &admin).await;
        advisories::publish_now(&app.state, &actor, &id, "fixed")
            .await
            .unwrap();
        let mut patch = serde_json::Map::new();
        patch.insert("summary".into(), json!(format!("corrected {round}")));
        let (edited, withdrawn) = tokio::join!(
            advisories::edit(&app.state, &actor, &id, &patch, "typo"),
            advisories::withdraw(&app.state, &actor, &id, "not a bug"),
        );
        withdrawn.unwrap();
        let aid = AdvisoryId::parse(&id).unwrap();
        let mut conn = app.state.db.conn().await.unwrap();
        let versions = embargo::db::advisories::publications(&mut conn, &aid)
            .await
            .unwrap();
        let last = versions.last().unwrap();
        assert!(
            last.summary.starts_with("Withdrawn"),
            "round {round}: {:?} after the withdrawal (edit: {edited:?})",
            last.summary
        );
    }
}

#[tokio::test]
async fn two_status_changes_from_the_same_status_one_wins_and_one_mail_is_queued() {
    let app = TestApp::new().await;
    let actor = Actor::cli();
    for round in 0..ROUNDS {
        let email = format!("rita{round}@example.net");
        let (id, _) = app.report("Heap overflow", Some(&email)).await;
        let rid = ReportId::parse(&id).unwrap();
        let mut conn = app.state.db.conn().await.unwrap();
        let report = embargo::db::reports::get(&mut conn, &rid)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        let (a, b) = tokio::join!(
            change_status(
                &app.state,
                &actor,
                &report,
                ReportStatus::Invalid,
                "not a bug"
            ),
            change_status(
                &app.state,
                &actor,
                &report,
                ReportStatus::Accepted,
                "confirmed"
            ),
        );
        let wins = [&a, &b].iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "round {round}: {a:?} {b:?}");
        assert!(
            [&a, &b]
                .iter()
                .any(|r| matches!(r, Err(TriageError::Stale))),
            "round {round}: {a:?} {b:?}"
        );
        let queued = scalar(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE idempotency_key LIKE $1",
            &format!("%status:{id}:%"),
        )
        .await;
        assert_eq!(queued, 1, "round {round}: status mails queued");
    }
}

#[tokio::test]
async fn a_status_change_decided_on_a_stale_read_is_refused_as_stale() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (id, _) = app.report("Heap overflow", Some("rita@example.net")).await;
    let path = format!("/api/v1/reports/{id}/status");
    let rid = ReportId::parse(&id).unwrap();
    let mut conn = app.state.db.conn().await.unwrap();
    let stale = embargo::db::reports::get(&mut conn, &rid)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let first = app
        .post(&path, Some(&admin), json!({ "status": "triaging" }))
        .await;
    assert_eq!(first.status, 200, "{}", first.text());
    // What the second request read before the first committed.
    let lost = change_status(
        &app.state,
        &Actor::cli(),
        &stale,
        ReportStatus::Invalid,
        "spam",
    )
    .await;
    assert!(matches!(lost, Err(TriageError::Stale)), "{lost:?}");
}

/// A member with two contacts; their account ids.
async fn member_with_two_contacts(app: &TestApp, admin: &str, round: usize) -> (String, String) {
    let org = format!("Distro{round}");
    let (a, b) = (
        format!("a{round}@example.org"),
        format!("b{round}@example.org"),
    );
    let resp = app
        .post(
            "/api/v1/members",
            Some(admin),
            json!({
                "organization": org, "website": format!("https://d{round}.example"),
                "security_alias": format!("security@d{round}.example"),
                "contacts": [{ "name": "A", "email": a }, { "name": "B", "email": b }],
            }),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text());
    let mut conn = app.state.db.conn().await.unwrap();
    let mut ids = Vec::new();
    for email in [a, b] {
        let account = embargo::db::accounts::by_email(&mut conn, &email)
            .await
            .unwrap()
            .unwrap();
        ids.push(account.id.to_string());
    }
    (ids.remove(0), ids.remove(0))
}

#[tokio::test]
async fn two_contacts_removing_each_other_leave_the_member_one_contact() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let actor = Actor::cli();
    for round in 0..ROUNDS {
        let (a, b) = member_with_two_contacts(&app, &admin, round).await;
        let (a_id, b_id) = (AccountId::parse(&a).unwrap(), AccountId::parse(&b).unwrap());
        let (x, y) = tokio::join!(
            embargo::app::member_self::remove_contact(&app.state, &actor, &a_id, &b),
            embargo::app::member_self::remove_contact(&app.state, &actor, &b_id, &a),
        );
        let wins = [&x, &y].iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "round {round}: {x:?} {y:?}");
        let left = scalar(
            &app,
            "SELECT COUNT(*) FROM member_contacts c JOIN member_contacts d ON d.member_id = c.member_id \
             WHERE c.account_id = $1 AND d.removed_at IS NULL",
            &a,
        )
        .await;
        assert_eq!(left, 1, "round {round}: contacts left");
    }
}

#[tokio::test]
async fn two_key_uploads_at_once_leave_one_current_key() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let actor = Actor::cli();
    let (contact, _) = member_with_two_contacts(&app, &admin, 0).await;
    let account = AccountId::parse(&contact).unwrap();
    for round in 0..ROUNDS {
        let (x, y) = tokio::join!(
            embargo::app::keys::upload(&app.state, &actor, &account, ALICE),
            embargo::app::keys::upload(&app.state, &actor, &account, ALICE),
        );
        assert!(
            x.is_ok() && y.is_ok(),
            "round {round}: {:?} {:?}",
            x.err(),
            y.err()
        );
        let current = scalar(
            &app,
            "SELECT COUNT(*) FROM contact_keys WHERE account_id = $1 AND replaced_at IS NULL",
            &contact,
        )
        .await;
        assert_eq!(current, 1, "round {round}: current keys");
    }
}

#[tokio::test]
async fn the_same_mail_delivered_twice_at_once_is_stored_once() {
    let app = TestApp::new().await;
    for round in 0..ROUNDS {
        let new = format!(
            "From: rita@example.net\r\nTo: security@project.test\r\nSubject: Bug {round}\r\n\
             Message-ID: <new{round}@example.net>\r\n\r\nIt overflows.\r\n"
        );
        let (x, y) = tokio::join!(
            ingest(&app.state, new.as_bytes()),
            ingest(&app.state, new.as_bytes())
        );
        let outcomes = [x.unwrap(), y.unwrap()];
        let Some(id) = outcomes.iter().find_map(|o| match o {
            Outcome::NewReport(id) => Some(id.clone()),
            _ => None,
        }) else {
            panic!("round {round}: {outcomes:?}")
        };
        assert!(
            outcomes.iter().any(|o| matches!(o, Outcome::Duplicate)),
            "round {round}: {outcomes:?}"
        );
        let mut conn = app.state.db.conn().await.unwrap();
        let report = embargo::db::reports::get(&mut conn, &ReportId::parse(&id).unwrap())
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        let reply = format!(
            "From: rita@example.net\r\nTo: security+{}@project.test\r\nSubject: Re\r\n\
             Message-ID: <reply{round}@example.net>\r\n\r\nMore.\r\n",
            report.reply_tag
        );
        let (x, y) = tokio::join!(
            ingest(&app.state, reply.as_bytes()),
            ingest(&app.state, reply.as_bytes())
        );
        let outcomes = [x.unwrap(), y.unwrap()];
        assert_eq!(
            outcomes
                .iter()
                .filter(|o| matches!(o, Outcome::Duplicate))
                .count(),
            1,
            "round {round}: {outcomes:?}"
        );
        let stored = scalar(
            &app,
            "SELECT COUNT(*) FROM messages WHERE mail_message_id = $1",
            &format!("reply{round}@example.net"),
        )
        .await;
        assert_eq!(stored, 1, "round {round}");
    }
}

#[tokio::test]
async fn advisories_created_at_once_get_distinct_numbers() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    for _ in 0..ROUNDS {
        let (a, b) = tokio::join!(
            crate::advisories::create(&app, &admin),
            crate::advisories::create(&app, &admin),
        );
        assert_ne!(a, b);
    }
    assert_eq!(app.count("advisories").await, 2 * ROUNDS as i64);
}

#[tokio::test]
async fn criteria_and_policy_versions_published_at_once_get_distinct_numbers() {
    let app = TestApp::new().await;
    let actor = Actor::cli();
    let (first, seeded) = tokio::join!(
        embargo::app::membership::criteria(&app.state),
        embargo::app::membership::criteria(&app.state),
    );
    assert_eq!(first.unwrap().0, seeded.unwrap().0, "seeded once");
    let items = app.state.config.membership.criteria.clone();
    for round in 0..ROUNDS {
        let (a, b) = tokio::join!(
            embargo::app::membership::update_criteria(&app.state, &actor, items.clone()),
            embargo::app::membership::update_criteria(&app.state, &actor, items.clone()),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_ne!(a, b, "round {round}");
        let (a, b) = tokio::join!(
            embargo::app::membership::publish_policy(&app.state, &actor, "Be kind."),
            embargo::app::membership::publish_policy(&app.state, &actor, "Be kinder."),
        );
        assert_ne!(a.unwrap(), b.unwrap(), "round {round}");
    }
    assert_eq!(app.count("criteria_versions").await, 1 + 2 * ROUNDS as i64);
    assert_eq!(app.count("policy_versions").await, 1 + 2 * ROUNDS as i64);
}
