//! The admins' lists (inbox, advisories, applications, members, jobs,
//! leaks) at scale: a bounded page at a time, "Next" and "Previous" by
//! cursor without overlap, a search that the page links keep (what each
//! list searches is in `list_search`). The navigation links every admin
//! list.

use std::collections::HashSet;

use axum::http::Method;
use sqlx::AssertSqlSafe;

use super::*;

const PAGE: usize = 50;

pub(super) async fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query(AssertSqlSafe(sql.to_owned()))
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// `INSERT INTO {table} ({columns}) SELECT {values}` for i in 1..=n, in
/// one statement; `values` may use `i` and `at`, an instant three rows
/// share (so the cursors' tie-break on the id is exercised).
async fn seed(app: &TestApp, n: usize, table: &str, columns: &str, values: &str) {
    exec(
        app,
        &format!(
            "INSERT INTO {table} ({columns}) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             SELECT {} FROM n",
            values.replace("{at}", "1700000000000000 + (i / 3) * 1000")
        ),
    )
    .await;
}

async fn seed_reports(app: &TestApp, n: usize) {
    seed(
        app,
        n,
        "reports",
        "id, title, description, affected_versions, unaffected_versions, credit_consent, status, \
         source, tracking_hash, reply_tag, created_at, updated_at",
        "'rpt_seed' || CAST(i AS TEXT), 'Seeded report ' || CAST(i AS TEXT), 'd', '', '', 0, 'new', \
         'api', 'hash' || CAST(i AS TEXT), 'tag' || CAST(i AS TEXT), {at}, {at}",
    )
    .await;
}

async fn seed_members(app: &TestApp, n: usize) {
    seed(
        app,
        n,
        "members",
        "id, organization, website, security_alias, status, joined_at",
        "'mem_seed' || CAST(i AS TEXT), 'Member ' || CAST(i AS TEXT), 'https://m.example', \
         'security@m' || CAST(i AS TEXT) || '.example', 'active', {at}",
    )
    .await;
}

async fn seed_applications(app: &TestApp, n: usize) {
    seed_members(app, 1).await;
    seed(
        app,
        n,
        "applications",
        "id, organization, website, security_alias, criteria_version, answers, contacts, \
         voucher_member_id, status, status_hash, confirm_hash, expires_at, created_at",
        "'app_seed' || CAST(i AS TEXT), 'Applicant ' || CAST(i AS TEXT), 'https://a.example', \
         'security@a.example', 1, '{}', '[]', 'mem_seed1', 'in_review', 'sh' || CAST(i AS TEXT), \
         'ch' || CAST(i AS TEXT), 1900000000000000, {at}",
    )
    .await;
}

async fn seed_jobs(app: &TestApp, n: usize) {
    seed(
        app,
        n,
        "jobs",
        "id, kind, lane, payload, idempotency_key, state, run_at, max_attempts, created_at, updated_at",
        "'job_seed' || CAST(i AS TEXT), 'seeded', 'background', '{}', 'seed:' || CAST(i AS TEXT), \
         'done', {at}, 1, {at}, {at}",
    )
    .await;
}

async fn seed_advisories(app: &TestApp, n: usize) {
    let content = crate::advisories::advisory_body()
        .to_string()
        .replace('\'', "''");
    seed(
        app,
        n,
        "advisories",
        "id, year, seq, state, content, revision, created_at, updated_at",
        &format!(
            "'SA-2020-' || CAST(1000 + i AS TEXT), 2020, 1000 + i, 'draft', '{content}', 1, {{at}}, {{at}}"
        ),
    )
    .await;
}

/// The distinct ids on a page that start with `marker`, in order.
pub(super) fn ids(html: &str, marker: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for (i, _) in html.match_indices(marker) {
        let rest = &html[i..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let id = rest[..end].to_owned();
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    seen
}

/// The link marked `rel="{rel}"`, unescaped.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let end = html.find(&format!("\" rel=\"{rel}\""))?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(unescape(&html[start..end]))
}

/// Walks `path` by its Next links: the ids of each page. From the second
/// page, Previous leads back to the first exactly.
async fn walk(tab: &Tab<'_>, path: &str, marker: &str) -> Vec<Vec<String>> {
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut url = path.to_owned();
    loop {
        let resp = tab.get(&url).await;
        assert_eq!(resp.status, OK, "{url}: {}", resp.text());
        let html = resp.text();
        pages.push(ids(&html, marker));
        if pages.len() == 2 {
            let prev = rel_link(&html, "prev").expect("a link back");
            let back = ids(&tab.get(&prev).await.text(), marker);
            assert_eq!(
                back, pages[0],
                "{path}: Previous shows the first page again"
            );
        }
        match rel_link(&html, "next") {
            Some(next) => url = next,
            None => break,
        }
        assert!(pages.len() < 10, "the walk does not end");
    }
    assert!(rel_link(&tab.get(path).await.text(), "prev").is_none());
    pages
}

/// Every page full but the last, and every row once.
fn assert_paged(pages: &[Vec<String>], total: usize, what: &str) {
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    let mut expected = vec![PAGE; total / PAGE];
    if !total.is_multiple_of(PAGE) {
        expected.push(total % PAGE);
    }
    assert_eq!(sizes, expected, "{what}: page sizes");
    let all: HashSet<&String> = pages.iter().flatten().collect();
    assert_eq!(
        all.len(),
        total,
        "{what}: no row on two pages, none left out"
    );
}

#[tokio::test]
async fn each_admin_list_pages_forward_and_back_without_overlap() {
    let app = TestApp::new().await;
    let (admin_id, _, tab) = admin(&app).await;
    seed_reports(&app, 70).await;
    seed_advisories(&app, 60).await;
    seed_applications(&app, 55).await;
    seed_jobs(&app, 101).await;
    seed(
        &app,
        52,
        "leaks",
        "id, advisory_id, member_id, reported_by, what, to_whom, created_at",
        &format!("'lk_seed' || CAST(i AS TEXT), 'SA-2020-1001', 'mem_seed1', '{admin_id}', 'w', 't', {{at}}"),
    )
    .await;
    let cases = [
        ("/admin/reports", "rpt_seed", 70),
        ("/admin/advisories", "SA-2020-", 60),
        ("/admin/applications", "app_seed", 55),
        // Only the seeded jobs: the app queues its own too.
        ("/admin/jobs?q=seeded", "job_seed", 101),
        ("/admin/leaks", "lk_seed", 52),
    ];
    for (path, marker, total) in cases {
        assert_paged(&walk(&tab, path, marker).await, total, path);
    }
    let newest = ids(&tab.get("/admin/reports").await.text(), "rpt_seed");
    assert_eq!(newest[0], "rpt_seed70", "newest first");
    let bogus = tab.get("/admin/jobs?before=1.a&after=2.b").await;
    assert_eq!(bogus.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_member_list_of_120_stays_one_screen_per_page_without_removal_forms() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    seed_members(&app, 120).await;
    let first = tab.get("/admin/members").await.text();
    assert_eq!(ids(&first, "mem_seed").len(), PAGE);
    assert!(
        rel_link(&first, "next").is_some(),
        "a link to the next page"
    );
    assert!(!first.contains("/removal") && !first.contains("<textarea name=\"reason\""));
    assert!(
        first.matches("<form").count() <= 4,
        "the search, the founding-member form and the header's log-out only"
    );
    assert_paged(
        &walk(&tab, "/admin/members", "mem_seed").await,
        120,
        "members",
    );
}

#[tokio::test]
async fn a_search_keeps_its_query_in_the_page_links() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    seed_reports(&app, 200).await;
    // "report 1": reports 1, 10 to 19 and 100 to 199, 111 in all.
    let first = tab.get("/admin/reports?q=report+1").await.text();
    let next = rel_link(&first, "next").expect("a second page");
    assert!(next.contains("q=report+1"), "{next}");
    let second = tab.get(&next).await.text();
    let prev = rel_link(&second, "prev").expect("a way back");
    assert!(prev.contains("q=report+1"), "{prev}");
    let (a, b) = (ids(&first, "rpt_seed"), ids(&second, "rpt_seed"));
    assert_eq!((a.len(), b.len()), (PAGE, PAGE));
    assert!(a.iter().all(|id| !b.contains(id)), "no overlap");
    let matching = |id: &String| id.starts_with("rpt_seed1");
    assert!(a.iter().chain(&b).all(matching), "only matches");
    assert_paged(
        &walk(&tab, "/admin/reports?q=report+1", "rpt_seed").await,
        111,
        "search",
    );
}

#[tokio::test]
async fn the_navigation_links_every_admin_list() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let html = tab.get("/admin/reports").await.text();
    let nav = between(&html, "<nav aria-label=\"Main\">", "", "</nav>").expect("nav");
    let routes = embargo::http::router::route_table();
    let lists = routes
        .iter()
        .filter(|(m, p)| *m == Method::GET && p.starts_with("/admin") && !p.contains('{'));
    for (_, path) in lists {
        if *path == "/admin/advisories/new" {
            let list = tab.get("/admin/advisories").await.text();
            assert!(list.contains("href=\"/admin/advisories/new\""));
            continue;
        }
        assert!(
            nav.contains(&format!("href=\"{path}\"")),
            "{path} in the nav"
        );
        assert_eq!(tab.get(path).await.status, OK, "{path}");
    }
    // On a narrow screen the same links fold into a menu that needs no
    // script.
    let menu = between(nav, "<details class=\"nav-menu\">", "", "</details>").expect("menu");
    assert!(menu.contains("<summary>Admin</summary>") && menu.contains("href=\"/admin/jobs\""));
    let home = visitor(&app).get("/").await.text();
    let visitor_nav = between(&home, "<nav aria-label=\"Main\">", "", "</nav>").expect("nav");
    assert!(!visitor_nav.contains("nav-menu") && !visitor_nav.contains("/admin/"));
}
