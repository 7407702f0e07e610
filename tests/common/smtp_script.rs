//! A scripted SMTP server on loopback for fault injection: it refuses
//! chosen recipients with a chosen reply, can stay silent forever, may
//! offer PIPELINING, and counts connections, accepted messages and
//! envelopes that came pipelined.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Accepted messages: (envelope recipients, raw message).
pub type Received = Arc<Mutex<Vec<(Vec<String>, String)>>>;

pub struct ScriptedSmtp {
    pub port: u16,
    pub connections: Arc<AtomicUsize>,
    pub accepted: Arc<AtomicUsize>,
    /// MAIL commands read with their DATA already waiting behind them.
    pub pipelined: Arc<AtomicUsize>,
    /// Every accepted message: (envelope recipients, raw message).
    pub received: Received,
}

/// How the server behaves.
#[derive(Clone, Default)]
pub struct Script {
    /// Accept connections and never send a byte.
    pub silent: bool,
    /// `(recipient prefix, reply)`: a RCPT TO whose address starts with the
    /// prefix gets the reply (`550 5.1.1 no such user`).
    pub refuse: Vec<(String, String)>,
    /// Wait this long before accepting each message: a slow server.
    pub delay_ms: u64,
    /// The reply to every MAIL FROM instead of 250 (`550 5.7.1 ...`).
    pub refuse_sender: Option<String>,
    /// Offer PIPELINING (RFC 2920) after EHLO.
    pub pipelining: bool,
}

impl ScriptedSmtp {
    pub async fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::new(AtomicUsize::new(0));
        let pipelined = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (c, a, r) = (connections.clone(), accepted.clone(), received.clone());
        let p = pipelined.clone();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                if script.silent {
                    held.push(stream);
                    continue;
                }
                let counts = Counts {
                    accepted: a.clone(),
                    pipelined: p.clone(),
                };
                tokio::spawn(converse(stream, script.clone(), counts, r.clone()));
            }
        });
        Self {
            port,
            connections,
            accepted,
            pipelined,
            received,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    pub fn pipelined(&self) -> usize {
        self.pipelined.load(Ordering::SeqCst)
    }
}

struct Counts {
    accepted: Arc<AtomicUsize>,
    pipelined: Arc<AtomicUsize>,
}

async fn converse(
    stream: tokio::net::TcpStream,
    script: Script,
    counts: Counts,
    received: Received,
) {
    let (r, mut w) = stream.into_split();
    let mut lines = BufReader::new(r).lines();
    let _ = w.write_all(b"220 scripted ESMTP\r\n").await;
    let mut in_data = false;
    let mut refused = false;
    let mut rcpts = Vec::new();
    let mut message = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        if in_data {
            if line == "." {
                in_data = false;
                if script.delay_ms > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(script.delay_ms)).await;
                }
                if w.write_all(b"250 queued\r\n").await.is_err() {
                    return;
                }
                counts.accepted.fetch_add(1, Ordering::SeqCst);
                let entry = (std::mem::take(&mut rcpts), std::mem::take(&mut message));
                received.lock().expect("lock").push(entry);
            } else {
                message.push_str(line.strip_prefix('.').unwrap_or(&line));
                message.push_str("\r\n");
            }
            continue;
        }
        let upper = line.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            match script.pipelining {
                true => "250-scripted\r\n250-PIPELINING\r\n250 8BITMIME\r\n".into(),
                false => "250-scripted\r\n250 8BITMIME\r\n".into(),
            }
        } else if upper.starts_with("MAIL FROM") {
            let waiting = lines.get_ref().buffer().to_ascii_uppercase();
            if waiting.windows(6).any(|w| w == b"DATA\r\n") {
                counts.pipelined.fetch_add(1, Ordering::SeqCst);
            }
            refused = false;
            rcpts.clear();
            match &script.refuse_sender {
                Some(reply) => format!("{reply}\r\n"),
                None => "250 ok\r\n".into(),
            }
        } else if upper.starts_with("RCPT TO") {
            let addr = line[8..]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>');
            match script.refuse.iter().find(|(p, _)| addr.starts_with(p)) {
                Some((_, reply)) => {
                    refused = true;
                    format!("{reply}\r\n")
                }
                None => {
                    rcpts.push(addr.to_owned());
                    "250 ok\r\n".into()
                }
            }
        } else if upper.starts_with("DATA") {
            if refused {
                "554 no valid recipients\r\n".into()
            } else {
                in_data = true;
                "354 go on\r\n".into()
            }
        } else if upper.starts_with("QUIT") {
            let _ = w.write_all(b"221 bye\r\n").await;
            return;
        } else {
            "250 ok\r\n".into()
        };
        if w.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}
