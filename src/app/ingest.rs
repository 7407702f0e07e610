//! Mail intake: one message from the MTA becomes a new report or joins the
//! thread of the report it answers.

use crate::db::audit::Actor;
use crate::db::reports::{self, Source};
use crate::domain::email::EmailAddress;
use crate::domain::report::{MAX_DESCRIPTION, MAX_TITLE, NewReport};
use crate::mail::inbound::{self, InboundError};

use super::AppState;
use super::reports::{Origin, reporter_message, submit};

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
    let mail = inbound::parse(raw, limits.max_mail_bytes, limits.max_attachment_bytes)?;
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
    let mut text = mail.text.clone();
    if !mail.dropped.is_empty() {
        let names: Vec<String> = mail
            .dropped
            .iter()
            .map(|(n, size)| format!("{n} ({size} bytes)"))
            .collect();
        text.push_str(&format!(
            "\n\n[embargo: attachments over the size limit were not kept: {}]",
            names.join(", ")
        ));
    }
    if let Some(report) = existing {
        let stored = reporter_message(
            state,
            &actor,
            &report,
            &text,
            Some(&mail.message_id),
            &mail.attachments,
        )
        .await;
        return match stored {
            Ok(()) => Ok(Outcome::Reply(report.id)),
            Err(e) if is_unique_violation(&e) => Ok(Outcome::Duplicate),
            Err(e) => Err(e.into()),
        };
    }

    let title = match mail.subject.trim() {
        "" => "(no subject)".to_owned(),
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
    };
    let origin = Origin {
        message_id: Some(&mail.message_id),
        encrypted: mail.encrypted,
    };
    let submitted = submit(
        state,
        &actor,
        &report,
        Source::Mail,
        origin,
        &mail.attachments,
    )
    .await;
    match submitted {
        Ok(s) => Ok(Outcome::NewReport(s.id.to_string())),
        Err(e) if is_unique_violation(&e) => Ok(Outcome::Duplicate),
        Err(e) => Err(e.into()),
    }
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
