//! The GitHub mirror against the local fake of GitHub's advisory endpoints
//! (tests/common/github_fake), which refuses and records every request the
//! real API would refuse: an embargoed advisory becomes a draft with its
//! credits, follows each edit, is published in the lift's own job and
//! closed on withdrawal; nothing is sent before it is linked and GitHub is
//! configured.

mod cve;
mod outage;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::github_fake::{GithubFake, TOKEN};

pub const REPO: &str = "acme/widget";

/// An app mirroring to `fake`, new advisories linked to [`REPO`].
pub async fn mirrored(fake: &GithubFake) -> TestApp {
    mirrored_with(fake, |_| {}).await
}

/// [`mirrored`], with more settings.
pub async fn mirrored_with(
    fake: &GithubFake,
    f: impl FnOnce(&mut embargo::config::Config),
) -> TestApp {
    let url = fake.url.clone();
    TestApp::with_config(|c| {
        c.github.token = Some(TOKEN.into());
        c.github.api_url = url;
        c.github.repository = Some(REPO.into());
        c.github.timeout_seconds = 1;
        f(c);
    })
    .await
}

/// An advisory with credits (one with a GitHub handle) and no CVE yet.
pub fn body() -> Value {
    json!({
        "summary": "Container escape through crafted symlinks",
        "details": "A *crafted* image lets a container write to the host.",
        "affected": [{
            "package": { "ecosystem": "Go", "name": "example.org/runtime" },
            "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "1.0.0" }, { "fixed": "1.4.2" }] }]
        }],
        "severity": [{ "type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
        "database_specific": { "cwe_ids": ["CWE-59"] },
        "credits": [
            { "name": "Rita Reporter", "type": "FINDER", "github": "rita-r" },
            { "name": "Anonymous helper", "type": "ANALYST" }
        ],
        "references": [{ "type": "FIX", "url": "https://example.org/runtime/commit/abc" }]
    })
}

pub async fn create(app: &TestApp, admin: &str) -> String {
    let resp = app.post("/api/v1/advisories", Some(admin), body()).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().unwrap().to_owned()
}

/// Sets an embargo ending in 48 hours; answers its instant (microseconds).
pub async fn embargo(app: &TestApp, admin: &str, id: &str) -> i64 {
    let until = jiff::Timestamp::from_microsecond(app.now()).unwrap()
        + jiff::SignedDuration::from_hours(48);
    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/embargo"),
            Some(admin),
            json!({ "until": until.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(), "time_zone": "UTC", "reason": "agreed" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    until.as_microsecond() / 1_000_000 * 1_000_000
}

/// A new advisory under embargo, its sync jobs run: the admin's token,
/// the id and the embargo's instant.
pub async fn embargoed(app: &TestApp) -> (String, String, i64) {
    let admin = app.admin_token().await;
    let id = create(app, &admin).await;
    let until = embargo(app, &admin, &id).await;
    app.run_jobs().await;
    (admin, id, until)
}

pub async fn status(app: &TestApp, admin: &str, id: &str) -> Value {
    let resp = app
        .get(&format!("/api/v1/advisories/{id}/github"), Some(admin))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    resp.json()
}

/// The admin's page of advisory `id`.
pub async fn advisory_page(app: &TestApp, browser: &crate::common::Browser, id: &str) -> String {
    let path = format!("/admin/advisories/{id}");
    let page = app
        .page(Method::GET, &path, Some(&browser.cookie), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.text()
}

/// The one advisory the fake holds for [`REPO`].
pub fn only(fake: &GithubFake) -> Value {
    let all = fake.advisories(REPO);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter().next().unwrap()
}

#[tokio::test]
async fn an_embargoed_advisory_is_a_draft_with_credits_follows_edits_and_is_published_in_the_lift()
{
    let fake = GithubFake::start(&[REPO]).await;
    let app = mirrored(&fake).await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    app.run_jobs().await;
    assert!(fake.requests().is_empty(), "a draft stays with the team");
    assert_eq!(status(&app, &admin, &id).await["repository"], REPO);

    let until = embargo(&app, &admin, &id).await;
    app.run_jobs().await;
    let draft = only(&fake);
    assert_eq!(draft["state"], "draft");
    assert_eq!(
        draft["summary"],
        "Container escape through crafted symlinks"
    );
    assert_eq!(draft["cwe_ids"], json!(["CWE-59"]));
    let credits = draft["credits_detailed"].as_array().unwrap();
    assert_eq!(credits.len(), 1, "only the credit with a GitHub handle");
    assert_eq!(credits[0]["user"]["login"], "rita-r");
    assert_eq!(credits[0]["type"], "finder");
    let vuln = &draft["vulnerabilities"][0];
    assert_eq!(vuln["package"]["ecosystem"], "go");
    assert_eq!(vuln["vulnerable_version_range"], ">= 1.0.0, < 1.4.2");
    let ghsa = draft["ghsa_id"].as_str().unwrap().to_owned();
    let shown = status(&app, &admin, &id).await;
    assert_eq!(shown["ghsa_id"], ghsa.as_str());
    assert_eq!(shown["state"], "draft");
    assert!(shown["last_error"].is_null());
    assert!(shown["html_url"].as_str().unwrap().contains(&ghsa));

    let edit = app
        .api(
            Method::PATCH,
            &format!("/api/v1/advisories/{id}"),
            Some(&admin),
            Some(json!({ "summary": "Host write through crafted symlinks", "reason": "clearer" })),
        )
        .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.text());
    app.run_jobs().await;
    assert_eq!(
        only(&fake)["summary"],
        "Host write through crafted symlinks"
    );
    let before = fake.requests().len();
    app.run_jobs().await;
    assert_eq!(fake.requests().len(), before, "in sync: nothing more sent");

    // The lift's own job publishes on GitHub, with no other job run.
    app.advance(jiff::SignedDuration::from_hours(48));
    app.at(embargo::app::advisories::lift_embargo(
        &app.state, &id, until,
    ))
    .await
    .unwrap();
    let public = app.get(&format!("/advisories/{id}.osv.json"), None).await;
    assert_eq!(public.status, StatusCode::OK);
    let published = only(&fake);
    assert_eq!(published["state"], "published");
    assert_eq!(published["summary"], "Host write through crafted symlinks");
    app.run_jobs().await;
    assert_eq!(status(&app, &admin, &id).await["state"], "published");
    assert_eq!(fake.advisories(REPO).len(), 1, "one GitHub advisory");
    fake.assert_no_violations();
}

#[tokio::test]
async fn nothing_reaches_github_before_the_advisory_is_linked_and_github_is_configured() {
    let fake = GithubFake::start(&[REPO]).await;
    let url = fake.url.clone();
    let unlinked = TestApp::with_config(|c| {
        c.github.token = Some(TOKEN.into());
        c.github.api_url = url;
    })
    .await;
    let admin = unlinked.admin_token().await;
    let id = create(&unlinked, &admin).await;
    embargo(&unlinked, &admin, &id).await;
    unlinked.run_jobs().await;
    assert!(fake.requests().is_empty(), "not linked: nothing sent");
    let shown = status(&unlinked, &admin, &id).await;
    assert_eq!(shown["configured"], true);
    assert!(shown["repository"].is_null());

    let path = format!("/api/v1/advisories/{id}/github");
    let link = |repo: &str| {
        let body = Some(json!({ "repository": repo }));
        unlinked.api(Method::PUT, &path, Some(&admin), body)
    };
    let bad = link("not a repository").await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert!(bad.json()["errors"]["repository"].is_string());
    let linked = link(REPO).await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.text());
    assert_eq!(linked.json()["repository"], REPO);
    unlinked.run_jobs().await;
    assert_eq!(only(&fake)["state"], "draft", "linked: mirrored");
    let moved = link("acme/other").await;
    assert_eq!(moved.status, StatusCode::CONFLICT, "{}", moved.text());
    assert!(moved.text().contains("cannot move"), "{}", moved.text());

    // No token: linked by default, but nothing is sent.
    let fake2 = GithubFake::start(&[REPO]).await;
    let off = mirrored_with(&fake2, |c| c.github.token = None).await;
    let (admin, id, _) = embargoed(&off).await;
    assert!(fake2.requests().is_empty(), "no token: nothing sent");
    let shown = status(&off, &admin, &id).await;
    assert_eq!(shown["configured"], false);
    assert_eq!(shown["repository"], REPO);
    let cve = off
        .post(
            &format!("/api/v1/advisories/{id}/github/cve"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(cve.status, StatusCode::CONFLICT, "{}", cve.text());
    assert!(cve.text().contains("not configured"), "{}", cve.text());
    fake.assert_no_violations();
}

#[tokio::test]
async fn withdrawal_closes_the_github_advisory_and_the_page_shows_the_mirror() {
    let fake = GithubFake::start(&[REPO]).await;
    let app = mirrored(&fake).await;
    let (admin, id, _) = embargoed(&app).await;
    let ghsa = only(&fake)["ghsa_id"].as_str().unwrap().to_owned();

    let browser = app.browser("admin@project.test").await;
    let html = advisory_page(&app, &browser, &id).await;
    assert!(html.contains(&ghsa), "the GHSA id is on the page");
    assert!(html.contains("Request CVE"));
    assert!(
        !html.contains("Save repository"),
        "on GitHub: the repository is fixed"
    );

    let withdraw = app
        .post(
            &format!("/api/v1/advisories/{id}/withdraw"),
            Some(&admin),
            json!({ "reason": "not a vulnerability" }),
        )
        .await;
    assert_eq!(withdraw.status, StatusCode::OK, "{}", withdraw.text());
    app.run_jobs().await;
    let closed = only(&fake);
    assert_eq!(closed["state"], "closed");
    assert!(closed["closed_at"].is_string());
    assert_eq!(status(&app, &admin, &id).await["state"], "closed");

    // A draft linked through the page form, with its CSRF token.
    let other = create(&app, &admin).await;
    let form = format!("csrf={}&repository=acme%2Fwidget", browser.csrf);
    let linked = app
        .page(
            Method::POST,
            &format!("/admin/advisories/{other}/github"),
            Some(&browser.cookie),
            Some(&form),
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.text());
    let forged = app
        .page(
            Method::POST,
            &format!("/admin/advisories/{other}/github"),
            Some(&browser.cookie),
            Some("csrf=wrong&repository="),
        )
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "a wrong CSRF token");
    assert_eq!(status(&app, &admin, &other).await["repository"], REPO);
    fake.assert_no_violations();
}
