//! Need-to-know shares: a cleared contact brings in a colleague for one
//! embargoed advisory; the colleague reads it only after accepting, and
//! only until it is revoked, published, or the member leaves.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::announcements::{announce, announced, cleared_member, embargoed};
use crate::common::TestApp;
use crate::membership::accept_current_policy;

const COLLEAGUE: &str = "colleague@distro.example";

/// The colleague follows the invitation's set-up link; their API token.
async fn set_up_delegate(app: &TestApp) -> String {
    app.set_up_from_mail(COLLEAGUE).await
}

async fn share(app: &TestApp, contact: &str, advisory: &str) -> String {
    let resp = app
        .post(
            &format!("/api/v1/advisories/{advisory}/shares"),
            Some(contact),
            json!({ "email": COLLEAGUE, "name": "Dana Colleague", "reason": "maintains our kernel package" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().unwrap().to_owned()
}

async fn status_of(app: &TestApp, token: &str, advisory: &str) -> StatusCode {
    app.get(&format!("/api/v1/advisories/{advisory}"), Some(token))
        .await
        .status
}

#[tokio::test]
async fn a_delegate_reads_the_shared_advisory_only_after_accepting_and_until_revoked() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, contact) = cleared_member(&app, &admin, "Distro", "sec@distro.example", None).await;
    let shared = announced(&app, &admin).await;
    let other = announced(&app, &admin).await;
    let id = share(&app, &contact, &shared).await;

    // The invitation names nothing of the advisory.
    app.run_jobs().await;
    let invitation = app.mails_to(COLLEAGUE).pop().expect("invitation");
    let summary = crate::advisories::advisory_body()["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!invitation.text.contains(&summary) && !invitation.text.contains(&shared));
    assert!(!invitation.subject.contains(&summary));

    let delegate = set_up_delegate(&app).await;
    assert_eq!(
        status_of(&app, &delegate, &shared).await,
        StatusCode::FORBIDDEN,
        "nothing before accepting"
    );
    accept_current_policy(&app, &delegate).await;
    assert_eq!(
        status_of(&app, &delegate, &shared).await,
        StatusCode::FORBIDDEN,
        "the terms too"
    );
    let accepted = app
        .post(
            &format!("/api/v1/shares/{id}/accept"),
            Some(&delegate),
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    let read = app
        .get(&format!("/api/v1/advisories/{shared}"), Some(&delegate))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    assert_eq!(read.json()["summary"], summary.as_str());
    // Every other advisory, real or made up, is refused alike.
    assert_eq!(
        status_of(&app, &delegate, &other).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status_of(&app, &delegate, "SA-2026-9999").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/advisories", Some(&delegate)).await.status,
        StatusCode::FORBIDDEN
    );

    let revoked = app
        .api(
            Method::DELETE,
            &format!("/api/v1/shares/{id}"),
            Some(&contact),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    assert_eq!(
        status_of(&app, &delegate, &shared).await,
        StatusCode::FORBIDDEN,
        "revoked"
    );
}

#[tokio::test]
async fn access_ends_at_publication_and_when_the_sharing_member_leaves() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (member, contact) =
        cleared_member(&app, &admin, "Distro", "sec@distro.example", None).await;
    let first = announced(&app, &admin).await;
    let second = announced(&app, &admin).await;
    let one = share(&app, &contact, &first).await;
    let delegate = set_up_delegate(&app).await;
    let two = share(&app, &contact, &second).await;
    accept_current_policy(&app, &delegate).await;
    for id in [&one, &two] {
        let ok = app
            .post(
                &format!("/api/v1/shares/{id}/accept"),
                Some(&delegate),
                json!({}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    }
    assert_eq!(status_of(&app, &delegate, &first).await, StatusCode::OK);
    assert_eq!(status_of(&app, &delegate, &second).await, StatusCode::OK);

    let published = app
        .post(
            &format!("/api/v1/advisories/{first}/publish"),
            Some(&admin),
            json!({ "reason": "fixed" }),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    assert_ne!(
        status_of(&app, &delegate, &first).await,
        StatusCode::OK,
        "public now: the public page"
    );

    let removed = app
        .post(
            &format!("/api/v1/members/{member}/removal"),
            Some(&admin),
            json!({ "reason": "left" }),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text());
    assert_eq!(
        status_of(&app, &delegate, &second).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn shares_are_listed_to_admins_and_the_sharing_member_only() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, contact) = cleared_member(&app, &admin, "Distro", "sec@distro.example", None).await;
    let (_, other) = cleared_member(&app, &admin, "Other", "sec@other.example", None).await;
    let advisory = announced(&app, &admin).await;
    let id = share(&app, &contact, &advisory).await;
    let path = format!("/api/v1/advisories/{advisory}/shares");
    let mine = app.get(&path, Some(&contact)).await.json();
    assert_eq!(mine["items"][0]["id"], id.as_str());
    assert_eq!(mine["items"][0]["reason"], "maintains our kernel package");
    assert_eq!(
        app.get(&path, Some(&admin)).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let theirs = app.get(&path, Some(&other)).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.json()["items"].as_array().unwrap().is_empty());
    // Another organisation's contact cannot revoke it; it looks absent.
    let refused = app
        .api(
            Method::DELETE,
            &format!("/api/v1/shares/{id}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    // A share needs a reason, and only an embargoed advisory is shared.
    let bad = app
        .post(
            &path,
            Some(&contact),
            json!({ "email": "x@y.example", "name": "X", "reason": " " }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let draft = crate::advisories::create(&app, &admin).await;
    let hidden = app
        .post(
            &format!("/api/v1/advisories/{draft}/shares"),
            Some(&contact),
            json!({ "email": "x@y.example", "name": "X", "reason": "r" }),
        )
        .await;
    assert_eq!(
        hidden.status,
        StatusCode::NOT_FOUND,
        "a draft is not the member's to see"
    );
}

#[tokio::test]
async fn only_a_member_the_advisory_was_announced_to_shares_it() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (chosen, contact) =
        cleared_member(&app, &admin, "Distro", "sec@distro.example", None).await;
    let (_, outsider) = cleared_member(&app, &admin, "Other", "sec@other.example", None).await;
    let advisory = embargoed(&app, &admin).await;
    let path = format!("/api/v1/advisories/{advisory}/shares");
    let body = json!({ "email": COLLEAGUE, "name": "Dana Colleague", "reason": "r" });
    let made_up = app
        .post(
            "/api/v1/advisories/SA-2020-9999/shares",
            Some(&outsider),
            body.clone(),
        )
        .await;
    assert_eq!(made_up.status, StatusCode::NOT_FOUND);

    // Never announced: nobody on the list passes it on.
    for token in [&contact, &outsider] {
        let refused = app.post(&path, Some(token), body.clone()).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text());
        assert_eq!(refused.text(), made_up.text(), "as for a made-up id");
    }
    let resp = announce(&app, &admin, &advisory, json!({ "members": [chosen] })).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let refused = app.post(&path, Some(&outsider), body.clone()).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text());
    assert_eq!(
        app.get(&path, Some(&outsider)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("shares").await, 0);
    app.run_jobs().await;
    assert!(app.mails_to(COLLEAGUE).is_empty(), "no invitation went out");

    share(&app, &contact, &advisory).await;
    assert_eq!(app.count("shares").await, 1);
}
