//! Queuing mail: fix its recipients, Message-ID and template inputs, and
//! write the `mail` job in the caller's transaction. Rendering happens when
//! the job runs. Mail composed when its job runs (an announcement's
//! deliveries) renders through [`render_now`] with the same inputs.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context;
use sqlx::AnyConnection;

use super::AppState;
use super::templates::Pick;
use crate::db::reports;
use crate::domain::id::ReportId;
use crate::domain::language::Language;
use crate::domain::mail_kind::MailKind;
use crate::jobs::{self, Job, QueuedMail};
use crate::mail::message_id::{message_id_for, report_message_id_for};

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
    let mut ids = queue_all(conn, state, vec![mail]).await?;
    ids.pop().context("a queued mail has no Message-ID")
}

/// Queues `mails` in a few statements whatever their number (intake writes
/// many reports in one transaction): the readers' languages in one query,
/// each template looked up once, the jobs and the Message-IDs of report
/// mail in multi-row INSERTs. Their Message-IDs, in order.
pub async fn queue_all(
    conn: &mut AnyConnection,
    state: &AppState,
    mails: Vec<Mail<'_>>,
) -> anyhow::Result<Vec<String>> {
    let prepared = prepare(conn, state, mails).await?;
    prepared.write(conn).await?;
    Ok(prepared.message_ids)
}

/// Mails ready to be queued: [`queue_all`]'s reads and its work on the
/// jobs (serialising, sealing) done, so that a transaction that takes its
/// write turn after it only writes. Intake prepares on a connection of its
/// own, before its turn.
pub struct Prepared {
    jobs: Vec<crate::db::jobs::SealedJob>,
    /// Message-IDs (without angle brackets) of mail about a report.
    sent: Vec<(String, ReportId)>,
    pub message_ids: Vec<String>,
}

impl Prepared {
    /// Writes the jobs and the report threads' Message-IDs.
    pub async fn write(&self, conn: &mut AnyConnection) -> anyhow::Result<()> {
        crate::db::jobs::insert_sealed(conn, &self.jobs).await?;
        // A mail queued before (same key) has its Message-ID recorded already.
        let sent: Vec<(&str, Option<&ReportId>)> = self
            .sent
            .iter()
            .map(|(m, r)| (m.as_str(), Some(r)))
            .collect();
        reports::record_sent_mails(conn, &sent).await?;
        Ok(())
    }
}

/// Everything of [`queue_all`] but the writing: the readers' languages and
/// the templates read on `conn`, the jobs built and sealed.
pub async fn prepare(
    conn: &mut AnyConnection,
    state: &AppState,
    mails: Vec<Mail<'_>>,
) -> anyhow::Result<Prepared> {
    let cfg = &state.config;
    let security = crate::domain::email::EmailAddress::parse(&cfg.security_address)
        .map_err(|e| anyhow::anyhow!("security_address: {e}"))?;
    let from = format!(
        "{} <{}>",
        cfg.organization.replace(['"', '<', '>'], ""),
        cfg.from_address
    );
    // Unless the caller knows the reader's language, the recipients' own,
    // when they are accounts that all chose the same one.
    let unknown: BTreeSet<&str> = mails
        .iter()
        .filter(|m| m.lang.is_none())
        .flat_map(|m| m.to.iter().map(String::as_str))
        .collect();
    let unknown: Vec<&str> = unknown.into_iter().collect();
    let chosen = if unknown.is_empty() {
        HashMap::new()
    } else {
        crate::db::accounts::languages(conn, &unknown).await?
    };
    let mut picks: HashMap<(&'static str, Option<Language>), Option<Pick>> = HashMap::new();
    let mut jobs = Vec::with_capacity(mails.len());
    let mut sent = Vec::new();
    let mut message_ids = Vec::with_capacity(mails.len());
    for mail in mails {
        let lang = mail.lang.or_else(|| shared_language(&chosen, &mail.to));
        let name = mail.kind.name();
        let custom = match picks.get(&(name, lang.clone())) {
            Some(p) => p.clone(),
            None => {
                let p = super::templates::pick(conn, state, name, lang.as_ref()).await?;
                picks.insert((name, lang), p.clone());
                p
            }
        };
        let message_id = match mail.report {
            Some(report) => {
                let id = report_message_id_for(&mail.key, report, security.domain());
                let bare = id.trim_matches(|c| c == '<' || c == '>');
                sent.push((bare.to_owned(), report.clone()));
                id
            }
            None => message_id_for(&mail.key, security.domain()),
        };
        jobs.push(Job::Mail(QueuedMail {
            custom,
            template_version: state.templates.mail_version(name),
            template: name.to_owned(),
            key: mail.key,
            context: full_context(state, mail.kind, mail.context),
            message_id: message_id.clone(),
            from: from.clone(),
            to: mail.to,
            reply_to: mail.reply_tag.map(|t| security.with_tag(t)),
            in_reply_to: mail.in_reply_to,
        }));
        message_ids.push(message_id);
    }
    let jobs = jobs::seal_many(&cfg.jobs, &jobs, crate::db::now())?;
    Ok(Prepared {
        jobs,
        sent,
        message_ids,
    })
}

/// The language all of `to` chose, when each is an account that chose
/// the same one.
fn shared_language(chosen: &HashMap<String, Option<String>>, to: &[String]) -> Option<Language> {
    let mut langs = to.iter().map(|a| chosen.get(a));
    let first = langs.next()??.as_deref()?;
    langs
        .all(|l| l.is_some_and(|l| l.as_deref() == Some(first)))
        .then(|| Language::parse(first).ok())
        .flatten()
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
