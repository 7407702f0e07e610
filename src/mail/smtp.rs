//! SMTP delivery over reused connections, each exchange under one deadline.
//!
//! lettre's own pool returns a connection to the pool when the sending
//! future is dropped, also halfway through a transaction, so after a
//! deadline the next message could read the previous one's reply. Here a
//! connection goes back only after a completed exchange; anything else
//! closes it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::jobs::Permanent;

/// How long a connection may idle and still be used without asking the
/// server first: far below any server's idle timeout (Postfix: 300 s).
const FRESH: Duration = Duration::from_secs(2);

pub struct SmtpPool {
    host: String,
    port: u16,
    security: SmtpSecurity,
    credentials: Option<Credentials>,
    deadline: Duration,
    /// Connections after a completed exchange, with when it completed.
    idle: Mutex<Vec<(Connection, Instant)>>,
    /// Bounds the connections open at once to `mail.smtp.connections`.
    open: tokio::sync::Semaphore,
}

/// An open connection and whether its server takes commands pipelined.
struct Connection {
    smtp: AsyncSmtpConnection,
    /// The server offered PIPELINING (RFC 2920): a message's envelope and
    /// DATA go in one write, and their replies are read after it, saving
    /// two of a message's four round trips.
    pipelining: bool,
}

impl SmtpPool {
    pub fn new(config: &SmtpConfig) -> anyhow::Result<Self> {
        if config.host.is_empty() {
            anyhow::bail!("mail.smtp.host is required with transport = \"smtp\"");
        }
        Ok(Self {
            host: config.host.clone(),
            port: config.port,
            security: config.security,
            credentials: (!config.username.is_empty())
                .then(|| Credentials::new(config.username.clone(), config.password.clone())),
            deadline: Duration::from_secs(config.timeout_seconds.max(1)),
            idle: Mutex::new(Vec::new()),
            open: tokio::sync::Semaphore::new(config.connections.max(1) as usize),
        })
    }

    /// Sends one message; answers the server's reply (`250 2.0.0 Ok: queued
    /// as ...`). A 5xx answer is [`Permanent`]; a 4xx answer, a network
    /// error or the deadline passing is worth a retry.
    pub async fn send(&self, message: super::outgoing::SmtpMessage) -> anyhow::Result<String> {
        let super::outgoing::SmtpMessage { envelope, text } = message;
        let exchange = async {
            // Never closed, so this always yields a permit.
            let _slot = self.open.acquire().await.ok();
            let mut conn = match self.take_idle().await {
                Some(conn) => conn,
                None => self.connect().await?,
            };
            let sent = transact(&mut conn.smtp, conn.pipelining, &envelope, text).await;
            if sent.is_ok() {
                self.put_back(conn);
            }
            sent.map(|reply| {
                let text: Vec<&str> = reply.message().collect();
                format!("{} {}", reply.code(), text.join(" "))
            })
            .map_err(smtp_error)
        };
        match tokio::time::timeout(self.deadline, exchange).await {
            Err(_) => Err(anyhow::anyhow!(
                "the SMTP server did not finish within {} s",
                self.deadline.as_secs()
            )),
            Ok(result) => result,
        }
    }

    /// An open connection, if one is idle. One idle for longer than
    /// [`FRESH`] is asked first (`NOOP`): the server may have closed it.
    /// One just used is not: in a fan-out that question would be a fifth
    /// of the exchanges.
    async fn take_idle(&self) -> Option<Connection> {
        loop {
            let (mut conn, since) = self.idle.lock().ok()?.pop()?;
            let smtp = &mut conn.smtp;
            if !smtp.has_broken() && (since.elapsed() < FRESH || smtp.test_connected().await) {
                return Some(conn);
            }
            smtp.abort().await;
        }
    }

    fn put_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push((conn, Instant::now()));
        }
    }

    async fn connect(&self) -> anyhow::Result<Connection> {
        let hello = ClientId::default();
        let tls = || TlsParameters::new(self.host.clone()).map_err(smtp_error);
        let mut conn = match self.security {
            // lettre opens its sockets without TCP_NODELAY and writes a
            // message's closing dot apart from its body, so the dot waits
            // for the server's delayed ACK: about 40 ms a message, at most
            // 25 messages a second per connection. The socket is opened
            // here instead, where lettre can take it (not for implicit TLS).
            SmtpSecurity::None | SmtpSecurity::Starttls => {
                let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                    .await
                    .with_context(|| {
                        format!("SMTP delivery: connecting to {}:{}", self.host, self.port)
                    })?;
                tcp.set_nodelay(true)
                    .context("SMTP delivery: TCP_NODELAY")?;
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello)
                    .await
                    .map_err(smtp_error)?
            }
            SmtpSecurity::Tls => AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.deadline),
                &hello,
                Some(tls()?),
                None,
            )
            .await
            .map_err(smtp_error)?,
        };
        if self.security == SmtpSecurity::Starttls {
            conn.starttls(tls()?, &hello).await.map_err(smtp_error)?;
        }
        // lettre keeps only the extensions it knows from its EHLO; asked
        // again, the server names them all. Before AUTH, so the session
        // this EHLO starts is the one that authenticates.
        let pipelining = conn
            .command(Ehlo::new(hello))
            .await
            .map_err(smtp_error)?
            .message()
            .skip(1)
            .any(|line| line.trim().eq_ignore_ascii_case("PIPELINING"));
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(smtp_error)?;
        }
        Ok(Connection {
            smtp: conn,
            pipelining,
        })
    }
}

/// One SMTP transaction, as `AsyncSmtpConnection::send` makes it, but
/// with the message dot-stuffed here: lettre does it one byte at a time
/// into a second buffer, a twentieth of a fan-out's CPU; and, where the
/// server offers it, with the envelope pipelined. Messages with 8-bit
/// content or addresses take lettre's way, which names the extensions
/// they need. After an error the connection is not used again, so replies
/// left unread after one do not matter.
async fn transact(
    conn: &mut AsyncSmtpConnection,
    pipelining: bool,
    envelope: &Envelope,
    message: Vec<u8>,
) -> Result<Response, lettre::transport::smtp::Error> {
    let addresses_ascii = envelope
        .from()
        .is_none_or(|a| AsRef::<str>::as_ref(a).is_ascii())
        && envelope
            .to()
            .iter()
            .all(|a| AsRef::<str>::as_ref(a).is_ascii());
    let text = match String::from_utf8(message) {
        Ok(text) if addresses_ascii && text.is_ascii() => text,
        Ok(text) => return conn.send(envelope, text.as_bytes()).await,
        Err(e) => return conn.send(envelope, e.as_bytes()).await,
    };
    if pipelining {
        // MAIL, every RCPT and DATA in one write (RFC 2920 section 3.1:
        // DATA ends the group), then their replies in order. The message
        // goes only after all of them, 354 last, were positive.
        conn.command(Pipelined(envelope)).await?;
        for _ in envelope.to() {
            conn.read_response().await?;
        }
        conn.read_response().await?;
    } else {
        conn.command(Mail::new(envelope.from().cloned(), vec![]))
            .await?;
        for to in envelope.to() {
            conn.command(Rcpt::new(to.clone(), vec![])).await?;
        }
        conn.command(Data).await?;
    }
    // `command` writes what it is given and reads the reply: here the
    // message and the line that ends it.
    conn.command(data_of(text).as_str()).await
}

/// A message's envelope as pipelined commands: MAIL, one RCPT per
/// recipient, DATA.
struct Pipelined<'a>(&'a Envelope);

impl std::fmt::Display for Pipelined<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Mail::new(self.0.from().cloned(), vec![]).fmt(f)?;
        for to in self.0.to() {
            Rcpt::new(to.clone(), vec![]).fmt(f)?;
        }
        Data.fmt(f)
    }
}

/// A message's text as the DATA phase carries it (RFC 5321 section
/// 4.5.2): a line that starts with a dot gets another (lines end in
/// CRLF; a bare LF ends none, as for lettre), and `CRLF . CRLF`
/// ends it (after a CRLF, as lettre writes it, so the bytes are the same).
/// Without a copy when no line starts with a dot (armor has none): the end
/// goes after the text in place. Otherwise made in one buffer of about its
/// size: through `Display`, 40 KB would grow one by doubling.
fn data_of(mut text: String) -> String {
    // Dots are few (none in armor): finding them is a fast scan.
    let dots: Vec<usize> = text
        .match_indices('.')
        .map(|(at, _)| at)
        .filter(|&at| at == 0 || text[..at].ends_with("\r\n"))
        .collect();
    if dots.is_empty() {
        text.push_str("\r\n.\r\n");
        return text;
    }
    let mut out = String::with_capacity(text.len() + dots.len() + 5);
    let mut written = 0;
    for at in dots {
        out.push_str(&text[written..at]);
        out.push('.');
        written = at;
    }
    out.push_str(&text[written..]);
    out.push_str("\r\n.\r\n");
    out
}

/// A 5xx answer is [`Permanent`]; anything else is worth a retry.
fn smtp_error(e: lettre::transport::smtp::Error) -> anyhow::Error {
    if e.is_permanent() {
        anyhow::Error::new(Permanent(format!("SMTP refused: {e}")))
    } else {
        anyhow::Error::new(e).context("SMTP delivery")
    }
}

#[cfg(test)]
mod tests {
    use super::data_of;
    use proptest::prelude::*;

    /// lettre's `ClientCodec::encode` (private there), byte for byte, then
    /// the end of data as lettre writes it.
    fn lettre_data(message: &[u8]) -> Vec<u8> {
        #[derive(Clone, Copy)]
        enum At {
            Middle,
            AfterCr,
            LineStart,
        }
        let mut status = At::LineStart;
        let mut out = Vec::new();
        for &b in message {
            out.push(b);
            status = match (b, status) {
                (b'\r', _) => At::AfterCr,
                (b'\n', At::AfterCr) => At::LineStart,
                (b'.', At::LineStart) => {
                    out.push(b'.');
                    At::Middle
                }
                (_, At::AfterCr | At::LineStart) => At::Middle,
                (_, At::Middle) => At::Middle,
            };
        }
        out.extend_from_slice(b"\r\n.\r\n");
        out
    }

    #[test]
    fn leading_dots_are_doubled_only_at_the_start_of_a_line() {
        let text = ".a\r\n..b\r\nc.\r\n.\r\nd\n.e";
        assert_eq!(
            data_of(text.to_owned()),
            "..a\r\n...b\r\nc.\r\n..\r\nd\n.e\r\n.\r\n"
        );
    }

    proptest! {
        #[test]
        fn the_data_is_what_lettre_would_send(text in "[.\r\na]{0,40}") {
            prop_assert_eq!(data_of(text.clone()).into_bytes(), lettre_data(text.as_bytes()));
        }
    }
}
