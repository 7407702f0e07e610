//! `/metrics`: Prometheus text behind a bearer token on the public port (404
//! there without one), or on a separate listener; requests counted by route
//! template, the database's counts read at scrape time, lift lateness
//! recorded by the lift.

mod serve;
mod text;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiff::SignedDuration;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{Response, TestApp};
use text::Exposition;

const TOKEN: &str = "metrics-token-0123456789abcdef";

async fn with_token() -> TestApp {
    TestApp::with_config(|c| c.metrics.token = Some(TOKEN.into())).await
}

async fn scrape_with(app: &TestApp, authorization: Option<&str>) -> Response {
    let mut req = Request::get("/metrics");
    if let Some(value) = authorization {
        req = req.header(header::AUTHORIZATION, value);
    }
    app.request(req.body(Body::empty()).unwrap()).await
}

/// A scrape with the token, read strictly.
async fn scrape(app: &TestApp) -> Exposition {
    let resp = scrape_with(app, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    text::parse(&resp.text()).unwrap_or_else(|e| panic!("{e}\n{}", resp.text()))
}

/// The cached counts are read again once the clock passes the cache's window.
fn past_the_cache(app: &TestApp) {
    app.advance(SignedDuration::from_secs(10));
}

#[tokio::test]
async fn the_public_port_wants_the_bearer_token_and_answers_prometheus_text_with_it() {
    let app = with_token().await;
    let none = scrape_with(&app, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.header("www-authenticate"),
        Some("Bearer realm=\"metrics\"")
    );
    for wrong in [
        "Bearer metrics-token-0123456789abcdeX",
        "Bearer metrics-token",
        "Basic bWV0cmljczp0b2tlbg==",
        TOKEN,
    ] {
        let resp = scrape_with(&app, Some(wrong)).await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{wrong}");
        assert!(!resp.text().contains("embargo_"), "{wrong}");
    }
    // An API token of an admin is no metrics token.
    let admin = app.admin_token().await;
    let resp = scrape_with(&app, Some(&format!("Bearer {admin}"))).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);

    let ok = scrape_with(&app, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(
        ok.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(ok.header("cache-control"), Some("no-store"));
    let body = ok.text();
    text::parse(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    for line in [
        "# TYPE embargo_http_requests_total counter",
        "# TYPE embargo_http_request_duration_seconds histogram",
        "# TYPE embargo_jobs_oldest_due_age_seconds gauge",
        "# TYPE embargo_deliveries gauge",
        "# TYPE embargo_reports gauge",
        "# TYPE embargo_applications gauge",
        "# TYPE embargo_db_pool_connections gauge",
        "# TYPE embargo_db_pool_max_connections gauge",
        "# HELP embargo_reports Reports, by status.",
    ] {
        assert!(body.lines().any(|l| l == line), "{line} missing:\n{body}");
    }
}

#[tokio::test]
async fn without_a_token_configured_the_public_port_answers_404_whatever_is_sent() {
    let app = TestApp::new().await;
    for auth in [
        None,
        Some(format!("Bearer {TOKEN}")),
        Some("Bearer ".into()),
    ] {
        let resp = scrape_with(&app, auth.as_deref()).await;
        assert_eq!(resp.status, StatusCode::NOT_FOUND, "{auth:?}");
        assert!(!resp.text().contains("embargo_http"), "{auth:?}");
    }
}

#[tokio::test]
async fn requests_are_counted_and_timed_by_route_template_never_by_path() {
    let app = with_token().await;
    let (_, tracking) = app.report("Heap overflow", Some("rita@example.org")).await;
    let tracking_path = crate::common::path_of(&tracking);
    let token = tracking_path.rsplit('/').next().unwrap().to_owned();
    for _ in 0..3 {
        assert_eq!(app.get(&tracking_path, None).await.status, StatusCode::OK);
    }
    let secret = "/no-such-page-e9f1c0ffee";
    assert_eq!(app.get(secret, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);

    let resp = scrape_with(&app, Some(&format!("Bearer {TOKEN}"))).await;
    let body = resp.text();
    assert!(
        !body.contains(&token),
        "a capability token in a label:\n{body}"
    );
    assert!(
        !body.contains("e9f1c0ffee"),
        "a raw path in a label:\n{body}"
    );
    assert!(!body.contains("rita"), "an address in a label:\n{body}");
    assert!(
        !body.contains("Heap overflow"),
        "a report's text in a label"
    );
    let m = text::parse(&body).unwrap();
    let labels = |route: &'static str, status: &'static str| {
        [("method", "GET"), ("route", route), ("status", status)]
    };
    let track = labels("/track/{token}", "2xx");
    assert_eq!(m.value("embargo_http_requests_total", &track), Some(3.0));
    assert_eq!(
        m.value("embargo_http_request_duration_seconds_count", &track),
        Some(3.0)
    );
    let sum = m
        .value("embargo_http_request_duration_seconds_sum", &track)
        .unwrap();
    assert!(sum > 0.0 && sum < 60.0, "{sum}");
    let mut bucket = track.to_vec();
    bucket.push(("le", "+Inf"));
    assert_eq!(
        m.value("embargo_http_request_duration_seconds_bucket", &bucket),
        Some(3.0)
    );
    let unmatched = labels("unmatched", "4xx");
    assert_eq!(
        m.value("embargo_http_requests_total", &unmatched),
        Some(1.0)
    );
    let filed = [
        ("method", "POST"),
        ("route", "/api/v1/reports"),
        ("status", "2xx"),
    ];
    assert_eq!(m.value("embargo_http_requests_total", &filed), Some(1.0));
    assert_eq!(
        m.value("embargo_http_requests_total", &labels("/healthz", "2xx")),
        Some(1.0)
    );
    // Every route label is a template or `unmatched`.
    let templates: Vec<_> = embargo::http::route_table()
        .iter()
        .map(|(_, p)| *p)
        .collect();
    for s in m.all("embargo_http_requests_total") {
        let route = s.labels["route"].as_str();
        assert!(
            route == "unmatched" || templates.contains(&route),
            "{route}"
        );
    }
}

#[tokio::test]
async fn reports_and_jobs_are_counted_at_scrape_time() {
    let app = with_token().await;
    let before = scrape(&app).await;
    let new = [("status", "new")];
    assert_eq!(before.value("embargo_reports", &new), Some(0.0));
    assert_eq!(
        before.value("embargo_reports", &[("status", "out-of-scope")]),
        Some(0.0)
    );
    let queued_mail = [("kind", "mail"), ("lane", "mail"), ("state", "queued")];
    assert_eq!(before.value("embargo_jobs", &queued_mail), None);

    app.report("Heap overflow", Some("rita@example.org")).await;
    past_the_cache(&app);
    let after = scrape(&app).await;
    assert_eq!(after.value("embargo_reports", &new), Some(1.0));
    assert_eq!(after.types["embargo_jobs"], "gauge");
    let queued = after.value("embargo_jobs", &queued_mail).unwrap();
    assert!(queued >= 1.0, "the acknowledgement is queued: {queued}");
    let age = after
        .value("embargo_jobs_oldest_due_age_seconds", &[("lane", "mail")])
        .unwrap();
    assert!((10.0..120.0).contains(&age), "due since the report: {age}");
    assert_eq!(
        after.value(
            "embargo_jobs_oldest_due_age_seconds",
            &[("lane", "critical")]
        ),
        Some(0.0)
    );

    // Once sent, the queued count reads 0 rather than its last value.
    app.run_jobs().await;
    past_the_cache(&app);
    let sent = scrape(&app).await;
    assert_eq!(sent.value("embargo_jobs", &queued_mail), Some(0.0));
    let done = [("kind", "mail"), ("lane", "mail"), ("state", "done")];
    assert_eq!(sent.value("embargo_jobs", &done), Some(queued));
    assert_eq!(
        sent.value("embargo_jobs_oldest_due_age_seconds", &[("lane", "mail")]),
        Some(0.0)
    );
}

#[tokio::test]
async fn deliveries_applications_and_the_pool_have_their_series() {
    let app = with_token().await;
    let m = scrape(&app).await;
    for state in ["queued", "sending", "sent", "deferred", "bounced", "failed"] {
        assert_eq!(
            m.value("embargo_deliveries", &[("state", state)]),
            Some(0.0)
        );
    }
    for status in [
        "awaiting_confirmation",
        "in_review",
        "approved",
        "rejected",
        "expired",
    ] {
        assert_eq!(
            m.value("embargo_applications", &[("status", status)]),
            Some(0.0)
        );
    }
    let max = m.value("embargo_db_pool_max_connections", &[]).unwrap();
    let in_use = m
        .value("embargo_db_pool_connections", &[("state", "in_use")])
        .unwrap();
    let idle = m
        .value("embargo_db_pool_connections", &[("state", "idle")])
        .unwrap();
    assert!(max >= 1.0 && in_use >= 0.0 && idle >= 0.0 && in_use + idle <= max);
}

#[tokio::test]
async fn a_lift_records_how_late_it_published() {
    let app = with_token().await;
    let admin = app.admin_token().await;
    let id = crate::advisories::create(&app, &admin).await;
    let until =
        jiff::Timestamp::from_microsecond(app.now()).unwrap() + SignedDuration::from_hours(48);
    let until = until.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let set = app
        .post(
            &format!("/api/v1/advisories/{id}/embargo"),
            Some(&admin),
            json!({ "until": until, "time_zone": "UTC", "reason": "agreed" }),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let lateness = "embargo_embargo_lift_lateness_seconds";
    assert!(
        scrape(&app)
            .await
            .all(&format!("{lateness}_count"))
            .is_empty()
    );

    // The runner was down for ten minutes past the agreed instant.
    app.advance(SignedDuration::from_hours(48) + SignedDuration::from_mins(10));
    app.run_jobs().await;
    let m = scrape(&app).await;
    assert_eq!(m.value(&format!("{lateness}_count"), &[]), Some(1.0));
    let sum = m.value(&format!("{lateness}_sum"), &[]).unwrap();
    assert!((600.0..700.0).contains(&sum), "{sum}");
    assert_eq!(
        m.value(&format!("{lateness}_bucket"), &[("le", "300")]),
        Some(0.0)
    );
    assert_eq!(
        m.value(&format!("{lateness}_bucket"), &[("le", "900")]),
        Some(1.0)
    );
}

/// One HTTP/1.1 GET over a real socket: (status line, body).
async fn get_over_socket(addr: std::net::SocketAddr, path: &str) -> (String, String) {
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: metrics\r\nConnection: close\r\n\r\n");
    socket.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    tokio::time::timeout(Duration::from_secs(10), socket.read_to_string(&mut raw))
        .await
        .expect("answered within seconds")
        .unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (
        head.lines().next().unwrap_or_default().to_owned(),
        body.to_owned(),
    )
}

#[tokio::test]
async fn the_separate_listener_serves_metrics_without_a_token_and_stops_when_told() {
    // No token: the listener alone serves them.
    let app = TestApp::new().await;
    app.report("Heap overflow", None).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(embargo::http::metrics::serve(
        listener,
        app.state.clone(),
        async move {
            let _ = stop_rx.await;
        },
    ));

    let (status, body) = get_over_socket(addr, "/metrics").await;
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    let m = text::parse(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    assert_eq!(m.value("embargo_reports", &[("status", "new")]), Some(1.0));
    let (status, _) = get_over_socket(addr, "/admin/reports").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    // The public port still says nothing.
    assert_eq!(scrape_with(&app, None).await.status, StatusCode::NOT_FOUND);

    stop_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the listener stops when told")
        .unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "closed"
    );
}
