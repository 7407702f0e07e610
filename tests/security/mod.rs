//! Holes found by trying the service as an attacker would (issue 7), each
//! with the test that keeps it shut.

mod applications;
mod bootstrap;
mod caching;
mod csrf;
mod login;
mod osv;
mod proxies;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::common::{CSRF, TestApp};

/// Logs in through the form; returns the `Cookie` header of the session.
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> String {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("csrf", CSRF), ("email", email), ("password", password)])
        .finish();
    let resp = app
        .request(
            Request::builder()
                .method(Method::POST)
                .uri("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("embargo_csrf={CSRF}"))
                .body(Body::from(form))
                .expect("request"),
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.text());
    let session = resp
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("embargo_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();
    format!("embargo_csrf={CSRF}; embargo_session={session}")
}
