//! Requests per second of the reads that used to grow with the database
//! (issue 7): `/advisories`, `/feed.atom`, the CSAF index, one CSAF file and
//! the inbox (`GET /api/v1/reports`, the same query and audit event as
//! `/admin/reports`), with 1,000 and then 10,000 reports next to 1,000
//! published advisories.
//!
//! Two instances of the real router, each on its own SQLite file (or a
//! fresh database on the PostgreSQL server named by
//! EMBARGO_TEST_DATABASE_URL), one seeded with 1,000 reports and one with
//! 10,000, driven in process with `tower::ServiceExt::oneshot` by a few
//! concurrent clients. Each route is measured in alternating rounds on the
//! two, and the best round of each counts, so that load from other
//! processes on the machine hits both sizes alike. A run takes well under
//! two minutes:
//!
//! ```text
//! cargo bench --bench reads          # release build
//! cargo test --release --bench reads # the same
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use embargo::app::AppState;
use embargo::config::{Config, Paths};
use embargo::db::Db;
use embargo::domain::account::Role;
use embargo::domain::email::EmailAddress;
use embargo::mail::Transport;
use http_body_util::BodyExt;
use sqlx::{AssertSqlSafe, Connection, Executor};
use tower::ServiceExt;

/// How long each round drives a route, how many rounds per size, and how
/// many clients at once.
const RUN: Duration = Duration::from_secs(1);
const ROUNDS: usize = 3;
const CLIENTS: usize = 4;

const CONTENT: &str = r#"{"summary":"Container escape through crafted symlinks","details":"A *crafted* image lets a container write to the host.","affected":[{"package":{"ecosystem":"Go","name":"example.org/runtime","purl":"pkg:golang/example.org/runtime"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"1.4.2"}]}]}],"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"database_specific":{"cwe_ids":["CWE-59"]},"aliases":["CVE-2026-12345"],"credits":[{"name":"Rita Reporter","type":"FINDER"}],"references":[{"type":"FIX","url":"https://example.org/runtime/commit/abc"}]}"#;

async fn database_url(dir: &std::path::Path, tag: &str) -> String {
    match std::env::var("EMBARGO_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            sqlx::any::install_default_drivers();
            let name = format!("embargo_bench_{}_{tag}", std::process::id());
            let mut conn = sqlx::AnyConnection::connect(&base).await.unwrap();
            conn.execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .unwrap();
            let mut url = url::Url::parse(&base).unwrap();
            url.set_path(&name);
            url.to_string()
        }
        _ => format!(
            "sqlite://{}?mode=rwc",
            dir.join(format!("{tag}.db")).display()
        ),
    }
}

async fn exec(state: &AppState, sql: String) {
    let mut conn = state.db.conn().await.unwrap();
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// Reports `from + 1 ..= to`, one statement.
async fn seed_reports(state: &AppState, from: usize, to: usize) {
    exec(
        state,
        format!(
            "INSERT INTO reports (id, title, description, affected_versions, unaffected_versions, \
             credit_consent, status, source, tracking_hash, reply_tag, created_at, updated_at) \
             WITH RECURSIVE n(i) AS (SELECT {} UNION ALL SELECT i + 1 FROM n WHERE i < {to}) \
             SELECT 'rpt_bench' || CAST(i AS TEXT), 'Report ' || CAST(i AS TEXT), 'details', '', '', 0, \
             'new', 'api', 'hash' || CAST(i AS TEXT), 'tag' || CAST(i AS TEXT), \
             1700000000000000 + CAST(i AS BIGINT) * 1000000, 1700000000000000 + CAST(i AS BIGINT) * 1000000 FROM n",
            from + 1
        ),
    )
    .await;
}

/// `n` published advisories with one public version each, two statements.
async fn seed_advisories(state: &AppState, n: usize) {
    exec(
        state,
        format!(
            "INSERT INTO advisories (id, year, seq, state, content, revision, published_at, created_at, updated_at) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             SELECT 'SA-2025-' || CAST(10000 + i AS TEXT), 2025, 10000 + i, 'published', '{CONTENT}', 1, \
             1740000000000000 + CAST(i AS BIGINT) * 60000000, 1740000000000000 + CAST(i AS BIGINT) * 60000000, \
             1740000000000000 + CAST(i AS BIGINT) * 60000000 FROM n"
        ),
    )
    .await;
    exec(
        state,
        "INSERT INTO publications (advisory_id, number, at, summary) \
         SELECT id, 1, published_at, 'Initial publication' FROM advisories"
            .into(),
    )
    .await;
}

async fn admin_token(state: &AppState) -> String {
    let email = EmailAddress::parse("admin@bench.test").unwrap();
    let actor = embargo::db::audit::Actor::cli();
    embargo::app::auth::add_account(state, &actor, &email, Role::Admin)
        .await
        .unwrap();
    let mut conn = state.db.conn().await.unwrap();
    let account = embargo::db::accounts::by_email(&mut conn, email.as_str())
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let (_, token) = embargo::app::auth::create_token(state, &actor, &account.id, "bench")
        .await
        .unwrap();
    token.expose().to_owned()
}

async fn get(router: &Router, path: &str, token: Option<&str>) -> usize {
    let mut b = Request::builder().uri(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = router
        .clone()
        .oneshot(b.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.into_body().collect().await.unwrap().to_bytes().len()
}

/// Requests per second on `path` with [`CLIENTS`] clients for [`RUN`].
async fn rate(router: &Router, path: &str, token: Option<&str>) -> f64 {
    get(router, path, token).await; // warm: a lazily rendered document is stored
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (router, path, token, done) = (
            router.clone(),
            path.to_owned(),
            token.map(str::to_owned),
            done.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while start.elapsed() < RUN {
                get(&router, &path, token.as_deref()).await;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// An app seeded with 1,000 published advisories and `reports` reports;
/// returns its state, router, an admin's token and its database URL.
async fn app(dir: &std::path::Path, reports: usize) -> (AppState, Router, String, String) {
    let config = Config {
        base_url: "http://embargo.test".into(),
        organization: "Bench Project".into(),
        security_address: "security@bench.test".into(),
        ..Config::default()
    };
    let url = database_url(dir, &format!("r{reports}")).await;
    let db = Db::connect(&url).await.unwrap();
    let (transport, _sent) = Transport::memory();
    let paths = Paths {
        data: dir.join(format!("r{reports}")),
    };
    std::fs::create_dir_all(&paths.data).unwrap();
    let state = AppState::new(config, paths, db, transport).unwrap();
    let router = embargo::http::router(state.clone());
    let token = admin_token(&state).await;
    seed_advisories(&state, 1000).await;
    seed_reports(&state, 0, reports).await;
    (state, router, token, url)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sizes = [1_000, 10_000];
    let mut apps = Vec::new();
    for n in sizes {
        apps.push(app(dir.path(), n).await);
    }
    let routes: [(&str, &str, bool); 5] = [
        ("/advisories", "/advisories", false),
        ("/feed.atom", "/feed.atom", false),
        ("CSAF index.txt", "/.well-known/csaf/white/index.txt", false),
        (
            "one CSAF file",
            "/.well-known/csaf/white/2025/sa-2025-10500.json",
            false,
        ),
        ("inbox (/api/v1/reports)", "/api/v1/reports", true),
    ];
    let engine = if apps[0].3.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    println!(
        "\nrequests/s (best of {ROUNDS} rounds of {} s, {CLIENTS} clients in process), 1,000 published advisories, {engine}",
        RUN.as_secs()
    );
    println!(
        "{:<26} {:>14} {:>15} {:>8}",
        "route", "1,000 reports", "10,000 reports", "change"
    );
    for (name, path, auth) in routes {
        let mut best = [0.0f64; 2];
        for _ in 0..ROUNDS {
            for (i, (_, router, token, _)) in apps.iter().enumerate() {
                let r = rate(router, path, auth.then_some(token.as_str())).await;
                best[i] = best[i].max(r);
            }
        }
        let [small, large] = best;
        println!(
            "{name:<26} {small:>14.0} {large:>15.0} {:>+7.0}%",
            (large - small) / small * 100.0
        );
    }
}
