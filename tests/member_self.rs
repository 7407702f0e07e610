//! A member contact's own keys and organisation: uploads checked, reminders
//! before expiry, contacts added and removed, leaving the list.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestApp, link_in};
use crate::membership::founding_member;

const ALICE: &str = include_str!("data/keys/ed25519_cv25519.asc");
const BOB_EXPIRES_2028: &str = include_str!("data/keys/rsa3072.asc");
const SIGN_ONLY: &str = include_str!("data/keys/sign_only.asc");

#[tokio::test]
async fn a_key_is_checked_on_upload_and_replaces_the_previous_one() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, contact) = founding_member(&app, &admin, "Distro", "alice@example.org").await;
    let bad = app
        .post(
            "/api/v1/me/keys",
            Some(&contact),
            json!({ "armored": SIGN_ONLY }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json()["errors"]["armored"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("encrypt"),
        "{}",
        bad.text()
    );
    let garbage = app
        .post(
            "/api/v1/me/keys",
            Some(&contact),
            json!({ "armored": "hello" }),
        )
        .await;
    assert_eq!(garbage.status, StatusCode::UNPROCESSABLE_ENTITY);

    let first = app
        .post(
            "/api/v1/me/keys",
            Some(&contact),
            json!({ "armored": ALICE }),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert_eq!(
        first.json()["fingerprint"],
        "ADCB187C8A7C644B0BB2DDFE5AD6B343E302344B"
    );
    assert_eq!(first.json()["warnings"], json!([]));
    let second = app
        .post(
            "/api/v1/me/keys",
            Some(&contact),
            json!({ "armored": BOB_EXPIRES_2028 }),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert!(
        second.json()["warnings"][0]
            .as_str()
            .unwrap()
            .contains("alice@example.org"),
        "a uid mismatch only warns"
    );
    let list = app.get("/api/v1/me/keys", Some(&contact)).await.json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items[0]["replaced_at"].is_null() && items[1]["replaced_at"].is_number(),
        "one current key"
    );
    let retire = |id: String| {
        let (app, contact) = (&app, &contact);
        async move {
            app.api(
                Method::DELETE,
                &format!("/api/v1/me/keys/{id}"),
                Some(contact),
                None,
            )
            .await
            .status
        }
    };
    let (current, replaced) = (
        items[0]["id"].as_str().unwrap(),
        items[1]["id"].as_str().unwrap(),
    );
    assert_eq!(retire(current.to_owned()).await, StatusCode::NO_CONTENT);
    let retired = app.get("/api/v1/me/keys", Some(&contact)).await.json();
    assert!(retired["items"][0]["replaced_at"].is_number(), "{retired}");
    assert_eq!(
        app.count("audit_events WHERE action = 'key.retired'").await,
        1
    );
    // Retiring a key that is retired already (again, or replaced by a newer
    // upload) changes nothing and is no error: it is not "not found".
    assert_eq!(retire(current.to_owned()).await, StatusCode::NO_CONTENT);
    assert_eq!(retire(replaced.to_owned()).await, StatusCode::NO_CONTENT);
    assert_eq!(
        app.count("audit_events WHERE action = 'key.retired'").await,
        1
    );
    assert_eq!(retire("key_none".to_owned()).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reminders_go_out_30_and_7_days_before_a_key_expires() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, contact) = founding_member(&app, &admin, "Distro", "bob@example.org").await;
    let resp = app
        .post(
            "/api/v1/me/keys",
            Some(&contact),
            json!({ "armored": BOB_EXPIRES_2028 }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let mut conn = app.state.db.conn().await.unwrap();
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT run_at FROM jobs WHERE kind = 'key_expiry_reminder' ORDER BY run_at",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(due.len(), 2);
    let expiry: jiff::Timestamp = "2028-01-01T12:00:00Z".parse().unwrap();
    assert_eq!(due[0], expiry.as_microsecond() - 30 * 86_400 * 1_000_000);
    assert_eq!(due[1], expiry.as_microsecond() - 7 * 86_400 * 1_000_000);
    drop(conn);
    // A week before the key expires, both reminders are due.
    let week_before = due[1] + 3_600_000_000;
    app.advance(jiff::SignedDuration::from_micros(week_before - app.now()));
    app.run_jobs().await;
    let mails: Vec<_> = app
        .mails_to("bob@example.org")
        .into_iter()
        .filter(|m| m.subject.contains("expires in"))
        .collect();
    assert_eq!(mails.len(), 2);
    assert!(
        mails.iter().any(|m| m.subject.contains("30 days"))
            && mails.iter().any(|m| m.subject.contains("7 days"))
    );
}

#[tokio::test]
async fn a_contact_adds_and_removes_colleagues_and_can_leave_the_list() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, contact) = founding_member(&app, &admin, "Distro", "lead@distro.example").await;
    let own = app.get("/api/v1/me/member", Some(&contact)).await.json();
    assert_eq!(own["member"]["id"], member.as_str());
    assert_eq!(own["contacts"].as_array().unwrap().len(), 1);

    let bad = app
        .post(
            "/api/v1/me/member/contacts",
            Some(&contact),
            json!({ "name": "", "email": "nope" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let added = app
        .post(
            "/api/v1/me/member/contacts",
            Some(&contact),
            json!({ "name": "Colleague", "email": "col@distro.example" }),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let colleague = added.json()["account_id"].as_str().unwrap().to_owned();
    app.run_jobs().await;
    let mail = app
        .mails_to("col@distro.example")
        .pop()
        .expect("set-up mail");
    assert!(link_in(&mail.text, "http://embargo.test/setup/").is_some());

    let me = own["contacts"][0]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let removed = app
        .api(
            Method::DELETE,
            &format!("/api/v1/me/member/contacts/{colleague}"),
            Some(&contact),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let last = app
        .api(
            Method::DELETE,
            &format!("/api/v1/me/member/contacts/{me}"),
            Some(&contact),
            None,
        )
        .await;
    assert_eq!(last.status, StatusCode::CONFLICT, "the last contact stays");

    let left = app
        .post(
            "/api/v1/me/member/leave",
            Some(&contact),
            json!({ "reason": "product discontinued" }),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", Some(&contact)).await.status,
        StatusCode::UNAUTHORIZED,
        "access ends at once"
    );
    let list = app.get("/api/v1/members", Some(&admin)).await.json();
    let m = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == member.as_str())
        .unwrap()
        .clone();
    assert_eq!(m["status"], "removed");
    assert!(
        m["removal_reason"]
            .as_str()
            .unwrap()
            .contains("product discontinued")
    );
}

#[tokio::test]
async fn a_key_given_with_an_application_is_stored_for_the_contact() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let resp = app
        .post(
            "/api/v1/members",
            Some(&admin),
            json!({ "organization": "Keyed", "website": "https://keyed.example", "security_alias": "sec@keyed.example",
                    "contacts": [{ "name": "Alice", "email": "alice@example.org", "openpgp_key": ALICE }] }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let mut conn = app.state.db.conn().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contact_keys WHERE fingerprint = 'ADCB187C8A7C644B0BB2DDFE5AD6B343E302344B'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let bad = app
        .post(
            "/api/v1/members",
            Some(&admin),
            json!({ "organization": "Bad key", "website": "https://bad.example", "security_alias": "sec@bad.example",
                    "contacts": [{ "name": "S", "email": "s@bad.example", "openpgp_key": SIGN_ONLY }] }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["errors"]["contacts[0].openpgp_key"].is_string());
}
