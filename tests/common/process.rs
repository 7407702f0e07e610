//! The `embargo` binary run as a process: a data directory with its database,
//! `serve` on a free port, and a minimal HTTP client over a real socket.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, Executor};

use super::{TestDatabase, fresh_database};

/// A data directory and the database the binary should use for it.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub database_url: String,
    database: Option<TestDatabase>,
}

impl Env {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // Private, as embargo makes a data directory (tempfile's is 0755).
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let database = fresh_database(dir.path()).await;
        Self {
            dir,
            database_url: database.url.clone(),
            database: Some(database),
        }
    }

    /// A data directory and a database the test made itself.
    pub fn at(dir: tempfile::TempDir, database_url: String) -> Self {
        Self {
            dir,
            database_url,
            database: None,
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_embargo"));
        c.arg("--data").arg(self.dir.path()).args(args);
        // The data key comes from the data directory's file.
        c.env_remove("EMBARGO_CONFIG")
            .env_remove("EMBARGO_DATA_KEY")
            .env("EMBARGO_DATABASE_URL", &self.database_url);
        c
    }

    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    pub async fn exec(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database_url)
            .await
            .unwrap();
        conn.execute(AssertSqlSafe(sql.to_owned())).await.unwrap();
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database_url)
            .await
            .unwrap();
        sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }
}

impl Env {
    /// The titles of the reports, opened with the deployment's data key
    /// (which this process then holds too).
    pub async fn report_titles(&self) -> Vec<String> {
        embargo::app::data_key::load_for_reading(self.dir.path()).unwrap();
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database_url)
            .await
            .unwrap();
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, title FROM reports ORDER BY created_at, id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        rows.into_iter()
            .map(|(id, t)| embargo::db::sealed::open_text("reports.title", &id, t).unwrap())
            .collect()
    }
}

pub fn last_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// A running `embargo serve`, stopped on drop.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub first_lines: Vec<String>,
}

impl Server {
    /// Sends SIGTERM, as a service manager stopping it would.
    pub fn terminate(&self) {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        assert!(sent.expect("kill").success(), "SIGTERM to serve");
    }

    /// Waits for the process to end, failing past `limit`.
    pub async fn exit_within(&mut self, limit: Duration) -> std::process::ExitStatus {
        let asked = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                asked.elapsed() < limit,
                "serve still running {limit:?} after SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn serve(env: &Env) -> Server {
    serve_with::<&str, &str>(env, &[])
}

/// The settings that send mail over plain SMTP to `127.0.0.1:port`.
pub fn smtp_vars(port: u16) -> Vec<(String, String)> {
    [
        ("EMBARGO_MAIL__TRANSPORT", "smtp".to_owned()),
        ("EMBARGO_MAIL__SMTP__HOST", "127.0.0.1".to_owned()),
        ("EMBARGO_MAIL__SMTP__PORT", port.to_string()),
        ("EMBARGO_MAIL__SMTP__SECURITY", "none".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// `serve` with extra `EMBARGO_*` settings in its environment.
pub fn serve_with<K: AsRef<OsStr>, V: AsRef<OsStr>>(env: &Env, vars: &[(K, V)]) -> Server {
    let port = free_port();
    let mut cmd = env.command(&["serve", "--listen", &format!("127.0.0.1:{port}")]);
    cmd.envs(vars.iter().map(|(k, v)| (k, v)));
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut server = Server {
        child,
        port,
        first_lines: Vec::new(),
    };
    while Instant::now() < deadline {
        while let Ok(line) = rx.try_recv() {
            server.first_lines.push(line);
        }
        if http(port, "GET", "/healthz", None, "").map(|r| r.0) == Some(200) {
            // What serve printed before it listened is in the pipe: let
            // the reader thread hand it over (it may lag on a busy machine).
            while let Ok(line) = rx.recv_timeout(Duration::from_millis(300)) {
                server.first_lines.push(line);
            }
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("serve did not answer /healthz within 30 s");
}

/// A minimal HTTP/1.1 exchange: (status, body).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    json: &str,
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
        json.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    let status = resp.split_whitespace().nth(1)?.parse().ok()?;
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}
