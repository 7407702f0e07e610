//! Mail in over LMTP: a real socket to the listener `serve` runs, with
//! intake behind it; replies per recipient follow the pipe's exit codes.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use embargo::app::AppState;
use embargo::db::Db;
use embargo::mail::Transport;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::common::TestApp;

const MAIL: &str = "From: Rita Reporter <rita@example.net>\r\nTo: security@project.test\r\n\
Subject: Heap overflow in unpack\r\nMessage-ID: <lmtp-1@example.net>\r\n\r\n\
The unpacker overflows.\r\n";

/// Deadline for any one answer: a test fails, it does not hang.
const ANSWER: Duration = Duration::from_secs(10);

struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// The LMTP listener on a free loopback port, into `state`'s intake.
async fn start(state: AppState, idle: Duration) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = embargo::app::lmtp::settings(&state.config);
    settings.idle = idle;
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(embargo::app::lmtp::serve(
        state,
        listener,
        settings,
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        },
    ));
    Server { addr, stop, task }
}

struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Client {
    /// Connects and reads the greeting.
    async fn connect(addr: SocketAddr) -> Self {
        let (read, writer) = tokio::net::TcpStream::connect(addr)
            .await
            .unwrap()
            .into_split();
        let mut client = Self {
            reader: BufReader::new(read),
            writer,
        };
        assert_eq!(client.reply().await.0, 220);
        client
    }

    async fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).await.unwrap();
    }

    /// One reply: its code and its lines' text.
    async fn reply(&mut self) -> (u16, String) {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(ANSWER, self.reader.read_line(&mut line))
                .await
                .expect("an answer in time")
                .unwrap();
            assert!(n > 0, "connection closed; got so far: {text:?}");
            assert!(line.ends_with("\r\n"), "{line:?}");
            text.push_str(&line[4..]);
            if line.as_bytes()[3] == b' ' {
                return (line[..3].parse().unwrap(), text);
            }
        }
    }

    async fn code(&mut self, command: &str) -> u16 {
        self.send(&format!("{command}\r\n")).await;
        self.reply().await.0
    }

    async fn lhlo(&mut self) -> String {
        self.send("LHLO mx.project.test\r\n").await;
        let (code, text) = self.reply().await;
        assert_eq!(code, 250, "{text}");
        text
    }

    /// MAIL, RCPT for each recipient, DATA and `data` (already
    /// dot-stuffed, without the final dot); the replies after the dot.
    async fn transaction(&mut self, recipients: &[&str], data: &str) -> Vec<(u16, String)> {
        assert_eq!(self.code("MAIL FROM:<rita@example.net>").await, 250);
        for r in recipients {
            assert_eq!(self.code(&format!("RCPT TO:<{r}>")).await, 250);
        }
        assert_eq!(self.code("DATA").await, 354);
        self.send(data).await;
        self.send(".\r\n").await;
        let mut replies = Vec::new();
        for _ in recipients {
            replies.push(self.reply().await);
        }
        replies
    }

    /// Whether the server closed the connection (after any bytes left).
    async fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(ANSWER, self.reader.read_to_end(&mut rest)).await;
        matches!(read, Ok(Ok(_)))
    }
}

fn codes(replies: &[(u16, String)]) -> Vec<u16> {
    replies.iter().map(|r| r.0).collect()
}

#[tokio::test]
async fn a_message_to_two_recipients_becomes_one_report_with_two_250_replies() {
    let app = TestApp::new().await;
    let server = start(app.state.clone(), ANSWER).await;
    let mut client = Client::connect(server.addr).await;
    // Pipelined, as Postfix sends it.
    client
        .send(
            "LHLO mx.project.test\r\nMAIL FROM:<rita@example.net> SIZE=200 BODY=8BITMIME\r\n\
             RCPT TO:<security@project.test>\r\nRCPT TO:<security+x@project.test>\r\nDATA\r\n",
        )
        .await;
    let (lhlo, text) = client.reply().await;
    assert_eq!(lhlo, 250);
    assert!(
        text.contains("PIPELINING") && text.contains("SIZE 26214400"),
        "{text}"
    );
    for expected in [250, 250, 250, 354] {
        assert_eq!(client.reply().await.0, expected);
    }
    client.send(MAIL).await;
    client.send(".\r\n").await;
    let replies = vec![client.reply().await, client.reply().await];
    assert_eq!(codes(&replies), [250, 250], "{replies:?}");
    assert_eq!(client.code("QUIT").await, 221);
    assert!(client.closed().await);
    assert_eq!(app.count("reports").await, 1);
    let admin = app.admin_token().await;
    let list = app.get("/api/v1/reports", Some(&admin)).await.json();
    assert_eq!(list["items"][0]["title"], "Heap overflow in unpack");
}

#[tokio::test]
async fn a_malformed_message_gets_554_for_each_recipient_and_stores_nothing() {
    let app = TestApp::new().await;
    let server = start(app.state.clone(), ANSWER).await;
    let mut client = Client::connect(server.addr).await;
    client.lhlo().await;
    let rcpts = ["security@project.test", "security+y@project.test"];
    let replies = client
        .transaction(&rcpts, "Subject: no sender\r\n\r\nThe secret details\r\n")
        .await;
    assert_eq!(codes(&replies), [554, 554], "{replies:?}");
    for (_, text) in &replies {
        assert!(text.contains("From"), "a short reason: {text}");
        assert!(!text.contains("secret"), "never the message: {text}");
    }
    // The session goes on: the next message is taken.
    assert_eq!(codes(&client.transaction(&rcpts[..1], MAIL).await), [250]);
    assert_eq!(app.count("reports").await, 1);
}

#[tokio::test]
async fn a_message_over_the_size_limit_gets_552_before_it_is_read_and_stores_nothing() {
    let app = TestApp::with_config(|c| c.limits.max_mail_bytes = 2000).await;
    let server = start(app.state.clone(), ANSWER).await;
    let mut client = Client::connect(server.addr).await;
    assert!(client.lhlo().await.contains("SIZE 2000"));
    // Announced: refused at MAIL.
    assert_eq!(
        client.code("MAIL FROM:<rita@example.net> SIZE=2001").await,
        552
    );
    // Unannounced: read to the dot, dropped, 552 for every recipient.
    let big = format!("{MAIL}{}\r\n", "x".repeat(3000));
    let rcpts = ["security@project.test", "security+z@project.test"];
    let replies = client.transaction(&rcpts, &big).await;
    assert_eq!(codes(&replies), [552, 552], "{replies:?}");
    assert!(replies[0].1.contains("2000"), "{replies:?}");
    let many_lines = format!("{MAIL}{}", "a line\r\n".repeat(300));
    assert_eq!(
        codes(&client.transaction(&rcpts[..1], &many_lines).await),
        [552]
    );
    assert_eq!(app.count("reports").await, 0);
    assert_eq!(app.count("jobs").await, 0);
    assert_eq!(codes(&client.transaction(&rcpts[..1], MAIL).await), [250]);
}

/// A state on the same database whose pool is closed: every query fails
/// at once, as when the database is down.
async fn with_database_down(app: &TestApp) -> AppState {
    let url = app.state.db.pool.connect_options().database_url.to_string();
    let db = Db::connect(&url).await.unwrap();
    let (transport, _) = Transport::memory();
    let state = AppState::new(
        app.state.config.clone(),
        app.state.paths.clone(),
        db,
        transport,
    )
    .unwrap();
    state.db.close().await;
    state
}

#[tokio::test]
async fn while_the_database_is_down_each_recipient_gets_451_and_the_retry_is_taken() {
    let app = TestApp::new().await;
    let down = start(with_database_down(&app).await, ANSWER).await;
    let mut client = Client::connect(down.addr).await;
    client.lhlo().await;
    let rcpts = ["security@project.test", "security+w@project.test"];
    let replies = client.transaction(&rcpts, MAIL).await;
    assert_eq!(codes(&replies), [451, 451], "{replies:?}");
    assert_eq!(app.count("reports").await, 0);
    // The MTA's retry, once the database answers again.
    let up = start(app.state.clone(), ANSWER).await;
    let mut retry = Client::connect(up.addr).await;
    retry.lhlo().await;
    assert_eq!(codes(&retry.transaction(&rcpts, MAIL).await), [250, 250]);
    assert_eq!(app.count("reports").await, 1);
}

#[tokio::test]
async fn dot_stuffed_lines_arrive_unstuffed() {
    let app = TestApp::new().await;
    let server = start(app.state.clone(), ANSWER).await;
    let mut client = Client::connect(server.addr).await;
    client.lhlo().await;
    let stuffed = "From: rita@example.net\r\nSubject: dots\r\n\r\nfirst\r\n\
                   ..leading dot\r\n..\r\n...\r\nlast\r\n";
    let replies = client
        .transaction(&["security@project.test"], stuffed)
        .await;
    assert_eq!(codes(&replies), [250]);
    let admin = app.admin_token().await;
    let list = app.get("/api/v1/reports", Some(&admin)).await.json();
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    let text = detail["report"]["description"].as_str().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        ["first", ".leading dot", ".", "..", "last"],
        "{text:?}"
    );
}

#[tokio::test]
async fn a_client_that_stalls_mid_command_or_mid_data_is_dropped_after_the_idle_time() {
    let app = TestApp::new().await;
    let idle = Duration::from_millis(300);
    let server = start(app.state.clone(), idle).await;
    let started = Instant::now();
    let mut client = Client::connect(server.addr).await;
    client.send("LHLO half-a-comm").await;
    let (code, text) = client.reply().await;
    assert_eq!(code, 421, "{text}");
    assert!(client.closed().await);
    assert!(started.elapsed() >= idle, "{:?}", started.elapsed());

    let mut client = Client::connect(server.addr).await;
    client.lhlo().await;
    assert_eq!(client.code("MAIL FROM:<rita@example.net>").await, 250);
    assert_eq!(client.code("RCPT TO:<security@project.test>").await, 250);
    assert_eq!(client.code("DATA").await, 354);
    client.send(MAIL).await;
    assert_eq!(client.reply().await.0, 421);
    assert!(client.closed().await);
    assert_eq!(
        app.count("reports").await,
        0,
        "an unfinished message is not taken"
    );
}

#[tokio::test]
async fn long_lines_too_many_recipients_and_smtp_greetings_are_refused_and_the_session_goes_on() {
    let app = TestApp::with_config(|c| c.mail.lmtp.max_recipients = 2).await;
    let server = start(app.state.clone(), ANSWER).await;
    let mut client = Client::connect(server.addr).await;
    assert_eq!(client.code("EHLO mx.project.test").await, 500);
    client.lhlo().await;
    assert_eq!(
        client.code(&format!("NOOP {}", "x".repeat(5000))).await,
        500
    );
    assert_eq!(client.code("MAIL FROM:<rita@example.net>").await, 250);
    for _ in 0..2 {
        assert_eq!(client.code("RCPT TO:<security@project.test>").await, 250);
    }
    assert_eq!(client.code("RCPT TO:<security@project.test>").await, 452);
    assert_eq!(client.code("RSET").await, 250);
    assert_eq!(client.code("NOOP").await, 250);
}

#[tokio::test]
async fn stopping_closes_waiting_sessions_finishes_the_message_in_flight_and_stops_accepting() {
    let app = TestApp::new().await;
    let server = start(app.state.clone(), ANSWER).await;
    let mut waiting = Client::connect(server.addr).await;
    waiting.lhlo().await;
    let mut sending = Client::connect(server.addr).await;
    sending.lhlo().await;
    assert_eq!(sending.code("MAIL FROM:<rita@example.net>").await, 250);
    assert_eq!(sending.code("RCPT TO:<security@project.test>").await, 250);
    assert_eq!(sending.code("DATA").await, 354);
    sending.send(&MAIL[..40]).await;

    server.stop.send(true).unwrap();
    assert_eq!(waiting.reply().await.0, 421);
    assert!(waiting.closed().await);
    sending.send(&MAIL[40..]).await;
    sending.send(".\r\n").await;
    assert_eq!(
        sending.reply().await.0,
        250,
        "the message in flight is taken"
    );
    assert_eq!(sending.reply().await.0, 421, "then the session closes");
    tokio::time::timeout(ANSWER, server.task)
        .await
        .expect("the listener ends once its sessions have")
        .unwrap();
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err());
    assert_eq!(app.count("reports").await, 1);
}

#[tokio::test]
async fn serve_takes_mail_over_lmtp_when_configured_and_stops_on_sigterm() {
    use crate::common::process::{Env, free_port, serve_with};
    let env = Env::new().await;
    let out = env
        .command(&["serve", "--listen", "127.0.0.1:0"])
        .env("EMBARGO_MAIL__LMTP__LISTEN", "localhost:2424")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(
        err.contains("mail.lmtp.listen") && err.contains("localhost:2424"),
        "{err}"
    );

    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let mut server = serve_with(&env, &[("EMBARGO_MAIL__LMTP__LISTEN", addr.to_string())]);
    let mut client = Client::connect(addr).await;
    client.lhlo().await;
    let replies = client.transaction(&["security@example.org"], MAIL).await;
    assert_eq!(codes(&replies), [250], "{replies:?}");
    assert_eq!(env.scalar("SELECT COUNT(*) FROM reports").await, 1);

    server.terminate();
    assert_eq!(client.reply().await.0, 421, "a waiting session is told");
    server.exit_within(Duration::from_secs(10)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
