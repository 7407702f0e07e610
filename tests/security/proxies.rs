//! Behind a reverse proxy every socket peer is the proxy; the client is
//! what a trusted proxy forwarded. (The in-process test requests come from
//! 127.0.0.1.)

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::common::{Response, TestApp};

async fn report_from(app: &TestApp, forwarded_for: &str) -> Response {
    let body = json!({ "title": "Bug", "description": "details of the bug" });
    app.request(
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/reports")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", forwarded_for)
            .body(Body::from(body.to_string()))
            .expect("request"),
    )
    .await
}

async fn behind_proxy(trusted: &[&str]) -> TestApp {
    let trusted: Vec<_> = trusted.iter().map(|c| c.parse().expect("cidr")).collect();
    TestApp::with_config(|c| {
        c.limits.reports_per_hour = 1;
        c.http.trusted_proxies = trusted;
    })
    .await
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_are_limited_separately() {
    let app = behind_proxy(&["127.0.0.1/32"]).await;
    assert_eq!(
        report_from(&app, "198.51.100.1").await.status,
        StatusCode::CREATED
    );
    let again = report_from(&app, "198.51.100.1").await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        report_from(&app, "198.51.100.2").await.status,
        StatusCode::CREATED
    );
    // A forged hop left of the real client changes nothing.
    let forged = report_from(&app, "192.0.2.77, 198.51.100.1").await;
    assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS);

    // The audit log records the client, not the proxy.
    let mut conn = app.state.db.conn().await.expect("conn");
    let ips: Vec<String> = sqlx::query_scalar("SELECT ip FROM audit_events ORDER BY seq")
        .fetch_all(&mut *conn)
        .await
        .expect("audit");
    assert!(ips.iter().any(|ip| ip == "198.51.100.1"), "{ips:?}");
    assert!(!ips.iter().any(|ip| ip == "127.0.0.1"), "{ips:?}");
}

#[tokio::test]
async fn forwarded_headers_are_ignored_without_a_trusted_proxy() {
    let app = behind_proxy(&[]).await;
    assert_eq!(
        report_from(&app, "198.51.100.1").await.status,
        StatusCode::CREATED
    );
    let other = report_from(&app, "198.51.100.2").await;
    assert_eq!(other.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn ipv6_clients_in_one_64_share_a_limit() {
    let app = behind_proxy(&["127.0.0.1"]).await;
    assert_eq!(
        report_from(&app, "2001:db8:1:2::1").await.status,
        StatusCode::CREATED
    );
    let same = report_from(&app, "2001:db8:1:2::abcd").await;
    assert_eq!(same.status, StatusCode::TOO_MANY_REQUESTS);
    let next = report_from(&app, "2001:db8:1:3::1").await;
    assert_eq!(next.status, StatusCode::CREATED);
}
