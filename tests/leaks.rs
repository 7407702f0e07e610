//! Leaks: reported by the member (or an admin), told to the admins by a
//! link only, reviewed in a retrospective the member comments on, closed;
//! strikes lead to a removal proposal; nobody reads another member's.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::announcements::{announced, embargoed};
use crate::common::TestApp;
use crate::membership::founding_member;

const ADMIN: &str = "admin@project.test";
const SECRET: &str = "the unpublished patch for the heap overflow";

pub async fn report_leak(app: &TestApp, token: &str, body: Value) -> crate::common::Response {
    app.post("/api/v1/leaks", Some(token), body).await
}

fn leak_body(advisory: &str) -> Value {
    json!({
        "advisory_id": advisory, "what": SECRET, "to_whom": "a journalist at example.net",
        "when": "2026-11-28 14:00 UTC", "how_found": "they asked us about it",
        "containment": "they agreed to wait",
    })
}

async fn retrospective(app: &TestApp, admin: &str, leak: &str, actions: Value) -> u16 {
    let resp = app
        .api(
            Method::PUT,
            &format!("/api/v1/leaks/{leak}/retrospective"),
            Some(admin),
            Some(json!({
                "findings": "Forwarded to a personal address.",
                "root_cause": "A mail filter rule.",
                "actions": actions,
            })),
        )
        .await;
    resp.status.as_u16()
}

#[tokio::test]
async fn a_members_leak_reaches_the_admins_by_a_link_only_and_nobody_else_reads_it() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, leaker) = founding_member(&app, &admin, "Leaky", "pat@leaky.example").await;
    let (_, other) = founding_member(&app, &admin, "Other", "sam@other.example").await;
    let advisory = announced(&app, &admin).await;

    let resp = report_leak(&app, &leaker, leak_body(&advisory)).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["id"].as_str().unwrap().to_owned();
    app.run_jobs().await;
    let mails = app.mails_to(ADMIN);
    let mail = mails
        .iter()
        .find(|m| m.subject.contains("Leak reported"))
        .expect("the admins are told");
    assert!(
        mail.text.contains(&format!("/admin/leaks/{id}")),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains(SECRET) && !mail.subject.contains(SECRET));
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'leak.reported'")
            .fetch_all(&mut *app.state.db.conn().await.unwrap())
            .await
            .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(!audit[0].contains(SECRET), "the audit log holds ids only");

    // The member's own contact and the admins read it; nobody else does.
    let own = app.get(&format!("/api/v1/leaks/{id}"), Some(&leaker)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json()["what"], SECRET);
    assert_eq!(own.json()["member_id"], member.as_str());
    assert_eq!(
        app.get(&format!("/api/v1/leaks/{id}"), Some(&admin))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/leaks/{id}"), Some(&other))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/leaks/{id}"), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let list = format!("/api/v1/members/{member}/leaks");
    assert_eq!(
        app.get(&list, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    let mine = app.get(&list, Some(&leaker)).await.json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["strikes"], 1);
    assert_eq!(mine["removal_proposed"], false);
    // Another member cannot report a leak in this member's name.
    let mut body = leak_body(&advisory);
    body["member_id"] = member.clone().into();
    assert_eq!(
        report_leak(&app, &other, body).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn what_and_to_whom_are_required_and_a_refusal_writes_nothing() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, leaker) = founding_member(&app, &admin, "Leaky", "pat@leaky.example").await;
    let advisory = embargoed(&app, &admin).await;
    let unannounced = report_leak(&app, &leaker, leak_body(&advisory)).await;
    assert_eq!(
        unannounced.status,
        StatusCode::CONFLICT,
        "not announced to it"
    );
    let resp = crate::announcements::announce(&app, &admin, &advisory, json!({})).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let resp = report_leak(
        &app,
        &leaker,
        json!({ "advisory_id": advisory, "what": " ", "to_whom": "" }),
    )
    .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp.json()["errors"]["what"], "is required");
    assert_eq!(resp.json()["errors"]["to_whom"], "is required");
    // An admin names the member; a draft is unknown to a member.
    let resp = report_leak(&app, &admin, leak_body(&advisory)).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp.json()["errors"]["member_id"], "is required");
    let draft = crate::advisories::create(&app, &admin).await;
    let resp = report_leak(&app, &leaker, leak_body(&draft)).await;
    assert_eq!(resp.status, StatusCode::CONFLICT);
    assert_eq!(resp.json()["errors"]["advisory_id"], "no such advisory");
    assert_eq!(app.count("leaks").await, 0);
}

#[tokio::test]
async fn a_retrospective_is_written_commented_on_by_the_member_and_closed() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, leaker) = founding_member(&app, &admin, "Leaky", "pat@leaky.example").await;
    let (_, other) = founding_member(&app, &admin, "Other", "sam@other.example").await;
    let advisory = announced(&app, &admin).await;
    let id = report_leak(&app, &leaker, leak_body(&advisory))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let close = format!("/api/v1/leaks/{id}/close");
    let resp = app.post(&close, Some(&admin), json!({})).await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "no retrospective yet");

    let open = json!([
        { "what": "Remove the forwarding rule", "owner": "Leaky IT", "due": "2026-12-05" },
        { "what": "Train the team", "owner": "Pat", "state": "dropped" },
    ]);
    assert_eq!(
        retrospective(&app, &admin, &id, open).await,
        422,
        "a drop needs its reason"
    );
    let open = json!([{ "what": "Remove the forwarding rule", "owner": "Leaky IT" }]);
    assert_eq!(retrospective(&app, &admin, &id, open).await, 200);
    assert_eq!(retrospective(&app, &leaker, &id, json!([])).await, 403);

    let read = app
        .get(&format!("/api/v1/leaks/{id}"), Some(&leaker))
        .await
        .json();
    assert_eq!(read["retrospective"]["root_cause"], "A mail filter rule.");
    assert_eq!(read["retrospective"]["actions"][0]["state"], "open");
    let comments = format!("/api/v1/leaks/{id}/comments");
    let resp = app
        .post(
            &comments,
            Some(&leaker),
            json!({ "body": "The rule is gone since Monday." }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let resp = app
        .post(&comments, Some(&other), json!({ "body": "hi" }))
        .await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);

    let resp = app.post(&close, Some(&admin), json!({})).await;
    assert_eq!(resp.status, StatusCode::CONFLICT);
    assert!(
        resp.text().contains("1 action(s) still open"),
        "{}",
        resp.text()
    );
    let done = json!([
        { "what": "Remove the forwarding rule", "owner": "Leaky IT", "state": "done" },
        { "what": "Train the team", "owner": "Pat", "state": "dropped", "reason": "covered by the rule" },
    ]);
    assert_eq!(retrospective(&app, &admin, &id, done).await, 200);
    assert_eq!(
        app.post(&close, Some(&leaker), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&close, Some(&admin), json!({})).await.status,
        StatusCode::OK
    );
    let read = app
        .get(&format!("/api/v1/leaks/{id}"), Some(&leaker))
        .await
        .json();
    assert_eq!(read["state"], "closed");
    assert_eq!(
        read["comments"][0]["body"],
        "The rule is gone since Monday."
    );
    assert_eq!(read["comments"][0]["email"], "pat@leaky.example");
    assert_eq!(
        retrospective(&app, &admin, &id, json!([])).await,
        409,
        "a closed retrospective no longer changes"
    );
}

#[tokio::test]
async fn a_second_counted_leak_proposes_removal_and_a_withdrawn_one_does_not_count() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, leaker) = founding_member(&app, &admin, "Leaky", "pat@leaky.example").await;
    let advisory = announced(&app, &admin).await;
    let first = report_leak(&app, &leaker, leak_body(&advisory))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = app
        .post(
            &format!("/api/v1/leaks/{first}/withdraw"),
            Some(&admin),
            json!({ "reason": "It was published already." }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    // By an admin this time, naming the member.
    let mut body = leak_body(&advisory);
    body["member_id"] = member.clone().into();
    assert_eq!(
        report_leak(&app, &admin, body.clone()).await.status,
        StatusCode::CREATED
    );
    app.run_jobs().await;
    let proposals = |app: &TestApp| {
        app.mails_to(ADMIN)
            .into_iter()
            .filter(|m| m.subject.starts_with("Removal proposed"))
            .count()
    };
    assert_eq!(proposals(&app), 0, "the withdrawn record is no strike");
    let list = format!("/api/v1/members/{member}/leaks");
    let v = app.get(&list, Some(&admin)).await.json();
    assert_eq!(
        (v["strikes"].clone(), v["removal_proposed"].clone()),
        (json!(1), json!(false))
    );

    // A year later the first counted leak has left the window.
    app.advance(jiff::SignedDuration::from_hours(24 * 366));
    assert_eq!(
        report_leak(&app, &admin, body.clone()).await.status,
        StatusCode::CREATED
    );
    app.run_jobs().await;
    assert_eq!(proposals(&app), 0);
    assert_eq!(
        report_leak(&app, &admin, body).await.status,
        StatusCode::CREATED
    );
    app.run_jobs().await;
    assert_eq!(proposals(&app), 1);
    let mail = app
        .mails_to(ADMIN)
        .into_iter()
        .find(|m| m.subject.starts_with("Removal proposed"))
        .unwrap();
    assert!(mail.text.contains(&format!("/admin/members/{member}")));
    assert!(!mail.text.contains(SECRET));
    let v = app.get(&list, Some(&leaker)).await.json();
    assert_eq!(v["strikes"], 2);
    assert_eq!(v["removal_proposed"], true);
    assert_eq!(v["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn the_list_is_told_of_a_leak_encrypted_as_announcements_are() {
    use crate::announcements::{ALICE_KEY, announce, cleared_member};
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, leaker) = cleared_member(
        &app,
        &admin,
        "Leaky",
        "alice@leaky.example",
        Some(ALICE_KEY),
    )
    .await;
    cleared_member(&app, &admin, "Keyless", "kim@keyless.example", None).await;
    let advisory = embargoed(&app, &admin).await;
    let never = embargoed(&app, &admin).await;
    let resp = announce(&app, &admin, &advisory, json!({})).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    app.run_jobs().await;
    let id = report_leak(&app, &leaker, leak_body(&advisory))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let notice = format!("/api/v1/leaks/{id}/notice");
    let told = "A patch reached a public forum; the embargo holds.";
    assert_eq!(
        app.post(&notice, Some(&leaker), json!({ "text": told }))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let resp = app
        .post(&notice, Some(&admin), json!({ "text": told }))
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    assert_eq!(resp.json()["recipients"], 2);
    app.run_jobs().await;
    let last = |email: &str| app.mails_to(email).into_iter().last().unwrap();
    let keyed = last("alice@leaky.example");
    assert!(
        keyed.encrypted.is_some(),
        "encrypted to the recipient's key"
    );
    assert!(!keyed.text.contains(told) && !keyed.subject.contains(told));
    let keyless = last("kim@keyless.example");
    assert!(keyless.encrypted.is_none() && keyless.subject.contains("a notice about a leak"));
    assert!(!keyless.text.contains(told) && !keyless.text.contains(&advisory));

    // A leak of an advisory the list never got (recorded by an admin):
    // nobody to tell.
    let mut body = leak_body(&never);
    body["member_id"] = member.into();
    let other = report_leak(&app, &admin, body).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = app
        .post(
            &format!("/api/v1/leaks/{other}/notice"),
            Some(&admin),
            json!({ "text": told }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CONFLICT);
}
