//! An outgoing mail as stored in a `send_mail` job, and its RFC 5322 form.

use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use serde::{Deserialize, Serialize};

/// A rendered mail. The Message-ID is fixed when the job is written, so a
/// retried delivery carries the same id and receivers can drop the copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub message_id: String,
    pub from: String,
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    pub in_reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// The envelope sender when it is not `from`: a per-delivery bounce
    /// address (VERP), so a bounce names the delivery it is about.
    #[serde(default)]
    pub envelope_from: Option<String>,
    /// `List-Id` value: list traffic, also marked `Auto-Submitted`.
    #[serde(default)]
    pub list_id: Option<String>,
    /// An armored OpenPGP message: the mail is PGP/MIME (RFC 3156) with this
    /// as its encrypted part; `text` and `html` stay out of it.
    #[serde(default)]
    pub encrypted: Option<super::armor::Armored>,
    /// A PGP/MIME signed message (RFC 3156 section 5) instead: its first
    /// part exactly as signed, then the signature; `text` and `html` stay
    /// out of it.
    #[serde(default)]
    pub signed: Option<Signed>,
}

/// A message as an SMTP server takes it: the envelope and the text (RFC
/// 5322, CRLF line endings), before dot-stuffing.
#[derive(Debug)]
pub struct SmtpMessage {
    pub envelope: lettre::address::Envelope,
    pub text: Vec<u8>,
}

/// The two parts of a multipart/signed message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    /// The MIME entity that was signed, headers and body, with CRLF line
    /// endings and 7-bit clean: it goes on the wire byte for byte, or the
    /// signature no longer matches.
    pub entity: String,
    /// The list key's armored detached signature over `entity`.
    pub signature: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid address {0:?}")]
    Address(String),
    #[error("the signed part is not 7-bit text in lines of at most 998 characters")]
    NotSevenBit,
    #[error(
        "the multipart did not end in its closing boundary; its attachments could not be added"
    )]
    NoClosingBoundary,
    #[error(transparent)]
    Lettre(#[from] lettre::error::Error),
}

/// `text` with every line ending in CRLF, made in one pass. lettre makes
/// a body's line endings CRLF itself, but by inserting each `\r` into the
/// string in place, which moves the rest of the string every time: for a
/// 50 KiB armored message, some 20 MB of copying. Given CRLF already, it
/// only reads.
pub(crate) fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32 + 2);
    let mut rest = text;
    while let Some(at) = rest.find('\n') {
        let line = &rest[..at];
        out.push_str(line);
        if !line.ends_with('\r') {
            out.push('\r');
        }
        out.push('\n');
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}

/// The boundary of a PGP/MIME encrypted body: `_` is not base64 and the
/// armor's other lines are fixed, so no line of the armor can be it.
const ENCRYPTED_BOUNDARY: &str = "=_pgp_mime_encrypted";

/// RFC 3156 section 4: the version part, then the armored message, in a
/// multipart/encrypted body made here rather than by lettre, which would
/// copy the 40 KB armor part by part into growing buffers. Armor is 7-bit
/// text in short CRLF lines by its type, so it goes as it is.
fn pgp_mime(armored: &super::armor::Armored) -> Result<SinglePart, BuildError> {
    let mut body = Vec::with_capacity(armored.len() + 1024);
    pgp_mime_body(armored, &mut body);
    made_here(&pgp_mime_type(), body)
}

fn pgp_mime_type() -> String {
    let b = ENCRYPTED_BOUNDARY;
    format!("multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"{b}\"")
}

/// The body of [`pgp_mime`], written at the end of `out`.
fn pgp_mime_body(armored: &super::armor::Armored, out: &mut Vec<u8>) {
    let b = ENCRYPTED_BOUNDARY;
    let head = format!(
        "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n\
         --{b}\r\n\
         Content-Type: application/pgp-encrypted\r\n\
         Content-Description: PGP/MIME version identification\r\n\
         Content-Disposition: attachment; filename=\"version.txt\"\r\n\r\n\
         Version: 1\r\n\r\n\
         --{b}\r\n\
         Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\
         Content-Description: OpenPGP encrypted message\r\n\
         Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n"
    );
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(armored.as_bytes());
    out.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
}

/// A multipart body made here, 7-bit by construction, as the message's
/// one part: lettre writes it as it is.
fn made_here(content_type: &str, body: Vec<u8>) -> Result<SinglePart, BuildError> {
    let content_type = ContentType::parse(content_type).map_err(|_| BuildError::NotSevenBit)?;
    Ok(SinglePart::builder()
        .header(content_type)
        .body(Body::dangerous_pre_encoded(
            body,
            ContentTransferEncoding::SevenBit,
        )))
}

/// RFC 3156 section 5: the signed entity, then the signature, in a
/// multipart/signed body made here rather than by lettre, which would
/// format the first part anew. The entity must travel unchanged, so only
/// 7-bit text in short lines is accepted (no transport re-encodes it).
fn pgp_signed(signed: &Signed) -> Result<SinglePart, BuildError> {
    use sha2::{Digest, Sha256};
    let entity = &signed.entity;
    let seven_bit = entity.is_ascii()
        && !entity.contains('\0')
        && entity
            .split("\r\n")
            .all(|l| l.len() <= 998 && !l.contains(['\r', '\n']));
    if !seven_bit {
        return Err(BuildError::NotSevenBit);
    }
    // Made from the entity's digest, so it cannot occur in the entity; `_`
    // is not base64, so it cannot occur in the armored signature.
    let digest = crate::domain::secret::hex(&Sha256::digest(entity.as_bytes())[..16]);
    let boundary = format!("=_signed_{digest}");
    let signature = crlf(signed.signature.trim_end());
    let body = format!(
        "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n\
         --{boundary}\r\n{entity}\r\n--{boundary}\r\n\
         Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n\
         Content-Description: OpenPGP digital signature\r\n\
         Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n\
         {signature}\r\n--{boundary}--\r\n"
    );
    let content_type = format!(
        "multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\"; boundary=\"{boundary}\""
    );
    made_here(&content_type, body.into_bytes())
}

/// `List-Id` (RFC 2919).
#[derive(Debug, Clone)]
struct ListId(String);

impl Header for ListId {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Id")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation replies.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

fn mailbox(s: &str) -> Result<Mailbox, BuildError> {
    s.parse().map_err(|_| BuildError::Address(s.to_owned()))
}

/// How text bodies are encoded.
#[derive(Clone, Copy)]
enum Encoding {
    /// What any SMTP server takes (quoted-printable when lines are long).
    Transport,
    /// Unencoded, for `.eml` files: every line, and so every link, stays
    /// whole and greppable.
    Raw,
}

fn text_body(text: &str, encoding: Encoding) -> Body {
    match encoding {
        Encoding::Transport => Body::new(crlf(text)),
        Encoding::Raw => Body::new_with_encoding(crlf(text), ContentTransferEncoding::Binary)
            .unwrap_or_else(|_| Body::new(crlf(text))),
    }
}

impl OutgoingMail {
    /// The message for an SMTP server.
    pub fn to_message(&self) -> Result<lettre::Message, BuildError> {
        self.build(Encoding::Transport)
    }

    /// The message as an SMTP server takes it. An encrypted body is written
    /// straight into the message's text after the headers lettre formats:
    /// its 40 KB armor is copied once, where `formatted` would copy it
    /// again into a buffer grown by doubling. The bytes are those of
    /// [`Self::to_message`].
    pub fn to_smtp(&self) -> Result<SmtpMessage, BuildError> {
        let Some(armored) = &self.encrypted else {
            let message = self.to_message()?;
            return Ok(SmtpMessage {
                envelope: message.envelope().clone(),
                text: message.formatted(),
            });
        };
        let part = made_here(&pgp_mime_type(), Vec::new())?;
        let part_head = part.headers().to_string();
        let message = self.headers()?.singlepart(part)?;
        let head = message.headers().to_string();
        // As lettre writes a message of one part: its headers, the part's,
        // a blank line, the body and a line end.
        // Room for SMTP's end of data, added in place.
        let mut text = Vec::with_capacity(head.len() + part_head.len() + armored.len() + 1024);
        text.extend_from_slice(head.as_bytes());
        text.extend_from_slice(part_head.as_bytes());
        text.extend_from_slice(b"\r\n");
        pgp_mime_body(armored, &mut text);
        text.extend_from_slice(b"\r\n");
        Ok(SmtpMessage {
            envelope: message.envelope().clone(),
            text,
        })
    }

    fn build(&self, encoding: Encoding) -> Result<lettre::Message, BuildError> {
        let b = self.headers()?;
        if let Some(armored) = &self.encrypted {
            return Ok(b.singlepart(pgp_mime(armored)?)?);
        }
        if let Some(signed) = &self.signed {
            return Ok(b.singlepart(pgp_signed(signed)?)?);
        }
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(text_body(&self.text, encoding));
        let message = match &self.html {
            Some(html) => b.multipart(
                MultiPart::alternative().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(text_body(html, encoding)),
                ),
            )?,
            None => b.singlepart(text)?,
        };
        Ok(message)
    }

    /// Everything of the message but its body: headers and envelope.
    fn headers(&self) -> Result<lettre::message::MessageBuilder, BuildError> {
        let mut b = lettre::Message::builder()
            .from(mailbox(&self.from)?)
            .subject(&self.subject)
            .message_id(Some(self.message_id.clone()))
            .date_now();
        for to in &self.to {
            b = b.to(mailbox(to)?);
        }
        if let Some(r) = &self.reply_to {
            b = b.reply_to(mailbox(r)?);
        }
        if let Some(irt) = &self.in_reply_to {
            b = b.in_reply_to(irt.clone()).references(irt.clone());
        }
        if let Some(list_id) = &self.list_id {
            b = b.header(ListId(list_id.clone())).header(AutoSubmitted);
        }
        if let Some(sender) = &self.envelope_from {
            let to = self
                .to
                .iter()
                .map(|t| Ok(mailbox(t)?.email))
                .collect::<Result<Vec<_>, BuildError>>()?;
            let envelope = lettre::address::Envelope::new(Some(mailbox(sender)?.email), to)
                .map_err(|_| BuildError::Address(sender.clone()))?;
            b = b.envelope(envelope);
        }
        Ok(b)
    }

    /// The message as bytes (RFC 5322), as written to `.eml` files.
    pub fn to_bytes(&self) -> Result<Vec<u8>, BuildError> {
        Ok(self.build(Encoding::Raw)?.formatted())
    }
}

#[cfg(test)]
mod tests;
