//! Mail intake: one message from the MTA becomes a new report or joins the
//! thread of the report it answers. Mail encrypted to the list key is
//! decrypted here (`ingest/decrypt.rs`) and its ciphertext kept beside the
//! plaintext.

mod decrypt;

use crate::db::audit::Actor;
use crate::db::reports::{self, NewAttachment, NewCiphertext, Source};
use crate::domain::email::EmailAddress;
use crate::domain::report::{MAX_DESCRIPTION, MAX_TITLE, NewReport};
use crate::mail::inbound::{self, InboundError, InboundMail};

use super::AppState;
use super::reports::{Origin, reporter_mail, submit};
use decrypt::{Content, decrypt};

#[derive(Debug)]
pub enum Outcome {
    NewReport(String),
    Reply(String),
    /// The same message was taken before (an MTA retry); nothing changed.
    Duplicate,
    /// A bounce of an announcement's delivery, recorded on it: not a report.
    Bounce(String),
}

/// The tag of a delivery's envelope sender (`security+bounces-dlv_...@`).
const BOUNCE_TAG: &str = "bounces-";

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The message can never be taken: bounce it (sysexits 65).
    #[error("malformed message: {0}")]
    Malformed(#[from] InboundError),
    /// Try again later (sysexits 75).
    #[error("temporary failure: {0:#}")]
    Temporary(#[from] anyhow::Error),
}

impl From<sqlx::Error> for IngestError {
    fn from(e: sqlx::Error) -> Self {
        Self::Temporary(e.into())
    }
}

pub async fn ingest(state: &AppState, raw: &[u8]) -> Result<Outcome, IngestError> {
    let limits = &state.config.limits;
    let mut mail = inbound::parse(raw, limits.max_mail_bytes, limits.max_attachment_bytes)?;
    let mut conn = state.db.conn().await?;
    if reports::has_mail_message(&mut conn, &mail.message_id).await? {
        return Ok(Outcome::Duplicate);
    }
    let security = EmailAddress::parse(&state.config.security_address)
        .map_err(|e| anyhow::anyhow!("security_address: {e}"))?;
    let tag = inbound::reply_tag(&mail.recipients, &security);
    if let Some(delivery) = tag.and_then(|t| t.strip_prefix(BOUNCE_TAG)) {
        let answer = bounce_answer(&String::from_utf8_lossy(raw));
        let now = crate::db::now();
        if crate::db::announcements::mark_bounced(&mut conn, delivery, &answer, now).await? {
            tracing::info!(delivery.id = delivery, "delivery bounced");
        }
        return Ok(Outcome::Bounce(delivery.to_owned()));
    }
    let mut existing = match tag {
        Some(tag) => reports::by_reply_tag(&mut conn, tag).await?,
        None => None,
    };
    if existing.is_none() {
        existing = reports::by_sent_mail(&mut conn, &mail.refers_to).await?;
    }
    drop(conn);

    let actor = Actor {
        who: "mail".into(),
        ip: String::new(),
    };

    let stored = stored(state, &mut mail).await;
    let ciphertext = mail.encrypted.as_ref().map(|part| NewCiphertext {
        kind: part.kind,
        fingerprint: stored.fingerprint.as_deref(),
        reason: &stored.reason,
        content: &part.ciphertext,
    });
    let (text, attachments) = (&stored.text, &stored.attachments);
    if let Some(report) = existing {
        let added = reporter_mail(
            state,
            &actor,
            &report,
            text,
            Some(&mail.message_id),
            attachments,
            ciphertext.as_ref(),
        )
        .await;
        return match added {
            Ok(()) => {
                log_encrypted(&report.id, ciphertext.as_ref());
                Ok(Outcome::Reply(report.id))
            }
            Err(e) if is_unique_violation(&e) => Ok(Outcome::Duplicate),
            Err(e) => Err(e.into()),
        };
    }

    let title = match stored.subject.trim() {
        s if is_placeholder(s) => "(no subject)".to_owned(),
        s => s.chars().take(MAX_TITLE).collect(),
    };
    let description = match text.trim() {
        "" => "(empty message)".to_owned(),
        s => s.chars().take(MAX_DESCRIPTION).collect(),
    };
    let report = NewReport {
        title,
        description,
        affected_versions: String::new(),
        unaffected_versions: String::new(),
        reporter_name: mail.from_name.clone(),
        reporter_email: Some(mail.from.clone()),
        github: None,
        credit_consent: false,
        // Mail carries no reliable choice: the organisation's language.
        language: None,
    };
    let origin = Origin {
        message_id: Some(&mail.message_id),
        ciphertext,
    };
    let submitted = submit(state, &actor, &report, Source::Mail, origin, attachments).await;
    match submitted {
        Ok(s) => {
            log_encrypted(s.id.as_str(), ciphertext.as_ref());
            Ok(Outcome::NewReport(s.id.to_string()))
        }
        Err(e) if is_unique_violation(&e) => Ok(Outcome::Duplicate),
        Err(e) => Err(e.into()),
    }
}

/// What is stored of a mail: as it came, or what it decrypts to.
struct Stored {
    subject: String,
    /// With a note naming the attachments dropped for size.
    text: String,
    attachments: Vec<NewAttachment>,
    /// The list key that decrypted the mail.
    fingerprint: Option<String>,
    /// Why an encrypted mail was not decrypted.
    reason: String,
}

/// Takes what is stored out of `mail`, decrypting its encrypted part.
async fn stored(state: &AppState, mail: &mut InboundMail) -> Stored {
    let mut stored = Stored {
        subject: std::mem::take(&mut mail.subject),
        text: std::mem::take(&mut mail.text),
        attachments: std::mem::take(&mut mail.attachments),
        fingerprint: None,
        reason: String::new(),
    };
    let mut dropped = std::mem::take(&mut mail.dropped);
    if let Some(part) = &mail.encrypted {
        let limits = &state.config.limits;
        match decrypt(&state.list_key, limits, part, &stored.text).await {
            Ok(decrypted) => {
                match decrypted.content {
                    Content::Entity(entity) => {
                        // The protected Subject (RFC 9788) is the real one;
                        // the outer is most often a placeholder.
                        if let Some(inner) = entity.subject {
                            stored.subject = inner;
                        }
                        stored.text = entity.text;
                        stored.attachments.extend(entity.attachments);
                        dropped.extend(entity.dropped);
                    }
                    Content::Text(plain) => stored.text = plain,
                }
                stored.fingerprint = Some(decrypted.fingerprint);
            }
            Err(why) => stored.reason = why,
        }
    }
    if !dropped.is_empty() {
        let names: Vec<String> = dropped
            .iter()
            .map(|(n, size)| format!("{n} ({size} bytes)"))
            .collect();
        stored.text.push_str(&format!(
            "\n\n[embargo: attachments over the size limit were not kept: {}]",
            names.join(", ")
        ));
    }
    stored
}

/// Logs how an encrypted mail was taken: its kind, the list key that
/// decrypted it or why none did. Never a byte of its content.
fn log_encrypted(report: &str, ciphertext: Option<&NewCiphertext<'_>>) {
    let Some(c) = ciphertext else { return };
    match c.fingerprint {
        Some(fingerprint) => tracing::info!(
            report.id = report,
            encryption = c.kind.as_str(),
            list_key.fingerprint = fingerprint,
            "encrypted mail decrypted"
        ),
        None => tracing::warn!(
            report.id = report,
            encryption = c.kind.as_str(),
            reason = c.reason,
            "encrypted mail kept as it came, not decrypted"
        ),
    }
}

/// Whether a Subject says nothing: empty, or what clients put outside an
/// encrypted mail in place of the real one (`...`, `[encrypted]`).
fn is_placeholder(subject: &str) -> bool {
    let bare = subject
        .trim()
        .trim_start_matches(['[', '(', '{'])
        .trim_end_matches([']', ')', '}'])
        .trim()
        .to_lowercase();
    matches!(
        bare.as_str(),
        "" | "..."
            | "…"
            | "encrypted"
            | "encrypted message"
            | "encrypted subject"
            | "pgp encrypted message"
    )
}

/// Whether storing failed because the same Message-ID was stored meanwhile.
/// The check above is only a shortcut: two deliveries of one message can
/// both pass it, and then the unique indexes on `messages.mail_message_id`
/// and `reports.origin_message_id` let exactly one of them commit. The
/// other's whole transaction rolled back, so it is a duplicate (exit 0, the
/// MTA does not retry), not a temporary failure.
fn is_unique_violation(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .is_some_and(|d| d.is_unique_violation())
    })
}

/// What a bounce says went wrong: its `Diagnostic-Code` or `Status` line
/// (RFC 3464), bounded.
fn bounce_answer(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Diagnostic-Code:"))
        .or_else(|| {
            text.lines()
                .map(str::trim)
                .find(|l| l.starts_with("Status:"))
        })
        .unwrap_or("bounced");
    line.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholder_subjects_say_nothing() {
        for s in [
            "",
            " ",
            "...",
            "…",
            "[...]",
            "[encrypted]",
            "Encrypted Message",
            "(encrypted)",
        ] {
            assert!(super::is_placeholder(s), "{s:?}");
        }
        for s in ["Heap overflow", "encrypted config files leak", "[SA-1] x"] {
            assert!(!super::is_placeholder(s), "{s:?}");
        }
    }
}
