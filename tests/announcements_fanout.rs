//! What a fan-out's deliveries share: the announcement and its advisory are
//! read once per version of the advisory, not once per delivery, and an
//! edit still reaches every delivery composed after it.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::announcements::{cleared_member, embargoed};
use crate::common::TestApp;

#[tokio::test]
async fn a_delivery_composed_after_an_edit_carries_the_edit() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let gpg = crate::list_key::gnupg::Gpg::new();
    for (org, who) in [("One", "one@one.example"), ("Two", "two@two.example")] {
        let key = gpg.member_key(&format!("{org} <{who}>"));
        cleared_member(&app, &admin, org, who, Some(&key)).await;
    }
    let id = embargoed(&app, &admin).await;
    let announced = app
        .post(
            &format!("/api/v1/advisories/{id}/announcements"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        announced.status,
        StatusCode::CREATED,
        "{}",
        announced.text()
    );
    let mut conn = app.state.db.conn().await.unwrap();
    let deliveries: Vec<String> = sqlx::query_scalar("SELECT id FROM deliveries ORDER BY email")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let before = crate::advisories::advisory_body()["summary"]
        .as_str()
        .unwrap()
        .to_owned();

    // One's message is composed (and the advisory kept in memory), then
    // the advisory is edited, then Two's message is composed.
    embargo::app::announcements::deliver(&app.state, &deliveries[0], false)
        .await
        .unwrap();
    let edited = app
        .api(
            Method::PATCH,
            &format!("/api/v1/advisories/{id}"),
            Some(&admin),
            Some(json!({ "summary": "Renamed after the first delivery", "reason": "clearer" })),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());
    embargo::app::announcements::deliver(&app.state, &deliveries[1], false)
        .await
        .unwrap();

    let (_, list_key) = crate::list_key::published(&app).await;
    gpg.run(&["--import"], list_key.as_bytes());
    let inner = |who: &str| {
        let mails: Vec<_> = app
            .mails_to(who)
            .into_iter()
            .filter(|m| m.list_id.is_some())
            .collect();
        assert_eq!(mails.len(), 1, "{who}");
        let out = gpg.run(
            &["--decrypt"],
            mails[0].encrypted.as_deref().unwrap().as_bytes(),
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let one = inner("one@one.example");
    assert!(one.contains(&before), "{one}");
    let two = inner("two@two.example");
    assert!(two.contains("Renamed after the first delivery"), "{two}");
    assert!(!two.contains(&before), "{two}");
}
