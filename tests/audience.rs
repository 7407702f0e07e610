//! Need-to-know: an embargoed advisory is read only by the cleared contacts
//! of the members it was announced to (its audience), by API here; the
//! member pages are in `pages::member_advisories`, shares in `shares`.

use axum::http::StatusCode;
use serde_json::json;

use crate::announcements::{announce, cleared_member, embargoed};
use crate::common::TestApp;
use crate::membership::{accept_current_policy, founding_member};

/// An embargoed advisory with a patch: (id, patch id).
async fn embargoed_with_patch(app: &TestApp, admin: &str) -> (String, String) {
    let id = embargoed(app, admin).await;
    let body = json!({ "filename": "fix.patch", "content_base64": "LS0tIGEK" });
    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/patches"),
            Some(admin),
            body,
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    (id, resp.json()["id"].as_str().unwrap().to_owned())
}

/// What the contact holding `token` gets for the advisory and its patch.
async fn reads(app: &TestApp, token: &str, id: &str, patch: &str) -> [StatusCode; 2] {
    let advisory = format!("/api/v1/advisories/{id}");
    [
        app.get(&advisory, Some(token)).await.status,
        app.get(&format!("{advisory}/patches/{patch}"), Some(token))
            .await
            .status,
    ]
}

const READ: [StatusCode; 2] = [StatusCode::OK, StatusCode::OK];
/// Refused as for an id that does not exist: the caller cannot tell an
/// embargo it is not part of from no advisory at all.
const ABSENT: [StatusCode; 2] = [StatusCode::NOT_FOUND, StatusCode::NOT_FOUND];

async fn announce_to(app: &TestApp, admin: &str, id: &str, members: &[&str]) {
    let resp = announce(app, admin, id, json!({ "members": members })).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
}

#[tokio::test]
async fn only_the_members_an_advisory_was_announced_to_read_it() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (one, one_token) = cleared_member(&app, &admin, "One", "sec@one.example", None).await;
    let (two, two_token) = cleared_member(&app, &admin, "Two", "sec@two.example", None).await;
    let (_, three_token) = cleared_member(&app, &admin, "Three", "sec@three.example", None).await;
    let (id, patch) = embargoed_with_patch(&app, &admin).await;

    // Before any announcement only the team reads it.
    for token in [&one_token, &two_token, &three_token] {
        assert_eq!(reads(&app, token, &id, &patch).await, ABSENT);
    }
    assert_eq!(reads(&app, &admin, &id, &patch).await, READ);
    let made_up = app
        .get("/api/v1/advisories/SA-2020-9999", Some(&one_token))
        .await;
    let refused = app
        .get(&format!("/api/v1/advisories/{id}"), Some(&one_token))
        .await;
    assert_eq!(refused.text(), made_up.text(), "as for a made-up id");

    announce_to(&app, &admin, &id, &[&one]).await;
    assert_eq!(reads(&app, &one_token, &id, &patch).await, READ);
    assert_eq!(reads(&app, &two_token, &id, &patch).await, ABSENT);
    assert_eq!(reads(&app, &three_token, &id, &patch).await, ABSENT);
    // The list of advisories is the team's; a member finds its own on
    // `/member/advisories`.
    let list = app.get("/api/v1/advisories", Some(&one_token)).await;
    assert_eq!(list.status, StatusCode::FORBIDDEN);

    // A second announcement adds Two; One stays.
    announce_to(&app, &admin, &id, &[&two]).await;
    assert_eq!(reads(&app, &two_token, &id, &patch).await, READ);
    assert_eq!(reads(&app, &one_token, &id, &patch).await, READ);
    assert_eq!(reads(&app, &three_token, &id, &patch).await, ABSENT);

    // No read was recorded for what was refused.
    app.state.read_log.flush().await;
    let mut conn = app.state.db.conn().await.unwrap();
    let events = embargo::db::audit::for_subject(&mut conn, &id)
        .await
        .unwrap();
    let three = app.get("/api/v1/me", Some(&three_token)).await.json();
    let three = format!("account:{}", three["id"].as_str().unwrap());
    assert!(events.iter().all(|e| e.actor != three), "{events:?}");

    // Published, it is everyone's.
    let published = app
        .post(
            &format!("/api/v1/advisories/{id}/publish"),
            Some(&admin),
            json!({ "reason": "fixed" }),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    assert_eq!(reads(&app, &three_token, &id, &patch).await, READ);
}

#[tokio::test]
async fn all_active_members_at_that_moment_and_follow_ups_add_nobody() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (one, one_token) = cleared_member(&app, &admin, "One", "sec@one.example", None).await;
    // Not cleared when it is announced, so no recipient, but chosen.
    let (_, late_token) = founding_member(&app, &admin, "Late", "sec@late.example").await;
    let (id, patch) = embargoed_with_patch(&app, &admin).await;
    let resp = announce(&app, &admin, &id, json!({})).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    assert_eq!(resp.json()["recipients"], 1);
    assert_eq!(reads(&app, &one_token, &id, &patch).await, READ);
    assert_eq!(
        reads(&app, &late_token, &id, &patch).await,
        [StatusCode::FORBIDDEN; 2]
    );
    accept_current_policy(&app, &late_token).await;
    assert_eq!(reads(&app, &late_token, &id, &patch).await, READ);

    // A member admitted afterwards was not chosen.
    let (_, newcomer) = cleared_member(&app, &admin, "New", "sec@new.example", None).await;
    assert_eq!(reads(&app, &newcomer, &id, &patch).await, ABSENT);
    // Nor is it chosen by a moved embargo's notice to the audience.
    let other = embargoed(&app, &admin).await;
    announce_to(&app, &admin, &other, &[&one]).await;
    crate::announcements::embargo_in(&app, &admin, &other, 96, "UTC", "more time").await;
    assert_eq!(
        app.count("announcements").await,
        3,
        "the follow-up went out"
    );
    let path = format!("/api/v1/advisories/{other}");
    assert_eq!(
        app.get(&path, Some(&newcomer)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&path, Some(&late_token)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&path, Some(&one_token)).await.status,
        StatusCode::OK
    );
}

/// Every (advisory, member, announcement) of the audience table.
async fn audience_rows(app: &TestApp) -> Vec<(String, String, String)> {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query_as(
        "SELECT advisory_id, member_id, announcement_id FROM audience_members \
         ORDER BY advisory_id, member_id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_migration_gives_earlier_announcements_the_audience_their_deliveries_reached() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (one, _) = cleared_member(&app, &admin, "One", "sec@one.example", None).await;
    let (two, _) = cleared_member(&app, &admin, "Two", "sec@two.example", None).await;
    cleared_member(&app, &admin, "Three", "sec@three.example", None).await;
    let first = embargoed(&app, &admin).await;
    let second = embargoed(&app, &admin).await;
    announce_to(&app, &admin, &first, &[&one]).await;
    app.advance(jiff::SignedDuration::from_secs(60));
    announce_to(&app, &admin, &first, &[&one, &two]).await;
    announce_to(&app, &admin, &second, &[&two]).await;

    let recorded = audience_rows(&app).await;
    assert_eq!(recorded.len(), 3, "{recorded:?}");

    // As a database from before the audience was recorded: migrated again.
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query("DROP TABLE audience_members")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM schema_migrations WHERE version = 14")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    embargo::db::migrate::run(&app.state.db).await.unwrap();
    assert_eq!(
        audience_rows(&app).await,
        recorded,
        "each member from its first announcement"
    );
}
