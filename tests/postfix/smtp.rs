//! Submitting to Postfix over SMTP as a client outside `mynetworks`: from
//! 127.0.0.2, so Postfix treats the mail as mail from the internet (no
//! relaying, no header rewriting).

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpSocket;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

const ANSWER: Duration = Duration::from_secs(10);

struct Session {
    read: BufReader<OwnedReadHalf>,
    write: OwnedWriteHalf,
}

impl Session {
    /// Reads one (possibly multi-line) reply and checks its code.
    async fn expect(&mut self, code: &str, after: &str) {
        loop {
            let mut line = String::new();
            tokio::time::timeout(ANSWER, self.read.read_line(&mut line))
                .await
                .expect("an answer in time")
                .unwrap();
            assert!(line.starts_with(code), "after {after:?}: {line:?}");
            if line.as_bytes().get(3) != Some(&b'-') {
                return;
            }
        }
    }

    async fn command(&mut self, text: &str, code: &str) {
        let line = format!("{text}\r\n");
        self.write.write_all(line.as_bytes()).await.unwrap();
        self.expect(code, text).await;
    }
}

/// Sends `data` (CRLF lines) from `from` to `to`; panics unless Postfix
/// queues it.
pub async fn submit(port: u16, from: &str, to: &[&str], data: &str) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let stream = socket.connect(([127, 0, 0, 1], port).into()).await.unwrap();
    let (read, write) = stream.into_split();
    let mut s = Session {
        read: BufReader::new(read),
        write,
    };
    s.expect("220", "connect").await;
    s.command("EHLO client.example.net", "250").await;
    s.command(&format!("MAIL FROM:<{from}>"), "250").await;
    for r in to {
        s.command(&format!("RCPT TO:<{r}>"), "250").await;
    }
    s.command("DATA", "354").await;
    let stuffed: Vec<String> = data
        .trim_end_matches("\r\n")
        .split("\r\n")
        .map(|l| match l.starts_with('.') {
            true => format!(".{l}"),
            false => l.to_owned(),
        })
        .collect();
    s.command(&format!("{}\r\n.", stuffed.join("\r\n")), "250")
        .await;
    s.command("QUIT", "221").await;
}
