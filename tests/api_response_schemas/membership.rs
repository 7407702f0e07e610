//! The membership routes' answers: criteria, policy, applications from
//! filing to decision, members, contacts, keys, liveness and reviews.

use axum::http::Method;
use embargo::app::liveness;
use serde_json::json;

use super::{CREATED, Checker, OK};
use crate::common::{TestApp, link_in, path_of};
use crate::membership::{answers, founding_member};

#[tokio::test]
async fn membership_answers_match_the_document() {
    let app = TestApp::on_sqlite().await;
    let doc = Checker::new(&app).await;
    let admin = app.admin_token().await;

    let r = app.get("/api/v1/criteria", None).await;
    let criteria = doc.check(Method::GET, "/api/v1/criteria", OK, &r);
    let items = criteria["items"].clone();
    let r = app
        .api(
            Method::PUT,
            "/api/v1/criteria",
            Some(&admin),
            Some(json!({ "items": items })),
        )
        .await;
    doc.check(Method::PUT, "/api/v1/criteria", OK, &r);
    let r = app.get("/api/v1/policy", None).await;
    doc.check(Method::GET, "/api/v1/policy", OK, &r);
    let text = json!({ "text": "Keep it to yourselves." });
    let r = app.post("/api/v1/policy", Some(&admin), text).await;
    doc.check(Method::POST, "/api/v1/policy", CREATED, &r);

    // A founding member, its contact set up by the mailed link.
    let body = json!({
        "organization": "Voucher", "website": "https://voucher.example",
        "security_alias": "security@voucher.example",
        "contacts": [{ "name": "Val", "email": "val@voucher.example" }],
    });
    let r = app.post("/api/v1/members", Some(&admin), body).await;
    let voucher = doc.check(Method::POST, "/api/v1/members", CREATED, &r)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.run_jobs().await;
    let mail = app.mails_to("val@voucher.example").pop().unwrap();
    let link = link_in(&mail.text, "http://embargo.test/setup/").unwrap();
    let setup = json!({ "password": "a long enough password" });
    let r = app
        .post(&format!("/api/v1{}", path_of(&link)), None, setup)
        .await;
    doc.check(Method::POST, "/api/v1/setup/{token}", OK, &r);
    let val = app.account_token("val@voucher.example").await;
    let policy = app.get("/api/v1/policy", None).await.json();
    let accept = json!({ "version": policy["version"] });
    let r = app.post("/api/v1/policy/accept", Some(&val), accept).await;
    doc.check(Method::POST, "/api/v1/policy/accept", OK, &r);

    let r = app.get("/api/v1/members", Some(&admin)).await;
    doc.check(Method::GET, "/api/v1/members", OK, &r);
    let r = app.get("/api/v1/members", None).await;
    let directory = doc.check(Method::GET, "/api/v1/members", OK, &r);
    assert_eq!(
        directory["items"][0],
        json!({ "id": voucher, "organization": "Voucher" })
    );
    let r = app.get("/api/v1/me/member", Some(&val)).await;
    doc.check(Method::GET, "/api/v1/me/member", OK, &r);
    let contact = json!({ "name": "Vic", "email": "vic@voucher.example" });
    let r = app
        .post("/api/v1/me/member/contacts", Some(&val), contact)
        .await;
    doc.check(Method::POST, "/api/v1/me/member/contacts", CREATED, &r);
    let key = json!({ "armored": crate::announcements::ALICE_KEY });
    let r = app.post("/api/v1/me/keys", Some(&val), key).await;
    doc.check(Method::POST, "/api/v1/me/keys", CREATED, &r);

    // An application, from filing to approval.
    let criteria = app.get("/api/v1/criteria", None).await.json();
    let application = json!({
        "organization": "Applicant", "website": "https://applicant.example",
        "security_alias": "sec@applicant.example", "criteria": answers(&criteria),
        "contacts": [{ "name": "Ann", "email": "ann@applicant.example" }], "voucher": voucher,
    });
    let r = app.post("/api/v1/applications", None, application).await;
    let filed = doc.check(Method::POST, "/api/v1/applications", CREATED, &r);
    let id = filed["id"].as_str().unwrap().to_owned();
    let status = path_of(filed["status_url"].as_str().unwrap());
    let token = status.rsplit('/').next().unwrap().to_owned();
    let r = app
        .get(&format!("/api/v1/applications/status/{token}"), None)
        .await;
    doc.check(Method::GET, "/api/v1/applications/status/{token}", OK, &r);
    app.run_jobs().await;
    let mail = app.mails_to("sec@applicant.example").pop().unwrap();
    let confirm = link_in(&mail.text, "http://embargo.test/applications/confirm/").unwrap();
    let r = app
        .post(&format!("/api/v1{}", path_of(&confirm)), None, json!({}))
        .await;
    doc.check(Method::POST, "/api/v1/applications/confirm/{token}", OK, &r);
    let vouch = json!({ "statement": "We know them well." });
    let r = app
        .post(
            &format!("/api/v1/applications/{id}/vouches"),
            Some(&val),
            vouch,
        )
        .await;
    doc.check(
        Method::POST,
        "/api/v1/applications/{id}/vouches",
        CREATED,
        &r,
    );
    let r = app
        .get(&format!("/api/v1/applications/{id}"), Some(&admin))
        .await;
    doc.check(Method::GET, "/api/v1/applications/{id}", OK, &r);
    let r = app.get("/api/v1/applications", Some(&admin)).await;
    doc.check(Method::GET, "/api/v1/applications", OK, &r);
    let decision = json!({ "decision": "approve", "reason": "welcome" });
    let path = format!("/api/v1/applications/{id}/decision");
    let r = app.post(&path, Some(&admin), decision).await;
    let decided = doc.check(Method::POST, "/api/v1/applications/{id}/decision", OK, &r);
    let applicant = decided["member_id"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!("/api/v1/applications/status/{token}"), None)
        .await;
    doc.check(Method::GET, "/api/v1/applications/status/{token}", OK, &r);

    // Liveness: a ping answered, the record, a review.
    app.advance(jiff::SignedDuration::from_hours(92 * 24));
    app.at(liveness::ensure_sweep(&app.state)).await.unwrap();
    app.run_jobs().await;
    let mail = app.mails_to("security@voucher.example").pop().unwrap();
    let ping = link_in(&mail.text, "http://embargo.test/liveness/").unwrap();
    let r = app
        .post(&format!("/api/v1{}", path_of(&ping)), None, json!({}))
        .await;
    doc.check(Method::POST, "/api/v1/liveness/{token}", OK, &r);
    let r = app
        .get(&format!("/api/v1/members/{voucher}/liveness"), Some(&admin))
        .await;
    let record = doc.check(Method::GET, "/api/v1/members/{id}/liveness", OK, &r);
    assert_eq!(
        record["pings"].as_array().map(Vec::len),
        Some(1),
        "{record}"
    );
    let review = json!({ "outcome": "keep", "notes": "fine" });
    let path = format!("/api/v1/members/{voucher}/reviews");
    let r = app.post(&path, Some(&admin), review).await;
    doc.check(Method::POST, "/api/v1/members/{id}/reviews", CREATED, &r);
    let r = app.get(&path, Some(&admin)).await;
    doc.check(Method::GET, "/api/v1/members/{id}/reviews", OK, &r);

    let reason = json!({ "reason": "asked to leave" });
    let path = format!("/api/v1/members/{applicant}/removal");
    let r = app.post(&path, Some(&admin), reason).await;
    doc.check(Method::POST, "/api/v1/members/{id}/removal", OK, &r);
    let r = app
        .get(
            &format!("/api/v1/members/{applicant}/liveness"),
            Some(&admin),
        )
        .await;
    doc.check(Method::GET, "/api/v1/members/{id}/liveness", OK, &r);
    let r = app
        .post("/api/v1/me/member/leave", Some(&val), json!({}))
        .await;
    doc.check(Method::POST, "/api/v1/me/member/leave", OK, &r);
}

#[tokio::test]
async fn a_rejected_application_and_a_clear_text_allowance_match_the_document() {
    let app = TestApp::on_sqlite().await;
    let doc = Checker::new(&app).await;
    let admin = app.admin_token().await;
    let (member, token) = founding_member(&app, &admin, "Keyless", "kim@keyless.example").await;
    let (id, _) =
        crate::membership::confirmed_application(&app, "Nope", "nope.example", &member).await;
    let decision = json!({ "decision": "reject", "reason": "not a vendor" });
    let r = app
        .post(
            &format!("/api/v1/applications/{id}/decision"),
            Some(&admin),
            decision,
        )
        .await;
    let decided = doc.check(Method::POST, "/api/v1/applications/{id}/decision", OK, &r);
    assert_eq!(decided["member_id"], json!(null));

    let contact = crate::announcements_clear::account_id(&app, &token).await;
    let r = crate::announcements_clear::allow(&app, &admin, &member, &contact).await;
    let path = "/api/v1/members/{id}/contacts/{contact}/clear-text";
    doc.check(Method::PUT, path, OK, &r);
}
