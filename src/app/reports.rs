//! Report use cases: intake from any channel, the thread, and triage. Each
//! runs in one transaction that also writes its mail jobs and audit events.

use anyhow::Context;
use serde_json::json;

use super::AppState;
use super::mailer::{self, Mail};
use crate::db::accounts;
use crate::db::audit::{self, Actor};
use crate::db::reports::{self, NewAttachment, NewCiphertext, Report, Source};
use crate::domain::id::{AccountId, ReportId, ordered_prefix, random_chars};
use crate::domain::language::Language;
use crate::domain::mail_kind::MailKind;
use crate::domain::report::NewReport;
use crate::domain::secret::Secret;

pub use super::triage::{TriageError, assign, change_status, is_overdue, record_read};

/// A report just taken in.
#[derive(Debug)]
pub struct Submitted {
    pub id: ReportId,
    /// The reporter's capability link; shown once, never stored.
    pub tracking_url: String,
}

/// Extra facts about a report that came by mail.
#[derive(Debug, Default)]
pub struct Origin<'a> {
    pub message_id: Option<&'a str>,
    /// The mail's encrypted part, kept beside the text. A report whose
    /// mail was not decrypted is marked `encrypted`: its text is the
    /// mail as it came.
    pub ciphertext: Option<NewCiphertext<'a>>,
}

pub fn tracking_url(state: &AppState, token: &Secret) -> String {
    format!("{}/track/{}", state.config.base(), token.expose())
}

/// Stores a new report with its attachments, queues the acknowledgement to
/// the reporter and the notice to admins, and records the event, all in
/// one transaction. Reports without attachments or ciphertext submitted at the same
/// moment share that transaction and its commit ([`super::intake`]).
pub async fn submit(
    state: &AppState,
    actor: &Actor,
    report: &NewReport,
    source: Source,
    origin: Origin<'_>,
    attachments: &[NewAttachment],
) -> anyhow::Result<Submitted> {
    // A report with attachments or a kept ciphertext (mail) has its own.
    let submitted = if attachments.is_empty() && origin.ciphertext.is_none() {
        let submission = super::intake::Submission {
            actor: actor.clone(),
            report: report.clone(),
            source,
            message_id: origin.message_id.map(str::to_owned),
        };
        super::intake::submit(state, submission).await?
    } else {
        let incoming = Incoming {
            actor,
            report,
            source,
            origin: &origin,
            attachments,
        };
        let mut tx = state.db.begin().await?;
        let mut submitted = insert_all(&mut tx, state, std::slice::from_ref(&incoming)).await?;
        tx.commit().await?;
        submitted.pop().context("the report was not written")?
    };
    tracing::info!(report.id = %submitted.id, source = source.as_str(), "report received");
    Ok(submitted)
}

/// One report to write with [`insert_all`].
pub(super) struct Incoming<'a> {
    pub actor: &'a Actor,
    pub report: &'a NewReport,
    pub source: Source,
    pub origin: &'a Origin<'a>,
    pub attachments: &'a [NewAttachment],
}

/// Writes new reports, their attachments, mail jobs and audit events in the
/// caller's transaction, in a few statements however many there are: the
/// reports in one INSERT, the admins read once, the mails queued together.
pub(super) async fn insert_all(
    tx: &mut crate::db::Tx,
    state: &AppState,
    incoming: &[Incoming<'_>],
) -> anyhow::Result<Vec<Submitted>> {
    let prepared = prepare_all(tx, state, incoming).await?;
    write_prepared(tx, incoming, prepared).await
}

/// Reports made ready by [`prepare_all`] for [`write_prepared`].
pub(super) struct Prepared {
    reports: Vec<reports::SealedReport>,
    mails: mailer::Prepared,
    submitted: Vec<Submitted>,
}

/// [`insert_all`]'s reads (the admins, the mails' languages and templates)
/// and its work (links, sealing, the mail jobs), on `conn`: intake runs it
/// on a connection of its own before its batch takes the write turn, so the
/// turn is spent writing. An admin added meanwhile misses that notice, one
/// removed gets it: a link, nothing of the report.
pub(super) async fn prepare_all(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    incoming: &[Incoming<'_>],
) -> anyhow::Result<Prepared> {
    // Both begin in the order they are made, so a batch's rows share
    // pages of the tracking and reply tag indexes; 100 random bits make a tag.
    let secrets: Vec<(Secret, String)> = incoming
        .iter()
        .map(|_| {
            let tag = ordered_prefix() + &random_chars(20);
            (Secret::generate_ordered(), tag)
        })
        .collect();
    let hashes: Vec<_> = secrets.iter().map(|(t, _)| t.hash()).collect();
    let rows: Vec<reports::Insert<'_>> = incoming
        .iter()
        .zip(&secrets)
        .zip(&hashes)
        .map(|((i, (_, reply_tag)), tracking)| reports::Insert {
            report: i.report,
            source: i.source,
            encrypted: i.origin.ciphertext.is_some_and(|c| c.fingerprint.is_none()),
            origin_message_id: i.origin.message_id,
            tracking,
            reply_tag,
        })
        .collect();
    let sealed = reports::seal_many(&rows)?;
    let admins = accounts::admin_addresses(&mut *conn).await?;
    let mut mails = Vec::new();
    let mut submitted = Vec::with_capacity(sealed.len());
    for ((i, row), (tracking, reply_tag)) in incoming.iter().zip(&sealed).zip(&secrets) {
        let id = &row.id;
        let url = tracking_url(state, tracking);
        if let Some(email) = &i.report.reporter_email {
            mails.push(Mail {
                key: format!("ack:{id}"),
                kind: MailKind::ReportReceived,
                context: json!({
                    "report_id": id.as_str(),
                    "title": i.report.title,
                    "tracking_url": url,
                    "reporter_name": i.report.reporter_name,
                    "first_response_days": state.config.triage.first_response_days,
                }),
                to: vec![email.to_string()],
                report: Some(id),
                reply_tag: Some(reply_tag),
                in_reply_to: i.origin.message_id.map(|m| format!("<{m}>")),
                lang: i.report.language.clone(),
            });
        }
        if !admins.is_empty() {
            mails.push(admin_notice(
                state,
                id,
                MailKind::ReportNewForAdmins,
                format!("new_report:{id}"),
                admins.clone(),
            ));
        }
        submitted.push(Submitted {
            id: id.clone(),
            tracking_url: url,
        });
    }
    let mails = mailer::prepare(conn, state, mails).await?;
    Ok(Prepared {
        reports: sealed,
        mails,
        submitted,
    })
}

/// Writes what [`prepare_all`] made of `incoming` in the caller's
/// transaction.
pub(super) async fn write_prepared(
    tx: &mut crate::db::Tx,
    incoming: &[Incoming<'_>],
    prepared: Prepared,
) -> anyhow::Result<Vec<Submitted>> {
    reports::insert_sealed(&mut *tx, &prepared.reports).await?;
    for (i, row) in incoming.iter().zip(&prepared.reports) {
        let id = &row.id;
        for a in i.attachments {
            reports::insert_attachment(&mut *tx, id, None, a).await?;
        }
        if let Some(c) = &i.origin.ciphertext {
            reports::insert_ciphertext(&mut *tx, id, None, c).await?;
        }
        let mut detail = json!({ "source": i.source.as_str(), "attachments": i.attachments.len(), "anonymous": i.report.reporter_email.is_none() });
        if let Some(c) = &i.origin.ciphertext {
            detail["encrypted"] = encrypted_detail(c);
        }
        audit::append(tx, i.actor, "report.created", id.as_str(), detail);
    }
    prepared.mails.write(&mut *tx).await?;
    Ok(prepared.submitted)
}

/// Mails every admin a link to the report and nothing of its content.
async fn notify_admins(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    id: &ReportId,
    kind: MailKind,
    key: String,
) -> anyhow::Result<()> {
    let admins = accounts::admin_addresses(conn).await?;
    if !admins.is_empty() {
        mailer::queue(conn, state, admin_notice(state, id, kind, key, admins)).await?;
    }
    Ok(())
}

/// The admins' mail about report `id`: a link, nothing of its content.
fn admin_notice(
    state: &AppState,
    id: &ReportId,
    kind: MailKind,
    key: String,
    admins: Vec<String>,
) -> Mail<'static> {
    Mail::new(
        key,
        kind,
        json!({ "report_id": id.as_str(), "url": format!("{}/admin/reports/{}", state.config.base(), id) }),
        admins,
    )
}

/// What the audit event of a report or message says of its encryption:
/// the kind, and whether it was decrypted. Nothing of the content.
fn encrypted_detail(c: &NewCiphertext<'_>) -> serde_json::Value {
    json!({ "kind": c.kind.as_str(), "decrypted": c.fingerprint.is_some() })
}

/// Adds a message from the reporter (tracking page or mail) to the thread.
pub async fn reporter_message(
    state: &AppState,
    actor: &Actor,
    report: &Report,
    body: &str,
    mail_message_id: Option<&str>,
    attachments: &[NewAttachment],
) -> anyhow::Result<()> {
    reporter_mail(
        state,
        actor,
        report,
        body,
        mail_message_id,
        attachments,
        None,
    )
    .await
}

/// [`reporter_message`] for a mail, with its encrypted part (if it came
/// encrypted) kept beside the text.
pub async fn reporter_mail(
    state: &AppState,
    actor: &Actor,
    report: &Report,
    body: &str,
    mail_message_id: Option<&str>,
    attachments: &[NewAttachment],
    ciphertext: Option<&NewCiphertext<'_>>,
) -> anyhow::Result<()> {
    let id = ReportId::parse(&report.id)?;
    let mut tx = state.db.begin().await?;
    let msg =
        reports::insert_message(&mut tx, &id, "in", "reporter", body, mail_message_id).await?;
    for a in attachments {
        reports::insert_attachment(&mut tx, &id, Some(&msg), a).await?;
    }
    if let Some(c) = ciphertext {
        reports::insert_ciphertext(&mut tx, &id, Some(&msg), c).await?;
    }
    let key = format!("reporter_message:{msg}");
    notify_admins(&mut tx, state, &id, MailKind::ReportMessageForAdmins, key).await?;
    let mut detail = json!({ "message": msg.as_str(), "attachments": attachments.len() });
    if let Some(c) = ciphertext {
        detail["encrypted"] = encrypted_detail(c);
    }
    audit::append(&mut tx, actor, "report.message_added", id.as_str(), detail);
    tx.commit().await?;
    Ok(())
}

/// An admin's answer to the reporter: kept in the thread and mailed, threaded.
pub async fn admin_reply(
    state: &AppState,
    actor: &Actor,
    admin: &AccountId,
    report: &Report,
    body: &str,
) -> anyhow::Result<()> {
    let id = ReportId::parse(&report.id)?;
    let mut tx = state.db.begin().await?;
    let msg = reports::insert_message(&mut tx, &id, "out", &format!("account:{admin}"), body, None)
        .await?;
    reports::mark_responded(&mut tx, &id).await?;
    mail_reporter(
        &mut tx,
        state,
        report,
        format!("reply:{msg}"),
        MailKind::ReportReply,
        json!({ "body": body }),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        "report.replied",
        id.as_str(),
        json!({ "message": msg.as_str() }),
    );
    tx.commit().await?;
    Ok(())
}

pub(super) async fn mail_reporter(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    report: &Report,
    key: String,
    kind: MailKind,
    extra: serde_json::Value,
) -> anyhow::Result<()> {
    let Some(email) = &report.reporter_email else {
        return Ok(());
    };
    let id = ReportId::parse(&report.id)?;
    let mut context =
        json!({ "report_id": report.id, "title": report.title, "status": report.status.as_str() });
    if let (Some(c), Some(e)) = (context.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    mailer::queue(
        conn,
        state,
        Mail {
            key,
            kind,
            context,
            to: vec![email.clone()],
            report: Some(&id),
            reply_tag: Some(&report.reply_tag),
            in_reply_to: report.origin_message_id.as_ref().map(|m| format!("<{m}>")),
            lang: report
                .language
                .as_deref()
                .and_then(|l| Language::parse(l).ok()),
        },
    )
    .await?;
    Ok(())
}
