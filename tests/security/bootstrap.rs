//! The first-admin link `serve` prints to its log must die once an admin
//! exists, so a reader of the log cannot make themselves admin.

use axum::http::StatusCode;
use embargo::db::audit::Actor;
use embargo::domain::account::Role;
use embargo::domain::email::EmailAddress;
use serde_json::json;

use crate::common::{TestApp, path_of};

async fn bootstrap_link(app: &TestApp) -> String {
    let url = embargo::app::auth::bootstrap_admin(&app.state, &Actor::system())
        .await
        .expect("bootstrap link");
    path_of(&url)
}

async fn set_up(app: &TestApp, link: &str, email: &str) -> crate::common::Response {
    app.post(
        &format!("/api/v1{link}"),
        None,
        json!({ "email": email, "password": "a long enough password" }),
    )
    .await
}

#[tokio::test]
async fn first_admin_link_dies_once_an_admin_exists() {
    let app = TestApp::new().await;
    let link = bootstrap_link(&app).await;
    app.account("admin@project.test", Role::Admin).await;

    assert_eq!(app.get(&link, None).await.status, StatusCode::NOT_FOUND);
    let resp = set_up(&app, &link, "intruder@evil.example").await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND, "{}", resp.text());
    let mut conn = app.state.db.conn().await.expect("conn");
    let intruder = embargo::db::accounts::by_email(&mut conn, "intruder@evil.example").await;
    assert!(intruder.expect("query").is_none());
}

#[tokio::test]
async fn first_admin_link_dies_when_another_admin_completes_set_up() {
    let app = TestApp::new().await;
    let link = bootstrap_link(&app).await;
    let email = EmailAddress::parse("second@project.test").expect("email");
    let other = embargo::app::auth::add_account(&app.state, &Actor::cli(), &email, Role::Admin)
        .await
        .expect("set-up link");
    let done = set_up(&app, &path_of(&other), "").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());

    // Even if that admin is disabled later, the old link stays dead.
    let mut conn = app.state.db.conn().await.expect("conn");
    sqlx::query("UPDATE accounts SET disabled = 1 WHERE email = 'second@project.test'")
        .execute(&mut *conn)
        .await
        .expect("disable");
    drop(conn);
    let resp = set_up(&app, &link, "intruder@evil.example").await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND, "{}", resp.text());
}

#[tokio::test]
async fn first_admin_link_works_once_on_a_fresh_install() {
    let app = TestApp::new().await;
    let link = bootstrap_link(&app).await;
    assert_eq!(app.get(&link, None).await.status, StatusCode::OK);
    let done = set_up(&app, &link, "first@project.test").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert_eq!(done.json()["email"], "first@project.test");
    let again = set_up(&app, &link, "again@project.test").await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}
