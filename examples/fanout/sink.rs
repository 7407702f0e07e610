//! The SMTP sink: a minimal SMTP receiver on a loopback socket, in this
//! process, speaking the protocol for real (greeting, EHLO, MAIL, RCPT,
//! DATA with dot-unstuffing, NOOP, RSET, QUIT, PIPELINING with replies
//! sent together), answering each message with its own queue id as
//! Postfix does. It stores nothing: it counts accepted messages and their
//! bytes, notes when the last one was accepted, and counts messages in
//! which `clear` (text only the encrypted part may hold) appears.

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
    /// Queue ids handed out.
    queued: AtomicU64,
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
    let mut raw: Vec<u8> = Vec::with_capacity(64 * 1024);
    // Replies wait while pipelined commands are still to be read, and go
    // in one write, as Postfix sends them.
    let mut replies: Vec<u8> = Vec::with_capacity(1024);
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb: Vec<u8> = line
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .map(u8::to_ascii_uppercase)
            .collect();
        match verb.as_slice() {
            b"EHLO" => {
                replies.extend_from_slice(b"250-fanout-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            }
            b"HELO" | b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" => {
                replies.extend_from_slice(b"250 2.0.0 ok\r\n")
            }
            b"DATA" => {
                replies.extend_from_slice(b"354 go ahead\r\n");
                if w.write_all(&replies).await.is_err() {
                    return;
                }
                replies.clear();
                message.clear();
                if !matches!(read_data(&mut r, &mut raw, &mut message).await, Ok(true)) {
                    return;
                }
                accepted(&counters, &message, &clear, &mut w).await;
                continue;
            }
            b"QUIT" => {
                replies.extend_from_slice(b"221 2.0.0 bye\r\n");
                let _ = w.write_all(&replies).await;
                return;
            }
            _ => replies.extend_from_slice(b"502 5.5.2 not implemented\r\n"),
        }
        if r.buffer().is_empty() {
            if w.write_all(&replies).await.is_err() {
                return;
            }
            replies.clear();
        }
    }
}

/// Replies to a message received whole, then counts it: that is when the
/// client learns it was accepted.
async fn accepted(
    counters: &Counters,
    message: &[u8],
    clear: &str,
    w: &mut tokio::net::tcp::OwnedWriteHalf,
) {
    let leaked = match std::str::from_utf8(message) {
        Ok(text) => holds(text, clear),
        Err(_) => holds(&String::from_utf8_lossy(message), clear),
    };
    // A queue id in every answer, as Postfix gives: no two alike.
    let queued = counters.queued.fetch_add(1, Ordering::Relaxed);
    let reply = format!("250 2.0.0 Ok: queued as {queued:010X}\r\n");
    if w.write_all(reply.as_bytes()).await.is_err() {
        return;
    }
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
}

/// The DATA phase up to the line holding only a dot (RFC 5321 section
/// 4.5.2), read in whole buffers rather than line by line, into `message`
/// with the dot-stuffing undone. False when the client went away first.
async fn read_data<R: tokio::io::AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    raw: &mut Vec<u8>,
    message: &mut Vec<u8>,
) -> std::io::Result<bool> {
    // The data as sent (`raw`, a buffer kept between messages); it starts
    // at a line start, as after a CRLF.
    raw.clear();
    raw.extend_from_slice(b"\r\n");
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(false);
        }
        // The end may straddle the previous buffer.
        let from = raw.len().saturating_sub(4);
        let before = raw.len();
        raw.extend_from_slice(buf);
        let Some(end) = memchr::memmem::find(&raw[from..], b"\r\n.\r\n").map(|at| from + at) else {
            let n = buf.len();
            r.consume(n);
            continue;
        };
        // What follows the end is the next command's.
        r.consume(end + 5 - before);
        // The data with the CRLF before it, so a dot that starts the
        // first line is found as any other.
        let data = &raw[..end + 2];
        let mut written = 2;
        for at in memchr::memmem::find_iter(data, b"\n.") {
            message.extend_from_slice(&data[written..=at]);
            written = at + 2;
        }
        message.extend_from_slice(&data[written..]);
        return Ok(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn data(sent: &[u8], chunk: usize) -> (Vec<u8>, Vec<u8>) {
        let (mut client, server) = tokio::io::duplex(chunk);
        let sent = sent.to_vec();
        let writer = tokio::spawn(async move {
            for piece in sent.chunks(chunk) {
                client.write_all(piece).await.unwrap();
            }
        });
        let mut r = BufReader::with_capacity(chunk, server);
        let mut message = Vec::new();
        assert!(
            read_data(&mut r, &mut Vec::new(), &mut message)
                .await
                .unwrap()
        );
        let mut rest = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut r, &mut rest)
            .await
            .unwrap();
        writer.await.unwrap();
        (message, rest)
    }

    #[tokio::test]
    async fn the_data_ends_at_the_lone_dot_and_loses_its_stuffing_in_any_chunks() {
        let sent = b"..first\r\nmid.dle\r\n...\r\n\r\nlast\r\n.\r\nQUIT\r\n";
        for chunk in [1, 2, 3, 5, 7, 64] {
            let (message, rest) = data(sent, chunk).await;
            assert_eq!(
                message, b".first\r\nmid.dle\r\n..\r\n\r\nlast\r\n",
                "{chunk}"
            );
            assert_eq!(rest, b"QUIT\r\n", "{chunk}");
        }
        assert_eq!(data(b".\r\n", 4).await.0, b"");
    }
}
