//! Mail in over LMTP: the listener of `mail::lmtp` with intake behind it.
//! Every recipient of a message gets the answer the pipe's exit code
//! gives: taken 250, malformed 554, a temporary failure 451.

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;

use super::AppState;
use super::ingest::{IngestError, Outcome, ingest};
use crate::config::Config;
use crate::domain::email::EmailAddress;
use crate::mail::lmtp::{self, Limits, Settings, Verdict};

/// The listener's settings from the configuration.
pub fn settings(config: &Config) -> Settings {
    let lmtp = &config.mail.lmtp;
    let hostname = EmailAddress::parse(&config.security_address)
        .map(|a| a.domain().to_owned())
        .unwrap_or_else(|_| "localhost".to_owned());
    Settings {
        limits: Limits {
            hostname,
            max_message_bytes: config.limits.max_mail_bytes,
            max_recipients: lmtp.max_recipients,
        },
        max_connections: lmtp.max_connections,
        idle: Duration::from_secs(lmtp.idle_timeout_seconds),
    }
}

/// Serves LMTP on `listener` into `state`'s intake until `stop`; see
/// [`lmtp::serve`] for how it stops.
pub async fn serve<S>(state: AppState, listener: TcpListener, settings: Settings, stop: S)
where
    S: Future<Output = ()>,
{
    let deliver = move |raw: Vec<u8>| {
        let state = state.clone();
        async move { take(&state, &raw).await }
    };
    lmtp::serve(listener, settings, deliver, stop).await;
}

/// Takes one message; logs what became of it, never what it says.
async fn take(state: &AppState, raw: &[u8]) -> Verdict {
    match ingest(state, raw).await {
        Ok(outcome) => {
            match &outcome {
                Outcome::NewReport(id) => tracing::info!(report.id = %id, "LMTP: new report"),
                Outcome::Reply(id) => tracing::info!(report.id = %id, "LMTP: added to report"),
                Outcome::Duplicate => tracing::info!("LMTP: already taken; ignored"),
                Outcome::Bounce(id) => tracing::info!(delivery.id = %id, "LMTP: bounce"),
            }
            Verdict::Taken
        }
        Err(IngestError::Malformed(e)) => {
            tracing::info!(reason = %e, "LMTP: message refused");
            Verdict::Refused(e.to_string())
        }
        Err(IngestError::Temporary(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "LMTP: temporary failure; the MTA will retry");
            Verdict::Later
        }
    }
}
