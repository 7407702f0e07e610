//! The `mail` job: render a queued mail from its template and context, and
//! hand it to the transport.

use serde::{Deserialize, Serialize};

use super::Permanent;
use crate::app::AppState;
use crate::mail::OutgoingMail;

/// A mail as queued: what to render and where to send it. Rendering waits
/// for the job, so a template that fails breaks this one job (dead, visible
/// in `/admin/jobs`), never the transaction that queued it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedMail {
    /// The idempotency key; the Message-ID is derived from it.
    pub key: String,
    pub template: String,
    /// The template's version when the mail was queued.
    pub template_version: String,
    pub context: serde_json::Value,
    pub message_id: String,
    pub from: String,
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    pub in_reply_to: Option<String>,
}

impl QueuedMail {
    /// Renders the mail. Templates are embedded in the binary, so a mail
    /// queued before an upgrade renders with the upgraded template; its
    /// recorded version says which one it was queued with.
    pub fn render(&self, state: &AppState) -> Result<OutgoingMail, Permanent> {
        let rendered = state
            .templates
            .mail(&self.template, &self.context)
            .map_err(|e| Permanent(e.to_string()))?;
        Ok(OutgoingMail {
            message_id: self.message_id.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            reply_to: self.reply_to.clone(),
            in_reply_to: self.in_reply_to.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            ..Default::default()
        })
    }
}

/// Renders and delivers one queued mail.
pub async fn run(state: &AppState, mail: &QueuedMail) -> anyhow::Result<()> {
    let out = mail.render(state)?;
    deliver(state, &out).await.map(drop)
}

/// Delivers a rendered mail; answers what the transport said.
pub async fn deliver(state: &AppState, mail: &OutgoingMail) -> anyhow::Result<String> {
    state.transport.send(mail).await
}
