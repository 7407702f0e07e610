//! What decryption gives back. A PGP/MIME plaintext is a MIME entity
//! (RFC 3156), often with protected headers (RFC 9788), parsed again with
//! the same parser and limits as a mail; an inline block's plaintext takes
//! the block's place in the text.

use std::ops::Range;

use mail_parser::MessageParser;

use super::{InboundError, body, clean, clean_files};
use crate::db::reports::NewAttachment;

const BEGIN: &str = "-----BEGIN PGP MESSAGE-----";
const END: &str = "-----END PGP MESSAGE-----";

/// What a decrypted PGP/MIME message holds.
#[derive(Debug, Clone, Default)]
pub struct Entity {
    /// The protected Subject, when the entity carries one.
    pub subject: Option<String>,
    pub text: String,
    pub attachments: Vec<NewAttachment>,
    /// Attachments dropped for size: (file name, bytes).
    pub dropped: Vec<(String, usize)>,
}

/// The MIME entity inside a PGP/MIME message. Anything that is not MIME
/// is taken as text.
pub fn parse_entity(
    plaintext: &[u8],
    max_bytes: usize,
    max_attachment: usize,
) -> Result<Entity, InboundError> {
    if plaintext.len() > max_bytes {
        return Err(InboundError::TooLarge(plaintext.len(), max_bytes));
    }
    let mut entity = match MessageParser::default().parse(plaintext) {
        Some(msg) => {
            let body = body(&msg, max_attachment, false);
            Entity {
                subject: msg
                    .subject()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                text: body.text.trim().to_owned(),
                attachments: body.attachments,
                dropped: body.dropped,
            }
        }
        None => Entity {
            text: text_of(plaintext),
            ..Entity::default()
        },
    };
    entity.subject.iter_mut().for_each(clean);
    clean(&mut entity.text);
    clean_files(&mut entity.attachments, &mut entity.dropped);
    Ok(entity)
}

/// Where the first armored OpenPGP message in `text` is: from its BEGIN
/// line to the end of its END line, or to the end of the text when that
/// is missing.
pub fn armored_block(text: &str) -> Option<Range<usize>> {
    let start = text.find(BEGIN)?;
    let end = text[start..]
        .find(END)
        .map_or(text.len(), |at| start + at + END.len());
    Some(start..end)
}

/// `text` with the armored block at `block` replaced by `plaintext`.
pub fn with_plaintext(text: &str, block: Range<usize>, plaintext: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() + plaintext.len());
    out.push_str(&text[..block.start]);
    out.push_str(&text_of(plaintext));
    out.push_str(&text[block.end..]);
    let mut out = out.trim().to_owned();
    clean(&mut out);
    out
}

/// Decrypted bytes as text: UTF-8 (invalid sequences replaced), with the
/// CRLF line ends of `gpg --textmode` made LF.
fn text_of(plaintext: &[u8]) -> String {
    String::from_utf8_lossy(plaintext)
        .replace("\r\n", "\n")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1 << 20;

    #[test]
    fn protected_headers_give_the_subject_and_the_legacy_display_is_dropped() {
        let inner = "Content-Type: multipart/mixed; boundary=\"in\"; protected-headers=\"v1\"\r\n\
            Subject: Heap overflow in the parser\r\nFrom: r@example.net\r\n\r\n--in\r\n\
            Content-Type: text/plain; charset=utf-8; hp-legacy-display=\"1\"\r\n\r\n\
            Subject: Heap overflow in the parser\r\n\r\n--in\r\n\
            Content-Type: text/plain; charset=utf-8\r\n\r\nThe parser overflows.\r\n--in\r\n\
            Content-Type: text/x-diff; name=\"fix.patch\"\r\nContent-Disposition: attachment; filename=\"fix.patch\"\r\n\r\n\
            --- a\r\n+++ b\r\n--in--\r\n";
        let e = parse_entity(inner.as_bytes(), MAX, MAX).unwrap();
        assert_eq!(e.subject.as_deref(), Some("Heap overflow in the parser"));
        assert_eq!(e.text, "The parser overflows.");
        assert_eq!(e.attachments.len(), 1, "{:?}", e.attachments);
        assert_eq!(e.attachments[0].filename, "fix.patch");
        assert_eq!(e.attachments[0].content, b"--- a\r\n+++ b");
    }

    #[test]
    fn an_enigmail_rfc822_headers_part_is_not_the_text() {
        let inner = "Content-Type: multipart/mixed; boundary=\"in\"; protected-headers=\"v1\"\r\n\
            Subject: Real subject\r\n\r\n--in\r\n\
            Content-Type: text/rfc822-headers; protected-headers=\"v1\"\r\nContent-Disposition: inline\r\n\r\n\
            Subject: Real subject\r\n\r\n--in\r\n\
            Content-Type: text/plain; charset=utf-8\r\n\r\nThe text.\r\n--in--\r\n";
        let e = parse_entity(inner.as_bytes(), MAX, MAX).unwrap();
        assert_eq!(e.subject.as_deref(), Some("Real subject"));
        assert_eq!(e.text, "The text.");
        assert!(e.attachments.is_empty(), "{:?}", e.attachments);
    }

    #[test]
    fn limits_apply_to_the_entity_as_to_a_mail() {
        let inner = "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\n\
            Content-Type: text/plain\r\n\r\nshort\r\n--in\r\n\
            Content-Type: application/octet-stream; name=\"big.bin\"\r\nContent-Disposition: attachment; filename=\"big.bin\"\r\n\r\n\
            0123456789012345678901234567890123456789\r\n--in--\r\n";
        let e = parse_entity(inner.as_bytes(), MAX, 20).unwrap();
        assert!(e.attachments.is_empty());
        assert_eq!(e.dropped, [("big.bin".to_owned(), 40)]);
        assert_eq!(
            parse_entity(inner.as_bytes(), 10, MAX).unwrap_err(),
            InboundError::TooLarge(inner.len(), 10)
        );
    }

    #[test]
    fn a_plaintext_without_mime_headers_is_its_text() {
        let e = parse_entity(b"The parser overflows.\r\nOn long input.\r\n", MAX, MAX).unwrap();
        assert_eq!(e.subject, None);
        assert_eq!(e.text, "The parser overflows.\nOn long input.");
        let e = parse_entity(b"\0\0\0", MAX, MAX).unwrap();
        assert!(!e.text.contains('\0'));
    }

    #[test]
    fn an_inline_block_is_found_and_replaced_by_its_plaintext() {
        let text =
            "Hello,\n\n-----BEGIN PGP MESSAGE-----\n\nhQ==\n-----END PGP MESSAGE-----\n\nRita";
        let block = armored_block(text).unwrap();
        assert!(text[block.clone()].starts_with(BEGIN));
        assert!(text[block.clone()].ends_with(END));
        let out = with_plaintext(text, block, b"The secret\r\nreport.\r\n");
        assert_eq!(out, "Hello,\n\nThe secret\nreport.\n\nRita");
        let cut = "x -----BEGIN PGP MESSAGE-----\nhQ==";
        assert_eq!(armored_block(cut), Some(2..cut.len()));
        assert_eq!(armored_block("no block"), None);
    }
}
