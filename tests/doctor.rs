//! `embargo doctor` run as an operator would, against a deployment made by
//! the real binary: each problem it is meant to find, found, with a fix;
//! and nothing in the deployment changed by looking.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use serde_json::json;

use crate::common::process::{Env, Server, free_port, http, serve_with, smtp_vars};
use crate::common::smtp_script::{Script, ScriptedSmtp};

/// `embargo doctor` with extra `EMBARGO_*` settings, waited for on the
/// blocking pool so the test's own servers keep answering meanwhile.
pub(crate) async fn doctor(env: &Env, vars: &[(String, String)]) -> Output {
    let mut command = env.command(&["doctor"]);
    command.envs(vars.iter().map(|(k, v)| (k, v)));
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The line of `check`, which must be there exactly once.
pub(crate) fn line<'a>(text: &'a str, check: &str) -> &'a str {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some(check))
        .collect();
    assert_eq!(lines.len(), 1, "one {check} line in:\n{text}");
    lines[0]
}

pub(crate) fn status<'a>(text: &'a str, check: &str) -> &'a str {
    line(text, check).split_whitespace().next().unwrap()
}

pub(crate) fn var(k: &str, v: impl Into<String>) -> (String, String) {
    (k.to_owned(), v.into())
}

/// The first-admin link `serve` printed.
fn setup_link(server: &Server) -> String {
    let link = server.first_lines.iter().find(|l| l.contains("/setup/"));
    link.expect("serve printed a set-up link").clone()
}

/// Completes the first-admin set-up over the API.
pub(crate) fn set_up_first_admin(server: &Server) {
    let link = setup_link(server);
    let path = &link[link.find("/setup/").unwrap()..];
    let body = json!({ "email": "lead@project.test", "password": "a long enough password" });
    let (code, text) = http(
        server.port,
        "POST",
        &format!("/api/v1{path}"),
        None,
        &body.to_string(),
    )
    .unwrap();
    assert_eq!(code, 200, "{text}");
}

/// Every file under `dir`: mode, modification time, length and a hash of
/// its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, (u32, i64, i64, u64, u64)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            let mut hash = std::collections::hash_map::DefaultHasher::new();
            if meta.is_dir() {
                todo.push(path.clone());
            } else {
                std::fs::read(&path).unwrap().hash(&mut hash);
            }
            let stamp = (meta.mode(), meta.mtime(), meta.mtime_nsec());
            let entry = (stamp.0, stamp.1, stamp.2, meta.len(), hash.finish());
            // SQLite's WAL index is shared memory in a file: every reader
            // of a WAL database, read-only ones too, marks its place in it,
            // and makes it (with an empty log) when the last writer removed
            // both on exit. Neither holds data then, so only a log with
            // content is compared.
            if name.ends_with("-shm") || (name.ends_with("-wal") && meta.len() == 0) {
                continue;
            }
            out.insert(name, entry);
        }
    }
    out
}

#[tokio::test]
async fn a_healthy_deployment_passes_and_the_smtp_check_sends_nothing() {
    let smtp = ScriptedSmtp::start(Script::default()).await;
    let env = Env::new().await;
    let server = serve_with(&env, &smtp_vars(smtp.port));
    set_up_first_admin(&server);
    let (connections, accepted) = (smtp.connections(), smtp.accepted());
    let out = doctor(&env, &smtp_vars(smtp.port)).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Plain http on loopback is the one warning of a test deployment.
    assert_eq!(status(&text, "base_url"), "warn", "{text}");
    for check in [
        "database",
        "migrations",
        "clock",
        "first_admin",
        "smtp",
        "list_key",
        "cookie_key",
        "data_key",
        "security.txt",
        "github",
    ] {
        assert_eq!(status(&text, check), "ok", "{check} in:\n{text}");
    }
    assert!(
        line(&text, "smtp").contains("MAIL FROM:<security@example.org>"),
        "{text}"
    );
    assert!(
        line(&text, "security.txt").contains("expires in 179 days"),
        "{text}"
    );
    assert_eq!(smtp.connections(), connections + 1, "doctor connected");
    assert_eq!(smtp.accepted(), accepted, "doctor sent no message");
}

#[tokio::test]
async fn doctor_writes_nothing_to_the_data_directory_or_the_database() {
    let env = Env::new().await;
    let mut server = serve_with::<&str, &str>(&env, &[]);
    server.terminate();
    assert!(server.exit_within(Duration::from_secs(20)).await.success());
    // On SQLite the database is a file of the snapshot; this test opens
    // it no earlier than after, as closing a connection may checkpoint.
    let sqlite = env.database_url.starts_with("sqlite:");
    let counts = "SELECT (SELECT COUNT(*) FROM audit_events) * 1000 + \
                  (SELECT COUNT(*) FROM setup_links WHERE used_at IS NULL)";
    let before_counts = if sqlite { 0 } else { env.scalar(counts).await };
    let before = snapshot(env.dir.path());
    let out = doctor(&env, &[]).await;
    let text = stdout(&out);
    assert_eq!(status(&text, "database"), "ok", "{text}");
    assert_eq!(status(&text, "first_admin"), "warn", "{text}");
    assert_eq!(
        snapshot(env.dir.path()),
        before,
        "the data directory changed"
    );
    if !sqlite {
        assert_eq!(env.scalar(counts).await, before_counts);
    }
}

#[tokio::test]
async fn a_deployment_never_served_is_reported_and_left_as_it_was() {
    let env = Env::new().await;
    let out = doctor(&env, &[]).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    if env.database_url.starts_with("sqlite:") {
        assert!(line(&text, "database").contains("does not exist"), "{text}");
    } else {
        let missing = line(&text, "migrations");
        assert!(
            missing.starts_with("FAIL") && missing.contains("migrations missing"),
            "{text}"
        );
        assert!(missing.contains("embargo serve"), "{text}");
        let tables = env
            .scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
            .await;
        assert_eq!(tables, 0, "doctor migrated the database");
    }
    assert!(line(&text, "list_key").contains("does not exist yet"));
    let left: Vec<_> = std::fs::read_dir(env.dir.path()).unwrap().collect();
    assert!(left.is_empty(), "doctor created {left:?}");
}

#[tokio::test]
async fn plain_http_base_url_fails_off_loopback_and_https_passes() {
    let env = Env::new().await;
    let out = doctor(
        &env,
        &[var("EMBARGO_BASE_URL", "http://sec.example.invalid")],
    )
    .await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let flagged = line(&text, "base_url");
    assert!(flagged.starts_with("FAIL"), "{text}");
    assert!(flagged.contains("base_url = \"https://"), "{text}");
    let out = doctor(
        &env,
        &[var("EMBARGO_BASE_URL", "https://sec.example.invalid")],
    )
    .await;
    assert_eq!(status(&stdout(&out), "base_url"), "ok");
}

#[tokio::test]
async fn a_configuration_that_does_not_load_exits_78() {
    let env = Env::new().await;
    let out = doctor(
        &env,
        &[var("EMBARGO_BASE_URL", "ftp://sec.example.invalid")],
    )
    .await;
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("base_url"));
}

#[tokio::test]
async fn an_smtp_server_not_listening_fails_with_where_it_tried() {
    let env = Env::new().await;
    let port = free_port();
    let out = doctor(&env, &smtp_vars(port)).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let smtp = line(&text, "smtp");
    assert!(smtp.starts_with("FAIL"), "{text}");
    assert!(
        smtp.contains(&format!("127.0.0.1:{port}: connecting")),
        "{text}"
    );
    assert!(smtp.contains("mail.smtp.host"), "{text}");
}

#[tokio::test]
async fn an_smtp_server_refusing_the_sender_fails_with_its_answer() {
    let smtp = ScriptedSmtp::start(Script {
        refuse_sender: Some("550 5.7.1 sender not allowed for this account".into()),
        ..Script::default()
    })
    .await;
    let env = Env::new().await;
    let mut vars = smtp_vars(smtp.port);
    vars.push(var("EMBARGO_FROM_ADDRESS", "noreply@project.test"));
    let out = doctor(&env, &vars).await;
    let text = stdout(&out);
    let line = line(&text, "smtp");
    assert!(line.starts_with("FAIL"), "{text}");
    assert!(
        line.contains("MAIL FROM") && line.contains("550") && line.contains("sender not allowed"),
        "{text}"
    );
    assert!(line.contains("from_address"), "{text}");
    assert_eq!(smtp.connections(), 1);
    assert_eq!(smtp.accepted(), 0);
}

#[tokio::test]
async fn a_list_key_directory_open_to_others_fails() {
    let env = Env::new().await;
    let mut server = serve_with::<&str, &str>(&env, &[]);
    server.terminate();
    assert!(server.exit_within(Duration::from_secs(20)).await.success());
    let out = doctor(&env, &[]).await;
    assert_eq!(status(&stdout(&out), "list_key"), "ok");
    let dir = env.dir.path().join("list-key");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = doctor(&env, &[]).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let flagged = line(&text, "list_key");
    assert!(
        flagged.starts_with("FAIL") && flagged.contains("mode 755"),
        "{text}"
    );
    assert!(flagged.contains("chmod 700"), "{text}");
}

#[tokio::test]
async fn a_data_key_readable_by_others_fails() {
    let env = Env::new().await;
    assert!(
        env.run(&["admin", "add", "lead@project.test"], b"")
            .status
            .success()
    );
    let out = doctor(&env, &[]).await;
    assert_eq!(status(&stdout(&out), "data_key"), "ok", "{}", stdout(&out));
    let key = env.dir.path().join("data-key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = doctor(&env, &[]).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let flagged = line(&text, "data_key");
    assert!(
        flagged.starts_with("FAIL") && flagged.contains("mode 644"),
        "{text}"
    );
    assert!(flagged.contains("chmod 600"), "{text}");
}

#[tokio::test]
async fn a_data_directory_open_to_others_fails() {
    let env = Env::new().await;
    assert!(
        env.run(&["admin", "add", "lead@project.test"], b"")
            .status
            .success()
    );
    let out = doctor(&env, &[]).await;
    assert_eq!(status(&stdout(&out), "data_dir"), "ok", "{}", stdout(&out));
    std::fs::set_permissions(env.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = doctor(&env, &[]).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let flagged = line(&text, "data_dir");
    assert!(
        flagged.starts_with("FAIL") && flagged.contains("chmod 700"),
        "{text}"
    );
}

#[tokio::test]
async fn the_open_first_admin_link_warns_until_the_admin_is_set_up() {
    let env = Env::new().await;
    let server = serve_with::<&str, &str>(&env, &[]);
    let text = stdout(&doctor(&env, &[]).await);
    let open = line(&text, "first_admin");
    assert!(
        open.starts_with("warn") && open.contains("open until"),
        "{text}"
    );
    let link = setup_link(&server);
    let token = &link[link.find("/setup/").unwrap() + 7..];
    assert!(!text.contains(token), "doctor printed the set-up token");
    set_up_first_admin(&server);
    let text = stdout(&doctor(&env, &[]).await);
    assert_eq!(status(&text, "first_admin"), "ok", "{text}");
}

/// A web server answering every request with `body` as text/plain: a
/// static host with an old export of security.txt.
fn static_host(body: String) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let answer = format!(
                "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    port
}

fn security_txt(expires: jiff::Timestamp) -> String {
    format!("Contact: mailto:security@example.org\nExpires: {expires}\n")
}

#[tokio::test]
async fn a_security_txt_expiring_within_30_days_warns_and_an_expired_one_fails() {
    let env = Env::new().await;
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(10 * 24 + 1);
    let port = static_host(security_txt(soon));
    let base = var("EMBARGO_BASE_URL", format!("http://127.0.0.1:{port}"));
    let text = stdout(&doctor(&env, std::slice::from_ref(&base)).await);
    let flagged = line(&text, "security.txt");
    assert!(
        flagged.starts_with("warn") && flagged.contains("expires in 10 days"),
        "{text}"
    );
    assert!(flagged.contains("embargo export"), "{text}");

    let gone = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let port = static_host(security_txt(gone));
    let base = var("EMBARGO_BASE_URL", format!("http://127.0.0.1:{port}"));
    let text = stdout(&doctor(&env, &[base]).await);
    let flagged = line(&text, "security.txt");
    assert!(
        flagged.starts_with("FAIL") && flagged.contains("has expired"),
        "{text}"
    );
}

#[tokio::test]
async fn on_postgresql_the_version_and_the_clock_are_checked() {
    let env = Env::new().await;
    if env.database_url.starts_with("sqlite:") {
        // No separate database clock or version to check on SQLite.
        let mut server = serve_with::<&str, &str>(&env, &[]);
        server.terminate();
        assert!(server.exit_within(Duration::from_secs(20)).await.success());
        let text = stdout(&doctor(&env, &[]).await);
        assert!(line(&text, "clock").contains("skipped"), "{text}");
        assert!(!text.contains(" postgres "), "{text}");
        return;
    }
    let _server = serve_with::<&str, &str>(&env, &[]);
    let text = stdout(&doctor(&env, &[]).await);
    let version = line(&text, "postgres");
    assert!(
        version.starts_with("ok") && version.contains("PostgreSQL 1"),
        "{text}"
    );
    assert!(version.contains("at least 13"), "{text}");
    let clock = line(&text, "clock");
    assert!(
        clock.starts_with("ok") && clock.contains("this machine's"),
        "{text}"
    );
    assert!(!text.contains("embargo:embargo@"), "no password shown");
}
