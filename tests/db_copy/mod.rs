//! `embargo db copy --to postgres://...`: a SQLite deployment built through
//! the API, copied by the binary into a fresh PostgreSQL database, then
//! served from there. The target needs EMBARGO_TEST_DATABASE_URL; without
//! it those tests say so and pass (the refusals that need no PostgreSQL
//! run anyway).

mod refusals;

use std::process::Output;

use axum::http::StatusCode;
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection};

use crate::common::process::{Env, http, serve, serve_with};
use crate::common::{TestApp, fresh_postgres_url, path_of};

/// A fresh PostgreSQL database, or a notice and `None`.
pub(super) async fn target() -> Option<String> {
    let url = fresh_postgres_url().await;
    if url.is_none() {
        eprintln!("db_copy: EMBARGO_TEST_DATABASE_URL is not set; skipping the PostgreSQL side");
    }
    url
}

/// What the deployment holds, to find again after the copy.
pub(super) struct Deployment {
    pub(super) env: Env,
    pub(super) admin: String,
    pub(super) report: String,
    pub(super) attachment: String,
    pub(super) embargoed: String,
    pub(super) published: String,
}

/// A SQLite deployment with reports (a thread with an attachment),
/// advisories (embargoed and published), a member, an edited template and
/// the audit events of all that; closed, so only the binary touches it.
pub(super) async fn deployment() -> Deployment {
    let app = TestApp::on_sqlite().await;
    let admin = app.admin_token().await;
    let (report, tracking) = app
        .report("Heap overflow in the parser", Some("rita@example.net"))
        .await;
    app.report("Second report", None).await;
    let track = format!("/api/v1{}", path_of(&tracking));
    let resp = app
        .post(
            &format!("{track}/messages"),
            None,
            json!({ "body": "PoC attached", "attachments": [{ "filename": "poc.py", "content_base64": "cHJpbnQoMSkK" }] }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let resp = app
        .post(
            &format!("/api/v1/reports/{report}/messages"),
            Some(&admin),
            json!({ "body": "Thanks, confirmed." }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let view = app.get(&track, None).await.json();
    let attachment = view["attachments"][0]["id"].as_str().unwrap().to_owned();

    let resp = app
        .post(
            "/api/v1/members",
            Some(&admin),
            json!({
                "organization": "Distro One", "website": "https://one.example",
                "security_alias": "security@one.example",
                "contacts": [{ "name": "Dana", "email": "dana@one.example" }],
            }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());

    let embargoed = crate::advisories::create(&app, &admin).await;
    let until = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(72))
        .unwrap();
    let resp = app
        .post(
            &format!("/api/v1/advisories/{embargoed}/embargo"),
            Some(&admin),
            json!({ "until": until.to_string(), "time_zone": "Europe/Berlin", "reason": "agreed" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let published = crate::advisories::create(&app, &admin).await;
    let resp = app
        .post(
            &format!("/api/v1/advisories/{published}/publish"),
            Some(&admin),
            json!({ "reason": "fixed" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let text = "Hi,\n\nwe have your report {{ report_id }}.\nFollow it: {{ tracking_url }}\n";
    let body = json!({ "subject": "Got it: {{ title }}", "text": text, "reason": "shorter" });
    let resp = crate::templates::save(&app, &admin, "report_received", body).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    app.run_jobs().await;
    app.state.read_log.flush().await;
    app.state.db.close().await;
    let TestApp { dir, .. } = app;
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("embargo.db").display()
    );
    Deployment {
        env: Env::at(dir, database_url),
        admin,
        report,
        attachment,
        embargoed,
        published,
    }
}

pub(super) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(super) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `embargo db copy --to URL` (and more arguments) on the deployment's
/// SQLite database.
pub(super) fn copy(d: &Deployment, to: &str, more: &[&str]) -> Output {
    let mut args = vec!["db", "copy", "--to", to];
    args.extend_from_slice(more);
    d.env.run(&args, b"")
}

/// The answers of `serve` on the deployment's current database.
fn answers(d: &Deployment) -> Vec<(String, u16, String)> {
    // Links in pages and feeds name it, whatever port serve gets.
    let server = serve_with(&d.env, &[("EMBARGO_BASE_URL", "http://embargo.test")]);
    let admin = Some(d.admin.as_str());
    let paths = [
        ("/api/v1/reports".to_owned(), admin),
        (format!("/api/v1/reports/{}", d.report), admin),
        (
            format!("/api/v1/reports/{}/attachments/{}", d.report, d.attachment),
            admin,
        ),
        ("/api/v1/advisories".to_owned(), admin),
        (format!("/api/v1/advisories/{}", d.embargoed), admin),
        (format!("/api/v1/advisories/{}/history", d.embargoed), admin),
        (format!("/api/v1/advisories/{}", d.published), admin),
        ("/api/v1/members".to_owned(), admin),
        ("/api/v1/templates/report_received".to_owned(), admin),
        (
            "/api/v1/templates/report_received/versions".to_owned(),
            admin,
        ),
        (format!("/advisories/{}", d.published), None),
        ("/feed.atom".to_owned(), None),
    ];
    paths
        .into_iter()
        .map(|(path, token)| {
            let (status, body) = http(server.port, "GET", &path, token, "").expect("answer");
            (path, status, without_reads(body))
        })
        .collect()
}

/// A report's history lists the reads of it, these requests' own among
/// them: those differ, the rest may not.
fn without_reads(body: String) -> String {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&body) else {
        return body;
    };
    if let Some(history) = v.get_mut("history").and_then(|h| h.as_array_mut()) {
        history.retain(|e| !e["action"].as_str().unwrap_or("").ends_with(".read"));
    }
    v.to_string()
}

/// Rows of every table but the migrator's, by name.
pub(super) async fn rows(url: &str, tables: &[String]) -> Vec<(String, i64)> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        out.push((t.clone(), n));
    }
    out
}

pub(super) async fn sqlite_tables(d: &Deployment) -> Vec<String> {
    let mut conn = sqlx::SqliteConnection::connect(&d.env.database_url)
        .await
        .unwrap();
    sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> 'schema_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_sqlite_deployment_copied_to_postgresql_serves_the_same_data_and_keeps_counting() {
    let Some(pg) = target().await else {
        return;
    };
    let mut d = deployment().await;
    let before = answers(&d);
    assert!(before.iter().all(|(_, s, _)| *s == 200), "{before:?}");
    let tables = sqlite_tables(&d).await;
    let source_rows = rows(&d.env.database_url, &tables).await;

    let out = copy(&d, &pg, &[]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", stderr(&out));
    // Not a terminal: a line per table, then the total and the audit result.
    assert!(printed.contains("\nreports: 2 rows\n"), "{printed}");
    assert!(printed.contains("\nattachments: 1 rows\n"), "{printed}");
    let last = printed.lines().last().unwrap();
    let total: i64 = source_rows.iter().map(|(_, n)| n).sum();
    assert!(
        last.starts_with(&format!(
            "copied {total} rows of {} tables into postgres://",
            tables.len()
        )),
        "{last}"
    );
    assert!(last.contains("audit log OK: "), "{last}");
    assert!(
        !printed.contains(":embargo@"),
        "no password shown: {printed}"
    );
    assert_eq!(rows(&pg, &tables).await, source_rows);

    d.env.database_url = pg.clone();
    let after = answers(&d);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b, a, "{} differs after the copy", b.0);
    }
    let verify = d.env.run(&["audit", "verify"], b"");
    assert!(verify.status.success(), "{}", stdout(&verify));
    assert!(stdout(&verify).starts_with("audit log OK: "));

    // New rows after the copy: counters carry on where SQLite's stopped.
    let server = serve(&d.env);
    let admin = Some(d.admin.as_str());
    let body = json!({ "title": "After the move", "description": "details" }).to_string();
    let (status, created) = http(server.port, "POST", "/api/v1/reports", None, &body).unwrap();
    assert_eq!(status, 201, "{created}");
    let body = crate::advisories::advisory_body().to_string();
    let (status, created) = http(server.port, "POST", "/api/v1/advisories", admin, &body).unwrap();
    assert_eq!(status, 201, "{created}");
    let id: serde_json::Value = serde_json::from_str(&created).unwrap();
    assert!(id["id"].as_str().unwrap().ends_with("-0003"), "{created}");
    let (_, list) = http(server.port, "GET", "/api/v1/reports", admin, "").unwrap();
    assert!(
        list.contains("After the move") && list.contains(&d.report),
        "{list}"
    );
    drop(server);
    let verify = d.env.run(&["audit", "verify"], b"");
    assert!(verify.status.success(), "{}", stdout(&verify));
}
