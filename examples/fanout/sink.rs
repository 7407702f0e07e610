//! The SMTP sink: a minimal SMTP receiver on a loopback socket, in this
//! process, speaking the protocol for real (greeting, EHLO, MAIL, RCPT,
//! DATA with dot-unstuffing, NOOP, RSET, QUIT). It stores nothing: it counts
//! accepted messages and their bytes, notes when the last one was
//! accepted, and counts messages in which `clear` (text only the encrypted
//! part may hold) appears.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Counters {
    accepted: AtomicUsize,
    bytes: AtomicU64,
    in_clear: AtomicUsize,
    connections: AtomicUsize,
    first: Mutex<Option<Instant>>,
    last: Mutex<Option<Instant>>,
}

#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    counters: Arc<Counters>,
}

impl Sink {
    pub async fn start(clear: String) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let counters = Arc::new(Counters::default());
        let shared = counters.clone();
        let clear = Arc::new(clear);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                shared.connections.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(converse(stream, shared.clone(), clear.clone()));
            }
        });
        Ok(Self { port, counters })
    }

    pub fn accepted(&self) -> usize {
        self.counters.accepted.load(Ordering::Acquire)
    }

    pub fn bytes(&self) -> u64 {
        self.counters.bytes.load(Ordering::Relaxed)
    }

    pub fn in_clear(&self) -> usize {
        self.counters.in_clear.load(Ordering::Relaxed)
    }

    pub fn connections(&self) -> usize {
        self.counters.connections.load(Ordering::Relaxed)
    }

    /// When the first message was accepted.
    pub fn first_accepted(&self) -> Option<Instant> {
        *self
            .counters
            .first
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// When the latest message was accepted.
    pub fn last_accepted(&self) -> Option<Instant> {
        *self.counters.last.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether `text` holds `clear`, found by a character of `clear` that
/// base64 (armor) never holds, so the search skips over the ciphertext
/// at memchr speed.
fn holds(text: &str, clear: &str) -> bool {
    let rare = clear
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphanumeric() && !matches!(c, '+' | '/' | '='));
    match rare {
        Some((at, c)) => text
            .match_indices(c)
            .any(|(i, _)| i >= at && text[i - at..].starts_with(clear)),
        None => text.contains(clear),
    }
}

async fn converse(stream: TcpStream, counters: Arc<Counters>, clear: Arc<String>) {
    let _ = stream.set_nodelay(true);
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::with_capacity(64 * 1024, r);
    if w.write_all(b"220 fanout-sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = Vec::with_capacity(1024);
    let mut message: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut in_data = false;
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if in_data {
            if line == b".\r\n" || line == b".\n" {
                in_data = false;
                let leaked = match std::str::from_utf8(&message) {
                    Ok(text) => holds(text, &clear),
                    Err(_) => holds(&String::from_utf8_lossy(&message), &clear),
                };
                if w.write_all(b"250 2.0.0 queued\r\n").await.is_err() {
                    return;
                }
                // Counted once the reply is written: that is when the client
                // learns the message was accepted.
                let now = Instant::now();
                counters
                    .first
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(now);
                *counters.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
                counters
                    .bytes
                    .fetch_add(message.len() as u64, Ordering::Relaxed);
                if leaked {
                    counters.in_clear.fetch_add(1, Ordering::Relaxed);
                }
                counters.accepted.fetch_add(1, Ordering::Release);
                message.clear();
            } else {
                let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
                message.extend_from_slice(unstuffed);
            }
            continue;
        }
        let verb: Vec<u8> = line
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .map(u8::to_ascii_uppercase)
            .collect();
        let reply: &[u8] = match verb.as_slice() {
            b"EHLO" => b"250-fanout-sink\r\n250 8BITMIME\r\n",
            b"HELO" | b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" => b"250 2.0.0 ok\r\n",
            b"DATA" => {
                in_data = true;
                b"354 go ahead\r\n"
            }
            b"QUIT" => {
                let _ = w.write_all(b"221 2.0.0 bye\r\n").await;
                return;
            }
            _ => b"502 5.5.2 not implemented\r\n",
        };
        if w.write_all(reply).await.is_err() {
            return;
        }
    }
}
