//! The SMTP check: connect, EHLO, STARTTLS or TLS as configured, AUTH when
//! configured, `MAIL FROM:<from_address>`, then RSET and QUIT. No RCPT, no
//! DATA: nothing is ever sent.

use std::time::Duration;

use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Mail, Rset};
use lettre::transport::smtp::extension::ClientId;

use crate::config::{Config, MailTransportKind, SmtpConfig, SmtpSecurity};
use crate::domain::doctor::{Finding, Status};

const CHECK: &str = "smtp";

/// The whole exchange's deadline: `mail.smtp.timeout_seconds`, at most 30 s.
fn deadline(smtp: &SmtpConfig) -> Duration {
    Duration::from_secs(smtp.timeout_seconds.clamp(1, 30))
}

pub async fn check(config: &Config) -> Finding {
    if config.mail.transport != MailTransportKind::Smtp {
        return Finding::ok(
            CHECK,
            "skipped: mail.transport = \"file\" (mail is written under DATA/outbox)",
        );
    }
    let smtp = &config.mail.smtp;
    let server = format!("{}:{}", smtp.host, smtp.port);
    let limit = deadline(smtp);
    match tokio::time::timeout(limit, exchange(smtp, &config.from_address)).await {
        Ok(Ok(())) => Finding::ok(
            CHECK,
            format!(
                "{server} ({}) accepts MAIL FROM:<{}>",
                security(smtp.security),
                config.from_address
            ),
        ),
        Ok(Err(Failed { step, error })) => Finding::new(
            Status::Fail,
            CHECK,
            format!("{server}: {step}: {error}"),
            fix(step),
        ),
        Err(_) => Finding::new(
            Status::Fail,
            CHECK,
            format!("{server} did not finish within {} s", limit.as_secs()),
            "check mail.smtp.host, mail.smtp.port and the firewall between them",
        ),
    }
}

fn security(s: SmtpSecurity) -> &'static str {
    match s {
        SmtpSecurity::Starttls => "STARTTLS",
        SmtpSecurity::Tls => "TLS",
        SmtpSecurity::None => "no TLS",
    }
}

/// Which step failed, and the error (a network error, or the server's
/// reply, such as `permanent error (550): sender rejected`).
struct Failed {
    step: &'static str,
    error: String,
}

fn at(step: &'static str) -> impl FnOnce(lettre::transport::smtp::Error) -> Failed {
    move |e| Failed {
        step,
        error: e.to_string(),
    }
}

fn fix(step: &str) -> &'static str {
    match step {
        "connecting" => "check mail.smtp.host and mail.smtp.port, and that the server runs",
        "TLS" | "STARTTLS" => {
            "check mail.smtp.security (starttls on 587, tls on 465) and the server's certificate"
        }
        "AUTH" => "check mail.smtp.username and mail.smtp.password",
        "MAIL FROM" => "set from_address to an address the server lets this account send from",
        _ => "check the SMTP server's log",
    }
}

async fn exchange(smtp: &SmtpConfig, from: &str) -> Result<(), Failed> {
    let sender: Address = from.parse().map_err(|e| Failed {
        step: "from_address",
        error: format!("{e}"),
    })?;
    let hello = ClientId::default();
    let tls = || TlsParameters::new(smtp.host.clone()).map_err(at("TLS"));
    let mut conn = match smtp.security {
        SmtpSecurity::None | SmtpSecurity::Starttls => {
            let tcp = tokio::net::TcpStream::connect((smtp.host.as_str(), smtp.port))
                .await
                .map_err(|e| Failed {
                    step: "connecting",
                    error: e.to_string(),
                })?;
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello)
                .await
                .map_err(at("connecting"))?
        }
        SmtpSecurity::Tls => AsyncSmtpConnection::connect_tokio1(
            (smtp.host.as_str(), smtp.port),
            Some(deadline(smtp)),
            &hello,
            Some(tls()?),
            None,
        )
        .await
        .map_err(at("connecting"))?,
    };
    let result = async {
        if smtp.security == SmtpSecurity::Starttls {
            conn.starttls(tls()?, &hello)
                .await
                .map_err(at("STARTTLS"))?;
        }
        if !smtp.username.is_empty() {
            let credentials = Credentials::new(smtp.username.clone(), smtp.password.clone());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                .await
                .map_err(at("AUTH"))?;
        }
        conn.command(Mail::new(Some(sender), vec![]))
            .await
            .map_err(at("MAIL FROM"))?;
        conn.command(Rset).await.map_err(at("RSET"))?;
        conn.quit().await.map_err(at("QUIT"))?;
        Ok(())
    }
    .await;
    if result.is_err() {
        // Says QUIT if the connection still works, then closes it.
        conn.abort().await;
    }
    result
}
