//! Queuing mail: render a template, fix its Message-ID, and write the
//! `send_mail` job in the caller's transaction.

use sqlx::AnyConnection;

use super::AppState;
use crate::db::jobs::{self, NewJob};
use crate::db::reports;
use crate::domain::id::ReportId;
use crate::mail::OutgoingMail;
use crate::mail::outgoing::new_message_id;

/// Job kind that delivers one [`OutgoingMail`].
pub const SEND_MAIL: &str = "send_mail";

/// One mail to queue.
pub struct Mail<'a> {
    pub template: &'a str,
    pub context: serde_json::Value,
    pub to: Vec<String>,
    /// The report it is about, so replies thread back to it.
    pub report: Option<&'a ReportId>,
    /// Replies go to `security+TAG@...` when set.
    pub reply_tag: Option<&'a str>,
    pub in_reply_to: Option<String>,
}

impl<'a> Mail<'a> {
    /// A mail outside any report thread.
    pub fn new(template: &'a str, context: serde_json::Value, to: Vec<String>) -> Self {
        Self {
            template,
            context,
            to,
            report: None,
            reply_tag: None,
            in_reply_to: None,
        }
    }
}

/// Renders and queues `mail`; returns its Message-ID.
pub async fn queue(
    conn: &mut AnyConnection,
    state: &AppState,
    mail: Mail<'_>,
) -> anyhow::Result<String> {
    let cfg = &state.config;
    let mut context = mail.context;
    if let Some(obj) = context.as_object_mut() {
        obj.insert("org".into(), cfg.organization.clone().into());
        obj.insert("base_url".into(), cfg.base().into());
        obj.insert(
            "security_address".into(),
            cfg.security_address.clone().into(),
        );
    }
    let rendered = state.templates.mail(mail.template, &context)?;
    let security = crate::domain::email::EmailAddress::parse(&cfg.security_address)
        .map_err(|e| anyhow::anyhow!("security_address: {e}"))?;
    let message_id = new_message_id(security.domain());
    let out = OutgoingMail {
        message_id: message_id.clone(),
        from: format!(
            "{} <{}>",
            cfg.organization.replace(['"', '<', '>'], ""),
            cfg.from_address
        ),
        to: mail.to,
        reply_to: mail.reply_tag.map(|t| security.with_tag(t)),
        in_reply_to: mail.in_reply_to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
    };
    if let Some(report) = mail.report {
        reports::record_sent_mail(
            conn,
            message_id.trim_matches(|c| c == '<' || c == '>'),
            Some(report),
        )
        .await?;
    }
    jobs::enqueue(
        conn,
        NewJob {
            kind: SEND_MAIL,
            payload: serde_json::to_value(&out)?,
            idempotency_key: format!("mail:{message_id}"),
            run_at: crate::db::now(),
            max_attempts: cfg.jobs.max_attempts,
        },
    )
    .await?;
    Ok(message_id)
}
