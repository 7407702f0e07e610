//! A member contact of another organisation cannot tell real application
//! ids from made-up ones.

use axum::http::Method;
use serde_json::json;

use crate::common::TestApp;
use crate::membership::{confirmed_application, founding_member};

#[tokio::test]
async fn a_real_application_id_and_a_made_up_one_look_the_same_to_another_members_contact() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (named, _) = founding_member(&app, &admin, "Named", "a@named.example").await;
    let (_, other) = founding_member(&app, &admin, "Other", "b@other.example").await;
    let (real, _) = confirmed_application(&app, "X", "x.example", &named).await;
    let made_up = "app_abcdefghijkmnpqr";

    let vouch = |id: String| {
        let (app, other) = (&app, &other);
        async move {
            let path = format!("/api/v1/applications/{id}/vouches");
            let body = json!({ "statement": "sure" });
            app.api(Method::POST, &path, Some(other), Some(body)).await
        }
    };
    let (a, b) = (vouch(real.clone()).await, vouch(made_up.to_owned()).await);
    assert_eq!(a.status, b.status);
    assert_eq!(a.body, b.body);
    assert_eq!(a.status.as_u16(), 404);

    let cookie = app
        .sign_in("b@other.example", "a long enough password")
        .await;
    let page = |id: String| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            let path = format!("/applications/{id}/vouch");
            app.page(Method::GET, &path, Some(&cookie), None).await
        }
    };
    let (a, b) = (page(real).await, page(made_up.to_owned()).await);
    assert_eq!(a.status, b.status);
    assert_eq!(a.body, b.body);
    assert_eq!(a.status.as_u16(), 404);
}
