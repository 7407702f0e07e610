//! Through a real socket: slow, silent and stalled clients are cut off, and
//! no more connections are served at once than `http.max_connections`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::process::{Env, http, serve_with};

/// Reads until the server closes the connection, at most `limit` long;
/// `None` if it was still open then.
fn closed_within(s: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) if started.elapsed() < limit => continue,
            Ok(_) => return None,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(started.elapsed());
            }
            Err(_) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_halfway_through_its_headers_is_disconnected_within_the_header_timeout()
{
    let env = Env::new().await;
    let server = serve_with(&env, &[("EMBARGO_HTTP__HEADER_READ_TIMEOUT_SECONDS", "1")]);
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.write_all(b"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        .unwrap();
    let closed = closed_within(&mut s, Duration::from_secs(8));
    assert!(
        closed.is_some_and(|t| t < Duration::from_secs(5)),
        "still open: {closed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_body_stops_arriving_is_closed_after_the_idle_timeout() {
    let env = Env::new().await;
    let server = serve_with(&env, &[("EMBARGO_HTTP__IDLE_TIMEOUT_SECONDS", "1")]);
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.write_all(
        b"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
          Content-Length: 1000\r\n\r\n{\"title\": \"",
    )
    .unwrap();
    let closed = closed_within(&mut s, Duration::from_secs(8));
    assert!(
        closed.is_some_and(|t| t < Duration::from_secs(5)),
        "still open: {closed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_beyond_the_connection_limit_wait_and_are_served_once_idle_sockets_time_out() {
    let env = Env::new().await;
    let timeout = Duration::from_secs(2);
    let vars = [
        ("EMBARGO_HTTP__MAX_CONNECTIONS", "3".to_owned()),
        (
            "EMBARGO_HTTP__HEADER_READ_TIMEOUT_SECONDS",
            timeout.as_secs().to_string(),
        ),
    ];
    let server = serve_with(&env, &vars);
    let mut idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(("127.0.0.1", server.port)).unwrap())
        .collect();
    // serve exposes no sign of an accept (no connections gauge): allow a share of the timeout.
    std::thread::sleep(timeout / 8);

    let started = Instant::now();
    let answer = http(server.port, "GET", "/healthz", None, "");
    let waited = started.elapsed();

    assert_eq!(answer.map(|a| a.0), Some(200));
    assert!(
        waited >= timeout / 2,
        "served after {waited:?}, beside 3 idle sockets with a limit of 3"
    );
    assert!(waited < Duration::from_secs(8), "served after {waited:?}");
    for s in &mut idle {
        let closed = closed_within(s, Duration::from_secs(5));
        assert!(closed.is_some(), "an idle socket is still open");
    }
}
