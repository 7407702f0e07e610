//! The embargo clock in a running `serve`: on time with nobody acting, caught
//! up after downtime, and once with two processes on one database.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::process::{Env, Server, http, last_line, serve, serve_with};

/// An admin token made with the CLI, as an operator would.
pub fn admin_token(env: &Env) -> String {
    assert!(
        env.run(&["admin", "add", "lead@project.test"], b"")
            .status
            .success()
    );
    let out = env.run(&["token", "create", "--user", "lead@project.test"], b"");
    assert!(out.status.success());
    last_line(&out)
}

/// Creates an advisory and embargoes it until `until`; returns its id.
pub fn embargoed_advisory(server: &Server, token: &str, until: jiff::Timestamp) -> String {
    let body = json!({
        "summary": "Clock test",
        "affected": [{ "package": { "ecosystem": "Go", "name": "example.org/c" }, "versions": ["1.0.0"] }],
    });
    let (status, created) = http(
        server.port,
        "POST",
        "/api/v1/advisories",
        Some(token),
        &body.to_string(),
    )
    .unwrap();
    assert_eq!(status, 201, "{created}");
    let id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let embargo = json!({ "until": until.to_string(), "time_zone": "UTC", "reason": "agreed" });
    let (status, body) = http(
        server.port,
        "POST",
        &format!("/api/v1/advisories/{id}/embargo"),
        Some(token),
        &embargo.to_string(),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    id
}

pub fn seconds_from_now(s: u64) -> jiff::Timestamp {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(s as i64))
        .unwrap()
}

/// Polls the public page until it answers 200; returns when it first did.
fn wait_public(server: &Server, id: &str, limit: Duration) -> jiff::Timestamp {
    let deadline = Instant::now() + limit;
    loop {
        let (status, _) = http(server.port, "GET", &format!("/advisories/{id}"), None, "").unwrap();
        if status == 200 {
            return jiff::Timestamp::now();
        }
        assert_eq!(status, 404);
        assert!(Instant::now() < deadline, "{id} was not published in time");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sleeps until the wall clock, which serve reads too, is past `instant`.
fn sleep_past(instant: jiff::Timestamp) {
    while let Ok(left) = Duration::try_from(instant.duration_since(jiff::Timestamp::now())) {
        std::thread::sleep(left + Duration::from_millis(10));
    }
}

/// Polls the jobs table until the job whose idempotency key matches `key`
/// (a LIKE pattern) is done.
async fn wait_done(env: &Env, key: &str, limit: Duration) {
    let sql =
        format!("SELECT COUNT(*) FROM jobs WHERE idempotency_key LIKE '{key}' AND state = 'done'");
    let deadline = Instant::now() + limit;
    while env.scalar(&sql).await == 0 {
        assert!(Instant::now() < deadline, "job {key} was not done in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls until no job that was due at `at` is queued or running: what was
/// left to do then, jobs of a killed runner included once their leases run
/// out, has been done.
async fn wait_caught_up(env: &Env, at: jiff::Timestamp, limit: Duration) {
    let sql = format!(
        "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') AND run_at <= {}",
        at.as_microsecond()
    );
    let deadline = Instant::now() + limit;
    while env.scalar(&sql).await > 0 {
        assert!(
            Instant::now() < deadline,
            "jobs due at {at} were not done in time"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_embargo_lifts_on_time_with_nobody_acting() {
    let env = Env::new().await;
    let token = admin_token(&env);
    let server = serve(&env);
    let until = seconds_from_now(3);
    let id = embargoed_advisory(&server, &token, until);
    let seen = wait_public(&server, &id, Duration::from_secs(20));
    assert!(
        seen >= until,
        "published before the instant: {seen} < {until}"
    );
    let late = seen.duration_since(until);
    assert!(
        late < jiff::SignedDuration::from_millis(1000),
        "published {late:?} after the instant"
    );
    let (status, osv) = http(
        server.port,
        "GET",
        &format!("/advisories/{id}.osv.json"),
        None,
        "",
    )
    .unwrap();
    assert_eq!(status, 200, "{osv}");
}

#[tokio::test]
async fn a_lift_due_while_serve_was_down_happens_at_the_next_start_once() {
    let env = Env::new().await;
    let token = admin_token(&env);
    // A kill below may leave jobs running, the lift among them: short leases
    // let a later start take them again within the test.
    let vars = [("EMBARGO_JOBS__LEASE_SECONDS", "3")];
    let server = serve_with(&env, &vars);
    let until = seconds_from_now(2);
    let id = embargoed_advisory(&server, &token, until);
    drop(server);
    sleep_past(until);
    let state_sql =
        format!("SELECT COUNT(*) FROM advisories WHERE id = '{id}' AND state = 'embargoed'");
    assert_eq!(
        env.scalar(&state_sql).await,
        1,
        "nothing published while stopped"
    );

    let server = serve_with(&env, &vars);
    wait_public(&server, &id, Duration::from_secs(10));
    drop(server);
    let server = serve_with(&env, &vars);
    // Listening, so what it does at start is queued by now.
    wait_caught_up(&env, jiff::Timestamp::now(), Duration::from_secs(15)).await;
    drop(server);
    assert_eq!(
        env.scalar(&format!(
            "SELECT COUNT(*) FROM publications WHERE advisory_id = '{id}'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn two_serve_processes_on_one_database_publish_once() {
    let env = Env::new().await;
    let token = admin_token(&env);
    let vars = [(
        "EMBARGO_ADVISORIES__ANNOUNCE_ADDRESS",
        "announce@lists.project.test",
    )];
    let a = serve_with(&env, &vars);
    let b = serve_with(&env, &vars);
    let id = embargoed_advisory(&a, &token, seconds_from_now(2));
    wait_public(&b, &id, Duration::from_secs(15));
    wait_done(&env, &format!("lift:{id}:%"), Duration::from_secs(10)).await;
    wait_done(
        &env,
        &format!("mail:published:{id}"),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        env.scalar(&format!(
            "SELECT COUNT(*) FROM publications WHERE advisory_id = '{id}'"
        ))
        .await,
        1
    );
    assert_eq!(
        env.scalar(&format!(
            "SELECT COUNT(*) FROM jobs WHERE idempotency_key = 'mail:published:{id}' AND state = 'done'"
        ))
        .await,
        1
    );
    let announced = std::fs::read_dir(env.dir.path().join("outbox"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .filter(|m| m.contains(&id))
        .count();
    assert_eq!(announced, 1, "one announcement");
}

#[tokio::test]
async fn export_writes_what_is_published_and_nothing_else() {
    let env = Env::new().await;
    let token = admin_token(&env);
    let server = serve(&env);
    let public = embargoed_advisory(&server, &token, seconds_from_now(3600));
    let (status, body) = http(
        server.port,
        "POST",
        &format!("/api/v1/advisories/{public}/publish"),
        Some(&token),
        r#"{"reason": "fix released"}"#,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let secret = embargoed_advisory(&server, &token, seconds_from_now(3600));
    drop(server);

    let out = tempfile::tempdir().unwrap();
    for format in ["html", "osv", "csaf"] {
        let dir = out.path().join(format);
        let run = env.run(&["export", "--format", format, dir.to_str().unwrap()], b"");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(last_line(&run).contains("exported 1 advisories"));
    }
    let html = out.path().join("html");
    let page =
        std::fs::read_to_string(html.join(format!("advisories/{public}/index.html"))).unwrap();
    assert!(page.contains("Clock test"));
    let osv: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join(format!("osv/x_{public}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(osv["id"], format!("x_{public}"));
    let year = public.split('-').nth(1).unwrap();
    let csaf = out.path().join(format!(
        "csaf/.well-known/csaf/white/{year}/{}.json",
        public.to_lowercase()
    ));
    assert!(csaf.exists(), "{}", csaf.display());
    assert!(
        html.join(".well-known/csaf/provider-metadata.json")
            .exists()
    );
    assert!(html.join("feed.atom").exists());
    assert!(html.join(".well-known/security.txt").exists());
    // Nothing of the embargoed advisory anywhere.
    for entry in walk(out.path()) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains(&secret) && !entry.to_string_lossy().contains(&secret),
            "{} leaks",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}
