//! A member's end: removal, and applications that expire unconfirmed.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{TestApp, path_of};
use crate::membership::{accept_current_policy, answers, founding_member};

#[tokio::test]
async fn a_removed_member_loses_access_at_once() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, contact) = founding_member(&app, &admin, "Leaky", "l@leaky.example").await;
    accept_current_policy(&app, &contact).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&contact)).await.status,
        StatusCode::OK
    );
    let no_reason = app
        .post(
            &format!("/api/v1/members/{member}/removal"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let resp = app
        .post(
            &format!("/api/v1/members/{member}/removal"),
            Some(&admin),
            json!({ "reason": "repeated leaks" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", Some(&contact)).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.run_jobs().await;
    assert!(
        app.mails_to("security@leaky.example")
            .iter()
            .any(|m| m.text.contains("repeated leaks"))
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
        !app.get("/api/v1/members", None)
            .await
            .text()
            .contains(&member),
        "removed members leave the public directory"
    );
}

#[tokio::test]
async fn an_unconfirmed_application_expires_with_a_notice() {
    let app = TestApp::with_config(|c| c.membership.confirm_within_days = 1).await;
    let admin = app.admin_token().await;
    let (named, _) = founding_member(&app, &admin, "Named", "a@named.example").await;
    let criteria = app.get("/api/v1/criteria", None).await.json();
    let created = app
        .post(
            "/api/v1/applications",
            None,
            json!({ "organization": "Slow", "website": "https://slow.example", "security_alias": "sec@slow.example",
                    "criteria": answers(&criteria), "contacts": [{ "name": "S", "email": "s@slow.example" }], "voucher": named }),
        )
        .await
        .json();
    let status_url = created["status_url"].as_str().unwrap().to_owned();
    // The alias never confirms; the confirmation window (14 days) passes.
    app.advance(jiff::SignedDuration::from_hours(15 * 24));
    app.run_jobs().await;
    assert_eq!(
        app.get(&format!("/api/v1{}", path_of(&status_url)), None)
            .await
            .json()["status"],
        "expired"
    );
    assert!(
        app.mails_to("sec@slow.example")
            .iter()
            .any(|m| m.subject.contains("expired"))
    );
}

#[tokio::test]
async fn admins_see_each_members_own_contacts_and_the_public_sees_none() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (a, _) = founding_member(&app, &admin, "Alpha", "ann@alpha.example").await;
    let (b, _) = founding_member(&app, &admin, "Beta", "bob@beta.example").await;
    let list = app.get("/api/v1/members", Some(&admin)).await.json();
    let contacts_of = |id: &str| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["email"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(contacts_of(&a), ["ann@alpha.example"]);
    assert_eq!(contacts_of(&b), ["bob@beta.example"]);
    let public = app.get("/api/v1/members", None).await.json();
    assert!(public["items"][0].get("contacts").is_none());
    assert_eq!(public["items"].as_array().unwrap().len(), 2);
}
