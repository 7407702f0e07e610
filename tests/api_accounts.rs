//! Accounts through the API: tokens and set-up.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestApp, path_of};

#[tokio::test]
async fn tokens_are_listed_created_and_revoked_by_their_owner() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let created = app
        .post("/api/v1/tokens", Some(&admin), json!({ "name": "ci" }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let new = created.json();
    let token = new["token"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/me", Some(token)).await.json()["email"],
        "admin@project.test"
    );
    let list = app.get("/api/v1/tokens", Some(&admin)).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(
        list.to_string().find(token).is_none(),
        "tokens are never listed"
    );
    let id = new["id"].as_str().unwrap();
    assert_eq!(
        app.api(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(&admin),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/me", Some(token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(&admin),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_account_is_set_up_through_the_api() {
    let app = TestApp::new().await;
    let link =
        embargo::app::auth::bootstrap_admin(&app.state, &embargo::db::audit::Actor::system())
            .await
            .unwrap();
    let path = format!("/api/v1{}", path_of(&link));
    let short = app
        .post(
            &path,
            None,
            json!({ "email": "lead@project.test", "password": "short" }),
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.json()["errors"]["password"].is_string());
    let ok = app
        .post(
            &path,
            None,
            json!({ "email": "lead@project.test", "password": "a long enough password" }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(ok.json()["email"], "lead@project.test");
    let again = app
        .post(
            &path,
            None,
            json!({ "email": "x@project.test", "password": "a long enough password" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}
