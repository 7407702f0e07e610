//! `serve` as a process: the separate listener starts with it, serves what
//! the public port counted, and closes when `serve` stops; a bad
//! `[metrics]` setting stops start-up naming it.

use std::time::Duration;

use crate::common::process::{Env, free_port, http, serve_with};

const TOKEN: &str = "serve-metrics-token-0123456789";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_the_metrics_listener_and_closes_it_when_it_stops() {
    let env = Env::new().await;
    let metrics_port = free_port();
    let mut server = serve_with(
        &env,
        &[
            (
                "EMBARGO_METRICS__LISTEN",
                format!("127.0.0.1:{metrics_port}"),
            ),
            ("EMBARGO_METRICS__TOKEN", TOKEN.to_owned()),
        ],
    );
    // serve_with waited for /healthz on the public port: it was counted.
    let (status, body) = http(metrics_port, "GET", "/metrics", None, "").expect("listening");
    assert_eq!(status, 200, "{body}");
    let m = super::text::parse(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    let healthz = [("method", "GET"), ("route", "/healthz"), ("status", "2xx")];
    assert!(
        m.value("embargo_http_requests_total", &healthz) >= Some(1.0),
        "{body}"
    );
    assert_eq!(
        http(metrics_port, "GET", "/", None, "").map(|r| r.0),
        Some(404)
    );
    // The public port wants the token.
    let public = server.port;
    assert_eq!(
        http(public, "GET", "/metrics", None, "").map(|r| r.0),
        Some(401)
    );
    assert_eq!(
        http(public, "GET", "/metrics", Some(TOKEN), "").map(|r| r.0),
        Some(200)
    );

    server.terminate();
    let status = server.exit_within(Duration::from_secs(15)).await;
    assert!(status.success(), "{status:?}");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", metrics_port)).is_err(),
        "the metrics listener closed with serve"
    );
}

#[tokio::test]
async fn serve_refuses_a_metrics_address_that_does_not_parse_naming_the_setting() {
    let env = Env::new().await;
    let out = env
        .command(&["serve", "--listen", "127.0.0.1:0"])
        .env("EMBARGO_METRICS__LISTEN", "localhost")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(stderr.contains("metrics.listen: \"localhost\""), "{stderr}");
}
