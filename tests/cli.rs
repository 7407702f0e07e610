//! The `embargo` binary as operators and MTAs run it, over real sockets.

use std::process::Stdio;

use sqlx::Connection;
use std::io::Write;
use std::time::{Duration, Instant};

use crate::common::process::{Env, free_port, http, last_line, serve};

#[tokio::test]
async fn serve_on_a_fresh_directory_prints_a_setup_link_and_takes_reports() {
    let env = Env::new().await;
    let server = serve(&env);
    let link = server
        .first_lines
        .iter()
        .find(|l| l.contains("/setup/"))
        .cloned();
    let link = link.expect("a one-time set-up link is printed");
    assert!(
        link.starts_with(&format!("http://127.0.0.1:{}/setup/", server.port)),
        "{link}"
    );
    if env.database_url.starts_with("sqlite:") {
        assert!(env.dir.path().join("embargo.db").exists());
        let wal = {
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(&env.database_url)
                .await
                .unwrap();
            sqlx::query_scalar::<_, String>("PRAGMA journal_mode")
                .fetch_one(&mut c)
                .await
                .unwrap()
        };
        assert_eq!(wal, "wal");
    }
    let (status, body) = http(
        server.port,
        "POST",
        "/api/v1/reports",
        None,
        r#"{"title":"t","description":"d","reporter_email":"r@example.net"}"#,
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    assert!(body.contains(&format!("http://127.0.0.1:{}/track/", server.port)));
    // The runner inside serve writes the acknowledgement to the outbox.
    let outbox = env.dir.path().join("outbox");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0) == 0 {
        assert!(
            Instant::now() < deadline,
            "no acknowledgement in DATA/outbox"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        http(server.port, "GET", "/api/v1/reports", None, "")
            .unwrap()
            .0,
        401
    );
}

#[tokio::test]
async fn admin_add_and_token_create_print_their_secret_last_and_the_token_works() {
    let env = Env::new().await;
    let port = free_port();
    // A base URL recorded by an earlier serve is used for the links.
    std::fs::write(
        env.dir.path().join("base_url"),
        format!("http://127.0.0.1:{port}"),
    )
    .unwrap();
    let out = env.run(&["admin", "add", "lead@project.test"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(last_line(&out).starts_with(&format!("http://127.0.0.1:{port}/setup/")));
    let bad = env.run(&["admin", "add", "not-an-address"], b"");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("e-mail"));

    let out = env.run(
        &[
            "token",
            "create",
            "--user",
            "lead@project.test",
            "--name",
            "ci",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = last_line(&out);
    assert!(token.len() >= 43);
    let missing = env.run(&["token", "create", "--user", "nobody@project.test"], b"");
    assert!(!missing.status.success());

    let server = serve(&env);
    let (status, body) = http(server.port, "GET", "/api/v1/reports", Some(&token), "").unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"items\""));
    assert_eq!(
        http(server.port, "GET", "/api/v1/reports", Some("wrong"), "")
            .unwrap()
            .0,
        401
    );
}

const MAIL: &[u8] = b"From: Rita <rita@example.net>\r\nTo: security@example.org\r\nSubject: Crash\r\nMessage-ID: <m1@example.net>\r\n\r\nIt crashes.\r\n";

#[tokio::test]
async fn ingest_takes_a_mail_and_writes_the_acknowledgement() {
    let env = Env::new().await;
    let out = env.run(&["ingest"], MAIL);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.scalar("SELECT COUNT(*) FROM reports").await, 1);
    let outbox: Vec<_> = std::fs::read_dir(env.dir.path().join("outbox"))
        .unwrap()
        .collect();
    assert_eq!(outbox.len(), 1, "acknowledgement written to DATA/outbox");
    // The MTA retrying the same message changes nothing.
    assert_eq!(env.run(&["ingest"], MAIL).status.code(), Some(0));
    assert_eq!(env.scalar("SELECT COUNT(*) FROM reports").await, 1);
}

#[tokio::test]
async fn ingest_exits_65_on_malformed_mail_and_stores_nothing() {
    let env = Env::new().await;
    for bad in [
        &b"garbage without headers"[..],
        b"",
        b"Subject: x\r\n\r\nno sender",
    ] {
        let out = env.run(&["ingest"], bad);
        assert_eq!(
            out.status.code(),
            Some(65),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("rejected"));
    }
    assert_eq!(env.scalar("SELECT COUNT(*) FROM reports").await, 0);
}

#[tokio::test]
async fn ingest_exits_75_when_it_cannot_work_now() {
    let env = Env::new().await;
    let out = env.run(&["ingest"], MAIL);
    assert_eq!(out.status.code(), Some(0));
    let mut cmd = env.command(&["ingest"]);
    cmd.env("EMBARGO_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none");
    let out = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = out;
    child.stdin.take().unwrap().write_all(MAIL).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn audit_verify_passes_and_fails_after_an_edit() {
    let env = Env::new().await;
    assert!(env.run(&["ingest"], MAIL).status.success());
    assert!(
        env.run(&["admin", "add", "a@project.test"], b"")
            .status
            .success()
    );
    let ok = env.run(&["audit", "verify"], b"");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(last_line(&ok).contains("OK"));
    env.exec("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1")
        .await;
    let broken = env.run(&["audit", "verify"], b"");
    assert_ne!(broken.status.code(), Some(0));
    assert!(
        last_line(&broken).contains("event 1"),
        "{}",
        last_line(&broken)
    );
}

#[tokio::test]
async fn a_wrong_setting_stops_start_up_naming_it() {
    let env = Env::new().await;
    let mut cmd = env.command(&["jobs", "list"]);
    cmd.env("EMBARGO_MAIL__TRANSPORT", "pigeon");
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        err.contains("mail.transport") && err.contains("pigeon"),
        "{err}"
    );

    let cfg = env.dir.path().join("embargo.toml");
    std::fs::write(&cfg, "base_url = \"ftp://x\"\n").unwrap();
    let out = env
        .command(&["--config", cfg.to_str().unwrap(), "jobs", "list"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("base_url"));

    let out = env
        .command(&["--config", "/nonexistent/embargo.toml", "jobs", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[tokio::test]
async fn logs_are_json_lines_when_embargo_log_format_is_json() {
    let env = Env::new().await;
    // A fresh database: opening it applies every migration, each logged.
    let out = env
        .command(&["jobs", "list"])
        .env("EMBARGO_LOG", "info")
        .env("EMBARGO_LOG_FORMAT", "json")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let first = lines
        .iter()
        .find(|l| l["target"] == "embargo::db::migrate")
        .unwrap_or_else(|| panic!("no migration logged: {stderr}"));
    assert_eq!(first["level"], "INFO");
    assert_eq!(first["fields"]["message"], "applied migration");
    assert_eq!(first["fields"]["migration.version"], 1);
    assert_eq!(first["fields"]["migration.name"], "foundation");
    assert!(first["timestamp"].is_string(), "{first}");
}

#[tokio::test]
async fn an_unknown_log_format_stops_start_up_naming_the_variable() {
    let env = Env::new().await;
    let out = env
        .command(&["jobs", "list"])
        .env("EMBARGO_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Like every configuration error (sysexits EX_CONFIG).
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains("EMBARGO_LOG_FORMAT")
            && stderr.contains("`text` or `json`")
            && stderr.contains("\"xml\""),
        "{stderr}"
    );
    // An MTA retries rather than bouncing while embargo is misconfigured.
    let mut ingest = env.command(&["ingest"]);
    ingest.env("EMBARGO_LOG_FORMAT", "xml");
    let out = ingest.stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(75));
}

#[tokio::test]
async fn a_new_data_directory_and_its_database_are_private_to_the_service_user() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new().await;
    let data = env.dir.path().join("new/data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data")
        .arg(&data)
        .args(["admin", "add", "lead@project.test"])
        .env_remove("EMBARGO_CONFIG")
        .env_remove("EMBARGO_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mode = |p: &std::path::Path| p.metadata().unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "data directory");
    let mut seen = 0;
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("embargo.db") {
            assert_eq!(mode(&path), 0o600, "{name}");
            seen += 1;
        }
    }
    assert!(seen >= 1, "no database file in {}", data.display());

    // `serve` on a directory that does not exist yet makes it private too.
    let env = Env::at(tempfile::tempdir().unwrap(), String::new());
    std::fs::remove_dir(env.dir.path()).unwrap();
    let _server = serve(&env);
    assert_eq!(mode(env.dir.path()), 0o700, "data directory made by serve");
    assert_eq!(mode(&env.dir.path().join("embargo.db")), 0o600);
}
