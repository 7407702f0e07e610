//! Private responses carry `Cache-Control: no-store`; public publications
//! may be cached.

use axum::http::StatusCode;

use crate::common::{TestApp, path_of};

#[tokio::test]
async fn a_report_and_its_tracking_view_are_never_stored_by_caches() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (id, tracking) = app.report("Overflow", Some("rita@example.net")).await;

    let report = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert_eq!(report.header("cache-control"), Some("no-store"));

    let token = path_of(&tracking)
        .rsplit('/')
        .next()
        .expect("token")
        .to_owned();
    let view = app.get(&format!("/api/v1/track/{token}"), None).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text());
    assert_eq!(view.header("cache-control"), Some("no-store"));

    let me = app.get("/api/v1/me", Some(&admin)).await;
    assert_eq!(me.header("cache-control"), Some("no-store"));
    let unknown = app.get("/api/v1/reports/rpt_nothing", Some(&admin)).await;
    assert_eq!(unknown.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn public_publications_may_still_be_cached() {
    let app = TestApp::new().await;
    for path in [
        "/feed.atom",
        "/.well-known/security.txt",
        "/static/style.css",
    ] {
        let resp = app.get(path, None).await;
        assert_eq!(resp.status, StatusCode::OK, "{path}");
        assert_ne!(resp.header("cache-control"), Some("no-store"), "{path}");
    }
}
