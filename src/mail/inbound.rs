//! Parsing one inbound RFC 5322 message into what intake needs. Real-world
//! mail is messy: mail-parser decodes charsets, encoded words, and turns an
//! HTML-only body into text; we only decide what is acceptable. An
//! OpenPGP-encrypted part is found here and left as it came; intake
//! decrypts it and parses a PGP/MIME plaintext again ([`parse_entity`]).

mod decrypted;

use mail_parser::{MessageParser, MessagePart, MimeHeaders};

pub use decrypted::{Entity, armored_block, parse_entity, with_plaintext};

use crate::db::reports::{Encryption, NewAttachment};
use crate::domain::email::EmailAddress;
use crate::domain::secret::sha256_hex;

/// Most Message-IDs of In-Reply-To and References looked up for threading.
pub const MAX_REFERENCES: usize = 20;

/// What intake keeps of a message.
#[derive(Debug, Clone)]
pub struct InboundMail {
    /// Without angle brackets. Synthesised from the content when absent, so an
    /// MTA's retry of the same bytes is still recognised.
    pub message_id: String,
    pub from: EmailAddress,
    pub from_name: Option<String>,
    /// To, Cc and Delivered-To addresses, lowercased.
    pub recipients: Vec<String>,
    /// Message-IDs named by In-Reply-To and References, without brackets.
    pub refers_to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub attachments: Vec<NewAttachment>,
    /// Attachments dropped for size: (file name, bytes).
    pub dropped: Vec<(String, usize)>,
    /// The OpenPGP-encrypted part, as it came; `text` holds it too (the
    /// PGP/MIME message, or the text body around an inline block).
    pub encrypted: Option<EncryptedPart>,
}

/// An encrypted part of a mail, as it came.
#[derive(Clone)]
pub struct EncryptedPart {
    pub kind: Encryption,
    /// The OpenPGP message: PGP/MIME's second part, or the inline block.
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for EncryptedPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedPart")
            .field("kind", &self.kind)
            .field(
                "ciphertext",
                &format_args!("{} bytes", self.ciphertext.len()),
            )
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InboundError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is {0} bytes, over the limit of {1}")]
    TooLarge(usize, usize),
    #[error("the message has no header section; it is not an RFC 5322 message")]
    NoHeaders,
    #[error("the message has no usable From address")]
    NoSender,
}

pub fn parse(
    raw: &[u8],
    max_bytes: usize,
    max_attachment: usize,
) -> Result<InboundMail, InboundError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(InboundError::Empty);
    }
    if raw.len() > max_bytes {
        return Err(InboundError::TooLarge(raw.len(), max_bytes));
    }
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(InboundError::NoHeaders)?;
    if msg.headers().is_empty() {
        return Err(InboundError::NoHeaders);
    }
    let sender = msg
        .from()
        .and_then(|a| a.first())
        .ok_or(InboundError::NoSender)?;
    let from = sender
        .address()
        .and_then(|a| EmailAddress::parse(a).ok())
        .ok_or(InboundError::NoSender)?;
    let from_name = sender
        .name()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);

    let mut recipients: Vec<String> = msg
        .to()
        .into_iter()
        .chain(msg.cc())
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
        .map(str::to_lowercase)
        .collect();
    for v in msg
        .header_values("Delivered-To")
        .chain(msg.header_values("X-Original-To"))
    {
        if let Some(t) = v.as_text() {
            recipients.push(
                t.trim()
                    .trim_matches(|c| c == '<' || c == '>')
                    .to_lowercase(),
            );
        }
    }

    // In-Reply-To, then the newest References: a thread's ancestors we sent
    // are near its end, and a header of a million ids costs no more.
    let mut refers_to = Vec::new();
    if let Some(list) = msg.in_reply_to().as_text_list() {
        refers_to.extend(list.iter().take(MAX_REFERENCES).map(|s| s.to_string()));
    }
    if let Some(list) = msg.references().as_text_list() {
        let newest = list.iter().rev().take(MAX_REFERENCES);
        refers_to.extend(newest.map(|s| s.to_string()));
    }
    refers_to.truncate(MAX_REFERENCES);

    let message_id = msg
        .message_id()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}@embargo.invalid", &sha256_hex(raw)[..32]));
    let subject = msg.subject().map(str::trim).unwrap_or_default().to_owned();

    let content_type = msg.root_part().content_type();
    let encrypted_mime = content_type.is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("encrypted"))
    });
    let body = body(&msg, max_attachment, encrypted_mime);
    let (text, encrypted) = if encrypted_mime {
        // RFC 3156: the second part holds the message. Without one the
        // mail is still kept, marked, and fails to decrypt with a reason.
        let part = body.pgp_parts.into_iter().next().unwrap_or_default();
        let text = if part.is_empty() {
            body.text
        } else {
            String::from_utf8_lossy(&part).into_owned()
        };
        let encrypted = EncryptedPart {
            kind: Encryption::PgpMime,
            ciphertext: part,
        };
        (text, Some(encrypted))
    } else {
        let encrypted = armored_block(&body.text).map(|block| EncryptedPart {
            kind: Encryption::Inline,
            ciphertext: body.text[block].as_bytes().to_vec(),
        });
        (body.text, encrypted)
    };

    let mail = InboundMail {
        message_id,
        from,
        from_name,
        recipients,
        refers_to,
        subject,
        text: text.trim().to_owned(),
        attachments: body.attachments,
        dropped: body.dropped,
        encrypted,
    };
    Ok(without_nul(mail))
}

/// The text and files of a message or of a decrypted MIME entity.
struct Body {
    text: String,
    attachments: Vec<NewAttachment>,
    /// Attachments dropped for size: (file name, bytes).
    dropped: Vec<(String, usize)>,
    /// The `application/octet-stream` parts of a `multipart/encrypted`.
    pgp_parts: Vec<Vec<u8>>,
}

fn body(msg: &mail_parser::Message<'_>, max_attachment: usize, encrypted_mime: bool) -> Body {
    // The first text part that is not a legacy display of protected
    // headers (RFC 9788 `hp-legacy-display`, or the `text/rfc822-headers`
    // part older clients add): it repeats the Subject, not the report.
    let text = (0..msg.text_body_count())
        .filter(|&i| {
            let part = u32::try_from(i).ok().and_then(|i| msg.text_part(i));
            !part.is_some_and(is_legacy_display)
        })
        .find_map(|i| msg.body_text(i))
        .map(|t| t.into_owned())
        .unwrap_or_default();

    let mut attachments = Vec::new();
    let mut dropped = Vec::new();
    let mut pgp_parts = Vec::new();
    for part in msg.attachments() {
        let name = part.attachment_name().unwrap_or("attachment").to_owned();
        let ctype = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_owned(),
            })
            .unwrap_or_else(|| "application/octet-stream".into())
            .to_lowercase();
        let contents = part.contents();
        if encrypted_mime && ctype == "application/octet-stream" {
            pgp_parts.push(contents.to_vec());
            continue;
        }
        if encrypted_mime && ctype == "application/pgp-encrypted" {
            continue;
        }
        if is_legacy_display(part) {
            continue;
        }
        if contents.len() > max_attachment {
            dropped.push((name, contents.len()));
            continue;
        }
        attachments.push(NewAttachment {
            filename: name,
            content_type: ctype,
            content: contents.to_vec(),
        });
    }
    Body {
        text,
        attachments,
        dropped,
        pgp_parts,
    }
}

/// Whether `part` only shows protected headers to clients that do not
/// know them (RFC 9788 section 4.5.3; Enigmail's `text/rfc822-headers`).
fn is_legacy_display(part: &MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.has_attribute("hp-legacy-display")
            || (ct.ctype().eq_ignore_ascii_case("text")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("rfc822-headers")))
    })
}

/// `mail` with NUL characters removed from every text it holds (attachment
/// contents are bytes and stay as they came). PostgreSQL refuses NUL in
/// text, which would make every delivery of the message fail as if
/// temporarily, and a NUL carries no meaning in mail text anyway. The
/// cleaning is the same on each delivery, so a retry is still recognised.
fn without_nul(mut mail: InboundMail) -> InboundMail {
    clean(&mut mail.message_id);
    mail.from_name.iter_mut().for_each(clean);
    mail.recipients.iter_mut().for_each(clean);
    mail.refers_to.iter_mut().for_each(clean);
    clean(&mut mail.subject);
    clean(&mut mail.text);
    clean_files(&mut mail.attachments, &mut mail.dropped);
    mail
}

fn clean(s: &mut String) {
    if s.contains('\0') {
        s.retain(|c| c != '\0');
    }
}

fn clean_files(attachments: &mut [NewAttachment], dropped: &mut [(String, usize)]) {
    for a in attachments {
        clean(&mut a.filename);
        clean(&mut a.content_type);
    }
    dropped.iter_mut().for_each(|(name, _)| clean(name));
}

/// The `TOKEN` of a `local+TOKEN@domain` recipient whose `local@domain` is the
/// security address.
pub fn reply_tag<'a>(recipients: &'a [String], security: &EmailAddress) -> Option<&'a str> {
    let sec = security.as_str().to_lowercase();
    let (sec_local, sec_domain) = sec.rsplit_once('@')?;
    recipients.iter().find_map(|r| {
        let (local, domain) = r.rsplit_once('@')?;
        let tag = local.strip_prefix(sec_local)?.strip_prefix('+')?;
        (domain == sec_domain && !tag.is_empty()).then_some(tag)
    })
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1 << 20;

    fn parse_ok(s: &str) -> InboundMail {
        parse(s.as_bytes(), MAX, MAX).unwrap()
    }

    #[test]
    fn plain_message() {
        let m = parse_ok(
            "From: Alice <alice@example.net>\r\nTo: security@example.org\r\nSubject: Overflow in parser\r\n\
             Message-ID: <abc@example.net>\r\n\r\nThe parser overflows.\r\n",
        );
        assert_eq!(m.from.as_str(), "alice@example.net");
        assert_eq!(m.from_name.as_deref(), Some("Alice"));
        assert_eq!(m.subject, "Overflow in parser");
        assert_eq!(m.message_id, "abc@example.net");
        assert_eq!(m.text, "The parser overflows.");
        assert!(m.encrypted.is_none());
    }

    #[test]
    fn encoded_words_latin1_and_html_only() {
        let m = parse_ok(
            "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.net>\r\nSubject: =?UTF-8?B?w5xiZXJsYXVm?=\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/html; charset=iso-8859-1\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>Caf=E9 <b>crash</b></p>\r\n",
        );
        assert_eq!(m.from_name.as_deref(), Some("André"));
        assert_eq!(m.subject, "Überlauf");
        assert!(m.text.contains("Café"), "{}", m.text);
        assert!(m.text.contains("crash"));
        assert!(!m.text.contains("<b>"));
    }

    #[test]
    fn alternative_prefers_text_and_keeps_attachments() {
        let raw = "From: a@example.net\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
            Content-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n--b2\r\n\
            Content-Type: text/plain; charset=utf-8\r\n\r\nplain body\r\n--b2\r\n\
            Content-Type: text/html\r\n\r\n<p>html body</p>\r\n--b2--\r\n--b1\r\n\
            Content-Type: text/x-diff; name=\"fix.patch\"\r\nContent-Disposition: attachment; filename=\"fix.patch\"\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nLS0tIGEKKysrIGIK\r\n--b1\r\n\
            Content-Type: application/octet-stream; name=\"big.bin\"\r\nContent-Disposition: attachment; filename=\"big.bin\"\r\n\r\n\
            0123456789012345678901234567890123456789\r\n--b1--\r\n";
        let m = parse(raw.as_bytes(), MAX, 20).unwrap();
        assert_eq!(m.text, "plain body");
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].filename, "fix.patch");
        assert_eq!(m.attachments[0].content, b"--- a\n+++ b\n");
        assert_eq!(m.dropped.len(), 1);
        assert_eq!(m.dropped[0].0, "big.bin");
    }

    #[test]
    fn pgp_mime_is_kept_encrypted() {
        let raw = "From: a@example.net\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\r\n\r\n\
            --b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\n\
            Content-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nhQ==\r\n-----END PGP MESSAGE-----\r\n--b--\r\n";
        let m = parse_ok(raw);
        let part = m.encrypted.expect("marked encrypted");
        assert_eq!(part.kind, Encryption::PgpMime);
        assert!(part.ciphertext.starts_with(b"-----BEGIN PGP MESSAGE-----"));
        assert!(m.text.starts_with("-----BEGIN PGP MESSAGE-----"));
        assert!(m.attachments.is_empty());
    }

    #[test]
    fn nul_characters_are_removed_from_text_but_not_from_attachments() {
        let raw = "From: =?UTF-8?Q?Ri=00ta?= <rita@example.net>\r\nSubject: =?UTF-8?Q?Over=00flow?=\r\n\
            Message-ID: <a\0b@example.net>\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
            Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
            bo=00dy\0 text\r\n--b\r\nContent-Type: application/octet-stream\r\n\
            Content-Disposition: attachment; filename=\"=?UTF-8?Q?x=00.bin?=\"\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nAAEA\r\n--b--\r\n";
        let m = parse_ok(raw);
        assert_eq!(m.subject, "Overflow");
        assert_eq!(m.from_name.as_deref(), Some("Rita"));
        assert_eq!(m.text, "body text");
        assert!(!m.message_id.contains('\0'), "{:?}", m.message_id);
        assert_eq!(m.attachments[0].filename, "x.bin");
        assert_eq!(m.attachments[0].content, [0u8, 1, 0]);
    }

    #[test]
    fn malformed_messages_are_refused() {
        assert_eq!(parse(b"", MAX, MAX).unwrap_err(), InboundError::Empty);
        assert_eq!(parse(b"   \n", MAX, MAX).unwrap_err(), InboundError::Empty);
        assert!(parse(b"this is not a mail at all", MAX, MAX).is_err());
        assert_eq!(
            parse(b"Subject: no sender\r\n\r\nbody", MAX, MAX).unwrap_err(),
            InboundError::NoSender
        );
        let raw = b"From: x@y.org\r\n\r\nbody";
        assert_eq!(
            parse(raw, 5, MAX).unwrap_err(),
            InboundError::TooLarge(raw.len(), 5)
        );
    }

    #[test]
    fn threading_headers_and_reply_tag() {
        let m = parse_ok(
            "From: a@example.net\r\nTo: Security <security+tok123@example.org>\r\nIn-Reply-To: <x1@example.org>\r\n\
             References: <x0@example.org> <x1@example.org>\r\nSubject: Re: s\r\n\r\nreply\r\n",
        );
        assert!(m.refers_to.contains(&"x1@example.org".to_owned()));
        assert!(m.refers_to.contains(&"x0@example.org".to_owned()));
        let sec = EmailAddress::parse("security@example.org").unwrap();
        assert_eq!(reply_tag(&m.recipients, &sec), Some("tok123"));
        let other = EmailAddress::parse("secteam@example.org").unwrap();
        assert_eq!(reply_tag(&m.recipients, &other), None);
    }

    #[test]
    fn only_the_newest_references_are_considered() {
        let refs: Vec<String> = (0..100_000)
            .map(|i| format!("<r{i}@example.org>"))
            .collect();
        let raw = format!(
            "From: a@example.net\r\nTo: security@example.org\r\nIn-Reply-To: <irt@example.org>\r\n\
             References: {}\r\nSubject: Re: s\r\n\r\nreply\r\n",
            refs.join(" ")
        );
        let m = parse(raw.as_bytes(), 10_000_000, 1_000).unwrap();
        assert_eq!(m.refers_to.len(), MAX_REFERENCES);
        assert_eq!(m.refers_to[0], "irt@example.org");
        assert_eq!(m.refers_to[1], "r99999@example.org");
        assert!(!m.refers_to.contains(&"r0@example.org".to_owned()));
    }
}
