//! An LMTP server (RFC 2033) for mail from the local MTA, beside the
//! `embargo ingest` pipe: one message per transaction, handed whole to a
//! delivery function, and one reply per accepted recipient after the data.
//!
//! Written here rather than taken from a crate: `mailin` is SMTP only (one
//! reply after the data, no LMTP), `samotop` is built on async-std and
//! unmaintained, `mailin-embedded` blocks a thread per connection. The
//! subset an MTA uses (LHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT with
//! PIPELINING, SIZE and 8BITMIME) is small: the parser and state machine
//! are pure (`command.rs`, `session.rs`, `data.rs`), the tokio listener
//! is `server.rs`.
//!
//! Which recipients count: every syntactically valid one. The pipe takes
//! any message the MTA hands it and reads the recipients from its headers;
//! the MTA's `transport_maps` decide what reaches this listener, as they
//! decide what reaches the pipe.

mod command;
mod data;
mod server;
mod session;

use std::time::Duration;

pub use server::serve;
pub use session::Limits;

/// Longest command line read, line ending included. RFC 5321 allows 512;
/// extensions' parameters may make it longer.
pub const MAX_COMMAND_LINE: usize = 1000;

/// How the listener bounds its clients.
#[derive(Debug, Clone)]
pub struct Settings {
    pub limits: Limits,
    /// Sessions served at once; more clients wait in the listen backlog.
    pub max_connections: usize,
    /// How long a command may take to arrive, and the data or a reply may
    /// stand still, before the session is closed.
    pub idle: Duration,
}

/// What became of a message, for each of its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Taken (or taken before): 250.
    Taken,
    /// Never takeable: 554 with this short reason, which must not quote
    /// the message.
    Refused(String),
    /// Not now; the MTA tries again later: 451.
    Later,
}

impl Verdict {
    fn reply(&self) -> Reply {
        match self {
            Self::Taken => Reply::new(250, "2.0.0 message taken"),
            Self::Refused(reason) => Reply::new(554, &format!("5.6.0 refused: {reason}")),
            Self::Later => Reply::new(451, "4.3.0 temporary failure, try again later"),
        }
    }
}

/// One reply: a code and its text lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    lines: Vec<String>,
}

impl Reply {
    pub fn new(code: u16, text: &str) -> Self {
        Self::lines(code, &[text])
    }

    pub fn lines(code: u16, lines: &[&str]) -> Self {
        Self {
            code,
            lines: lines.iter().map(|l| printable(l)).collect(),
        }
    }

    /// The reply on the wire: `250-first`, ..., `250 last`, CRLF each.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let last = self.lines.len().saturating_sub(1);
        for (i, line) in self.lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            out.extend_from_slice(format!("{}{sep}{line}\r\n", self.code).as_bytes());
        }
        out
    }
}

/// A reply line is one short line of printable ASCII, whatever it was
/// made from.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .take(200)
        .collect()
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_single_lines_of_printable_ascii() {
        let r = Reply::new(554, "5.6.0 refused: caf\u{e9}\r\n250 injected");
        assert_eq!(r.to_bytes(), b"554 5.6.0 refused: caf???250 injected\r\n");
        assert_eq!(Reply::new(250, &"x".repeat(500)).to_bytes().len(), 206);
    }

    #[test]
    fn verdicts_answer_250_554_and_451() {
        assert_eq!(Verdict::Taken.reply().code, 250);
        assert_eq!(Verdict::Refused("no From".into()).reply().code, 554);
        assert_eq!(Verdict::Later.reply().code, 451);
    }
}
