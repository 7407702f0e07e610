//! What each admin list searches: a case-insensitive substring of the
//! fields it names (`%` and `_` match themselves), kept in the search box,
//! and "No results for ..." when nothing matches.

use serde_json::json;

use super::lists::{exec, ids};
use super::*;

/// The ids `marker` finds on `path?q=` for each search in `cases`.
async fn assert_found(tab: &Tab<'_>, path: &str, marker: &str, cases: &[(&str, &[&str])]) {
    for (q, expected) in cases {
        let url = format!("{path}?q={}", encode_q(q));
        let resp = tab.get(&url).await;
        assert_eq!(resp.status, OK, "{url}");
        let html = resp.text();
        assert_eq!(ids(&html, marker), *expected, "{path} searching {q:?}");
        let kept = format!("value=\"{q}\"");
        assert!(unescape(&html).contains(&kept), "{q:?} stays in the box");
    }
    let none = tab.get(&format!("{path}?q=zzqx")).await.text();
    assert!(
        none.contains("No results for “zzqx”"),
        "{path} says nothing matched"
    );
}

fn encode_q(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

#[tokio::test]
async fn the_inbox_searches_title_description_and_reporter() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    exec(
        &app,
        "INSERT INTO reports (id, title, description, affected_versions, unaffected_versions, \
         reporter_name, reporter_email, github, credit_consent, status, source, tracking_hash, \
         reply_tag, created_at, updated_at) VALUES \
         ('rpt_t', 'Heap overflow in parser', 'd', '', '', NULL, NULL, NULL, 0, 'new', 'api', 'h1', 't1', 1, 1), \
         ('rpt_d', 'Second', 'A symlink race', '', '', NULL, NULL, NULL, 0, 'new', 'api', 'h2', 't2', 2, 2), \
         ('rpt_n', 'Third', 'd', '', '', 'Grace Hopper', NULL, NULL, 0, 'new', 'api', 'h3', 't3', 3, 3), \
         ('rpt_e', 'Fourth', 'd', '', '', NULL, 'finder@research.example', NULL, 0, 'new', 'api', 'h4', 't4', 4, 4), \
         ('rpt_g', 'Fifth', 'd', '', '', NULL, NULL, 'octo-finder', 0, 'new', 'api', 'h5', 't5', 5, 5), \
         ('rpt_p', 'Takes 100% CPU', 'd', '', '', NULL, NULL, NULL, 0, 'new', 'api', 'h6', 't6', 6, 6), \
         ('rpt_q', 'Takes 1000 CPU', 'd', '', '', NULL, NULL, NULL, 0, 'new', 'api', 'h7', 't7', 7, 7)",
    )
    .await;
    let cases: [(&str, &[&str]); 7] = [
        ("HEAP OVERFLOW", &["rpt_t"]),
        ("symlink", &["rpt_d"]),
        ("grace", &["rpt_n"]),
        ("research.example", &["rpt_e"]),
        ("octo-finder", &["rpt_g"]),
        ("100%", &["rpt_p"]),
        ("finder", &["rpt_g", "rpt_e"]),
    ];
    assert_found(&tab, "/admin/reports", "rpt_", &cases).await;
}

#[tokio::test]
async fn the_advisory_list_searches_summary_package_and_alias() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let mut conn = app.state.db.conn().await.unwrap();
    let rows = [
        (
            "SA-2026-0001",
            "Quantum tunnelling in the scheduler",
            "libfoo",
            "CVE-2026-0001",
        ),
        (
            "SA-2026-0002",
            "Memory leak",
            "libfrobnicate",
            "CVE-2026-0002",
        ),
        (
            "SA-2026-0003",
            "Say \"hello\" to a crash",
            "libbar",
            "GHSA-abcd-efgh-ijkl",
        ),
    ];
    for (n, (id, summary, package, alias)) in rows.iter().enumerate() {
        let mut content = crate::advisories::advisory_body();
        content["summary"] = json!(summary);
        content["affected"][0]["package"]["name"] = json!(package);
        content["aliases"] = json!([alias]);
        sqlx::query(
            "INSERT INTO advisories (id, year, seq, state, content, revision, created_at, updated_at) \
             VALUES ($1, 2026, $2, 'draft', $3, 1, $2, $2)",
        )
        .bind(*id)
        .bind(i64::try_from(n).unwrap() + 1)
        .bind(content.to_string())
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    drop(conn);
    let cases: [(&str, &[&str]); 5] = [
        ("quantum", &["SA-2026-0001"]),
        ("LIBFROBNICATE", &["SA-2026-0002"]),
        ("cve-2026-0001", &["SA-2026-0001"]),
        ("ghsa-abcd", &["SA-2026-0003"]),
        ("say \"hello\"", &["SA-2026-0003"]),
    ];
    assert_found(&tab, "/admin/advisories", "SA-2026-", &cases).await;
}

#[tokio::test]
async fn applications_members_jobs_and_leaks_search_their_fields() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    exec(
        &app,
        "INSERT INTO members (id, organization, website, security_alias, status, joined_at) VALUES \
         ('mem_a', 'Frobnitz Linux', 'https://frobnitz.example', 'security@frobnitz.example', 'active', 1), \
         ('mem_b', 'Other Distro', 'https://kestrel.example', 'psirt@osprey.example', 'active', 2)",
    )
    .await;
    let (contact, _) = app.account("carla@contact.example", Role::Member).await;
    exec(
        &app,
        &format!(
            "INSERT INTO member_contacts (account_id, member_id, name, added_at) \
             VALUES ('{contact}', 'mem_b', 'Carla Contact', 1)"
        ),
    )
    .await;
    let members: [(&str, &[&str]); 4] = [
        ("frobnitz linux", &["mem_a"]),
        ("osprey", &["mem_b"]),
        ("carla contact", &["mem_b"]),
        ("contact.example", &["mem_b"]),
    ];
    assert_found(&tab, "/admin/members", "mem_", &members).await;

    exec(
        &app,
        "INSERT INTO applications (id, organization, website, security_alias, criteria_version, \
         answers, contacts, voucher_member_id, status, status_hash, confirm_hash, expires_at, created_at) VALUES \
         ('app_a', 'Frobnitz BSD', 'https://a.example', 'security@a.example', 1, '{}', '[]', 'mem_a', 'in_review', 's1', 'c1', 9, 1), \
         ('app_b', 'B', 'https://kestrel-b.example', 'security@b.example', 1, '{}', '[]', 'mem_a', 'in_review', 's2', 'c2', 9, 2), \
         ('app_c', 'C', 'https://c.example', 'psirt@heron.example', 1, '{}', '[]', 'mem_b', 'in_review', 's3', 'c3', 9, 3)",
    )
    .await;
    let applications: [(&str, &[&str]); 3] = [
        ("FROBNITZ", &["app_a"]),
        ("kestrel", &["app_b"]),
        ("heron", &["app_c"]),
    ];
    assert_found(&tab, "/admin/applications", "app_", &applications).await;
    let listed = tab.get("/admin/applications").await.text();
    assert!(
        listed.contains("<td>Other Distro</td>"),
        "the voucher by name"
    );

    exec(
        &app,
        "INSERT INTO jobs (id, kind, lane, payload, idempotency_key, state, run_at, max_attempts, \
         last_error, created_at, updated_at) VALUES \
         ('job_a', 'deliver_announcement', 'mail', '{}', 'delivery:ann_1:acc_1', 'done', 1, 1, '', 1, 1), \
         ('job_b', 'send_ack', 'mail', '{}', 'ack:rpt_findme', 'done', 1, 1, '', 2, 2), \
         ('job_c', 'send_ack', 'mail', '{}', 'ack:rpt_other', 'done', 1, 1, '550 mailbox unavailable', 3, 3)",
    )
    .await;
    let jobs: [(&str, &[&str]); 3] = [
        ("deliver_", &["job_a"]),
        ("rpt_findme", &["job_b"]),
        ("mailbox unavailable", &["job_c"]),
    ];
    assert_found(&tab, "/admin/jobs", "job_", &jobs).await;
    let dead = tab.get("/admin/jobs?state=dead&q=ack").await.text();
    assert!(dead.contains("No results for “ack”"));
    assert!(unescape(&dead).contains("href=\"/admin/jobs?state=done&q=ack\""));

    exec(
        &app,
        "INSERT INTO advisories (id, year, seq, state, content, revision, created_at, updated_at) \
         VALUES ('SA-2026-0042', 2026, 42, 'embargoed', '{}', 1, 1, 1)",
    )
    .await;
    exec(
        &app,
        &format!(
            "INSERT INTO leaks (id, advisory_id, member_id, reported_by, what, to_whom, created_at) VALUES \
             ('lk_a', 'SA-2026-0042', 'mem_a', '{contact}', 'the patch', 'a journalist at a paper', 1), \
             ('lk_b', 'SA-2026-0042', 'mem_b', '{contact}', 'the advisory text', 'a public list', 2)"
        ),
    )
    .await;
    let leaks: [(&str, &[&str]); 4] = [
        ("journalist", &["lk_a"]),
        ("advisory text", &["lk_b"]),
        ("other distro", &["lk_b"]),
        ("sa-2026-0042", &["lk_b", "lk_a"]),
    ];
    assert_found(&tab, "/admin/leaks", "lk_", &leaks).await;
}
