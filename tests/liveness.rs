//! Liveness pings to members' security aliases and periodic member reviews:
//! the daily sweep pings who is due (once), the mailed link records the
//! answer and its response time, unanswered pings are overdue, reviews keep
//! or remove, and admins hear when a review is due.

use axum::http::{Method, StatusCode};
use embargo::app::liveness::{self, Swept};
use serde_json::{Value, json};

use crate::common::{TestApp, link_in, path_of};
use crate::membership::{answers, founding_member};

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;
const PING_LINK: &str = "http://embargo.test/liveness/";
/// Moves the service's clock `days` forward: members joined that long ago.
fn days_pass(app: &TestApp, days: i64) {
    app.advance(jiff::SignedDuration::from_hours(days * 24));
}

/// Runs one sweep directly and delivers its mail.
async fn sweep(app: &TestApp) -> Swept {
    let swept = app.at(liveness::sweep(&app.state)).await.unwrap();
    app.run_jobs().await;
    swept
}

/// The ping links mailed to `alias` so far.
fn ping_links(app: &TestApp, alias: &str) -> Vec<String> {
    let mails = app.mails_to(alias);
    mails
        .iter()
        .filter_map(|m| link_in(&m.text, PING_LINK))
        .collect()
}

async fn record(app: &TestApp, admin: &str, member: &str) -> Value {
    let resp = app
        .get(&format!("/api/v1/members/{member}/liveness"), Some(admin))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    resp.json()
}

#[tokio::test]
async fn a_due_ping_is_mailed_and_its_link_records_the_answer_and_response_time() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, _) = founding_member(&app, &admin, "Pingme", "pat@pingme.example").await;
    let alias = "security@pingme.example";
    assert_eq!(sweep(&app).await.pinged, 0, "a new member is not due yet");
    assert!(
        record(&app, &admin, &member).await["pings"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    days_pass(&app, 92);
    app.at(liveness::ensure_sweep(&app.state)).await.unwrap();
    app.run_jobs().await;
    let links = ping_links(&app, alias);
    assert_eq!(links.len(), 1, "one ping to the alias");
    let mail = app.mails_to(alias).pop().unwrap();
    assert!(mail.subject.contains("Pingme"), "{}", mail.subject);
    assert!(mail.text.contains("within 14 days"), "{}", mail.text);

    // Answered five hours after it was sent.
    app.advance(jiff::SignedDuration::from_hours(5));
    let page = app.page(Method::GET, &path_of(&links[0]), None, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(
        page.text().contains("is confirmed as read"),
        "{}",
        page.text()
    );

    let r = record(&app, &admin, &member).await;
    let ping = &r["pings"][0];
    assert_eq!(ping["state"], "answered", "{r}");
    assert_eq!(ping["overdue"], false);
    assert_eq!(ping["alias"], alias);
    let hours = ping["response_hours"].as_f64().unwrap();
    assert!((4.9..=5.1).contains(&hours), "response time {hours}");
    assert_eq!(r["answered"], 1);
    assert_eq!(r["overdue"], 0);
    assert!(r["next_ping_at"].as_i64().unwrap() > app.now() + 90 * DAY);

    // Following the link again, by the API this time, changes nothing.
    let api = format!("/api/v1{}", path_of(&links[0]));
    let again = app.post(&api, None, json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.json()["first_answer"], false);
    assert_eq!(again.json()["answered_at"], ping["answered_at"]);
    let answered = "audit_events WHERE action = 'member.alias_ping_answered'";
    assert_eq!(app.count(answered).await, 1, "the first answer counts");

    let fake = "madeUpPingTokenThatIsLongEnough0123456789abcd";
    let missing = app
        .page(Method::GET, &format!("/liveness/{fake}"), None, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let missing = app
        .post(&format!("/api/v1/liveness/{fake}"), None, json!({}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unanswered_ping_past_its_due_date_is_overdue() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, _) = founding_member(&app, &admin, "Silent", "pat@silent.example").await;
    days_pass(&app, 100);
    assert_eq!(sweep(&app).await.pinged, 1);
    let r = record(&app, &admin, &member).await;
    assert_eq!(r["pings"][0]["state"], "open", "not yet due: {r}");
    assert_eq!(r["pings"][0]["overdue"], false);

    // Past the answer window (14 days) by an hour.
    app.advance(jiff::SignedDuration::from_hours(14 * 24 + 1));
    let r = record(&app, &admin, &member).await;
    assert_eq!(r["pings"][0]["state"], "overdue", "{r}");
    assert_eq!(r["pings"][0]["overdue"], true);
    assert!(r["pings"][0]["answered_at"].is_null());
    assert_eq!(r["overdue"], 1);

    // A late answer is kept, and flagged as late rather than overdue.
    let link = ping_links(&app, "security@silent.example").pop().unwrap();
    app.page(Method::GET, &path_of(&link), None, None).await;
    let r = record(&app, &admin, &member).await;
    assert_eq!(r["pings"][0]["state"], "late", "{r}");
    assert_eq!(r["overdue"], 0);
}

#[tokio::test]
async fn removed_members_are_not_pinged_and_a_second_sweep_sends_nothing_twice() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    founding_member(&app, &admin, "Stays", "pat@stays.example").await;
    let (goes, _) = founding_member(&app, &admin, "Goes", "pat@goes.example").await;
    days_pass(&app, 120);
    let removal = format!("/api/v1/members/{goes}/removal");
    let removed = app
        .post(&removal, Some(&admin), json!({ "reason": "gone" }))
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text());

    // Two sweeps racing (as from two processes) send one ping.
    let (a, b) = app
        .at(async { tokio::join!(liveness::sweep(&app.state), liveness::sweep(&app.state)) })
        .await;
    assert_eq!(a.unwrap().pinged + b.unwrap().pinged, 1);

    // Two processes start the day's sweep: one sweep runs.
    app.at(liveness::ensure_sweep(&app.state)).await.unwrap();
    app.at(liveness::ensure_sweep(&app.state)).await.unwrap();
    app.run_jobs().await;
    assert_eq!(ping_links(&app, "security@stays.example").len(), 1);
    assert!(
        ping_links(&app, "security@goes.example").is_empty(),
        "removed members are not pinged"
    );

    app.at(liveness::ensure_sweep(&app.state)).await.unwrap();
    app.run_jobs().await;
    assert_eq!(sweep(&app).await, Swept::default(), "nothing is due again");
    assert_eq!(
        ping_links(&app, "security@stays.example").len(),
        1,
        "no second ping"
    );
    assert_eq!(app.count("alias_pings").await, 1);

    // Today's sweep ran; tomorrow's waits.
    let mut conn = app.state.db.conn().await.unwrap();
    let sweeps: Vec<(String, i64)> = sqlx::query_as(
        "SELECT state, run_at FROM jobs WHERE kind = 'liveness_sweep' ORDER BY run_at",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(sweeps.len(), 2, "{sweeps:?}");
    assert_eq!(sweeps[0].0, "done");
    assert_eq!(sweeps[1].0, "queued");
    assert!(sweeps[1].1 > app.now() + 23 * HOUR);
}

#[tokio::test]
async fn admins_hear_once_when_a_review_is_due_and_a_review_resets_it() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, _) = founding_member(&app, &admin, "Yearly", "pat@yearly.example").await;
    assert_eq!(sweep(&app).await.reviews_due, 0);
    days_pass(&app, 366);
    assert_eq!(sweep(&app).await.reviews_due, 1);
    let due = app.mails_to("admin@project.test");
    let due: Vec<_> = due
        .iter()
        .filter(|m| m.subject.contains("review"))
        .collect();
    assert_eq!(due.len(), 1);
    assert!(due[0].text.contains("Yearly"), "{}", due[0].text);
    assert!(
        due[0]
            .text
            .contains(&format!("http://embargo.test/admin/members/{member}"))
    );
    assert_eq!(sweep(&app).await.reviews_due, 0, "told once");

    let reviews = format!("/api/v1/members/{member}/reviews");
    let list = app.get(&reviews, Some(&admin)).await.json();
    assert!(list["review_due_at"].as_i64().unwrap() < app.now());
    let kept = app
        .post(
            &reviews,
            Some(&admin),
            json!({ "outcome": "keep", "notes": "Active and helpful." }),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text());
    assert_eq!(kept.json()["member_status"], "active");
    let list = app.get(&reviews, Some(&admin)).await.json();
    assert_eq!(list["items"][0]["outcome"], "keep");
    assert_eq!(list["items"][0]["notes"], "Active and helpful.");
    assert!(list["review_due_at"].as_i64().unwrap() > app.now() + 364 * DAY);
    assert_eq!(sweep(&app).await.reviews_due, 0);
}

#[tokio::test]
async fn a_review_that_removes_ends_the_members_access() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, contact) = founding_member(&app, &admin, "Leaky", "pat@leaky.example").await;
    assert_eq!(
        app.get("/api/v1/me", Some(&contact)).await.status,
        StatusCode::OK
    );
    let reviews = format!("/api/v1/members/{member}/reviews");
    for (body, field) in [
        (json!({ "outcome": "drop" }), "outcome"),
        (json!({ "outcome": "remove", "notes": " " }), "notes"),
    ] {
        let bad = app.post(&reviews, Some(&admin), body).await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            bad.text()
        );
        assert!(bad.json()["errors"][field].is_string(), "{}", bad.text());
    }
    let body = json!({ "outcome": "remove", "notes": "Leaked an embargoed advisory." });
    let removed = app.post(&reviews, Some(&admin), body.clone()).await;
    assert_eq!(removed.status, StatusCode::CREATED, "{}", removed.text());
    assert_eq!(removed.json()["member_status"], "removed");
    assert_eq!(
        app.get("/api/v1/me", Some(&contact)).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.run_jobs().await;
    let notice = app.mails_to("security@leaky.example").pop().unwrap();
    assert!(
        notice.text.contains("Leaked an embargoed advisory."),
        "{}",
        notice.text
    );
    let list = app.get(&reviews, Some(&admin)).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["outcome"], "remove");
    assert!(
        list["review_due_at"].is_null(),
        "no review of a removed member"
    );
    let again = app.post(&reviews, Some(&admin), body).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let none = app.post(
        "/api/v1/members/mem_aaaaaaaaaaaaaaaa/reviews",
        Some(&admin),
        json!({ "outcome": "keep" }),
    );
    assert_eq!(none.await.status, StatusCode::NOT_FOUND);
}

/// A member admitted through an application, so it has criteria answers,
/// and the founding member that vouched for it: (admitted, founder).
async fn admitted_member(app: &TestApp, admin: &str) -> (String, String) {
    let (voucher, voucher_token) =
        founding_member(app, admin, "Founders", "pat@founders.example").await;
    let criteria = app.get("/api/v1/criteria", None).await.json();
    let application = json!({
        "organization": "Newcomer", "website": "https://newcomer.example",
        "security_alias": "security@newcomer.example", "criteria": answers(&criteria),
        "contacts": [{ "name": "Nina", "email": "nina@newcomer.example" }], "voucher": voucher,
    });
    let resp = app.post("/api/v1/applications", None, application).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["id"].as_str().unwrap().to_owned();
    app.run_jobs().await;
    let mail = app.mails_to("security@newcomer.example").pop().unwrap();
    let confirm = link_in(&mail.text, "http://embargo.test/applications/confirm/").unwrap();
    assert_eq!(
        app.get(&path_of(&confirm), None).await.status,
        StatusCode::OK
    );
    let vouch = json!({ "statement": "We know them." });
    let vouched = app
        .post(
            &format!("/api/v1/applications/{id}/vouches"),
            Some(&voucher_token),
            vouch,
        )
        .await;
    assert_eq!(vouched.status, StatusCode::CREATED, "{}", vouched.text());
    let decision = json!({ "decision": "approve", "reason": "Meets the criteria." });
    let approved = app
        .post(
            &format!("/api/v1/applications/{id}/decision"),
            Some(admin),
            decision,
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());
    let admitted = approved.json()["member_id"].as_str().unwrap().to_owned();
    (admitted, voucher)
}

#[tokio::test]
async fn the_admin_page_shows_answers_liveness_and_reviews_and_takes_a_review() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, founder) = admitted_member(&app, &admin).await;
    days_pass(&app, 400);
    sweep(&app).await;
    // Past the answer window (14 days) by an hour.
    app.advance(jiff::SignedDuration::from_hours(14 * 24 + 1));

    let browser = app.browser("admin@project.test").await;
    let path = format!("/admin/members/{member}");
    let page = app
        .page(Method::GET, &path, Some(&browser.cookie), None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    for expected in [
        "Newcomer",
        "Our answer to User base",
        "security@newcomer.example",
        "Unanswered",
        "1 unanswered ping",
        "<dt>Test reports</dt><dd>0</dd>",
        "Not reviewed yet",
        "Record a review",
    ] {
        assert!(html.contains(expected), "page lacks {expected:?}");
    }

    let review = format!("{path}/review");
    let form = format!("csrf={}&outcome=remove&notes=", browser.csrf);
    let refused = app
        .page(Method::POST, &review, Some(&browser.cookie), Some(&form))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("the member is told why"),
        "{}",
        refused.text()
    );
    let form = format!(
        "csrf={}&outcome=keep&notes=Answers+pings+late%2C+otherwise+fine.",
        browser.csrf
    );
    let kept = app
        .page(Method::POST, &review, Some(&browser.cookie), Some(&form))
        .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.text());
    assert_eq!(kept.header("location"), Some(path.as_str()));
    let html = app
        .page(Method::GET, &path, Some(&browser.cookie), None)
        .await
        .text();
    assert!(html.contains("Answers pings late, otherwise fine."));
    assert!(!html.contains("Not reviewed yet"));

    // A founding member has no answers to show.
    let path = format!("/admin/members/{founder}");
    let html = app
        .page(Method::GET, &path, Some(&browser.cookie), None)
        .await
        .text();
    assert!(html.contains("A founding member"), "{html}");
}

#[test]
fn liveness_settings_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("embargo.toml");
    let load = |toml: &str| {
        std::fs::write(&file, toml).unwrap();
        embargo::config::Config::load(Some(&file))
    };
    let c = load("").unwrap();
    let m = &c.membership;
    assert_eq!(
        (m.ping_every_days, m.ping_answer_days, m.review_every_days),
        (91, 14, 365)
    );
    let err = load("[membership]\nping_answer_days = 0\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("membership.ping_answer_days"), "{err}");
    let err = load("[membership]\nping_every_days = 7\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("must not exceed"), "{err}");
    assert!(load("[membership]\nping_every_days = 30\nreview_every_days = 180\n").is_ok());
}
