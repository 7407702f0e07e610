//! The message of one delivery, composed when its job runs: the advisory
//! signed and encrypted to the recipient's current key, or the notice that
//! names nothing of it, or (clear text allowed, no key) the same message
//! signed but not encrypted; and the follow-ups when the embargo moves or
//! lifts.

use serde_json::json;

use super::fanout;
use crate::app::{AppState, mailer, templates};
use crate::domain::announcement::{DeliveryKind, OUTER_SUBJECT, Purpose};
use crate::domain::email::EmailAddress;
use crate::domain::language::Language;
use crate::domain::mail_kind::MailKind;
use crate::jobs::Permanent;
use crate::mail::OutgoingMail;
use crate::mail::outgoing::Signed;
use crate::mail::protected::{Attachments, Wrapping};
use crate::mail::templates::RenderedMail;

/// The message for one delivery: the advisory encrypted to the recipient,
/// the notice that names nothing of it, or the advisory signed in clear
/// where an admin allowed it and still does. The announcement and the
/// advisory's contents come from [`fanout::Fanout`], read once per version; the
/// key and that version were read when the delivery started.
pub(super) async fn compose(
    state: &AppState,
    started: &fanout::Started,
) -> anyhow::Result<OutgoingMail> {
    let d = &started.delivery;
    let ann = state.fanout.announcement(&d.announcement_id).await?;
    let advisory = &ann.advisory;
    let cfg = &state.config;
    let security = EmailAddress::parse(&cfg.security_address)
        .map_err(|e| anyhow::anyhow!("security_address: {e}"))?;
    let mut mail = OutgoingMail {
        message_id: d.message_id.clone(),
        from: format!(
            "{} <{}>",
            cfg.organization.replace(['"', '<', '>'], ""),
            cfg.from_address
        ),
        to: vec![d.email.clone()],
        envelope_from: Some(security.with_tag(&format!("bounces-{}", d.id))),
        list_id: Some(format!(
            "{} security list <list.{}>",
            cfg.organization.replace(['"', '<', '>'], ""),
            security.domain()
        )),
        ..Default::default()
    };
    let link = format!("{}/member/advisories/{}", cfg.base(), advisory.as_str());
    let key_link = format!("{}/member", cfg.base());
    let kind = DeliveryKind::parse(&d.kind)
        .ok_or_else(|| Permanent(format!("unknown delivery kind {}", d.kind)))?;
    let purpose = ann.purpose;
    let lang = d.lang.as_deref().and_then(|l| Language::parse(l).ok());
    if kind == DeliveryKind::Clear && !started.clear_allowed {
        // Withdrawn since the announcement: nothing goes out in clear, and
        // the delivery's answer says why.
        let withdrawn = "clear text is no longer allowed for this contact";
        return Err(Permanent(withdrawn.into()).into());
    }
    if purpose == Purpose::Advisory && kind == DeliveryKind::Notice {
        // Nothing of the advisory is read for a notice.
        let context = json!({ "link": link, "key_link": key_link });
        let notice = MailKind::AnnouncementNotice;
        let rendered = render(state, &ann, lang.as_ref(), notice, context, None).await?;
        mail.subject = rendered.subject;
        mail.text = rendered.text;
        return Ok(mail);
    }
    let snap = state.fanout.snapshot(&ann, started.version).await?;
    let (row, content) = (&snap.row, &snap.content);
    let (mail_kind, context) = match purpose {
        Purpose::Advisory => {
            let context = json!({
                "id": advisory.as_str(), "link": link,
                "note": ann.row.note, "tracking_id": d.id,
                "embargo": embargo_context(row.embargo_until, row.embargo_zone.as_deref()),
                "patches": !snap.encrypted_files.is_empty(),
                // This copy's own wording, for tracing a leaked paste.
                "vary": crate::domain::watermark::phrases(&d.id),
            });
            (MailKind::Announcement, context)
        }
        // For a notice, the template names nothing of the advisory or leak;
        // a contact allowed clear text reads it as the others do.
        Purpose::LeakNotice => {
            let context = json!({
                "id": advisory.as_str(), "link": link,
                "key_link": key_link, "summary": content.summary, "text": ann.row.note,
                "encrypted": kind != DeliveryKind::Notice, "tracking_id": d.id,
            });
            (MailKind::LeakNotice, context)
        }
        // For a notice, the template names nothing of the advisory.
        Purpose::EmbargoChanged => {
            let context = json!({
                "id": advisory.as_str(), "link": link,
                "key_link": key_link, "summary": content.summary, "reason": ann.row.note,
                "encrypted": kind == DeliveryKind::Encrypted,
                "clear": kind == DeliveryKind::Clear, "tracking_id": d.id,
                "embargo": embargo_context(row.embargo_until, row.embargo_zone.as_deref()),
            });
            (MailKind::EmbargoChanged, context)
        }
        // Public now: in clear for everyone.
        Purpose::EmbargoLifted => {
            let context = json!({
                "id": advisory.as_str(), "summary": content.summary,
                "url": cfg.site().advisory_url(advisory), "tracking_id": d.id,
            });
            (MailKind::EmbargoLifted, context)
        }
    };
    let none = Attachments::default();
    let advisory = (purpose == Purpose::Advisory).then_some(&snap.content_value);
    let rendered = render(state, &ann, lang.as_ref(), mail_kind, context, advisory).await?;
    let inner = |mail: &OutgoingMail, wrapping| {
        let files = match (purpose, wrapping) {
            (Purpose::Advisory, Wrapping::Encrypted) => &snap.encrypted_files,
            (Purpose::Advisory, Wrapping::SignedOnly) => &snap.signed_files,
            (Purpose::EmbargoChanged | Purpose::EmbargoLifted | Purpose::LeakNotice, _) => &none,
        };
        let (subject, text) = (&rendered.subject, &rendered.text);
        crate::mail::protected::inner_message(mail, subject, text, files, wrapping)
    };
    match kind {
        DeliveryKind::Notice => {
            mail.subject = rendered.subject.clone();
            mail.text = rendered.text.clone();
        }
        DeliveryKind::Encrypted => {
            let key = started
                .key
                .as_ref()
                .ok_or_else(|| Permanent("the recipient has no usable key any more".into()))?;
            let inner = inner(&mail, Wrapping::Encrypted)?;
            mail.subject = OUTER_SUBJECT.to_owned();
            mail.encrypted = Some(encrypt_for(state, key, inner).await?);
        }
        DeliveryKind::Clear => {
            let inner = inner(&mail, Wrapping::SignedOnly)?;
            // The text is readable on the way anyway: the real Subject
            // outside too, so the recipient can file it; inside, the
            // signature covers it.
            mail.subject = rendered.subject.clone();
            mail.signed = Some(sign_for(state, inner).await?);
        }
    }
    Ok(mail)
}

/// `kind` in the version the announcement recorded for the reader's
/// language, with the advisory's content, already a template value, as
/// the variable `advisory` when given. A template that does not render
/// fails this delivery for good.
async fn render(
    state: &AppState,
    ann: &fanout::Announcement,
    lang: Option<&Language>,
    kind: MailKind,
    context: serde_json::Value,
    advisory: Option<&minijinja::Value>,
) -> anyhow::Result<RenderedMail> {
    let context = minijinja::Value::from_serialize(mailer::full_context(state, kind, context));
    let context = match advisory {
        Some(advisory) => minijinja::context! { advisory => advisory, ..context },
        None => context,
    };
    let pick = templates::pick_from(state, &ann.templates, kind.name(), lang);
    Ok(
        templates::render(state, kind.name(), pick.as_ref(), &context)
            .await?
            .map_err(Permanent)?,
    )
}

/// `inner` as the first part of a multipart/signed message, with the list
/// key's detached signature over it, made on the signing threads.
async fn sign_for(state: &AppState, mut inner: Vec<u8>) -> anyhow::Result<Signed> {
    // The part ends before the CRLF that opens the next boundary line.
    if inner.ends_with(b"\r\n") {
        inner.truncate(inner.len() - 2);
    }
    let entity = String::from_utf8(inner)
        .map_err(|_| Permanent("the signed part is not 7-bit text".into()))?;
    let list_key = state.list_key.clone();
    state
        .fanout
        .off_thread(move || {
            let signature = list_key
                .sign_detached(entity.as_bytes())
                .map_err(|e| Permanent(format!("signing: {e}")))?;
            Ok(Signed { entity, signature })
        })
        .await?
}

/// The embargo's end in UTC and in the agreed zone, for the templates.
fn embargo_context(until: Option<i64>, zone: Option<&str>) -> serde_json::Value {
    let Some(until) = until else {
        return json!(null);
    };
    let Ok(at) = jiff::Timestamp::from_microsecond(until) else {
        return json!(null);
    };
    let zone = zone.unwrap_or("UTC");
    json!({
        "utc": at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        "zone": zone,
        "local": crate::domain::embargo::in_zone(at, zone),
    })
}

/// Signs `inner` with the list key and encrypts it to `key`, on the
/// signing threads. The key was checked when it was uploaded and read only
/// if not expired since (a revocation comes as a new key, which replaces
/// it); a key that no longer parses fails the delivery for good.
async fn encrypt_for(
    state: &AppState,
    key: &crate::db::keys::UsableKey,
    inner: Vec<u8>,
) -> anyhow::Result<crate::mail::armor::Armored> {
    use crate::db::keys::UsableKey;
    use crate::mail::keys::{RecipientKey, parse_certificate};
    let list_key = state.list_key.clone();
    let key = key.clone();
    state
        .fanout
        .off_thread(move || {
            let unusable = |e: String| Permanent(format!("the recipient's key: {e}"));
            let recipient = match &key {
                UsableKey::Packet {
                    packet,
                    encryption_subkey,
                } => {
                    let read =
                        RecipientKey::from_packet(packet).map_err(|e| unusable(e.to_string()))?;
                    // Whatever the packet holds, nothing is encrypted to a key
                    // other than the one chosen at upload.
                    if !read.fingerprint().eq_ignore_ascii_case(encryption_subkey) {
                        return Err(unusable(
                            "the stored encryption key is not the one chosen at upload".into(),
                        )
                        .into());
                    }
                    read
                }
                UsableKey::Certificate {
                    armored,
                    encryption_subkey,
                } => {
                    let cert = parse_certificate(armored).map_err(|e| unusable(e.to_string()))?;
                    RecipientKey::find(&cert, encryption_subkey)
                        .ok_or_else(|| unusable("the chosen subkey is missing".into()))?
                }
            };
            list_key
                .sign_and_encrypt_to_key(inner, &recipient)
                .map_err(|e| anyhow::Error::new(Permanent(format!("encrypting: {e}"))))
        })
        .await?
}
