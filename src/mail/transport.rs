//! Where outgoing mail goes: `.eml` files, an SMTP server, or memory (tests).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context;

use super::OutgoingMail;
use super::smtp::SmtpPool;
use crate::config::{MailConfig, MailTransportKind};

#[derive(Clone)]
pub enum Transport {
    /// One `.eml` file per message, named after its Message-ID, so a retry
    /// rewrites the same file instead of adding a copy.
    File(PathBuf),
    /// Reused connections to the configured server.
    Smtp(Arc<SmtpPool>),
    Memory(Arc<Mutex<Vec<OutgoingMail>>>),
    /// A function that delivers: fault injection in tests (slow, failing or
    /// panicking delivery).
    Hook(DeliveryHook),
}

/// What [`Transport::Hook`] calls for each mail.
pub type DeliveryHook = Arc<
    dyn Fn(OutgoingMail) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>
        + Send
        + Sync,
>;

impl Transport {
    pub fn from_config(config: &MailConfig, outbox: PathBuf) -> anyhow::Result<Self> {
        Ok(match config.transport {
            MailTransportKind::File => Transport::File(outbox),
            MailTransportKind::Smtp => Transport::Smtp(Arc::new(SmtpPool::new(&config.smtp)?)),
        })
    }

    pub fn memory() -> (Self, Arc<Mutex<Vec<OutgoingMail>>>) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        (Transport::Memory(sent.clone()), sent)
    }

    /// Hands `mail` on; answers what took it (the SMTP server's reply).
    pub async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<String> {
        match self {
            Transport::File(dir) => {
                let bytes = mail.to_bytes()?;
                tokio::fs::create_dir_all(dir)
                    .await
                    .with_context(|| format!("creating {}", dir.display()))?;
                let name = file_name(&mail.message_id);
                let tmp = dir.join(format!(".{name}.tmp"));
                tokio::fs::write(&tmp, &bytes)
                    .await
                    .with_context(|| format!("writing {}", tmp.display()))?;
                tokio::fs::rename(&tmp, dir.join(&name))
                    .await
                    .context("renaming outbox file")?;
                Ok(format!("written to the outbox as {name}"))
            }
            Transport::Smtp(smtp) => smtp.send(mail.to_smtp()?).await,
            Transport::Hook(deliver) => deliver(mail.clone()).await.map(|()| "accepted".to_owned()),
            Transport::Memory(sent) => {
                mail.to_bytes()?;
                sent.lock()
                    .map_err(|_| anyhow::anyhow!("memory outbox poisoned"))?
                    .push(mail.clone());
                Ok("kept in memory".to_owned())
            }
        }
    }
}

/// `<1764.abc@host>` -> `1764.abc@host.eml`, with anything odd replaced.
fn file_name(message_id: &str) -> String {
    let core: String = message_id
        .trim_matches(|c| c == '<' || c == '>')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._@-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{core}.eml")
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_safe() {
        assert_eq!(super::file_name("<1.a@b.org>"), "1.a@b.org.eml");
        assert_eq!(super::file_name("<../../x/y>"), ".._.._x_y.eml");
    }
}
