//! What a delivery's record keeps: each attempt's own answer, and the key
//! its message was encrypted to, which is only ever the one chosen when the
//! certificate was uploaded.

use axum::http::StatusCode;
use serde_json::json;

use crate::announcements::{
    ALICE_KEY, announce, announcement_view, cleared_member, deliveries_by_email, embargoed,
};
use crate::common::TestApp;

#[tokio::test]
async fn attempts_that_end_together_each_keep_their_own_answer_and_a_bounce_that_came_first_stays()
{
    use embargo::db::announcements as store;
    use embargo::domain::announcement::DeliveryState;
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    for (org, email) in [
        ("One", "one@one.example"),
        ("Two", "two@two.example"),
        ("Three", "three@three.example"),
    ] {
        cleared_member(&app, &admin, org, email, None).await;
    }
    let id = embargoed(&app, &admin).await;
    assert_eq!(
        announce(&app, &admin, &id, json!({})).await.status,
        StatusCode::CREATED
    );
    let mut tx = app.state.db.begin().await.unwrap();
    let ids: Vec<(String, String)> =
        sqlx::query_as("SELECT email, id FROM deliveries ORDER BY email")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    let id_of = |email: &str| ids.iter().find(|(e, _)| e == email).unwrap().1.as_str();
    let all: Vec<&str> = ids.iter().map(|(_, id)| id.as_str()).collect();
    let started = store::start_attempts(&mut tx, &all, app.now())
        .await
        .unwrap();
    assert_eq!(started.len(), 3);
    // A bounce recorded while the attempt still ran.
    sqlx::query("UPDATE deliveries SET state = 'bounced', answer = 'bounced first' WHERE id = $1")
        .bind(id_of("two@two.example"))
        .execute(&mut *tx)
        .await
        .unwrap();
    store::finish_each(
        &mut tx,
        &[
            (
                id_of("one@one.example"),
                DeliveryState::Sent,
                "250 2.0.0 Ok: queued as A1",
            ),
            (
                id_of("two@two.example"),
                DeliveryState::Sent,
                "250 2.0.0 Ok: queued as B2",
            ),
            (
                id_of("three@three.example"),
                DeliveryState::Deferred,
                "451 4.3.0 try later",
            ),
        ],
        app.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut conn = app.state.db.conn().await.unwrap();
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT email, state, answer FROM deliveries ORDER BY email")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let row = |e: &str, s: &str, a: &str| (e.to_owned(), s.to_owned(), a.to_owned());
    assert_eq!(
        rows,
        vec![
            row("one@one.example", "sent", "250 2.0.0 Ok: queued as A1"),
            row("three@three.example", "deferred", "451 4.3.0 try later"),
            row("two@two.example", "bounced", "bounced first"),
        ]
    );
}

#[tokio::test]
async fn a_stored_encryption_key_that_is_not_the_one_chosen_at_upload_gets_nothing() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let bob = include_str!("data/keys/rsa3072.asc");
    cleared_member(&app, &admin, "One", "one@one.example", Some(ALICE_KEY)).await;
    cleared_member(&app, &admin, "Two", "two@two.example", Some(bob)).await;
    // One's row made to hold two's key packet, as a bad copy would.
    let mut conn = app.state.db.conn().await.unwrap();
    let packet_of = |email: &'static str| {
        sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT k.encryption_key FROM contact_keys k JOIN accounts a ON a.id = k.account_id \
             WHERE a.email = $1 AND k.replaced_at IS NULL",
        )
        .bind(email)
    };
    let twos = packet_of("two@two.example")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert!(!twos.is_empty());
    sqlx::query(
        "UPDATE contact_keys SET encryption_key = $1 WHERE replaced_at IS NULL \
         AND account_id = (SELECT id FROM accounts WHERE email = 'one@one.example')",
    )
    .bind(&twos)
    .execute(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let id = embargoed(&app, &admin).await;
    let ann = announce(&app, &admin, &id, json!({})).await.json();
    app.run_jobs().await;
    assert!(
        app.mails_to("one@one.example")
            .iter()
            .all(|m| m.list_id.is_none()),
        "nothing of the advisory went to one"
    );
    let view = announcement_view(&app, &admin, &ann).await;
    let by_email = deliveries_by_email(&view);
    let one = &by_email["one@one.example"];
    assert_eq!(one["state"], "failed", "{one}");
    assert!(
        one["answer"]
            .as_str()
            .unwrap()
            .contains("not the one chosen at upload"),
        "{one}"
    );
    assert_eq!(by_email["two@two.example"]["state"], "sent");
}
