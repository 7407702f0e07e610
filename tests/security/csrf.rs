//! Form posts need this session's CSRF token, and must not come from
//! another site.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use embargo::domain::account::Role;
use serde_json::json;

use crate::common::{CSRF, Response, TestApp};

async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    form: &str,
    extra: &[(&str, &str)],
) -> Response {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie);
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    app.request(b.body(Body::from(form.to_owned())).expect("request"))
        .await
}

#[tokio::test]
async fn a_csrf_token_from_one_session_is_refused_in_another() {
    let app = TestApp::new().await;
    app.account("a@project.test", Role::Member).await;
    app.account("b@project.test", Role::Member).await;
    let a = app.browser("a@project.test").await;
    let b = app.browser("b@project.test").await;
    assert_ne!(a.csrf, b.csrf);

    let stolen = post_form(
        &app,
        "/account/tokens",
        &b.cookie,
        &format!("csrf={}&name=x", a.csrf),
        &[],
    )
    .await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST, "{}", stolen.text());
    // The anonymous double-submit pair is no longer enough once signed in.
    let plain = post_form(
        &app,
        "/account/tokens",
        &b.cookie,
        &format!("csrf={CSRF}&name=x"),
        &[],
    )
    .await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.count("api_tokens").await,
        2,
        "only the fixtures' tokens"
    );

    let own = post_form(
        &app,
        "/account/tokens",
        &b.cookie,
        &format!("csrf={}&name=x", b.csrf),
        &[],
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
}

fn report_form() -> String {
    format!("csrf={CSRF}&title=Overflow&description=details")
}

#[tokio::test]
async fn a_cross_origin_form_post_is_refused() {
    let app = TestApp::new().await;
    let cookie = format!("embargo_csrf={CSRF}");
    for headers in [
        [("origin", "https://evil.example")],
        [("origin", "null")],
        [("referer", "https://evil.example/embargo.test/report")],
    ] {
        let resp = post_form(&app, "/report", &cookie, &report_form(), &headers).await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    app.account("a@project.test", Role::Member).await;
    let a = app.browser("a@project.test").await;
    let form = format!("csrf={}&name=x", a.csrf);
    let evil = [("origin", "https://evil.example")];
    let resp = post_form(&app, "/account/tokens", &a.cookie, &form, &evil).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("reports").await, 0);
}

#[tokio::test]
async fn a_same_origin_form_post_still_works() {
    let app = TestApp::new().await;
    let cookie = format!("embargo_csrf={CSRF}");
    for headers in [
        vec![("origin", "http://embargo.test")],
        vec![("referer", "http://embargo.test/report")],
        vec![
            ("origin", "http://localhost:8080"),
            ("host", "localhost:8080"),
        ],
        vec![],
    ] {
        let resp = post_form(&app, "/report", &cookie, &report_form(), &headers).await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "{headers:?}: {}",
            resp.text()
        );
    }
    assert_eq!(app.count("reports").await, 4, "each one filed");
    // The API is not cookie-authenticated: no origin check.
    let admin = app.admin_token().await;
    let resp = app
        .request(
            Request::post("/api/v1/tokens")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header("origin", "https://tooling.example")
                .body(Body::from(json!({ "name": "ci" }).to_string()))
                .expect("request"),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
}
