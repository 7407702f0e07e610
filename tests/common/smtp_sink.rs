//! The SMTP server for mail tests: the real one `.ci/run` starts (named by
//! EMBARGO_TEST_SMTP=HOST:PORT and EMBARGO_TEST_SMTP_MAILDIR), or, for a plain
//! `cargo test`, a minimal SMTP receiver on loopback speaking the protocol
//! for real over a socket.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Where to send, and how to read back what arrived.
pub enum Sink {
    External {
        host: String,
        port: u16,
        maildir: std::path::PathBuf,
    },
    Local {
        port: u16,
        received: Arc<Mutex<Vec<String>>>,
    },
}

impl Sink {
    pub async fn start() -> Sink {
        if let Ok(addr) = std::env::var("EMBARGO_TEST_SMTP") {
            let (host, port) = addr
                .rsplit_once(':')
                .expect("EMBARGO_TEST_SMTP is HOST:PORT");
            let maildir = std::env::var("EMBARGO_TEST_SMTP_MAILDIR")
                .expect("EMBARGO_TEST_SMTP_MAILDIR is set with EMBARGO_TEST_SMTP");
            return Sink::External {
                host: host.to_owned(),
                port: port.parse().expect("port"),
                maildir: maildir.into(),
            };
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = stream.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(buf) = data.as_mut() {
                            if line == "." {
                                store.lock().expect("lock").push(std::mem::take(buf));
                                data = None;
                                let _ = w.write_all(b"250 queued\r\n").await;
                            } else {
                                buf.push_str(line.strip_prefix('.').unwrap_or(&line));
                                buf.push_str("\r\n");
                            }
                            continue;
                        }
                        let verb = line
                            .split_whitespace()
                            .next()
                            .unwrap_or("")
                            .to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                let _ = w.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"502 not implemented\r\n",
                        };
                        let _ = w.write_all(reply).await;
                    }
                });
            }
        });
        Sink::Local { port, received }
    }

    pub fn host_port(&self) -> (String, u16) {
        match self {
            Sink::External { host, port, .. } => (host.clone(), *port),
            Sink::Local { port, .. } => ("127.0.0.1".into(), *port),
        }
    }

    /// Every message received so far, raw.
    pub fn messages(&self) -> Vec<String> {
        match self {
            Sink::Local { received, .. } => received.lock().expect("lock").clone(),
            Sink::External { maildir, .. } => {
                let mut out = Vec::new();
                for sub in ["new", "cur"] {
                    if let Ok(entries) = std::fs::read_dir(maildir.join(sub)) {
                        for e in entries.flatten() {
                            if let Ok(s) = std::fs::read_to_string(e.path()) {
                                out.push(s);
                            }
                        }
                    }
                }
                out
            }
        }
    }
}
