//! The fake of GitHub's repository advisory endpoints (tests/common/github_fake):
//! it keeps what a client sends, answers as GitHub does (answers valid against
//! GitHub's response schemas), and refuses, and records, what GitHub would.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, Request, StatusCode};
use embargo::publish::github;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use crate::common::github_fake::{Fault, GithubFake, TOKEN, schema_errors};
use crate::publish_formats::{minimal, rich};

const REPO: &str = "acme/imagekit";
const ADVISORIES: &str = "/repos/acme/imagekit/security-advisories";

/// A request with the given headers only.
async fn raw(
    fake: &GithubFake,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = Request::builder()
        .method(method)
        .uri(format!("{}{path}", fake.url));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let bytes = body.map(|b| b.to_string()).unwrap_or_default();
    let res = client
        .request(req.body(Full::from(bytes)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

/// A request as a well-behaved client sends it.
async fn call(
    fake: &GithubFake,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let auth = format!("Bearer {TOKEN}");
    let headers = [
        ("authorization", auth.as_str()),
        ("accept", "application/vnd.github+json"),
        ("x-github-api-version", "2022-11-28"),
        ("content-type", "application/json"),
        ("user-agent", "embargo-tests"),
    ];
    raw(fake, method, path, &headers, body).await
}

#[track_caller]
fn valid(schema: &str, doc: &Value) {
    let errors = schema_errors(schema, doc);
    assert!(errors.is_empty(), "{schema}: {errors:#?}\n{doc:#}");
}

#[tokio::test]
async fn create_get_update_publish_and_cve() {
    let fake = GithubFake::start(&[REPO]).await;
    let adv = rich();
    let body = github::advisory_request(&adv.content, &adv.scored);
    let (status, created) = call(&fake, Method::POST, ADVISORIES, Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created:#}");
    valid("repository-advisory", &created);
    let ghsa = created["ghsa_id"].as_str().unwrap().to_string();
    let shape = |s: &str| s.len() == 4 && s.chars().all(|c| "23456789cfghjmpqrvwx".contains(c));
    let groups: Vec<&str> = ghsa.split('-').collect();
    assert!(
        groups[0] == "GHSA" && groups[1..].iter().all(|g| shape(g)) && groups.len() == 4,
        "{ghsa}"
    );
    assert_eq!(created["state"], "draft");
    assert_eq!(created["summary"], body["summary"]);
    assert_eq!(created["credits"], body["credits"]);
    assert_eq!(created["credits_detailed"][0]["user"]["login"], "rita-f");
    assert_eq!(
        created["cvss_severities"]["cvss_v3"]["vector_string"],
        body["cvss_vector_string"]
    );

    let one = format!("{ADVISORIES}/{ghsa}");
    let (status, got) = call(&fake, Method::GET, &one, None).await;
    assert_eq!(status, StatusCode::OK);
    valid("repository-advisory", &got);
    assert_eq!(got, created);

    let edited = minimal();
    let update = github::advisory_request(&edited.content, &edited.scored);
    let (status, patched) = call(&fake, Method::PATCH, &one, Some(&update)).await;
    assert_eq!(status, StatusCode::OK, "{patched:#}");
    valid("repository-advisory", &patched);
    assert_eq!(patched["summary"], "Tiny leaks a token in its logs");
    assert_eq!(
        fake.advisory(REPO, &ghsa).unwrap()["summary"],
        patched["summary"]
    );

    let (status, cve) = call(&fake, Method::POST, &format!("{one}/cve"), None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{cve}");
    assert!(fake.cve_requested(&ghsa));
    fake.assign_cve(REPO, &ghsa, "CVE-2026-40001");

    let (status, published) = call(
        &fake,
        Method::PATCH,
        &one,
        Some(&json!({"state": "published"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    valid("repository-advisory", &published);
    assert_eq!(published["state"], "published");
    assert_eq!(published["cve_id"], "CVE-2026-40001");
    assert!(published["published_at"].is_string());

    let (status, list) = call(
        &fake,
        Method::GET,
        &format!("{ADVISORIES}?state=published&per_page=10"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    for adv in list.as_array().unwrap() {
        valid("repository-advisory", adv);
    }
    let (_, drafts) = call(
        &fake,
        Method::GET,
        &format!("{ADVISORIES}?state=draft"),
        None,
    )
    .await;
    assert_eq!(drafts, json!([]));

    let (status, closed) = call(
        &fake,
        Method::PATCH,
        &one,
        Some(&json!({"state": "closed"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(closed["closed_at"].is_string());
    fake.assert_no_violations();
    let requests = fake.requests();
    assert_eq!(requests.len(), 8);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", ADVISORIES)
    );
    assert_eq!(requests[0].json(), body);
    assert_eq!(
        requests[0].header("X-GitHub-Api-Version"),
        Some("2022-11-28")
    );
}

#[tokio::test]
async fn a_body_github_refuses_is_422_and_a_violation() {
    let fake = GithubFake::start(&[REPO]).await;
    let adv = rich();
    let mut body = github::advisory_request(&adv.content, &adv.scored);
    body["vulnerabilities"][0]["package"]["ecosystem"] = json!("PyPI");
    let (status, error) = call(&fake, Method::POST, ADVISORIES, Some(&body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    valid("validation-error", &error);
    assert!(fake.advisories(REPO).is_empty());
    let violations = fake.violations();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(violations[0].contains("PyPI"), "{violations:#?}");
    let failed = std::panic::catch_unwind(|| fake.assert_no_violations());
    assert!(failed.is_err());

    let mut both = github::advisory_request(&adv.content, &adv.scored);
    both["severity"] = json!("high");
    let (status, _) = call(&fake, Method::POST, ADVISORIES, Some(&both)).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "severity and a vector"
    );

    let (status, _) = call(
        &fake,
        Method::PATCH,
        &format!("{ADVISORIES}/GHSA-2222-3333-4444"),
        Some(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, error) = call(
        &fake,
        Method::GET,
        "/repos/acme/other/security-advisories",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    valid("basic-error", &error);
    let (status, _) = call(
        &fake,
        Method::GET,
        &format!("{ADVISORIES}?per_page=1000"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fake.violations().len(), 5);
}

#[tokio::test]
async fn token_and_headers_are_checked() {
    let fake = GithubFake::start(&[REPO]).await;
    let good = [
        ("accept", "application/vnd.github+json"),
        ("x-github-api-version", "2022-11-28"),
    ];
    let wrong = [("authorization", "Bearer ghp_wrong"), good[0], good[1]];
    let (status, error) = raw(&fake, Method::GET, ADVISORIES, &wrong, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    valid("basic-error", &error);
    assert_eq!(error["message"], "Bad credentials");
    let (status, _) = raw(&fake, Method::GET, ADVISORIES, &good, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no token");
    let auth = format!("Bearer {TOKEN}");
    let no_accept = [("authorization", auth.as_str()), good[1]];
    let (status, _) = raw(&fake, Method::GET, ADVISORIES, &no_accept, None).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let no_version = [("authorization", auth.as_str()), good[0]];
    let (status, _) = raw(&fake, Method::GET, ADVISORIES, &no_version, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fake.violations().len(), 4);
    assert_eq!(
        fake.requests().len(),
        4,
        "refused requests are recorded too"
    );
}

#[tokio::test]
async fn faults_fail_then_pass() {
    let fake = GithubFake::start(&[REPO]).await;
    fake.fail_next(2, Fault::Status(502));
    fake.fail_next(1, Fault::Status(503));
    for expected in [502, 502, 503, 200] {
        let (status, _) = call(&fake, Method::GET, ADVISORIES, None).await;
        assert_eq!(status.as_u16(), expected);
    }
    fake.fail_next(1, Fault::Hang);
    let hung = tokio::time::timeout(
        Duration::from_millis(300),
        call(&fake, Method::GET, ADVISORIES, None),
    )
    .await;
    assert!(hung.is_err(), "the request never gets an answer");
    let (status, _) = call(&fake, Method::GET, ADVISORIES, None).await;
    assert_eq!(status, StatusCode::OK, "only the next one hangs");
    fake.assert_no_violations();
    assert_eq!(fake.requests().len(), 6);
}
