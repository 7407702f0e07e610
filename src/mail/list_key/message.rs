//! Messages from and to the list: signed by the current key and encrypted
//! to one recipient; decrypted with any of the list's keys, within limits.

use std::io::Read;

use jiff::Timestamp;
use pgp::armor::DearmorOptions;
use pgp::composed::{
    ArmorOptions, DecryptionOptions, DetachedSignature, Esk, Message, MessageBuilder,
    SignedPublicKey, TheRing,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::errors::Error as PgpError;
use pgp::types::{Password, Seipdv1ReadMode};
use rand_core_06::OsRng;

use super::{ListKey, ListKeyError};
use crate::mail::armor::Armored;
use crate::mail::keys;

/// Largest message [`ListKey::decrypt`] reads, armored or binary: above
/// the default `limits.max_mail_bytes` (25 MiB), so any mail embargo
/// accepts can be decrypted. SEIPDv1 is decrypted whole before any
/// plaintext is released (the integrity check comes first), so this also
/// bounds that buffer (rPGP's own bound is 1 GiB).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// Largest plaintext [`ListKey::decrypt`] returns, after decompression:
/// 257 KiB of compressed data can expand to hundreds of MiB.
pub const MAX_PLAINTEXT_BYTES: usize = 64 * 1024 * 1024;

/// Compressed layers unwrapped at most (one is normal).
const MAX_COMPRESSION_LAYERS: usize = 2;

impl ListKey {
    /// `plaintext` signed by the current list key (SHA-256) and encrypted
    /// to `recipient` (SEIPDv1, AES-256: what GnuPG 2.2 reads), ASCII-armored
    /// with CRLF line endings ([`crate::mail::armor`]).
    ///
    /// The key encrypted to is the one [`keys::check_certificate`] chooses
    /// as of `now` (the service clock, read by the caller: a blocking
    /// thread does not see it); a certificate that has become unusable
    /// since it was accepted (expired, revoked) is refused.
    pub fn sign_and_encrypt(
        &self,
        plaintext: &[u8],
        recipient: &SignedPublicKey,
        now: Timestamp,
    ) -> Result<Armored, ListKeyError> {
        let chosen = keys::check_certificate(recipient, "", now, 0)?.encryption_subkey;
        self.sign_and_encrypt_to(plaintext, recipient, &chosen)
    }

    /// [`Self::sign_and_encrypt`] to the key of `recipient` with fingerprint
    /// `chosen` (upper-case hex), as [`keys::check_certificate`] chose it
    /// when the certificate was accepted and stored. Its signatures are not
    /// checked again: they were then, and a stored certificate is replaced,
    /// never changed. Whether it has expired since is the caller's to know
    /// (the stored expiry).
    pub fn sign_and_encrypt_to(
        &self,
        plaintext: impl Into<Vec<u8>>,
        recipient: &SignedPublicKey,
        chosen: &str,
    ) -> Result<Armored, ListKeyError> {
        let key = keys::RecipientKey::find(recipient, chosen)
            .ok_or_else(|| ListKeyError::Encrypt("the chosen subkey is missing".into()))?;
        self.sign_and_encrypt_to_key(plaintext, &key)
    }

    /// [`Self::sign_and_encrypt_to`] with the recipient's key read alone
    /// (the packet stored with the certificate).
    pub fn sign_and_encrypt_to_key(
        &self,
        plaintext: impl Into<Vec<u8>>,
        key: &keys::RecipientKey,
    ) -> Result<Armored, ListKeyError> {
        let failed = |e: PgpError| ListKeyError::Encrypt(e.to_string());
        let mut rng = OsRng;
        let plaintext = plaintext.into();
        let capacity = plaintext.len() + 1024;
        let mut builder = MessageBuilder::from_bytes("", plaintext)
            .seipd_v1(&mut rng, SymmetricKeyAlgorithm::AES256);
        // rPGP zeroes a buffer of the chunk size for every message, 512 KiB
        // by default; one the size of this message (packets and all) is
        // enough for it to go in one chunk, as before.
        let chunk = capacity.next_power_of_two().clamp(512, 512 * 1024);
        builder
            .partial_chunk_size(u32::try_from(chunk).unwrap_or(512 * 1024))
            .map_err(failed)?;
        match key {
            keys::RecipientKey::Primary(k) => builder.encrypt_to_key(&mut rng, k),
            keys::RecipientKey::Subkey(k) => builder.encrypt_to_key(&mut rng, k),
        }
        .map_err(failed)?;
        // SHA-256, which every implementation must read (RFC 9580 section
        // 9.5) and most CPUs compute in hardware: over a 27 KB message it
        // costs a third of SHA-512.
        builder.sign(
            &self.0.current.secret.primary_key,
            Password::empty(),
            HashAlgorithm::Sha256,
        );
        let mut binary = Vec::with_capacity(capacity);
        builder.to_writer(rng, &mut binary).map_err(failed)?;
        Ok(crate::mail::armor::armor_message(&binary))
    }

    /// A detached signature by the current list key over `data` (SHA-512,
    /// ASCII-armored), for the second part of a PGP/MIME multipart/signed
    /// message (RFC 3156 section 5). A text signature: verifiers hash the
    /// data with CRLF line endings whatever a mail store turned them into,
    /// as RFC 3156 asks of the signed part anyway.
    pub fn sign_detached(&self, data: &[u8]) -> Result<String, ListKeyError> {
        let failed = |e: PgpError| ListKeyError::Sign(e.to_string());
        DetachedSignature::sign_text_data(
            OsRng,
            &self.0.current.secret.primary_key,
            &Password::empty(),
            HashAlgorithm::Sha512,
            data,
        )
        .and_then(|sig| sig.to_armored_string(ArmorOptions::default()))
        .map_err(failed)
    }

    /// The plaintext of `message` (ASCII-armored or binary), decrypted with
    /// whichever of the list's keys, current or older, it was encrypted to.
    /// Signatures inside are not checked. At most [`MAX_MESSAGE_BYTES`] in
    /// and [`MAX_PLAINTEXT_BYTES`] out.
    pub fn decrypt(&self, message: &[u8]) -> Result<Vec<u8>, ListKeyError> {
        self.decrypt_within(message, MAX_MESSAGE_BYTES, MAX_PLAINTEXT_BYTES)
    }

    /// [`ListKey::decrypt`] with a lower cap on the plaintext (at most
    /// [`MAX_PLAINTEXT_BYTES`] whatever is asked), naming the list key that
    /// decrypted it.
    pub fn open(&self, message: &[u8], max_plaintext: usize) -> Result<Opened, ListKeyError> {
        self.open_within(
            message,
            MAX_MESSAGE_BYTES,
            max_plaintext.min(MAX_PLAINTEXT_BYTES),
        )
    }

    pub(super) fn decrypt_within(
        &self,
        message: &[u8],
        max_message: usize,
        max_plaintext: usize,
    ) -> Result<Vec<u8>, ListKeyError> {
        self.open_within(message, max_message, max_plaintext)
            .map(|o| o.plaintext)
    }

    /// Tries the keys one at a time, newest first, so the one that worked
    /// is known: rPGP's ring result is not reliable for that when a message
    /// has several recipients. A key that is not a recipient costs no
    /// decryption (its session key is not found), so this is no slower.
    fn open_within(
        &self,
        message: &[u8],
        max_message: usize,
        max_plaintext: usize,
    ) -> Result<Opened, ListKeyError> {
        if message.len() > max_message {
            return Err(ListKeyError::TooLarge {
                max_bytes: max_message,
            });
        }
        let keys = &self.0;
        let mut recipients = Vec::new();
        let mut failed = None;
        for held in std::iter::once(&keys.current).chain(&keys.previous) {
            let parsed = parse(message, max_message)?;
            if recipients.is_empty() {
                recipients = recipient_ids(&parsed);
            }
            let ring = TheRing {
                secret_keys: vec![&held.secret],
                decrypt_options: DecryptionOptions::new().set_seipdv1_read_mode(
                    Seipdv1ReadMode::CheckFirst {
                        max_message_size: max_message,
                    },
                ),
                ..TheRing::default()
            };
            match parsed.decrypt_the_ring(ring, true) {
                Ok((plain, _)) => {
                    return Ok(Opened {
                        plaintext: literal(plain, max_plaintext)?,
                        fingerprint: held.fingerprint.clone(),
                    });
                }
                Err(PgpError::MissingKey) => {}
                // A hidden recipient is tried with every key; a wrong one
                // may fail this way. Another key may still be the right one.
                Err(other) => {
                    failed.get_or_insert(ListKeyError::Malformed(other.to_string()));
                }
            }
        }
        Err(failed.unwrap_or(ListKeyError::NotForUs { recipients }))
    }
}

/// What [`ListKey::open`] found.
pub struct Opened {
    pub plaintext: Vec<u8>,
    /// The list key that decrypted it: 40 upper-case hex digits.
    pub fingerprint: String,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("plaintext", &format_args!("{} bytes", self.plaintext.len()))
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// `message`, armored or binary, as an encrypted OpenPGP message.
fn parse(message: &[u8], max_message: usize) -> Result<Message<'_>, ListKeyError> {
    let malformed = |e: PgpError| ListKeyError::Malformed(e.to_string());
    let armored = message.trim_ascii_start().starts_with(b"-----BEGIN ");
    let parsed = if armored {
        let options = DearmorOptions::new().set_limit(max_message);
        Message::from_armor_with_options(message, options).map(|(m, _)| m)
    } else {
        Message::from_bytes(message)
    }
    .map_err(malformed)?;
    if !parsed.is_encrypted() {
        return Err(ListKeyError::Malformed("it is not encrypted".into()));
    }
    Ok(parsed)
}

/// The key ids a message names as its recipients (upper-case hex), hidden
/// ones left out.
fn recipient_ids(message: &Message<'_>) -> Vec<String> {
    let Message::Encrypted { esk, .. } = message else {
        return Vec::new();
    };
    esk.iter()
        .filter_map(|e| match e {
            Esk::PublicKeyEncryptedSessionKey(p) => p.id().ok(),
            Esk::SymKeyEncryptedSessionKey(_) => None,
        })
        .filter(|id| !id.is_wildcard())
        .map(|id| id.to_string().to_uppercase())
        .collect()
}

/// The literal data of a decrypted message, at most `max_plaintext` bytes
/// after at most [`MAX_COMPRESSION_LAYERS`] of decompression.
fn literal(mut plain: Message<'_>, max_plaintext: usize) -> Result<Vec<u8>, ListKeyError> {
    let malformed = |e: PgpError| ListKeyError::Malformed(e.to_string());
    for _ in 0..MAX_COMPRESSION_LAYERS {
        if plain.literal_data_header().is_some() {
            break;
        }
        plain = plain.decompress().map_err(malformed)?;
    }
    if plain.literal_data_header().is_none() {
        return Err(ListKeyError::Malformed(
            "it holds no literal data within two compressed layers".into(),
        ));
    }

    let mut out = Vec::new();
    let cap = u64::try_from(max_plaintext).unwrap_or(u64::MAX);
    (&mut plain)
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| ListKeyError::Malformed(e.to_string()))?;
    if out.len() > max_plaintext {
        return Err(ListKeyError::TooLarge {
            max_bytes: max_plaintext,
        });
    }
    Ok(out)
}
