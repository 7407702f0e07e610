//! One way to page through every list of the API (issue 14): `?limit=`
//! (1 to 200) and `?cursor=`, `next_cursor` in the answer (null on the
//! last page). Each list, longer than one page, is walked page by page:
//! every item comes once, in the order of the whole list; a bad limit or
//! cursor is a JSON 400.

use std::collections::HashSet;

use axum::http::StatusCode;
use serde_json::Value;

use crate::common::TestApp;

mod seed;

/// Walks `path` (which may hold a query already) `limit` items a page;
/// the identity `key` gives of each item, in order.
async fn walk(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    limit: usize,
    key: impl Fn(&Value) -> String,
) -> Vec<String> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let url = match &cursor {
            None => format!("{path}{sep}limit={limit}"),
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
        };
        let resp = app.get(&url, token).await;
        assert_eq!(resp.status, StatusCode::OK, "{url}: {}", resp.text());
        let v = resp.json();
        let items = v["items"].as_array().expect("items");
        assert!(items.len() <= limit, "{url}: {} items", items.len());
        seen.extend(items.iter().map(&key));
        match &v["next_cursor"] {
            Value::Null => return seen,
            Value::String(c) => {
                assert_eq!(items.len(), limit, "{url}: a short page before the last");
                cursor = Some(c.clone());
            }
            other => panic!("{url}: next_cursor is {other}"),
        }
    }
    panic!("{path}: the walk does not end");
}

/// The whole list as one answer gives it (no `limit`).
async fn whole(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    key: impl Fn(&Value) -> String,
) -> Vec<String> {
    let resp = app.get(path, token).await;
    assert_eq!(resp.status, StatusCode::OK, "{path}: {}", resp.text());
    let v = resp.json();
    assert_eq!(v["next_cursor"], Value::Null, "{path}: one page");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(key)
        .collect()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// Walked `limit` a page, `path` gives `expected` items, each once, in
/// the order of the unpaged answer; a bad limit or cursor is a JSON 400.
async fn pages_through(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    limit: usize,
    expected: usize,
    key: impl Fn(&Value) -> String + Copy,
) -> Vec<String> {
    let walked = walk(app, path, token, limit, key).await;
    let unique: HashSet<&String> = walked.iter().collect();
    assert_eq!(unique.len(), walked.len(), "{path}: an item came twice");
    assert_eq!(walked.len(), expected, "{path}: every item");
    assert!(expected > limit, "{path}: longer than one page");
    assert_eq!(walked, whole(app, path, token, key).await, "{path}: order");
    refuses_bad_paging(app, path, token).await;
    walked
}

async fn refuses_bad_paging(app: &TestApp, path: &str, token: Option<&str>) {
    let sep = if path.contains('?') { '&' } else { '?' };
    for bad in [
        "limit=0",
        "limit=201",
        "limit=ten",
        "limit=-1",
        "cursor=not%20a%20cursor",
    ] {
        let url = format!("{path}{sep}{bad}");
        let resp = app.get(&url, token).await;
        assert_eq!(
            resp.status,
            StatusCode::BAD_REQUEST,
            "{url}: {}",
            resp.text()
        );
        assert!(resp.json()["error"].is_string(), "{url}: {}", resp.text());
    }
}

#[tokio::test]
async fn reports_page_by_limit_and_cursor_and_still_by_before_and_next() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    seed::reports(&app, 7).await;
    let ids = pages_through(&app, "/api/v1/reports", Some(&admin), 3, 7, id).await;
    assert_eq!(ids[0], "rpt_seed7", "newest first");

    // The first names still work: `next` is `next_cursor`, `before` is `cursor`.
    let first = app
        .get("/api/v1/reports?limit=3", Some(&admin))
        .await
        .json();
    assert_eq!(first["next"], first["next_cursor"]);
    let c = first["next"].as_str().unwrap();
    let by_before = app
        .get(&format!("/api/v1/reports?limit=3&before={c}"), Some(&admin))
        .await
        .json();
    let by_cursor = app
        .get(&format!("/api/v1/reports?limit=3&cursor={c}"), Some(&admin))
        .await
        .json();
    assert_eq!(by_before["items"], by_cursor["items"]);
    // Both given: `cursor` wins.
    let both = app
        .get(
            &format!("/api/v1/reports?limit=3&cursor={c}&before=1.rpt_other"),
            Some(&admin),
        )
        .await;
    assert_eq!(both.status, StatusCode::OK, "{}", both.text());
    assert_eq!(both.json()["items"], by_cursor["items"]);
}

#[tokio::test]
async fn advisories_page_by_limit_and_cursor() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    seed::published(&app, 5).await;
    pages_through(&app, "/api/v1/advisories", Some(&admin), 2, 5, id).await;
    pages_through(
        &app,
        "/api/v1/advisories?state=published",
        Some(&admin),
        4,
        5,
        id,
    )
    .await;
}

#[tokio::test]
async fn tokens_keys_and_jobs_page_by_limit_and_cursor() {
    let app = TestApp::new().await;
    let (account, admin) = app
        .account("admin@project.test", embargo::domain::account::Role::Admin)
        .await;
    seed::tokens(&app, &account, 6).await;
    pages_through(&app, "/api/v1/tokens", Some(&admin), 4, 7, id).await;
    seed::keys(&app, &account, 5).await;
    pages_through(&app, "/api/v1/me/keys", Some(&admin), 2, 5, id).await;
    seed::jobs(&app, 5).await;
    let all = whole(&app, "/api/v1/jobs", Some(&admin), id).await;
    pages_through(&app, "/api/v1/jobs", Some(&admin), 2, all.len(), id).await;
    pages_through(&app, "/api/v1/jobs?state=dead", Some(&admin), 2, 5, id).await;
}

#[tokio::test]
async fn members_applications_and_reviews_page_by_limit_and_cursor() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let members = seed::members(&app, 5).await;
    let ids = pages_through(&app, "/api/v1/members", Some(&admin), 2, 5, id).await;
    let mut by_name = ids.clone();
    by_name.sort_by_key(|id| members.iter().position(|m| m == id));
    assert_eq!(ids, by_name, "by name");
    // The directory: active members only, to anyone.
    pages_through(&app, "/api/v1/members", None, 2, 4, id).await;

    seed::applications(&app, &members[0], 5).await;
    let apps = pages_through(&app, "/api/v1/applications", Some(&admin), 2, 5, id).await;
    let one = app
        .get(&format!("/api/v1/applications/{}", apps[0]), Some(&admin))
        .await
        .json();
    let listed = app.get("/api/v1/applications", Some(&admin)).await.json();
    assert_eq!(listed["items"][0], one, "listed as read alone");

    seed::reviews(&app, &members[0], 5).await;
    let path = format!("/api/v1/members/{}/reviews", members[0]);
    pages_through(&app, &path, Some(&admin), 2, 5, id).await;
    let page = app
        .get(&format!("{path}?limit=2"), Some(&admin))
        .await
        .json();
    let all = app.get(&path, Some(&admin)).await.json();
    assert_eq!(page["review_due_at"], all["review_due_at"]);
}

#[tokio::test]
async fn an_advisorys_shares_tasks_test_reports_and_a_members_leaks_page_by_limit_and_cursor() {
    let app = TestApp::new().await;
    let (account, admin) = app
        .account("admin@project.test", embargo::domain::account::Role::Admin)
        .await;
    let members = seed::members(&app, 2).await;
    seed::published(&app, 1).await;
    let advisory = "SA-2020-1001";
    seed::shares(&app, advisory, &members[0], &account, 5).await;
    seed::tasks(&app, advisory, &members, &account, 5).await;
    seed::test_reports(&app, advisory, &members[0], &account, 5).await;
    seed::leaks(&app, advisory, &members[0], &account, 5).await;
    for list in ["shares", "tasks", "test-reports"] {
        let path = format!("/api/v1/advisories/{advisory}/{list}");
        pages_through(&app, &path, Some(&admin), 2, 5, id).await;
    }
    let path = format!("/api/v1/members/{}/leaks", members[0]);
    pages_through(&app, &path, Some(&admin), 2, 5, id).await;
    let page = app
        .get(&format!("{path}?limit=2"), Some(&admin))
        .await
        .json();
    assert_eq!(
        page["strikes"], 5,
        "strikes count every leak, not the page's"
    );
}

#[tokio::test]
async fn templates_their_versions_and_the_criteria_page_by_limit_and_cursor() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let name = |v: &Value| v["name"].as_str().unwrap().to_owned();
    let all = whole(&app, "/api/v1/templates", Some(&admin), name).await;
    pages_through(&app, "/api/v1/templates", Some(&admin), 4, all.len(), name).await;

    let key = |v: &Value| v["key"].as_str().unwrap().to_owned();
    let all = whole(&app, "/api/v1/criteria", None, key).await;
    pages_through(&app, "/api/v1/criteria", None, 2, all.len(), key).await;

    let template = &all_first(&app, &admin).await;
    seed::template_versions(&app, template, 3).await;
    let version = |v: &Value| format!("{} {} {}", v["lang"], v["version"], v["current"]);
    let path = format!("/api/v1/templates/{template}/versions");
    let walked = pages_through(&app, &path, Some(&admin), 2, 6, version).await;
    assert_eq!(walked[0], "\"de\" 3 true", "by language, newest first");
    assert_eq!(walked[1], "\"de\" 2 false");
}

async fn all_first(app: &TestApp, admin: &str) -> String {
    let v = app
        .get("/api/v1/templates?limit=1", Some(admin))
        .await
        .json();
    v["items"][0]["name"].as_str().unwrap().to_owned()
}
