//! Queuing mail: fix its recipients, Message-ID and template inputs, and
//! write the `mail` job in the caller's transaction. Rendering happens when
//! the job runs. Mail composed when its job runs (an announcement's
//! deliveries) renders through [`render_now`] with the same inputs.

use sqlx::AnyConnection;

use super::AppState;
use crate::db::reports;
use crate::domain::id::ReportId;
use crate::domain::language::Language;
use crate::domain::mail_kind::MailKind;
use crate::jobs::{self, Job, QueuedMail};
use crate::mail::outgoing::message_id_for;

/// One mail to queue.
pub struct Mail<'a> {
    /// What the mail is about (`ack:{report}`): unique, so queuing the same
    /// mail twice sends it once; its Message-ID is derived from it.
    pub key: String,
    /// Which mail it is; its template has the same name.
    pub kind: MailKind,
    pub context: serde_json::Value,
    pub to: Vec<String>,
    /// The report it is about, so replies thread back to it.
    pub report: Option<&'a ReportId>,
    /// Replies go to `security+TAG@...` when set.
    pub reply_tag: Option<&'a str>,
    pub in_reply_to: Option<String>,
    /// The reader's language; `None`: the organisation's.
    pub lang: Option<Language>,
}

impl<'a> Mail<'a> {
    /// A mail outside any report thread.
    pub fn new(
        key: impl Into<String>,
        kind: MailKind,
        context: serde_json::Value,
        to: Vec<String>,
    ) -> Self {
        Self {
            key: key.into(),
            kind,
            context,
            to,
            report: None,
            reply_tag: None,
            in_reply_to: None,
            lang: None,
        }
    }
}

/// Queues `mail`; returns its Message-ID.
pub async fn queue(
    conn: &mut AnyConnection,
    state: &AppState,
    mail: Mail<'_>,
) -> anyhow::Result<String> {
    let cfg = &state.config;
    let context = full_context(state, mail.kind, mail.context);
    let security = crate::domain::email::EmailAddress::parse(&cfg.security_address)
        .map_err(|e| anyhow::anyhow!("security_address: {e}"))?;
    let message_id = message_id_for(&mail.key, security.domain());
    // Unless the caller knows the reader's language, the recipients' own,
    // when they are accounts that all chose the same one.
    let lang = match mail.lang {
        Some(l) => Some(l),
        None => crate::db::accounts::shared_language(conn, &mail.to)
            .await?
            .and_then(|l| Language::parse(&l).ok()),
    };
    let custom = super::templates::pick(conn, state, mail.kind.name(), lang.as_ref()).await?;
    let queued = QueuedMail {
        custom,
        template_version: state.templates.mail_version(mail.kind.name()),
        template: mail.kind.name().to_owned(),
        key: mail.key,
        context,
        message_id: message_id.clone(),
        from: format!(
            "{} <{}>",
            cfg.organization.replace(['"', '<', '>'], ""),
            cfg.from_address
        ),
        to: mail.to,
        reply_to: mail.reply_tag.map(|t| security.with_tag(t)),
        in_reply_to: mail.in_reply_to,
    };
    let fresh = jobs::enqueue(conn, &cfg.jobs, &Job::Mail(queued), crate::db::now()).await?;
    if fresh && let Some(report) = mail.report {
        reports::record_sent_mail(
            conn,
            message_id.trim_matches(|c| c == '<' || c == '>'),
            Some(report),
        )
        .await?;
    }
    Ok(message_id)
}

/// `context` as a template of `kind` sees it: checked against the
/// catalogue (in debug builds) and with the globals every mail has. Mail
/// composed when its job runs (announcement deliveries) uses it too.
pub fn full_context(
    state: &AppState,
    kind: MailKind,
    mut context: serde_json::Value,
) -> serde_json::Value {
    check_context(kind, &context);
    let cfg = &state.config;
    if let Some(obj) = context.as_object_mut() {
        obj.insert("org".into(), cfg.organization.clone().into());
        obj.insert("base_url".into(), cfg.base().into());
        obj.insert(
            "security_address".into(),
            cfg.security_address.clone().into(),
        );
    }
    context
}

/// Fails (in debug builds, so in the tests) when `context` is not an
/// object or holds a key the catalogue does not document for `kind`: an
/// admin editing the template could not know of it, and a preview would
/// not show it.
fn check_context(kind: MailKind, context: &serde_json::Value) {
    if cfg!(debug_assertions) {
        let extra = undocumented(kind, context);
        assert!(
            extra.is_empty(),
            "the context of {} holds what the mail catalogue does not document: {extra:?}",
            kind.name()
        );
    }
}

/// The keys of `context` that are no variable of `kind`; all of it when
/// it is not an object.
fn undocumented(kind: MailKind, context: &serde_json::Value) -> Vec<String> {
    let Some(obj) = context.as_object() else {
        return vec![context.to_string()];
    };
    obj.keys()
        .filter(|key| !kind.all_variables().any(|v| v.name == key.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_context_may_hold_the_mails_variables_and_the_globals_only() {
        let kind = MailKind::ReportNewForAdmins;
        assert!(
            undocumented(kind, &json!({ "report_id": "r", "url": "u", "org": "o" })).is_empty()
        );
        assert_eq!(
            undocumented(kind, &json!({ "url": "u", "title": "t" })),
            ["title"]
        );
        assert_eq!(undocumented(kind, &json!(null)), ["null"]);
    }
}
