//! Advisories hold to OSV: SEMVER ranges take SemVer 2.0 versions only, and
//! every OSV reference type is accepted.

use axum::http::StatusCode;
use serde_json::json;

use crate::advisories::advisory_body;
use crate::common::TestApp;

#[tokio::test]
async fn semver_ranges_refuse_versions_that_are_not_semver() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    for bad in ["v1.0.0", "1.0", "01.2.3", "1.2.3-", "1.2"] {
        let mut body = advisory_body();
        body["affected"][0]["ranges"][0]["events"] =
            json!([{ "introduced": "0" }, { "fixed": bad }]);
        let resp = app.post("/api/v1/advisories", Some(&admin), body).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let error = &resp.json()["errors"]["affected[0].ranges[0].events"];
        assert!(
            error.as_str().is_some_and(|e| e.contains("SemVer 2.0")),
            "{bad}: {error}"
        );
    }
    for good in [
        "1.0.0",
        "2.0.0-rc.1",
        "1.2.3+build.5",
        "10.20.30-alpha.0.beta",
    ] {
        let mut body = advisory_body();
        body["affected"][0]["ranges"][0]["events"] =
            json!([{ "introduced": "0" }, { "fixed": good }]);
        let resp = app.post("/api/v1/advisories", Some(&admin), body).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{good}: {}", resp.text());
    }
}

#[tokio::test]
async fn ecosystem_ranges_keep_their_own_version_syntax() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let mut body = advisory_body();
    body["affected"][0]["ranges"][0] = json!({ "type": "ECOSYSTEM",
        "events": [{ "introduced": "v1.0" }, { "fixed": "1.0" }] });
    let resp = app.post("/api/v1/advisories", Some(&admin), body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
}

#[tokio::test]
async fn a_git_reference_is_accepted() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let mut body = advisory_body();
    body["references"] = json!([{ "type": "GIT", "url": "https://example.org/runtime.git" }]);
    let resp = app.post("/api/v1/advisories", Some(&admin), body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
}
