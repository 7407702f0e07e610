//! Announcements: an embargoed advisory goes to the cleared contacts of the
//! list, each their own message, recorded per delivery.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::membership::{accept_current_policy, founding_member};

pub const ALICE_KEY: &str = include_str!("data/keys/ed25519_cv25519.asc");

/// An embargoed advisory, three days out.
pub async fn embargoed(app: &TestApp, admin: &str) -> String {
    let id = crate::advisories::create(app, admin).await;
    embargo_in(app, admin, &id, 72, "Europe/Berlin", "agreed").await;
    id
}

/// An embargoed advisory announced to every active member, so that their
/// cleared contacts may read it.
pub async fn announced(app: &TestApp, admin: &str) -> String {
    let id = embargoed(app, admin).await;
    let resp = announce(app, admin, &id, json!({})).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    id
}

/// Sets (or moves) `id`'s embargo to `hours` after the app's now; asserts
/// it was taken.
pub async fn embargo_in(
    app: &TestApp,
    admin: &str,
    id: &str,
    hours: i64,
    zone: &str,
    reason: &str,
) {
    let until = jiff::Timestamp::from_microsecond(app.now())
        .unwrap()
        .checked_add(jiff::SignedDuration::from_hours(hours))
        .unwrap();
    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/embargo"),
            Some(admin),
            json!({ "until": until.to_string(), "time_zone": zone, "reason": reason }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

/// A member whose contact accepted the policy; with `key`, it is uploaded.
pub async fn cleared_member(
    app: &TestApp,
    admin: &str,
    org: &str,
    email: &str,
    key: Option<&str>,
) -> (String, String) {
    let (member, token) = founding_member(app, admin, org, email).await;
    accept_current_policy(app, &token).await;
    if let Some(key) = key {
        let up = app
            .post("/api/v1/me/keys", Some(&token), json!({ "armored": key }))
            .await;
        assert_eq!(up.status, StatusCode::CREATED, "{}", up.text());
    }
    (member, token)
}

pub async fn announce(
    app: &TestApp,
    admin: &str,
    id: &str,
    body: Value,
) -> crate::common::Response {
    app.post(
        &format!("/api/v1/advisories/{id}/announcements"),
        Some(admin),
        body,
    )
    .await
}

/// `GET /api/v1/announcements/{id}` of the announcement `ann` made.
pub async fn announcement_view(app: &TestApp, admin: &str, ann: &Value) -> Value {
    let id = ann["id"].as_str().unwrap();
    app.get(&format!("/api/v1/announcements/{id}"), Some(admin))
        .await
        .json()
}

pub fn deliveries_by_email(announcement: &Value) -> std::collections::BTreeMap<String, Value> {
    announcement["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["email"].as_str().unwrap().to_owned(), d.clone()))
        .collect()
}

#[tokio::test]
async fn a_key_that_expired_between_announcement_and_delivery_gets_nothing_encrypted_to_it() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let bob = include_str!("data/keys/rsa3072.asc"); // expires 2028-01-01 12:00 UTC
    cleared_member(&app, &admin, "Distro", "bob@example.org", Some(bob)).await;
    let id = crate::advisories::create(&app, &admin).await;
    let embargo = json!({
        "until": "2028-06-01T12:00:00Z", "time_zone": "UTC", "reason": "a long one",
        "override_reason": "the fix needs a release cycle",
    });
    let set = app
        .post(
            &format!("/api/v1/advisories/{id}/embargo"),
            Some(&admin),
            embargo,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let resp = announce(&app, &admin, &id, json!({})).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let ann = resp.json()["id"].as_str().unwrap().to_owned();

    let expired: jiff::Timestamp = "2028-01-02T00:00:00Z".parse().unwrap();
    app.advance(jiff::SignedDuration::from_micros(
        expired.as_microsecond() - app.now(),
    ));
    app.run_jobs().await;
    let view = app
        .get(&format!("/api/v1/announcements/{ann}"), Some(&admin))
        .await
        .json();
    let bob = &deliveries_by_email(&view)["bob@example.org"];
    assert_eq!(bob["kind"], "encrypted");
    assert_eq!(bob["state"], "failed", "{bob}");
    assert!(
        bob["answer"].as_str().unwrap().contains("no usable key"),
        "{bob}"
    );
    assert!(
        app.mails_to("bob@example.org")
            .iter()
            .all(|m| m.encrypted.is_none())
    );
}

#[tokio::test]
async fn only_an_embargoed_advisory_is_announced_and_the_refusal_says_why() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let draft = crate::advisories::create(&app, &admin).await;
    let refused = announce(&app, &admin, &draft, json!({})).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.text().contains("draft"), "{}", refused.text());
    let missing = announce(&app, &admin, "SA-2026-9999", json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("announcements").await, 0);
}

#[tokio::test]
async fn recipients_are_the_cleared_contacts_and_a_contact_without_a_key_gets_only_a_notice() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    cleared_member(&app, &admin, "Keyed", "alice@example.org", Some(ALICE_KEY)).await;
    cleared_member(&app, &admin, "Keyless", "kim@keyless.example", None).await;
    // A contact who never accepted the policy gets nothing about it.
    founding_member(&app, &admin, "Unaccepted", "una@unaccepted.example").await;
    let id = embargoed(&app, &admin).await;

    let resp = announce(
        &app,
        &admin,
        &id,
        json!({ "note": "Please *test* the fix." }),
    )
    .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let created = resp.json();
    assert_eq!(created["recipients"], 2);
    let ann = created["id"].as_str().unwrap().to_owned();

    let view = app
        .get(&format!("/api/v1/announcements/{ann}"), Some(&admin))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text());
    let view = view.json();
    assert_eq!(view["advisory_id"], id.as_str());
    let by = deliveries_by_email(&view);
    assert_eq!(by.len(), 2);
    assert_eq!(by["alice@example.org"]["kind"], "encrypted");
    assert_eq!(by["kim@keyless.example"]["kind"], "notice");
    assert!(by.values().all(|d| d["state"] == "queued"));

    app.run_jobs().await;
    assert!(
        app.mails_to("una@unaccepted.example")
            .iter()
            .all(|m| !m.text.contains(&id))
    );
    let notice = app.mails_to("kim@keyless.example");
    let notice: Vec<_> = notice.iter().filter(|m| m.list_id.is_some()).collect();
    assert_eq!(notice.len(), 1, "one message per recipient");
    let notice = notice[0];
    assert_eq!(notice.to, vec!["kim@keyless.example".to_owned()]);
    assert!(notice.encrypted.is_none());
    assert!(
        notice.text.contains(&format!("/member/advisories/{id}")),
        "{}",
        notice.text
    );
    let summary = crate::advisories::advisory_body()["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    for m in app.mails() {
        assert!(
            !m.subject.contains(&summary),
            "the advisory's summary leaked in clear: {}",
            m.subject
        );
        assert!(
            !m.text.contains(&summary),
            "the advisory leaked in clear to {:?}",
            m.to
        );
        assert!(
            !m.text.contains("crafted"),
            "the advisory leaked in clear to {:?}",
            m.to
        );
    }
    let envelope = notice.envelope_from.as_deref().unwrap();
    assert!(envelope.starts_with("security+bounces-dlv_"), "{envelope}");

    let view = app
        .get(&format!("/api/v1/announcements/{ann}"), Some(&admin))
        .await
        .json();
    let by = deliveries_by_email(&view);
    assert_eq!(by["kim@keyless.example"]["state"], "sent");
    assert_eq!(
        by["alice@example.org"]["state"], "sent",
        "{}",
        by["alice@example.org"]
    );
    assert_eq!(by["kim@keyless.example"]["attempts"], 1);
    assert_eq!(
        by["kim@keyless.example"]["message_id"].as_str().unwrap(),
        notice.message_id
    );
}

#[tokio::test]
async fn chosen_members_only_and_an_unknown_member_is_refused_with_nothing_written() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (one, _) = cleared_member(&app, &admin, "One", "one@one.example", None).await;
    cleared_member(&app, &admin, "Two", "two@two.example", None).await;
    let id = embargoed(&app, &admin).await;

    let refused = announce(
        &app,
        &admin,
        &id,
        json!({ "members": ["mem_aaaaaaaaaaaaaaaa"] }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    assert!(refused.json()["errors"]["members"].is_string());
    assert_eq!(app.count("announcements").await, 0);
    assert_eq!(app.count("deliveries").await, 0);

    let resp = announce(&app, &admin, &id, json!({ "members": [one] })).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    assert_eq!(resp.json()["recipients"], 1);
    app.run_jobs().await;
    assert!(
        app.mails_to("two@two.example")
            .iter()
            .all(|m| m.list_id.is_none())
    );
    assert_eq!(
        app.mails_to("one@one.example")
            .iter()
            .filter(|m| m.list_id.is_some())
            .count(),
        1
    );
}

#[tokio::test]
async fn a_delivery_that_was_sent_is_not_sent_again_when_its_job_runs_again() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    cleared_member(&app, &admin, "One", "one@one.example", None).await;
    let id = embargoed(&app, &admin).await;
    assert_eq!(
        announce(&app, &admin, &id, json!({})).await.status,
        StatusCode::CREATED
    );
    app.run_jobs().await;
    let mut conn = app.state.db.conn().await.unwrap();
    let delivery: String = sqlx::query_scalar("SELECT id FROM deliveries")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    // The job again, as after a crash between sending and recording.
    embargo::app::announcements::deliver(&app.state, &delivery, false)
        .await
        .unwrap();
    let list_mails = app
        .mails_to("one@one.example")
        .into_iter()
        .filter(|m| m.list_id.is_some())
        .count();
    assert_eq!(list_mails, 1);
}

#[tokio::test]
async fn a_bounce_to_a_deliverys_envelope_address_marks_it_bounced_and_is_no_report() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    cleared_member(&app, &admin, "One", "one@one.example", None).await;
    let id = embargoed(&app, &admin).await;
    let ann = announce(&app, &admin, &id, json!({})).await.json();
    app.run_jobs().await;
    let sent = app.mails_to("one@one.example");
    let sent = sent.iter().find(|m| m.list_id.is_some()).unwrap();
    let verp = sent.envelope_from.clone().unwrap();
    let reports_before = app.count("reports").await;
    let dsn = format!(
        "From: MAILER-DAEMON@mx.one.example\r\nTo: {verp}\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Message-ID: <dsn1@mx.one.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.one.example\r\n\r\n\
         Final-Recipient: rfc822; one@one.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 <one@one.example>: mailbox unknown\r\n\r\n--b--\r\n"
    );
    let outcome = embargo::app::ingest::ingest(&app.state, dsn.as_bytes())
        .await
        .unwrap();
    assert!(
        matches!(outcome, embargo::app::ingest::Outcome::Bounce(_)),
        "{outcome:?}"
    );
    assert_eq!(
        app.count("reports").await,
        reports_before,
        "a bounce is not a report"
    );
    let view = announcement_view(&app, &admin, &ann).await;
    let d = &view["deliveries"][0];
    assert_eq!(d["state"], "bounced");
    assert!(
        d["answer"].as_str().unwrap().contains("mailbox unknown"),
        "{d}"
    );
}

#[tokio::test]
async fn a_delivery_whose_job_died_with_its_process_fails_and_an_admin_retry_sends_it() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    cleared_member(&app, &admin, "One", "one@one.example", None).await;
    let id = embargoed(&app, &admin).await;
    assert_eq!(
        announce(&app, &admin, &id, json!({})).await.status,
        StatusCode::CREATED
    );
    // The last attempt was running in a process that died mid-send: its
    // lease ran out with the delivery `sending`.
    let mut conn = app.state.db.conn().await.unwrap();
    for sql in [
        "UPDATE jobs SET state = 'running', attempts = max_attempts, locked_until = 0, \
         lease_token = 'gone' WHERE kind = 'deliver'",
        "UPDATE deliveries SET state = 'sending', attempts = 8",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    drop(conn);
    app.run_jobs().await;
    let job: String =
        sqlx::query_scalar("SELECT id FROM jobs WHERE kind = 'deliver' AND state = 'dead'")
            .fetch_one(&mut *app.state.db.conn().await.unwrap())
            .await
            .unwrap();
    let (state, answer): (String, String) = sqlx::query_as("SELECT state, answer FROM deliveries")
        .fetch_one(&mut *app.state.db.conn().await.unwrap())
        .await
        .unwrap();
    assert_eq!(state, "failed", "not left sending");
    assert!(answer.contains("stopped"), "{answer}");
    assert!(
        app.mails_to("one@one.example")
            .iter()
            .all(|m| m.list_id.is_none())
    );

    let retry = app
        .post(
            &format!("/api/v1/jobs/{job}/retry"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert!(retry.status.is_success(), "{}", retry.text());
    app.run_jobs().await;
    let state: String = sqlx::query_scalar("SELECT state FROM deliveries")
        .fetch_one(&mut *app.state.db.conn().await.unwrap())
        .await
        .unwrap();
    assert_eq!(state, "sent");
    let list_mails = app
        .mails_to("one@one.example")
        .into_iter()
        .filter(|m| m.list_id.is_some())
        .count();
    assert_eq!(list_mails, 1);
}
