//! Contacts' OpenPGP certificates: upload (validated), listing, retiring,
//! and reminders before the chosen encryption key expires.

use serde_json::json;

use super::AppState;
use super::mailer::{self, Mail};
use crate::db::audit::{self, Actor};
use crate::db::{self, accounts, keys};
use crate::domain::fields::FieldErrors;
use crate::domain::id::AccountId;
use crate::domain::mail_kind::MailKind;
use crate::jobs::{self, Job};
use crate::mail::keys::{CertificateInfo, KeyWarning, validate_certificate_blocking};

/// Days before expiry at which reminders go out.
const REMIND_DAYS: [i64; 2] = [30, 7];

#[derive(Debug, thiserror::Error)]
pub enum KeyUploadError {
    #[error("invalid key")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for KeyUploadError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// A stored certificate and what the check said.
pub struct Uploaded {
    pub id: String,
    pub info: CertificateInfo,
}

/// Validates `armored` for the account's address and makes it the current
/// key; schedules reminders 30 and 7 days before it expires.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    armored: &str,
) -> Result<Uploaded, KeyUploadError> {
    let mut conn = state.db.conn().await?;
    let email = accounts::by_id(&mut conn, account)
        .await?
        .map(|a| a.email)
        .unwrap_or_default();
    drop(conn);
    let now = crate::clock::timestamp();
    let info =
        validate_certificate_blocking(armored, &email, now, state.config.membership.key_valid_days)
            .await
            .map_err(anyhow::Error::from)?
            .map_err(|e| {
                let mut f = FieldErrors::new();
                f.add("armored", e.to_string());
                KeyUploadError::Invalid(f)
            })?;
    let expires_at = info.expires_at.map(|t| t.as_microsecond());
    let packet = crate::mail::keys::packet_of(armored, &info.encryption_subkey)
        .map_err(|e| anyhow::anyhow!("the key it chose: {e}"))?;
    let mut tx = state.db.begin().await?;
    let id = keys::replace(
        &mut tx,
        account,
        &keys::NewKey {
            fingerprint: &info.fingerprint,
            encryption_subkey: &info.encryption_subkey,
            algorithm: &info.algorithm,
            armored: armored.trim(),
            encryption_key: &packet,
            expires_at,
        },
    )
    .await?;
    if let Some(expiry) = expires_at {
        for days in REMIND_DAYS {
            let run_at = expiry - db::seconds(days * 86_400);
            if run_at > db::now() {
                let remind = Job::KeyExpiryReminder {
                    key: id.to_string(),
                    days,
                };
                jobs::enqueue(&mut tx, &state.config.jobs, &remind, run_at).await?;
            }
        }
    }
    audit::append(
        &mut tx,
        actor,
        "key.uploaded",
        account.as_str(),
        json!({ "key": id.as_str(), "fingerprint": info.fingerprint, "expires_at": expires_at }),
    );
    tx.commit().await?;
    Ok(Uploaded {
        id: id.to_string(),
        info,
    })
}

/// Human text for a validation warning.
pub fn warning_text(w: &KeyWarning) -> String {
    match w {
        KeyWarning::NoUserIdForAddress { address } => {
            format!(
                "the certificate has no user id for {address}; mail to that address is still encrypted to it"
            )
        }
    }
}

/// The reminder job: mails the contact if the key is still their current one.
pub async fn expiry_reminder(state: &AppState, id: &str, days: i64) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let Some((key, email)) = keys::current_by_id(&mut tx, id).await? else {
        return Ok(());
    };
    if email.is_empty() {
        return Ok(());
    }
    let expires = key
        .expires_at
        .and_then(|m| jiff::Timestamp::from_microsecond(m).ok())
        .map(crate::publish::rfc3339);
    mailer::queue(
        &mut tx,
        state,
        Mail::new(
            format!("key_expiring:{id}:{days}"),
            MailKind::KeyExpiring,
            json!({ "fingerprint": key.fingerprint, "days": days, "expires_at": expires,
                    "url": format!("{}/account", state.config.base()) }),
            vec![email],
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Retires one of the account's keys; false when it has no key `id`. A
/// key retired or replaced before stays so (a repeated request changes
/// nothing and is not refused).
pub async fn retire(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    id: &str,
) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    let done = keys::retire(&mut tx, account, id).await?;
    if done == keys::Retired::Now {
        audit::append(
            &mut tx,
            actor,
            "key.retired",
            account.as_str(),
            json!({ "key": id }),
        );
    }
    tx.commit().await?;
    Ok(done != keys::Retired::Missing)
}
