//! Reads that stay fast as the database grows (issue 7): lists come a
//! bounded page at a time with a cursor to the next, the feed holds the
//! latest publications only, and an advisory's public documents are
//! rendered once, when what is public changes, and served as stored.

use std::collections::HashSet;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::AssertSqlSafe;

use crate::advisories::{advisory_body, create};
use crate::common::TestApp;

const PAGE: usize = 50;

async fn exec(app: &TestApp, sql: String) {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// `n` reports in one statement; every three share an instant, so the
/// cursor's tie-break on the id is exercised.
async fn seed_reports(app: &TestApp, n: usize) {
    exec(
        app,
        format!(
            "INSERT INTO reports (id, title, description, affected_versions, unaffected_versions, \
             credit_consent, status, source, tracking_hash, reply_tag, created_at, updated_at) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             SELECT 'rpt_seed' || CAST(i AS TEXT), 'Seeded report ' || CAST(i AS TEXT), 'd', '', '', 0, \
             'new', 'api', 'hash' || CAST(i AS TEXT), 'tag' || CAST(i AS TEXT), \
             1700000000000000 + (i / 3) * 1000, 1700000000000000 + (i / 3) * 1000 FROM n"
        ),
    )
    .await;
}

/// `n` published advisories in one statement (SA-2020-1001 ...), every two
/// published at the same instant. They have no stored documents, as
/// advisories published before migration 0008.
async fn seed_published(app: &TestApp, n: usize) {
    let content = advisory_body().to_string().replace('\'', "''");
    exec(
        app,
        format!(
            "INSERT INTO advisories (id, year, seq, state, content, revision, published_at, created_at, updated_at) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             SELECT 'SA-2020-' || CAST(1000 + i AS TEXT), 2020, 1000 + i, 'published', '{content}', 1, \
             1600000000000000 + (i / 2) * 1000000, 1600000000000000 + (i / 2) * 1000000, \
             1600000000000000 + (i / 2) * 1000000 FROM n"
        ),
    )
    .await;
}

/// Walks an API list from its first page; returns the ids in order and the
/// size of each page.
async fn walk_api(app: &TestApp, path: &str, token: &str) -> (Vec<String>, Vec<usize>) {
    let (mut ids, mut sizes) = (Vec::new(), Vec::new());
    let mut url = path.to_owned();
    loop {
        let resp = app.get(&url, Some(token)).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
        let v = resp.json();
        let items = v["items"].as_array().unwrap();
        sizes.push(items.len());
        ids.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        match &v["next"] {
            Value::Null => break,
            Value::String(c) => url = format!("{path}?before={c}"),
            other => panic!("next is {other}"),
        }
        assert!(sizes.len() < 100, "the walk does not end");
    }
    (ids, sizes)
}

fn assert_each_once(ids: &[String], expected: usize) {
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an item came twice");
    assert_eq!(ids.len(), expected, "every item, once");
}

#[tokio::test]
async fn the_inbox_api_answers_bounded_pages_whose_cursor_walks_every_report_once() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    seed_reports(&app, 121).await;
    let (ids, sizes) = walk_api(&app, "/api/v1/reports", &admin).await;
    assert_eq!(sizes, vec![PAGE, PAGE, 21]);
    assert_each_once(&ids, 121);
    assert_eq!(ids[0], "rpt_seed121", "newest first");
    assert_eq!(ids[120], "rpt_seed1");

    let bad = app
        .get("/api/v1/reports?before=nonsense", Some(&admin))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_inbox_page_shows_one_page_and_links_the_next() {
    let app = TestApp::new().await;
    app.admin_token().await;
    seed_reports(&app, 60).await;
    let browser = app.browser("admin@project.test").await;
    let first = app
        .page(Method::GET, "/admin/reports", Some(&browser.cookie), None)
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let text = first.text();
    assert_eq!(text.matches("href=\"/admin/reports/rpt_seed").count(), PAGE);
    let next = next_link(&text).expect("a link to the next page");
    let second = app
        .page(Method::GET, &next, Some(&browser.cookie), None)
        .await;
    let text = second.text();
    assert_eq!(text.matches("href=\"/admin/reports/rpt_seed").count(), 10);
    assert!(text.contains("rpt_seed1\"") && next_link(&text).is_none());
}

#[tokio::test]
async fn the_advisory_api_answers_bounded_pages_whose_cursor_walks_every_advisory_once() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    seed_published(&app, 75).await;
    create(&app, &admin).await;
    let (ids, sizes) = walk_api(&app, "/api/v1/advisories", &admin).await;
    assert_eq!(sizes, vec![PAGE, 26]);
    assert_each_once(&ids, 76);
}

/// The `rel="next"` link of a page, unescaped.
fn next_link(html: &str) -> Option<String> {
    let end = html.find("\" rel=\"next\"")?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(
        html[start..end]
            .replace("&#x2f;", "/")
            .replace("&amp;", "&"),
    )
}

#[tokio::test]
async fn the_public_index_pages_through_every_published_advisory_once() {
    let app = TestApp::new().await;
    seed_published(&app, 120).await;
    let mut url = "/advisories".to_owned();
    let mut seen = Vec::new();
    loop {
        let resp = app.get(&url, None).await;
        assert_eq!(resp.status, StatusCode::OK, "{url}");
        let text = resp.text();
        let on_page: Vec<String> = text
            .match_indices("<a href=\"/advisories/SA-2020-")
            .map(|(i, _)| text[i + 21..i + 33].to_owned())
            .collect();
        assert!(on_page.len() <= PAGE, "{} on one page", on_page.len());
        seen.extend(on_page);
        match next_link(&text) {
            Some(next) => url = next,
            None => break,
        }
    }
    assert_each_once(&seen, 120);
    assert_eq!(seen[0], "SA-2020-1120", "newest first");
}

#[tokio::test]
async fn the_feed_holds_the_latest_50_publications_and_the_csaf_index_all() {
    let app = TestApp::new().await;
    seed_published(&app, 75).await;
    let feed = app.get("/feed.atom", None).await.text();
    assert_eq!(feed.matches("<entry>").count(), PAGE);
    assert!(feed.contains("SA-2020-1075") && !feed.contains("SA-2020-1001"));

    let index = app
        .get("/.well-known/csaf/white/index.txt", None)
        .await
        .text();
    assert_eq!(index.lines().count(), 75);
    assert!(index.contains("2020/sa-2020-1001.json\n"));
    let changes = app
        .get("/.well-known/csaf/white/changes.csv", None)
        .await
        .text();
    assert_eq!(changes.lines().count(), 75);
}

async fn publish(app: &TestApp, admin: &str) -> String {
    let id = create(app, admin).await;
    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/publish"),
            Some(admin),
            json!({ "reason": "fixed release is out" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    id
}

async fn stored(app: &TestApp, id: &str, kind: &str) -> Option<String> {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query_scalar("SELECT body FROM public_documents WHERE advisory_id = $1 AND kind = $2")
        .bind(id)
        .bind(kind)
        .fetch_optional(&mut *conn)
        .await
        .unwrap()
}

fn csaf_file(id: &str) -> String {
    let year = jiff::Timestamp::now().strftime("%Y").to_string();
    format!("/.well-known/csaf/white/{year}/{}.json", id.to_lowercase())
}

#[tokio::test]
async fn a_published_advisory_is_served_from_the_documents_stored_at_publication() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = publish(&app, &admin).await;
    let page = app.get(&format!("/advisories/{id}"), None).await.text();
    for kind in ["html", "osv", "csaf"] {
        assert!(
            stored(&app, &id, kind).await.is_some(),
            "{kind} stored at publication"
        );
    }
    assert!(
        stored(&app, &id, "html")
            .await
            .unwrap()
            .contains("crafted symlinks")
    );
    assert!(page.contains(&stored(&app, &id, "html").await.unwrap()));

    // Change what is stored, not the advisory: the routes follow the table.
    exec(
        &app,
        format!(
            "UPDATE public_documents SET body = CASE kind WHEN 'html' THEN '<p>stored page</p>' \
             WHEN 'osv' THEN '{{\"stored\":\"osv\"}}' ELSE '{{\"stored\":\"csaf\"}}' END \
             WHERE advisory_id = '{id}'"
        ),
    )
    .await;
    let page = app.get(&format!("/advisories/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("<p>stored page</p>"));
    assert!(!page.text().contains("Affected packages"));
    let osv = app.get(&format!("/advisories/{id}.osv.json"), None).await;
    assert_eq!(osv.json(), json!({ "stored": "osv" }));
    assert_eq!(osv.header("content-type"), Some("application/json"));
    let csaf = app.get(&format!("/advisories/{id}.csaf.json"), None).await;
    assert_eq!(csaf.json(), json!({ "stored": "csaf" }));
    let file = app.get(&csaf_file(&id), None).await;
    assert_eq!(file.json(), json!({ "stored": "csaf" }));
}

#[tokio::test]
async fn a_correction_after_publication_updates_the_stored_documents() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = publish(&app, &admin).await;
    let resp = app
        .api(
            Method::PATCH,
            &format!("/api/v1/advisories/{id}"),
            Some(&admin),
            Some(json!({ "summary": "Corrected summary", "reason": "clearer" })),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    for kind in ["html", "osv", "csaf"] {
        let body = stored(&app, &id, kind).await.unwrap();
        assert!(body.contains("Corrected summary"), "{kind}: {body}");
    }
    let osv = app
        .get(&format!("/advisories/{id}.osv.json"), None)
        .await
        .json();
    assert_eq!(osv["summary"], "Corrected summary");
    let csaf = app.get(&csaf_file(&id), None).await.json();
    assert_eq!(
        csaf["document"]["tracking"]["revision_history"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_withdrawal_replaces_the_stored_documents_with_a_tombstone() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = publish(&app, &admin).await;
    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/withdraw"),
            Some(&admin),
            json!({ "reason": "not a vulnerability after all" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK);
    let osv: Value = serde_json::from_str(&stored(&app, &id, "osv").await.unwrap()).unwrap();
    assert!(osv["withdrawn"].is_string(), "{osv}");
    assert!(
        stored(&app, &id, "html")
            .await
            .unwrap()
            .contains("not a vulnerability after all")
    );
    assert!(
        stored(&app, &id, "csaf")
            .await
            .unwrap()
            .contains("not a vulnerability after all")
    );
    let page = app.get(&format!("/advisories/{id}"), None).await.text();
    assert!(page.contains("This advisory was withdrawn"));
}

#[tokio::test]
async fn an_advisory_published_before_the_documents_table_is_rendered_and_stored_on_first_read() {
    let app = TestApp::new().await;
    seed_published(&app, 1).await;
    let id = "SA-2020-1001";
    assert_eq!(stored(&app, id, "csaf").await, None);
    let file = app
        .get("/.well-known/csaf/white/2020/sa-2020-1001.json", None)
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.text());
    assert_eq!(file.json()["document"]["tracking"]["id"], id);
    assert_eq!(
        stored(&app, id, "csaf").await.as_deref(),
        Some(file.text().as_str())
    );
    let same = app.get(&format!("/advisories/{id}.csaf.json"), None).await;
    assert_eq!(same.body, file.body);
    assert_eq!(
        app.get("/.well-known/csaf/white/2019/sa-2020-1001.json", None)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "only at its release year"
    );
}
