//! Publication: at the agreed instant, exactly once, and nothing public before.

use axum::http::StatusCode;
use serde_json::json;

use crate::advisories::{advisory_body, create};
use crate::common::TestApp;

/// Every public path that could reveal an advisory.
fn public_paths(id: &str) -> Vec<String> {
    let year = id.split('-').rev().nth(1).unwrap().to_owned();
    vec![
        format!("/advisories/{id}"),
        format!("/advisories/{id}.osv.json"),
        format!("/advisories/{id}.csaf.json"),
        format!("/.well-known/csaf/white/{year}/{}.json", id.to_lowercase()),
    ]
}

async fn assert_hidden(app: &TestApp, id: &str) {
    for path in public_paths(id) {
        let resp = app.get(&path, None).await;
        assert_eq!(
            resp.status,
            StatusCode::NOT_FOUND,
            "{path} must not exist yet"
        );
        let unknown = app.get(&path.replace(id, "SA-1999-9999"), None).await;
        assert_eq!(
            resp.body, unknown.body,
            "{path} answers exactly as an unknown id"
        );
    }
    for path in [
        "/advisories",
        "/feed.atom",
        "/.well-known/csaf/white/index.txt",
        "/.well-known/csaf/white/changes.csv",
    ] {
        let text = app.get(path, None).await.text();
        assert!(
            !text.contains(id) && !text.contains("crafted symlinks"),
            "{path} reveals the advisory"
        );
    }
}

#[tokio::test]
async fn an_embargoed_advisory_is_published_when_the_embargo_lifts_and_not_before() {
    let app = TestApp::with_config(|c| {
        c.advisories.announce_address = "announce@lists.project.test".into()
    })
    .await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    assert_hidden(&app, &id).await;
    let until =
        jiff::Timestamp::from_microsecond(app.now()).unwrap() + jiff::SignedDuration::from_hours(2);
    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/embargo"),
            Some(&admin),
            json!({ "until": until.to_string(), "time_zone": "UTC", "reason": "agreed" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    app.run_jobs().await;
    assert_hidden(&app, &id).await;

    app.advance(jiff::SignedDuration::from_secs(2 * 3600 + 1));
    app.run_jobs().await;
    let a = app
        .get(&format!("/api/v1/advisories/{id}"), Some(&admin))
        .await
        .json();
    assert_eq!(a["state"], "published");
    let published: jiff::Timestamp = a["published"].as_str().unwrap().parse().unwrap();
    assert!(
        published
            >= until
                .checked_sub(jiff::SignedDuration::from_secs(1))
                .unwrap()
    );

    let page = app.get(&format!("/advisories/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("crafted symlinks"));
    assert!(
        html.contains("<em>crafted</em>"),
        "details are rendered Markdown"
    );
    assert!(
        !html.contains("<script>alert"),
        "raw HTML in details is escaped"
    );
    assert_eq!(
        app.get(&format!("/advisories/{id}.osv.json"), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/advisories/{id}.csaf.json"), None)
            .await
            .status,
        StatusCode::OK
    );
    assert!(app.get("/advisories", None).await.text().contains(&id));
    assert!(app.get("/feed.atom", None).await.text().contains(&id));

    let announcements = app.mails_to("announce@lists.project.test");
    assert_eq!(announcements.len(), 1);
    assert!(announcements[0].subject.contains(&id));
    assert!(
        announcements[0]
            .text
            .contains(&format!("http://embargo.test/advisories/{id}"))
    );
}

#[tokio::test]
async fn two_runners_at_the_instant_publish_once() {
    let app = TestApp::with_config(|c| {
        c.advisories.announce_address = "announce@lists.project.test".into()
    })
    .await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let until =
        jiff::Timestamp::from_microsecond(app.now()).unwrap() + jiff::SignedDuration::from_hours(1);
    app.post(
        &format!("/api/v1/advisories/{id}/embargo"),
        Some(&admin),
        json!({ "until": until.to_string(), "time_zone": "UTC", "reason": "r" }),
    )
    .await;
    app.advance(jiff::SignedDuration::from_secs(3601));
    let (a, b) = tokio::join!(
        embargo::jobs::run_due(&app.state),
        embargo::jobs::run_due(&app.state)
    );
    a.unwrap();
    b.unwrap();
    app.run_jobs().await;
    assert_eq!(app.count("publications").await, 1);
    assert_eq!(app.mails_to("announce@lists.project.test").len(), 1);
}

#[tokio::test]
async fn a_moved_embargo_lifts_only_at_its_new_instant() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let path = format!("/api/v1/advisories/{id}/embargo");
    let soon =
        jiff::Timestamp::from_microsecond(app.now()).unwrap() + jiff::SignedDuration::from_hours(1);
    app.post(
        &path,
        Some(&admin),
        json!({ "until": soon.to_string(), "time_zone": "UTC", "reason": "r" }),
    )
    .await;
    let later = jiff::Timestamp::from_microsecond(app.now()).unwrap()
        + jiff::SignedDuration::from_hours(24);
    let moved = app
        .post(
            &path,
            Some(&admin),
            json!({ "until": later.to_string(), "time_zone": "UTC", "reason": "moved" }),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK);
    // The first instant passes; only the moved one counts.
    app.advance(jiff::SignedDuration::from_secs(3601));
    app.run_jobs().await;
    assert_eq!(
        app.get(&format!("/api/v1/advisories/{id}"), Some(&admin))
            .await
            .json()["state"],
        "embargoed"
    );
    assert_hidden(&app, &id).await;
}

#[tokio::test]
async fn early_publication_and_withdrawal_leave_a_public_tombstone() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let publish = format!("/api/v1/advisories/{id}/publish");
    assert_eq!(
        app.post(&publish, Some(&admin), json!({})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let resp = app
        .post(
            &publish,
            Some(&admin),
            json!({ "reason": "exploited in the wild" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(
        app.post(&publish, Some(&admin), json!({ "reason": "again" }))
            .await
            .status,
        StatusCode::CONFLICT
    );
    let embargo = app
        .post(&format!("/api/v1/advisories/{id}/embargo"), Some(&admin), json!({ "until": jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(5)).unwrap().to_string(), "time_zone": "UTC", "reason": "r" }))
        .await;
    assert_eq!(
        embargo.status,
        StatusCode::CONFLICT,
        "a published advisory cannot be embargoed"
    );

    let withdraw = app
        .post(
            &format!("/api/v1/advisories/{id}/withdraw"),
            Some(&admin),
            json!({ "reason": "not a vulnerability after all" }),
        )
        .await;
    assert_eq!(withdraw.status, StatusCode::OK);
    let page = app.get(&format!("/advisories/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("withdrawn") && page.text().contains("not a vulnerability after all")
    );
    let osv = app.get(&format!("/advisories/{id}.osv.json"), None).await;
    assert_eq!(osv.status, StatusCode::OK);
    assert!(osv.json()["withdrawn"].is_string(), "{}", osv.text());
}

#[tokio::test]
async fn a_withdrawn_draft_never_becomes_public() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/withdraw"),
            Some(&admin),
            json!({ "reason": "duplicate" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_hidden(&app, &id).await;
}

#[tokio::test]
async fn security_txt_points_at_the_team_and_the_csaf_provider() {
    let app = TestApp::with_config(|c| {
        c.publication.encryption_key_url = "https://embargo.test/key.asc".into()
    })
    .await;
    let txt = app.get("/.well-known/security.txt", None).await;
    assert_eq!(txt.status, StatusCode::OK);
    let body = txt.text();
    assert!(body.contains("Contact: mailto:security@project.test"));
    assert!(body.contains("Encryption: https://embargo.test/key.asc"));
    assert!(body.contains("CSAF: http://embargo.test/.well-known/csaf/provider-metadata.json"));
    let expires: jiff::Timestamp = body
        .lines()
        .find_map(|l| l.strip_prefix("Expires: "))
        .unwrap()
        .parse()
        .unwrap();
    let now = jiff::Timestamp::now();
    assert!(
        expires
            > now
                .checked_add(jiff::SignedDuration::from_hours(24 * 150))
                .unwrap()
    );
    assert!(
        expires
            < now
                .checked_add(jiff::SignedDuration::from_hours(24 * 366))
                .unwrap()
    );
    let _ = advisory_body();
}

#[tokio::test]
async fn patches_stay_private_until_publication() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let bad = app
        .post(
            &format!("/api/v1/advisories/{id}/patches"),
            Some(&admin),
            json!({ "filename": "x", "content_base64": "%%" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let added = app
        .post(
            &format!("/api/v1/advisories/{id}/patches"),
            Some(&admin),
            json!({ "filename": "fix.patch", "content_base64": "LS0tIGEvZmlsZQo=" }),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let patch = added.json()["id"].as_str().unwrap().to_owned();
    let public = format!("/advisories/{id}/patches/{patch}");
    assert_eq!(app.get(&public, None).await.status, StatusCode::NOT_FOUND);
    let private = app
        .get(
            &format!("/api/v1/advisories/{id}/patches/{patch}"),
            Some(&admin),
        )
        .await;
    assert_eq!(private.body, b"--- a/file\n");
    assert_eq!(
        app.get(&format!("/api/v1/advisories/{id}"), Some(&admin))
            .await
            .json()["patches"][0]["filename"],
        "fix.patch"
    );

    app.post(
        &format!("/api/v1/advisories/{id}/publish"),
        Some(&admin),
        json!({ "reason": "released" }),
    )
    .await;
    let file = app.get(&public, None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, b"--- a/file\n");
    assert_eq!(
        file.header("content-type"),
        Some("application/octet-stream")
    );
    let page = app.get(&format!("/advisories/{id}"), None).await.text();
    assert!(
        page.contains("fix.patch") && page.contains(&patch),
        "the page links the patch"
    );
}
