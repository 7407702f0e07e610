//! SMTP delivery over reused connections, each exchange under one deadline.
//!
//! lettre's own pool returns a connection to the pool when the sending
//! future is dropped, also halfway through a transaction, so after a
//! deadline the next message could read the previous one's reply. Here a
//! connection goes back only after a completed exchange; anything else
//! closes it.

use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::jobs::Permanent;

pub struct SmtpPool {
    host: String,
    port: u16,
    security: SmtpSecurity,
    credentials: Option<Credentials>,
    deadline: Duration,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    /// Bounds the connections open at once to `mail.smtp.connections`.
    open: tokio::sync::Semaphore,
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

    /// Sends one message. A 5xx answer is [`Permanent`]; a 4xx answer, a
    /// network error or the deadline passing is worth a retry.
    pub async fn send(&self, message: &lettre::Message) -> anyhow::Result<()> {
        let envelope = message.envelope();
        let bytes = message.formatted();
        let exchange = async {
            // Never closed, so this always yields a permit.
            let _slot = self.open.acquire().await.ok();
            let mut conn = match self.take_idle().await {
                Some(conn) => conn,
                None => self.connect().await?,
            };
            let sent = conn.send(envelope, &bytes).await;
            if sent.is_ok() {
                self.put_back(conn);
            }
            sent.map(|_| ()).map_err(anyhow::Error::new)
        };
        match tokio::time::timeout(self.deadline, exchange).await {
            Err(_) => Err(anyhow::anyhow!(
                "the SMTP server did not finish within {} s",
                self.deadline.as_secs()
            )),
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => match e.downcast_ref::<lettre::transport::smtp::Error>() {
                Some(smtp) if smtp.is_permanent() => Err(anyhow::Error::new(Permanent(format!(
                    "SMTP refused: {smtp}"
                )))),
                _ => Err(e.context("SMTP delivery")),
            },
        }
    }

    async fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let conn = self.idle.lock().ok()?.pop();
            let mut conn = conn?;
            if !conn.has_broken() && conn.test_connected().await {
                return Some(conn);
            }
            conn.abort().await;
        }
    }

    fn put_back(&self, conn: AsyncSmtpConnection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }

    /// A new connection, greeted and (with `starttls`) encrypted.
    ///
    /// The socket is ours, with Nagle's algorithm off: lettre writes a
    /// message's body and its closing `.` in two writes, and with Nagle
    /// on, the second waits for the server's delayed ACK of the first,
    /// 40 ms per message on Linux (lettre 0.11.23 sets no TCP_NODELAY; see
    /// lettre/lettre#1159). With implicit TLS lettre must open the socket
    /// itself, so `security = "tls"` still pays that wait.
    async fn connect(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let hello = ClientId::default();
        let tls = || TlsParameters::new(self.host.clone());
        let mut conn = if self.security == SmtpSecurity::Tls {
            AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.deadline),
                &hello,
                Some(tls()?),
                None,
            )
            .await?
        } else {
            let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                .await
                .with_context(|| format!("connecting to {}:{}", self.host, self.port))?;
            stream.set_nodelay(true)?;
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &hello).await?
        };
        if self.security == SmtpSecurity::Starttls {
            conn.starttls(tls()?, &hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(conn)
    }
}
