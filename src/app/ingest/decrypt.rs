//! Mail encrypted to the list key, decrypted at intake: the decryption and
//! the parsing of what it gives back are CPU work and run on the blocking
//! pool. A mail that does not decrypt is not refused: it is kept as it
//! came, with the reason, so no report is lost to a key we do not hold.

use crate::config::Limits;
use crate::db::reports::Encryption;
use crate::mail::inbound::{self, EncryptedPart, Entity};
use crate::mail::list_key::{ListKey, ListKeyError, MAX_MESSAGE_BYTES};

/// What decrypting a mail's encrypted part gave.
#[derive(Debug)]
pub(super) struct Decrypted {
    /// The list key that decrypted it.
    pub fingerprint: String,
    pub content: Content,
}

#[derive(Debug)]
pub(super) enum Content {
    /// PGP/MIME: the MIME entity inside.
    Entity(Entity),
    /// Inline: the mail's text with the block replaced by its plaintext.
    Text(String),
}

/// Decrypts `part` of a mail whose text is `text`; `Err` holds why it was
/// not decrypted, in words for an admin (no content of the mail).
pub(super) async fn decrypt(
    key: &ListKey,
    limits: &Limits,
    part: &EncryptedPart,
    text: &str,
) -> Result<Decrypted, String> {
    let key = key.clone();
    let (max_bytes, max_attachment) = (limits.max_mail_bytes, limits.max_attachment_bytes);
    let kind = part.kind;
    let ciphertext = part.ciphertext.clone();
    let text = match kind {
        Encryption::Inline => text.to_owned(),
        Encryption::PgpMime => String::new(),
    };
    let task = tokio::task::spawn_blocking(move || {
        open(&key, kind, &ciphertext, &text, max_bytes, max_attachment)
    });
    match task.await {
        Ok(result) => result,
        Err(e) => {
            // rPGP did not panic on 44,419 mutated messages (OPENPGP.md);
            // should it, the mail is still kept.
            tracing::error!(error = %e, "decrypting a mail stopped unexpectedly");
            Err("decrypting it stopped unexpectedly (an error in embargo)".to_owned())
        }
    }
}

fn open(
    key: &ListKey,
    kind: Encryption,
    ciphertext: &[u8],
    text: &str,
    max_bytes: usize,
    max_attachment: usize,
) -> Result<Decrypted, String> {
    if ciphertext.trim_ascii().is_empty() {
        return Err("the multipart/encrypted mail has no encrypted part".to_owned());
    }
    if ciphertext.len() > MAX_MESSAGE_BYTES {
        return Err(format!(
            "the encrypted part is larger than {MAX_MESSAGE_BYTES} bytes, the most decrypted"
        ));
    }
    // A decrypted mail is held to the limit of a mail as it comes.
    let opened = key.open(ciphertext, max_bytes).map_err(|e| match e {
        ListKeyError::TooLarge { max_bytes } => format!(
            "decrypted (and decompressed) it would be larger than {max_bytes} bytes, the limit"
        ),
        other => other.to_string(),
    })?;
    let content = match kind {
        Encryption::PgpMime => {
            let entity = inbound::parse_entity(&opened.plaintext, max_bytes, max_attachment)
                .map_err(|e| format!("the decrypted message: {e}"))?;
            Content::Entity(entity)
        }
        Encryption::Inline => {
            let block = inbound::armored_block(text)
                .ok_or_else(|| "the armored block is missing from the text".to_owned())?;
            Content::Text(inbound::with_plaintext(text, block, &opened.plaintext))
        }
    };
    Ok(Decrypted {
        fingerprint: opened.fingerprint,
        content,
    })
}
