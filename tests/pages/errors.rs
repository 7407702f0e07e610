//! Error pages use the site's layout, with the navigation of whoever asked,
//! and say what to do next.

use super::*;

#[tokio::test]
async fn a_missing_page_has_the_layout_and_a_next_step() {
    let app = TestApp::new().await;
    let resp = visitor(&app).get("/no/such/page").await;
    assert_eq!(resp.status, NOT_FOUND);
    let html = resp.text();
    assert!(
        html.contains("<title>Not Found · Test Project</title>"),
        "{html}"
    );
    assert!(html.contains("<nav"), "the site's navigation: {html}");
    assert!(html.contains("The address may be mistyped"), "{html}");
}

#[tokio::test]
async fn a_refusal_names_the_way_on_for_the_signed_in_member() {
    let app = TestApp::new().await;
    let (_, token, _) = admin(&app).await;
    let (_, contact) =
        crate::membership::founding_member(&app, &token, "Members", "pat@members.example").await;
    drop(contact);
    let cookie = app
        .sign_in("pat@members.example", "a long enough password")
        .await;
    let tab = Tab::with_session(&app, cookie).await;
    let resp = tab.get("/admin/reports").await;
    assert_eq!(resp.status, axum::http::StatusCode::FORBIDDEN);
    let html = resp.text();
    assert!(
        html.contains("Your account may not open this page"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/member\""),
        "the member's own page: {html}"
    );
}

#[tokio::test]
async fn an_oversize_form_says_the_limit() {
    let app = TestApp::with_config(|c| c.limits.max_body_bytes = 2 * 1024 * 1024).await;
    let big = "x".repeat(3 * 1024 * 1024);
    let resp = visitor(&app)
        .post("/report", &[("title", "t"), ("description", big.as_str())])
        .await;
    assert_eq!(resp.status, axum::http::StatusCode::PAYLOAD_TOO_LARGE);
    let html = resp.text();
    assert!(html.contains("the limit is 2 MiB a request"), "{html}");
    assert!(html.contains("<nav"), "{html}");
}
