//! "Request CVE": GitHub is asked once, polled on the service's clock, and
//! the CVE it assigns becomes an alias of the advisory (and of the GitHub
//! advisory's later updates).

use axum::http::StatusCode;
use serde_json::json;

use super::{REPO, create, embargo, mirrored, only, status};
use crate::common::github_fake::GithubFake;

#[tokio::test]
async fn a_requested_cve_becomes_an_alias_as_soon_as_github_reports_it() {
    let fake = GithubFake::start(&[REPO]).await;
    let app = mirrored(&fake).await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let request = format!("/api/v1/advisories/{id}/github/cve");

    let early = app.post(&request, Some(&admin), json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.text());
    assert!(
        early.text().contains("not on GitHub yet"),
        "{}",
        early.text()
    );

    embargo(&app, &admin, &id).await;
    app.run_jobs().await;
    let ghsa = only(&fake)["ghsa_id"].as_str().unwrap().to_owned();
    let asked = app.post(&request, Some(&admin), json!({})).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.text());
    assert!(asked.json()["cve_requested_at"].is_string());
    app.run_jobs().await;
    assert!(fake.cve_requested(&ghsa), "GitHub was asked");

    // An hour on, GitHub has not assigned one yet: asked again later.
    app.advance(jiff::SignedDuration::from_mins(61));
    app.run_jobs().await;
    let path = format!("/api/v1/advisories/{id}");
    assert_eq!(
        app.get(&path, Some(&admin)).await.json()["aliases"],
        json!([])
    );

    fake.assign_cve(REPO, &ghsa, "CVE-2026-55555");
    app.advance(jiff::SignedDuration::from_mins(61));
    app.run_jobs().await;
    let read = app.get(&path, Some(&admin)).await.json();
    assert_eq!(read["aliases"], json!(["CVE-2026-55555"]), "{read:#}");
    assert_eq!(status(&app, &admin, &id).await["cve_id"], "CVE-2026-55555");
    let history = app
        .get(&format!("/api/v1/advisories/{id}/history"), Some(&admin))
        .await;
    assert!(
        history.text().contains("CVE-2026-55555 assigned by GitHub"),
        "{}",
        history.text()
    );
    app.run_jobs().await;
    assert_eq!(
        only(&fake)["cve_id"],
        "CVE-2026-55555",
        "kept on later updates"
    );

    let again = app.post(&request, Some(&admin), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let polls_before = fake.requests().len();
    app.advance(jiff::SignedDuration::from_hours(3));
    app.run_jobs().await;
    assert_eq!(
        fake.requests().len(),
        polls_before,
        "no more polling once assigned"
    );
    fake.assert_no_violations();
}
