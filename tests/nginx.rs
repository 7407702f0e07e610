//! A real nginx in front of `serve`, configured with
//! `deploy/nginx/embargo.conf` as the README shows it: only the listen
//! addresses, the upstream port, the certificate and the log paths are
//! replaced. Requests go through curl over TLS (a throwaway self-signed
//! certificate) from 127.0.0.2, so the address nginx forwards differs
//! from the proxy's own.
//!
//! Needs nginx, openssl and curl, as `.ci/run` installs them, and runs only
//! with `EMBARGO_TEST_NGINX=1`; otherwise each test prints a notice and
//! passes, so `cargo test` works on a machine without nginx.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::process::{Env, Server, free_port, last_line, serve_with};

const SNIPPET: &str = include_str!("../deploy/nginx/embargo.conf");
const HOST: &str = "security.example.org";
/// The client's address: loopback, but not the proxy's.
const CLIENT: &str = "127.0.0.2";

#[test]
fn readme_shows_the_nginx_snippet_verbatim() {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("```nginx\n{SNIPPET}```\n")),
        "README.md must show deploy/nginx/embargo.conf as it is, in an nginx block"
    );
}

/// nginx, serve and a scratch directory; nginx is killed on drop.
struct Proxy {
    env: Env,
    _server: Server,
    nginx: Child,
    dir: tempfile::TempDir,
    http_port: u16,
    https_port: u16,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.nginx.kill();
        let _ = self.nginx.wait();
    }
}

/// `None` (after a notice) unless `EMBARGO_TEST_NGINX` is set.
async fn proxy() -> Option<Proxy> {
    if std::env::var("EMBARGO_TEST_NGINX").map_or(true, |v| v.is_empty()) {
        eprintln!("EMBARGO_TEST_NGINX is not set: skipping the nginx test (.ci/run sets it)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let openssl = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", &format!("/CN={HOST}")])
        .args(["-addext", &format!("subjectAltName=DNS:{HOST}")])
        .arg("-keyout")
        .arg(d.join("key.pem"))
        .arg("-out")
        .arg(d.join("cert.pem"))
        .output()
        .expect("openssl");
    assert!(openssl.status.success(), "{openssl:?}");

    let env = Env::new().await;
    let config = d.join("embargo.toml");
    std::fs::write(
        &config,
        format!(
            "base_url = \"https://{HOST}\"\n[http]\ntrusted_proxies = [\"127.0.0.1\", \"::1\"]\n"
        ),
    )
    .unwrap();
    let server = serve_with(&env, &[("EMBARGO_CONFIG", config.as_os_str())]);

    let (http_port, https_port) = (free_port(), free_port());
    let site = site_config(d, server.port, http_port, https_port);
    std::fs::write(d.join("embargo.conf"), site).unwrap();
    // One process (no master and workers) so that killing it ends nginx.
    let main = format!(
        "master_process off;\npid {d}/nginx.pid;\nerror_log {d}/main-error.log warn;\n\
         events {{}}\nhttp {{\n  access_log {d}/other.log;\n  \
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
         include {d}/embargo.conf;\n}}\n",
        d = d.display()
    );
    std::fs::write(d.join("nginx.conf"), main).unwrap();
    let nginx = Command::new("nginx")
        .arg("-p")
        .arg(d)
        .arg("-e")
        .arg(d.join("main-error.log"))
        .arg("-c")
        .arg(d.join("nginx.conf"))
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx (apt-get install nginx-light)");
    let mut proxy = Proxy {
        env,
        _server: server,
        nginx,
        dir,
        http_port,
        https_port,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", https_port)).is_err() {
        if let Some(status) = proxy.nginx.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(proxy.nginx.stderr.as_mut().unwrap(), &mut err).ok();
            panic!("nginx exited ({status}): {err}");
        }
        assert!(
            Instant::now() < deadline,
            "nginx did not listen within 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(proxy)
}

/// The snippet with this test's ports and paths. Each replaced line must be
/// in it exactly once, so a changed snippet fails here, not silently.
fn site_config(dir: &Path, upstream: u16, http_port: u16, https_port: u16) -> String {
    let d = dir.display();
    let replace = [
        (
            "    listen 80;\n",
            format!("    listen 127.0.0.1:{http_port};\n"),
        ),
        ("    listen [::]:80;\n", String::new()),
        (
            "    listen 443 ssl;\n",
            format!("    listen 127.0.0.1:{https_port} ssl;\n"),
        ),
        ("    listen [::]:443 ssl;\n", String::new()),
        (
            "http://127.0.0.1:8080;",
            format!("http://127.0.0.1:{upstream};"),
        ),
        (
            "/etc/letsencrypt/live/security.example.org/fullchain.pem",
            format!("{d}/cert.pem"),
        ),
        (
            "/etc/letsencrypt/live/security.example.org/privkey.pem",
            format!("{d}/key.pem"),
        ),
        ("/var/log/nginx/embargo.error.log", format!("{d}/error.log")),
    ];
    let mut site = SNIPPET.to_owned();
    for (from, to) in replace {
        assert_eq!(site.matches(from).count(), 1, "{from:?} in the snippet");
        site = site.replace(from, &to);
    }
    let log = "/var/log/nginx/embargo.access.log";
    assert_eq!(site.matches(log).count(), 2, "both servers log to {log}");
    site.replace(log, &format!("{d}/access.log"))
}

impl Proxy {
    fn url(&self, path: &str) -> String {
        format!("https://{HOST}:{}{path}", self.https_port)
    }

    /// curl from [`CLIENT`] trusting the test's certificate; prints the
    /// status code last.
    fn curl(&self, args: &[&str]) -> (u16, String) {
        let out = self.curl_output(args);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
        (status.trim().parse().unwrap_or(0), body.to_owned())
    }

    fn curl_output(&self, args: &[&str]) -> Output {
        let jar = self.dir.path().join("cookies");
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "60", "--interface", CLIENT])
            .arg("--resolve")
            .arg(format!("{HOST}:{}:127.0.0.1", self.https_port))
            .arg("--cacert")
            .arg(self.dir.path().join("cert.pem"))
            .arg("-c")
            .arg(&jar)
            .arg("-b")
            .arg(&jar)
            .args(["-w", "\n%{http_code}"])
            .args(args)
            .output()
            .expect("curl");
        assert!(out.status.success(), "curl {args:?}: {out:?}");
        out
    }

    fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn form_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} field"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn pages_and_the_api_answer_through_nginx_over_tls() {
    let Some(p) = proxy().await else { return };
    let (status, body) = p.curl(&[&p.url("/report")]);
    assert_eq!(status, 200);
    assert!(body.contains("Report a vulnerability"), "{body}");
    let (status, body) = p.curl(&[&p.url("/api/v1/criteria")]);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).expect("JSON through the proxy");
    // The bearer token passes the proxy.
    let added = p.env.run(&["admin", "add", "admin@example.org"], b"");
    assert!(added.status.success(), "{added:?}");
    let token = p
        .env
        .run(&["token", "create", "--user", "admin@example.org"], b"");
    let auth = format!("Authorization: Bearer {}", last_line(&token));
    let (status, body) = p.curl(&["-H", &auth, &p.url("/api/v1/advisories")]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(p.curl(&[&p.url("/api/v1/advisories")]).0, 401);

    // Plain HTTP is sent to https, path kept.
    let plain = format!("http://127.0.0.1:{}/advisories", p.http_port);
    let out = p.curl_output(&["-o", "/dev/null", "-w", "%{redirect_url}", &plain]);
    let location = String::from_utf8_lossy(&out.stdout);
    assert!(
        location.starts_with("https://127.0.0.1/advisories"),
        "{location}"
    );
}

#[tokio::test]
async fn embargo_records_the_client_address_nginx_forwards() {
    let Some(p) = proxy().await else { return };
    // A hop the client wrote itself is left of the one nginx adds: ignored.
    let body = r#"{"title": "Bug", "description": "details of the bug"}"#;
    let (status, created) = p.curl(&[
        "-H",
        "Content-Type: application/json",
        "-H",
        "X-Forwarded-For: 198.51.100.9",
        "--data",
        body,
        &p.url("/api/v1/reports"),
    ]);
    assert_eq!(status, 201, "{created}");
    let count = |ip: &str| format!("SELECT COUNT(*) FROM audit_events WHERE ip = '{ip}'");
    assert!(
        p.env.scalar(&count(CLIENT)).await > 0,
        "the client's address"
    );
    assert_eq!(p.env.scalar(&count("127.0.0.1")).await, 0, "not nginx's");
    assert_eq!(
        p.env.scalar(&count("198.51.100.9")).await,
        0,
        "not a forged hop"
    );
}

#[tokio::test]
async fn an_upload_just_under_the_body_limit_passes_nginx() {
    let Some(p) = proxy().await else { return };
    let (_, form) = p.curl(&[&p.url("/report")]);
    let csrf = form_value(&form, "csrf");
    // Two attachments (each under max_attachment_bytes) that with the form
    // make a body just under max_body_bytes (12 MiB); nginx's default
    // would refuse anything over 1 MiB.
    let size = 6 * 1024 * 1024 - 64 * 1024;
    for name in ["a.bin", "b.bin"] {
        std::fs::write(p.path(name), vec![b'x'; size]).unwrap();
    }
    let (a, b) = (p.path("a.bin"), p.path("b.bin"));
    let post = |extra: &[&str]| {
        let mut args = vec![
            "-F".to_owned(),
            format!("csrf={csrf}"),
            "-F".into(),
            "title=Overflow in the parser".into(),
            "-F".into(),
            "description=Steps and a proof of concept attached.".into(),
            "-F".into(),
            format!("attachment=@{}", a.display()),
            "-F".into(),
            format!("attachment=@{}", b.display()),
        ];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args.push(p.url("/report"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        p.curl_output(
            &[
                &[
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code} %{size_upload} %{redirect_url}",
                ],
                &args[..],
            ]
            .concat(),
        )
    };
    let out = post(&[]);
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    let parts: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(parts[0], "303", "{line}");
    let sent: f64 = parts[1].parse().unwrap();
    assert!(
        sent > 11.8 * 1024.0 * 1024.0 && sent < 12.0 * 1024.0 * 1024.0,
        "{line}"
    );
    assert!(parts[2].contains("/track/"), "{line}");
    assert_eq!(p.env.scalar("SELECT COUNT(*) FROM attachments").await, 2);

    // Over the limit: nginx itself refuses it.
    std::fs::write(p.path("c.bin"), vec![b'x'; 512 * 1024]).unwrap();
    let c = format!("attachment=@{}", p.path("c.bin").display());
    let out = post(&["-F", &c]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("413 "),
        "{out:?}"
    );
}

#[tokio::test]
async fn nginx_access_log_keeps_capability_tokens_out() {
    let Some(p) = proxy().await else { return };
    let body = r#"{"title": "Bug", "description": "details of the bug"}"#;
    let (status, created) = p.curl(&[
        "-H",
        "Content-Type: application/json",
        "--data",
        body,
        &p.url("/api/v1/reports"),
    ]);
    assert_eq!(status, 201, "{created}");
    let created: serde_json::Value = serde_json::from_str(&created).unwrap();
    let tracking = created["tracking_url"].as_str().unwrap();
    let token = tracking.rsplit('/').next().unwrap().to_owned();
    assert!(token.len() > 20, "{tracking}");

    for path in [
        format!("/track/{token}"),
        format!("/api/v1/track/{token}"),
        format!("/setup/{token}"),
        format!("/liveness/{token}"),
        format!("/applications/status/{token}"),
    ] {
        p.curl(&[&p.url(&path)]);
    }
    let (status, page) = p.curl(&[&p.url(&format!("/track/{token}"))]);
    assert_eq!(status, 200, "the tracking page answers through nginx");
    assert!(page.contains("Bug"), "{page}");
    p.curl(&[&p.url("/advisories")]);

    let log = p.access_log();
    assert!(!log.contains(&token), "{log}");
    assert!(log.contains("\"GET /track/- HTTP/1.1\" 200"), "{log}");
    assert!(log.contains("\"GET /api/v1/track/- HTTP/1.1\""), "{log}");
    assert!(log.contains("\"GET /advisories HTTP/1.1\" 200"), "{log}");
    assert!(log.lines().all(|l| l.starts_with(CLIENT)), "{log}");
    // Nor in any other log nginx wrote (its error log quotes request lines).
    for entry in std::fs::read_dir(p.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "log") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains(&token), "{}: {text}", path.display());
        }
    }
}
