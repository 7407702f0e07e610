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
    /// The built-in template's digest when the mail was queued.
    pub template_version: String,
    /// The team's version of the template current when the mail was
    /// queued, if they had edited it; `None`: the built-in text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<crate::app::templates::Pick>,
    pub context: serde_json::Value,
    pub message_id: String,
    pub from: String,
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    pub in_reply_to: Option<String>,
}

impl QueuedMail {
    /// Renders the mail with the template version it was queued with. The
    /// built-in texts are embedded in the binary, so a mail queued before
    /// an upgrade renders with the upgraded built-in text.
    pub async fn render(&self, state: &AppState) -> anyhow::Result<OutgoingMail> {
        let rendered = crate::app::templates::render(
            state,
            &self.template,
            self.custom.as_ref(),
            &self.context,
        )
        .await?
        .map_err(Permanent)?;
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
    let out = mail.render(state).await?;
    deliver(state, &out).await.map(drop)
}

/// Delivers a rendered mail; answers what the transport said.
pub async fn deliver(state: &AppState, mail: &OutgoingMail) -> anyhow::Result<String> {
    state.transport.send(mail).await
}
