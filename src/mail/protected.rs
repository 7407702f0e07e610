//! The inner message of an encrypted mail with protected headers (RFC 9788,
//! and the `protected-headers="v1"` that Thunderbird reads): the real
//! Subject, From, To, Date and Message-ID travel inside the encryption with
//! the text and the attachments; outside stays a Subject that says nothing.
//! The same entity is the signed part of a message signed but not
//! encrypted, where the signature covers those headers.

use lettre::message::header::{self, ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, Mailboxes, MultiPart, SinglePart};

use super::OutgoingMail;
use super::outgoing::BuildError;

/// One attachment: file name, content type, bytes.
pub type File = (String, String, Vec<u8>);

/// How the entity's parts are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapping {
    /// To be encrypted: nothing on the way sees the bytes, so the most
    /// compact encoding (8bit text where its lines allow) keeps the
    /// ciphertext small.
    Encrypted,
    /// To be signed and sent readable: quoted-printable text and base64
    /// files, as RFC 3156 (section 3) asks, since trailing white space (a
    /// blank context line in a patch, a Markdown line break) may be
    /// stripped on the way and break the signature.
    SignedOnly,
}

/// Files as the parts of an inner message, encoded and formatted (headers,
/// blank line, body, line end, as lettre writes a part) once for all the
/// copies of a fan-out instead of once per recipient: each copy only
/// copies them into its message.
#[derive(Debug, Clone, Default)]
pub struct Attachments(Vec<Vec<u8>>);

impl Attachments {
    pub fn new(files: &[File], wrapping: Wrapping) -> Self {
        let parts = files
            .iter()
            .map(|(name, content_type, bytes)| {
                let content_type = ContentType::parse(content_type).unwrap_or_else(|_| {
                    ContentType::parse("application/octet-stream").expect("valid")
                });
                let body = match (wrapping, as_is(bytes)) {
                    (Wrapping::Encrypted, Some(encoding)) => {
                        Body::dangerous_pre_encoded(bytes.clone(), encoding)
                    }
                    (Wrapping::Encrypted, None) => Body::new(bytes.clone()),
                    (Wrapping::SignedOnly, _) => {
                        Body::new_with_encoding(bytes.clone(), ContentTransferEncoding::Base64)
                            .unwrap_or_else(Body::new)
                    }
                };
                Attachment::new(safe_name(name))
                    .body(body, content_type)
                    .formatted()
            })
            .collect();
        Self(parts)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The MIME entity to encrypt (or sign) for `outer` (whose From, To and
/// Message-ID it repeats), with the real `subject`, the `text` and the
/// attachments (made for the same `wrapping`).
pub fn inner_message(
    outer: &OutgoingMail,
    subject: &str,
    text: &str,
    attachments: &Attachments,
    wrapping: Wrapping,
) -> Result<Vec<u8>, BuildError> {
    let text = super::outgoing::crlf(text);
    let text = match wrapping {
        // 8bit where lines allow: quoted-printable would only make the
        // ciphertext larger and cost a pass over the text.
        Wrapping::Encrypted => SinglePart::builder().header(ContentType::TEXT_PLAIN).body(
            match as_is(text.as_bytes()) {
                Some(encoding) => Body::dangerous_pre_encoded(text.into_bytes(), encoding),
                None => Body::new(text),
            },
        ),
        Wrapping::SignedOnly => SinglePart::builder().header(ContentType::TEXT_PLAIN).body(
            Body::new_with_encoding(text, ContentTransferEncoding::QuotedPrintable)
                // Never: quoted-printable takes any input.
                .unwrap_or_else(Body::new),
        ),
    };
    // The attachments go in after lettre formatted the rest.
    let mut mixed = MultiPart::mixed().singlepart(text);
    let boundary = mixed.boundary();
    let content_type = ContentType::parse(&format!(
        "multipart/mixed; boundary=\"{boundary}\"; protected-headers=\"v1\""
    ))
    .map_err(|_| BuildError::Address(boundary.clone()))?;
    let from: Mailbox = outer
        .from
        .parse()
        .map_err(|_| BuildError::Address(outer.from.clone()))?;
    let mut to = Mailboxes::new();
    for t in &outer.to {
        to.push(t.parse().map_err(|_| BuildError::Address(t.clone()))?);
    }
    let headers = mixed.headers_mut();
    headers.set(content_type);
    headers.set(header::Subject::from(subject.to_owned()));
    headers.set(header::From::from(Mailboxes::from(from)));
    headers.set(header::To::from(to));
    headers.set(header::Date::now());
    headers.set(header::MessageId::from(outer.message_id.clone()));
    with_parts(mixed.formatted(), &boundary, attachments)
}

/// `formatted`, a multipart lettre formatted, with `attachments` as its
/// last parts, where lettre would have written them: each after a
/// boundary line, all before the closing one. An error, never a message
/// without them, should lettre ever end a multipart otherwise.
fn with_parts(
    formatted: Vec<u8>,
    boundary: &str,
    attachments: &Attachments,
) -> Result<Vec<u8>, BuildError> {
    if attachments.0.is_empty() {
        return Ok(formatted);
    }
    let closing = format!("--{boundary}--\r\n");
    let opening = format!("--{boundary}\r\n");
    let before = formatted
        .strip_suffix(closing.as_bytes())
        .map(<[u8]>::len)
        .ok_or(BuildError::NoClosingBoundary)?;
    let size = formatted.len()
        + attachments
            .0
            .iter()
            .map(|part| opening.len() + part.len())
            .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&formatted[..before]);
    for part in &attachments.0 {
        out.extend_from_slice(opening.as_bytes());
        out.extend_from_slice(part);
    }
    out.extend_from_slice(closing.as_bytes());
    Ok(out)
}

/// How `bytes` can go into a MIME part unencoded, if they can: text
/// (UTF-8, no NUL, no CR but in CRLF) in lines of at most 998 octets, the
/// limit of RFC 5322, as `7bit` when ASCII and `8bit` otherwise. lettre
/// encodes any line of 76 characters or more (quoted-printable), which
/// inside an encryption only costs time and bytes.
fn as_is(bytes: &[u8]) -> Option<ContentTransferEncoding> {
    std::str::from_utf8(bytes).ok()?;
    // One pass: a line's length, a CR only before LF, no NUL.
    let mut line = 0usize;
    let mut after_cr = false;
    for &b in bytes {
        if b == b'\n' {
            (line, after_cr) = (0, false);
            continue;
        }
        if after_cr || b == 0 {
            return None;
        }
        after_cr = b == b'\r';
        line += usize::from(!after_cr);
        if line > 998 {
            return None;
        }
    }
    match bytes.is_ascii() {
        true => Some(ContentTransferEncoding::SevenBit),
        false => Some(ContentTransferEncoding::EightBit),
    }
}

/// A file name without path parts or quotes, as the attachment names it.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .collect();
    if cleaned.is_empty() {
        "patch".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parts added after lettre formatted the multipart land where lettre
    /// would have written them, byte for byte.
    #[test]
    fn parts_added_after_formatting_are_where_lettre_puts_them() {
        use lettre::message::MultiPartKind;
        let text = || SinglePart::plain("the text\r\n".to_owned());
        let file = |n: u8| {
            Attachment::new(format!("f{n}.patch")).body(
                Body::dangerous_pre_encoded(vec![b'a' + n; 300], ContentTransferEncoding::SevenBit),
                ContentType::parse("text/x-diff").unwrap(),
            )
        };
        let mixed = || {
            MultiPart::builder()
                .kind(MultiPartKind::Mixed)
                .boundary("b0und")
        };
        let whole = mixed()
            .singlepart(text())
            .singlepart(file(1))
            .singlepart(file(2))
            .formatted();
        let parts = Attachments(vec![file(1).formatted(), file(2).formatted()]);
        let added = with_parts(mixed().singlepart(text()).formatted(), "b0und", &parts).unwrap();
        assert_eq!(
            String::from_utf8(added).unwrap(),
            String::from_utf8(whole).unwrap()
        );
        // Without its closing boundary, the parts are not dropped: an error.
        let cut = whole_without_closing(&mixed().singlepart(text()).formatted());
        assert!(matches!(
            with_parts(cut, "b0und", &parts),
            Err(BuildError::NoClosingBoundary)
        ));
        let alone = mixed().singlepart(text()).formatted();
        assert_eq!(
            with_parts(alone.clone(), "b0und", &Attachments::default()).unwrap(),
            alone
        );
    }

    fn whole_without_closing(formatted: &[u8]) -> Vec<u8> {
        formatted[..formatted.len() - "--b0und--\r\n".len()].to_vec()
    }

    #[test]
    fn the_real_subject_and_the_patch_are_inside() {
        let outer = OutgoingMail {
            message_id: "<d1@example.org>".into(),
            from: "Project <security@example.org>".into(),
            to: vec!["c@distro.example".into()],
            ..Default::default()
        };
        let files = vec![(
            "../fix.patch".to_owned(),
            "text/x-diff".to_owned(),
            b"--- a\n+++ b\n".to_vec(),
        )];
        let bytes = inner_message(
            &outer,
            "[SA-2026-0001] heap overflow",
            "Details: Grüße",
            &Attachments::new(&files, Wrapping::Encrypted),
            Wrapping::Encrypted,
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("protected-headers=\"v1\""), "{text}");
        assert!(text.contains("Subject: [SA-2026-0001] heap overflow"));
        assert!(text.contains("Message-ID: <d1@example.org>"));
        assert!(text.contains("To: c@distro.example"));
        assert!(text.contains("filename=\"fix.patch\""), "{text}");
        let parsed = mail_parser::MessageParser::default()
            .parse(text.as_bytes())
            .unwrap();
        assert_eq!(parsed.subject(), Some("[SA-2026-0001] heap overflow"));
        // 8bit inside the encryption, not quoted-printable.
        assert!(text.contains("Content-Transfer-Encoding: 8bit"), "{text}");
        assert!(text.contains("Details: Grüße"), "{text}");
        let long = "x".repeat(300);
        let bytes = inner_message(
            &outer,
            "s",
            &long,
            &Attachments::default(),
            Wrapping::Encrypted,
        )
        .unwrap();
        let raw = String::from_utf8(bytes).unwrap();
        assert!(raw.contains("Content-Transfer-Encoding: 7bit") && raw.contains(&long));
        let too_long = "y".repeat(1000);
        let bytes = inner_message(
            &outer,
            "s",
            &too_long,
            &Attachments::default(),
            Wrapping::Encrypted,
        )
        .unwrap();
        assert!(!String::from_utf8(bytes).unwrap().contains(&too_long));
        assert_eq!(parsed.body_text(0).as_deref(), Some("Details: Grüße"));
        assert_eq!(parsed.attachment_count(), 1);
        assert_eq!(parsed.attachment(0).unwrap().contents(), b"--- a\n+++ b\n");
    }

    /// [`as_is`] as it was first written, line by line.
    fn as_is_by_lines(bytes: &[u8]) -> Option<ContentTransferEncoding> {
        let text = std::str::from_utf8(bytes).ok()?;
        let fits = text.split('\n').all(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            line.len() <= 998 && !line.contains(['\r', '\0'])
        });
        match (fits, text.is_ascii()) {
            (false, _) => None,
            (true, true) => Some(ContentTransferEncoding::SevenBit),
            (true, false) => Some(ContentTransferEncoding::EightBit),
        }
    }

    #[test]
    fn what_goes_unencoded_is_decided_as_line_by_line() {
        let long = "x".repeat(998);
        let cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"a\r\nb\nc".to_vec(),
            b"a\rb".to_vec(),
            b"a\r".to_vec(),
            b"a\r\r\n".to_vec(),
            b"a\0b".to_vec(),
            "Grüße\r\n".as_bytes().to_vec(),
            vec![0xff, b'a'],
            format!("{long}\r\n{long}").into_bytes(),
            format!("{long}x\r\n").into_bytes(),
            format!("{long}\r").into_bytes(),
            format!("é{}", "x".repeat(997)).into_bytes(),
        ];
        for bytes in cases {
            assert_eq!(as_is(&bytes), as_is_by_lines(&bytes), "{bytes:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_short_text_is_decided_as_line_by_line(text in "[a\r\n\0é]{0,40}") {
            proptest::prop_assert_eq!(as_is(text.as_bytes()), as_is_by_lines(text.as_bytes()));
        }
    }

    #[test]
    fn signed_only_no_line_ends_in_white_space_so_transport_cannot_break_the_signature() {
        let outer = OutgoingMail {
            message_id: "<d2@example.org>".into(),
            from: "security@example.org".into(),
            to: vec!["c@distro.example".into()],
            ..Default::default()
        };
        let files = vec![(
            "fix.patch".to_owned(),
            "text/x-diff".to_owned(),
            b"@@ -1,3 +1,3 @@\n \n-a\n+b\n".to_vec(),
        )];
        let text = "A Markdown line break:  \nand a tab\t\n";
        let parts = Attachments::new(&files, Wrapping::SignedOnly);
        let bytes = inner_message(&outer, "s", text, &parts, Wrapping::SignedOnly).unwrap();
        let raw = String::from_utf8(bytes.clone()).unwrap();
        assert!(raw.is_ascii());
        assert!(
            raw.split("\r\n").all(|l| !l.ends_with([' ', '\t'])),
            "{raw}"
        );
        let parsed = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        assert_eq!(
            parsed.body_text(0).as_deref(),
            Some("A Markdown line break:  \r\nand a tab\t\r\n")
        );
        assert_eq!(parsed.attachment(0).unwrap().contents(), &files[0].2[..]);
    }
}
