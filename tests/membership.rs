//! The distribution list through the API: criteria, an application from
//! alias confirmation through vouch to approval, policy acceptance gating
//! embargoed advisories, and removal.

use axum::http::StatusCode;
use embargo::domain::account::Role;
use serde_json::{Value, json};

use crate::common::{TestApp, link_in, path_of};

/// A founding member with one contact who has an API token; returns
/// (member id, contact token).
pub async fn founding_member(
    app: &TestApp,
    admin: &str,
    org: &str,
    contact: &str,
) -> (String, String) {
    let resp = app
        .post(
            "/api/v1/members",
            Some(admin),
            json!({
                "organization": org, "website": format!("https://{}.example", org.to_lowercase()),
                "security_alias": format!("security@{}.example", org.to_lowercase()),
                "contacts": [{ "name": "Pat Contact", "email": contact }],
            }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["id"].as_str().unwrap().to_owned();
    // The contact sets up the account through the mailed link.
    let token = app.set_up_from_mail(contact).await;
    (id, token)
}

pub fn answers(app_criteria: &Value) -> Value {
    let mut m = serde_json::Map::new();
    for c in app_criteria["items"].as_array().unwrap() {
        m.insert(
            c["key"].as_str().unwrap().to_owned(),
            json!(format!("Our answer to {}", c["title"].as_str().unwrap())),
        );
    }
    Value::Object(m)
}

/// Applies for `org` (alias `sec@DOMAIN`) naming `voucher`, and follows the
/// alias's confirmation link: (application id, status url).
pub async fn confirmed_application(
    app: &TestApp,
    org: &str,
    domain: &str,
    voucher: &str,
) -> (String, String) {
    let criteria = app.get("/api/v1/criteria", None).await.json();
    let alias = format!("sec@{domain}");
    let created = app
        .post(
            "/api/v1/applications",
            None,
            json!({ "organization": org, "website": format!("https://{domain}"), "security_alias": alias,
                    "criteria": answers(&criteria), "contacts": [{ "name": "C", "email": format!("c@{domain}") }],
                    "voucher": voucher }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let created = created.json();
    app.run_jobs().await;
    let mail = app.mails_to(&alias).pop().expect("confirmation mail");
    let link =
        link_in(&mail.text, "http://embargo.test/applications/confirm/").expect("confirm link");
    assert_eq!(app.get(&path_of(&link), None).await.status, StatusCode::OK);
    // What the confirmation causes goes out: the vouch request, the
    // applicant's acknowledgement, the admins' notice.
    app.run_jobs().await;
    (
        created["id"].as_str().unwrap().to_owned(),
        created["status_url"].as_str().unwrap().to_owned(),
    )
}

pub async fn accept_current_policy(app: &TestApp, token: &str) {
    let policy = app.get("/api/v1/policy", None).await.json();
    let resp = app
        .post(
            "/api/v1/policy/accept",
            Some(token),
            json!({ "version": policy["version"] }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

#[tokio::test]
async fn criteria_are_listed_and_versioned() {
    let app = TestApp::new().await;
    let c = app.get("/api/v1/criteria", None).await.json();
    let keys: Vec<&str> = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 7);
    assert!(keys.contains(&"security_alias") && keys.contains(&"vouched"));
    assert!(c["items"][0]["title"].is_string() && c["items"][0]["description"].is_string());
    let admin = app.admin_token().await;
    let mut items = c["items"].as_array().unwrap().clone();
    items.push(
        json!({ "key": "openpgp", "title": "OpenPGP", "description": "Contacts use OpenPGP." }),
    );
    let resp = app
        .api(
            axum::http::Method::PUT,
            "/api/v1/criteria",
            Some(&admin),
            Some(json!({ "items": items })),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["version"], 2);
    assert_eq!(
        app.get("/api/v1/criteria", None).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
}

#[tokio::test]
async fn an_application_goes_from_alias_confirmation_through_a_vouch_to_approval() {
    let app = TestApp::with_config(|c| c.limits.reports_per_hour = 100).await;
    let admin = app.admin_token().await;
    let (voucher, voucher_token) =
        founding_member(&app, &admin, "Founders", "pat@founders.example").await;
    let criteria = app.get("/api/v1/criteria", None).await.json();

    let bad = app
        .post(
            "/api/v1/applications",
            None,
            json!({ "organization": "New Distro", "voucher": "mem_nope" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = bad.json()["errors"].clone();
    for f in [
        "website",
        "security_alias",
        "contacts",
        "voucher",
        "criteria.user_base",
    ] {
        assert!(errors[f].is_string(), "no error for {f}: {errors}");
    }

    let resp = app
        .post(
            "/api/v1/applications",
            None,
            json!({
                "organization": "New Distro", "website": "https://newdistro.example",
                "security_alias": "security@newdistro.example", "criteria": answers(&criteria),
                "contacts": [{ "name": "Nina New", "email": "nina@newdistro.example" }],
                "voucher": voucher,
            }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let created = resp.json();
    let id = created["id"].as_str().unwrap().to_owned();
    let status_url = created["status_url"].as_str().unwrap().to_owned();
    let status = app
        .get(&format!("/api/v1{}", path_of(&status_url)), None)
        .await
        .json();
    assert_eq!(status["status"], "awaiting_confirmation");

    // A vouch or a decision before the alias confirmed is refused.
    let early = app
        .post(
            &format!("/api/v1/applications/{id}/vouches"),
            Some(&voucher_token),
            json!({ "statement": "ok" }),
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);

    app.run_jobs().await;
    let confirm_mail = app
        .mails_to("security@newdistro.example")
        .pop()
        .expect("confirmation mail");
    let confirm = link_in(
        &confirm_mail.text,
        "http://embargo.test/applications/confirm/",
    )
    .expect("confirm link");
    let page = app.get(&path_of(&confirm), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(
        app.get(&format!("/api/v1{}", path_of(&status_url)), None)
            .await
            .json()["status"],
        "in_review"
    );

    // The named member's contact is asked to vouch, and does.
    app.run_jobs().await;
    let ask = app
        .mails_to("pat@founders.example")
        .pop()
        .expect("vouch request");
    assert!(ask.text.contains(&format!("/applications/{id}/vouch")));
    let no_vouch = app
        .post(
            &format!("/api/v1/applications/{id}/decision"),
            Some(&admin),
            json!({ "decision": "approve", "reason": "ok" }),
        )
        .await;
    assert_eq!(
        no_vouch.status,
        StatusCode::CONFLICT,
        "approval needs a vouch"
    );
    let vouched = app
        .post(
            &format!("/api/v1/applications/{id}/vouches"),
            Some(&voucher_token),
            json!({ "statement": "We have worked with them for years." }),
        )
        .await;
    assert_eq!(vouched.status, StatusCode::CREATED, "{}", vouched.text());

    let review = app
        .get(&format!("/api/v1/applications/{id}"), Some(&admin))
        .await
        .json();
    assert_eq!(
        review["vouches"][0]["statement"],
        "We have worked with them for years."
    );
    assert_eq!(review["vouches"][0]["email"], "pat@founders.example");
    assert!(review["seconds_to_confirm"].is_number());
    assert_eq!(review["answers"]["user_base"], "Our answer to User base");

    let approved = app
        .post(
            &format!("/api/v1/applications/{id}/decision"),
            Some(&admin),
            json!({ "decision": "approve", "reason": "Meets every criterion." }),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());
    let member_id = approved.json()["member_id"].as_str().unwrap().to_owned();
    app.run_jobs().await;
    let welcome = app.mails_to("security@newdistro.example").pop().unwrap();
    assert!(welcome.subject.contains("Welcome") && welcome.text.contains("Meets every criterion."));
    let setup = app
        .mails_to("nina@newdistro.example")
        .pop()
        .expect("contact set-up mail");
    assert!(link_in(&setup.text, "http://embargo.test/setup/").is_some());
    let members = app.get("/api/v1/members", None).await.json();
    assert!(
        members["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == member_id.as_str())
    );
    let done = app
        .get(&format!("/api/v1{}", path_of(&status_url)), None)
        .await
        .json();
    assert_eq!(done["status"], "approved");
    assert_eq!(done["decision_reason"], "Meets every criterion.");
}

#[tokio::test]
async fn a_confirmed_application_is_acknowledged_to_the_alias_and_the_admins_get_only_a_link() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (named, _) = founding_member(&app, &admin, "Named", "a@named.example").await;
    let (id, _) = confirmed_application(&app, "Applicant", "applicant.example", &named).await;

    let received = app
        .mails_to("sec@applicant.example")
        .into_iter()
        .find(|m| m.subject.contains("in review"))
        .expect("the applicant hears the application is in review");
    assert!(received.text.contains(&id), "{}", received.text);
    assert!(
        received.text.contains("asked Named"),
        "it names who is asked to vouch: {}",
        received.text
    );

    let notice = app
        .mails_to("admin@project.test")
        .into_iter()
        .find(|m| m.subject.starts_with("New application"))
        .expect("the admins hear of the application");
    assert!(notice.subject.contains("Applicant"));
    assert_eq!(
        link_in(&notice.text, "http://embargo.test/"),
        Some(format!("http://embargo.test/admin/applications/{id}"))
    );
    for confidential in [
        "Our answer to",
        "c@applicant.example",
        "sec@applicant.example",
    ] {
        assert!(!notice.text.contains(confidential), "{}", notice.text);
    }
}

#[tokio::test]
async fn only_the_named_members_contacts_may_vouch() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (named, _) = founding_member(&app, &admin, "Named", "a@named.example").await;
    let (_, other_token) = founding_member(&app, &admin, "Other", "b@other.example").await;
    let (id, _) = confirmed_application(&app, "X", "x.example", &named).await;
    let resp = app
        .post(
            &format!("/api/v1/applications/{id}/vouches"),
            Some(&other_token),
            json!({ "statement": "sure" }),
        )
        .await;
    // As for an application that does not exist: ids cannot be probed.
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    let (_, admin_only) = app.account("admin2@project.test", Role::Admin).await;
    let resp = app
        .post(
            &format!("/api/v1/applications/{id}/vouches"),
            Some(&admin_only),
            json!({ "statement": "sure" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_rejected_applicant_hears_why() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (named, _) = founding_member(&app, &admin, "Named", "a@named.example").await;
    let (id, _) = confirmed_application(&app, "Rebuild", "rebuild.example", &named).await;
    let no_reason = app
        .post(
            &format!("/api/v1/applications/{id}/decision"),
            Some(&admin),
            json!({ "decision": "reject" }),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let resp = app
        .post(&format!("/api/v1/applications/{id}/decision"), Some(&admin), json!({ "decision": "reject", "reason": "A rebuild of another distribution (criterion d)." }))
        .await;
    assert_eq!(resp.status, StatusCode::OK);
    app.run_jobs().await;
    let told = app.mails_to("sec@rebuild.example").pop().unwrap();
    assert!(told.text.contains("criterion d"));
    assert_eq!(app.count("members").await, 1, "no member was created");
}

#[tokio::test]
async fn a_contact_sees_embargoed_advisories_only_after_accepting_the_current_policy() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, contact) = founding_member(&app, &admin, "Distro", "c@distro.example").await;
    let id = crate::advisories::create(&app, &admin).await;
    let until = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(48))
        .unwrap();
    app.post(
        &format!("/api/v1/advisories/{id}/embargo"),
        Some(&admin),
        json!({ "until": until.to_string(), "time_zone": "UTC", "reason": "r" }),
    )
    .await;
    // Announced to every active member: the organisation is in its audience.
    let announced = crate::announcements::announce(&app, &admin, &id, json!({})).await;
    assert_eq!(
        announced.status,
        StatusCode::CREATED,
        "{}",
        announced.text()
    );
    let path = format!("/api/v1/advisories/{id}");
    assert_eq!(
        app.get(&path, Some(&contact)).await.status,
        StatusCode::FORBIDDEN
    );
    let wrong = app
        .post(
            "/api/v1/policy/accept",
            Some(&contact),
            json!({ "version": 99 }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);
    accept_current_policy(&app, &contact).await;
    let seen = app.get(&path, Some(&contact)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text());
    assert_eq!(seen.json()["state"], "embargoed");
    assert_eq!(
        app.get(&format!("{path}/history"), Some(&contact))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A draft is not distributed: a contact cannot see it.
    let draft = crate::advisories::create(&app, &admin).await;
    assert_eq!(
        app.get(&format!("/api/v1/advisories/{draft}"), Some(&contact))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A new policy version pauses access until it is accepted again.
    let v2 = app
        .post(
            "/api/v1/policy",
            Some(&admin),
            json!({ "text": "# Policy v2\n\nStricter." }),
        )
        .await;
    assert_eq!(v2.status, StatusCode::CREATED);
    assert_eq!(
        app.get(&path, Some(&contact)).await.status,
        StatusCode::FORBIDDEN
    );
    app.run_jobs().await;
    assert!(
        app.mails_to("c@distro.example")
            .iter()
            .any(|m| m.subject.contains("version 2")),
        "reminder mailed"
    );
    accept_current_policy(&app, &contact).await;
    assert_eq!(app.get(&path, Some(&contact)).await.status, StatusCode::OK);
}
