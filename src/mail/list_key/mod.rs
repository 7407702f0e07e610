//! The list's own OpenPGP key: it signs what the list sends, members and
//! reporters encrypt to it, and it is published (`GET /api/v1/list-key`,
//! the Web Key Directory, security.txt).
//!
//! What must stay true:
//!
//! - The key is made by embargo at first start, with the settings checked
//!   against GnuPG 2.2 (shared/OPENPGP.md): a v4 Ed25519 primary key that
//!   certifies and signs, a Curve25519 ECDH subkey that encrypts, explicit
//!   preferences (AES-256, AES-128; SHA-512, SHA-256), SEIPDv1 only.
//! - The secret keys live only in files under the data directory (see
//!   `store.rs`): mode 0600 in a 0700 directory, written
//!   atomically, never in the database, never in a log. `Debug` shows
//!   fingerprints only.
//! - The files are sealed with the data key (`db::sealed`), which no
//!   backup holds: a stolen backup does not hold the key that decrypts
//!   mail to the list.
//!   Files written before sealing are read as they are and sealed in
//!   place at the next start ([`ListKey::load_or_create`]).
//! - The keys carry no OpenPGP password: they are read, opened and
//!   unlocked once, at start up, and a signature then costs 0.13 ms
//!   instead of 15 ms.
//! - A rotation makes a new current key and keeps every older one, so mail
//!   encrypted to an older key still decrypts.
//!
//! Everything here is CPU or file work: async callers run it on the
//! blocking pool (`tokio::task::spawn_blocking`; a [`ListKey`] is a cheap
//! clone to move there).

mod message;
#[cfg(test)]
mod race_tests;
mod sealing;
#[cfg(test)]
mod sealing_tests;
mod store;
#[cfg(test)]
mod tests;

use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pgp::composed::{
    ArmorOptions, Deserializable, EncryptionCaps, KeyType, SecretKeyParamsBuilder, SignedSecretKey,
    SubkeyParamsBuilder,
};
use pgp::crypto::ecc_curve::ECCCurve;
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::ser::Serialize;
use pgp::types::{CompressionAlgorithm, KeyDetails, KeyVersion};
use rand_core_06::OsRng;

pub use message::{MAX_MESSAGE_BYTES, MAX_PLAINTEXT_BYTES, Opened};
pub use sealing::SealedFiles;
pub use store::SEALED_AS;

/// Why the list key could not be loaded, made, or used. No variant carries
/// key material.
#[derive(Debug, thiserror::Error)]
pub enum ListKeyError {
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is damaged: {reason}; restore the list-key directory from a backup", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("{action} {} with the data key: {source}", path.display())]
    Sealed {
        action: &'static str,
        path: PathBuf,
        source: crate::db::sealed::SealError,
    },
    #[error("making the list key: {0}")]
    Generate(String),
    #[error("the recipient's key cannot be used: {0}")]
    Recipient(#[from] crate::mail::keys::KeyError),
    #[error("signing and encrypting: {0}")]
    Encrypt(String),
    #[error("signing: {0}")]
    Sign(String),
    #[error("the message is larger than {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    #[error(
        "the message is not encrypted to any of the list's keys{}",
        for_keys(recipients)
    )]
    NotForUs {
        /// The key ids it names as recipients (upper-case hex); none when
        /// they are hidden.
        recipients: Vec<String>,
    },
    #[error("the message could not be decrypted: {0}")]
    Malformed(String),
}

/// ` (it is for key ids A, B)`, or nothing when no key id is known.
fn for_keys(recipients: &[String]) -> String {
    if recipients.is_empty() {
        String::new()
    } else {
        format!(" (it is for key ids {})", recipients.join(", "))
    }
}

/// The list's keys: the current one, which signs and is published, and the
/// older ones kept for decrypting. Cheap to clone.
#[derive(Clone)]
pub struct ListKey(Arc<Keys>);

struct Keys {
    current: Held,
    /// Newest first.
    previous: Vec<Held>,
}

/// One secret key as loaded, with its public forms made once.
struct Held {
    secret: SignedSecretKey,
    fingerprint: String,
    armored_public: String,
    public_bytes: Vec<u8>,
}

impl fmt::Debug for ListKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let previous: Vec<&str> = self.previous_fingerprints().collect();
        f.debug_struct("ListKey")
            .field("current", &self.fingerprint())
            .field("previous", &previous)
            .field("secret", &"***")
            .finish()
    }
}

/// What [`ListKey::rotate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    dir: PathBuf,
    /// The key that was current before.
    pub previous: String,
    /// The new current key.
    pub current: String,
}

impl Rotation {
    /// Makes the previous key current again (the new one stays stored), for
    /// a rotation whose audit event could not be written.
    pub fn undo(&self) -> Result<(), ListKeyError> {
        store::write_current(&self.dir, &self.previous, true).map(|_| ())
    }
}

/// The user id of the list key: `Organization <security address>`.
pub fn user_id(organization: &str, address: &str) -> String {
    let name: String = organization
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>'))
        .collect();
    let name = name.trim();
    if name.is_empty() {
        format!("<{address}>")
    } else {
        format!("{name} <{address}>")
    }
}

impl ListKey {
    /// Loads the keys stored in `dir`, making the first one (for `user_id`)
    /// if there is none. Of several processes starting at once on a fresh
    /// directory, one key wins and all load it.
    pub fn load_or_create(dir: &Path, user_id: &str) -> Result<Self, ListKeyError> {
        store::ensure_dir(dir)?;
        if store::read_current(dir)?.is_none() {
            let stored = store::key_fingerprints(dir)?;
            if stored.is_empty() {
                let fingerprint = store_new_key(dir, user_id)?;
                if store::write_current(dir, &fingerprint, false)? {
                    tracing::info!(fingerprint = %fingerprint, "made the list's OpenPGP key");
                } else {
                    // Another process made one first: use that one.
                    store::remove_unused_key(dir, &fingerprint);
                }
            } else {
                // Keys but no marker: a crash between writing a key and
                // naming it, or a restore without the marker.
                // None: every one was a key another process made and
                // removed after losing the race, so `current` is written.
                if let Some(newest) = newest(dir, &stored)? {
                    tracing::warn!(fingerprint = %newest, dir = %dir.display(), "no current list key was named; using the newest stored");
                    store::write_current(dir, &newest, false)?;
                }
            }
        }
        let key = Self::load(dir)?;
        let sealed = Self::seal_stored(dir, false)?;
        if sealed.sealed > 0 {
            tracing::info!(
                files = sealed.sealed,
                "sealed the list key's files stored in clear"
            );
        }
        Ok(key)
    }

    /// Makes a new current key in `dir` for `user_id`; the older keys stay
    /// for decrypting. A running service keeps the key it loaded until it
    /// restarts.
    pub fn rotate(dir: &Path, user_id: &str) -> Result<Rotation, ListKeyError> {
        store::ensure_dir(dir)?;
        let previous = Self::load(dir)?.fingerprint().to_owned();
        let current = store_new_key(dir, user_id)?;
        store::write_current(dir, &current, true)?;
        Ok(Rotation {
            dir: dir.to_owned(),
            previous,
            current,
        })
    }

    fn load(dir: &Path) -> Result<Self, ListKeyError> {
        let named = store::read_current(dir)?.ok_or_else(|| ListKeyError::Corrupt {
            path: dir.join(store::CURRENT),
            reason: "it is missing".to_owned(),
        })?;
        let current = match Held::read(dir, &named) {
            Err(ListKeyError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                return Err(ListKeyError::Corrupt {
                    path: store::key_path(dir, &named),
                    reason: "the current key's file is missing".to_owned(),
                });
            }
            other => other?,
        };
        let mut previous = Vec::new();
        for fingerprint in store::key_fingerprints(dir)? {
            if fingerprint == named {
                continue;
            }
            match Held::read(dir, &fingerprint) {
                Ok(held) => previous.push(held),
                // The key of a process that lost the race to make the
                // first one, removed since the listing.
                Err(ListKeyError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        previous.sort_by_key(|h| std::cmp::Reverse(h.secret.created_at().as_secs()));
        Ok(Self(Arc::new(Keys { current, previous })))
    }

    /// The current key's fingerprint: 40 upper-case hex digits.
    pub fn fingerprint(&self) -> &str {
        &self.0.current.fingerprint
    }

    /// The fingerprints of the older keys kept for decrypting, newest first.
    pub fn previous_fingerprints(&self) -> impl Iterator<Item = &str> {
        self.0.previous.iter().map(|h| h.fingerprint.as_str())
    }

    /// The current public key, ASCII-armored (`-----BEGIN PGP PUBLIC KEY
    /// BLOCK-----`).
    pub fn armored_public(&self) -> &str {
        &self.0.current.armored_public
    }

    /// The current public key in binary form, as the Web Key Directory
    /// serves it.
    pub fn public_bytes(&self) -> &[u8] {
        &self.0.current.public_bytes
    }
}

impl Held {
    fn read(dir: &Path, fingerprint: &str) -> Result<Self, ListKeyError> {
        let stored = store::read_key(dir, fingerprint)?;
        let armored = stored.armored();
        let corrupt = |reason: String| ListKeyError::Corrupt {
            path: store::key_path(dir, fingerprint),
            reason,
        };
        let (secret, _) = SignedSecretKey::from_armor_single(armored.as_bytes())
            .map_err(|e| corrupt(format!("not an OpenPGP secret key ({e})")))?;
        secret
            .verify_bindings()
            .map_err(|e| corrupt(format!("its self-signatures do not verify ({e})")))?;
        let found = hex(&secret.primary_key);
        if found != fingerprint {
            return Err(corrupt(format!("it holds the key {found}")));
        }
        let locked = secret.primary_key.secret_params().is_encrypted()
            || secret
                .secret_subkeys
                .iter()
                .any(|k| k.key.secret_params().is_encrypted());
        if locked {
            return Err(corrupt(
                "it is protected by a password, which embargo does not use".to_owned(),
            ));
        }
        Self::new(secret)
    }

    fn new(secret: SignedSecretKey) -> Result<Self, ListKeyError> {
        let public = secret.to_public_key();
        let failed = |e: pgp::errors::Error| ListKeyError::Generate(e.to_string());
        Ok(Self {
            fingerprint: hex(&secret.primary_key),
            armored_public: public
                .to_armored_string(ArmorOptions::default())
                .map_err(failed)?,
            public_bytes: public.to_bytes().map_err(failed)?,
            secret,
        })
    }
}

/// The fingerprint of the newest of the stored keys `fingerprints`.
/// The most recently created of the stored keys that are still there.
fn newest(dir: &Path, fingerprints: &[String]) -> Result<Option<String>, ListKeyError> {
    let mut best: Option<(u32, String)> = None;
    for fingerprint in fingerprints {
        let created = match Held::read(dir, fingerprint) {
            Ok(held) => held.secret.created_at().as_secs(),
            // Removed by the process that made it, which lost the race.
            Err(ListKeyError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                continue;
            }
            Err(e) => return Err(e),
        };
        if best.as_ref().is_none_or(|(at, _)| created >= *at) {
            best = Some((created, fingerprint.clone()));
        }
    }
    Ok(best.map(|(_, f)| f))
}

/// Makes a key for `user_id` and stores its file (not yet current).
fn store_new_key(dir: &Path, user_id: &str) -> Result<String, ListKeyError> {
    let secret = generate(user_id)?;
    let fingerprint = hex(&secret.primary_key);
    let armored = secret
        .to_armored_string(ArmorOptions::default())
        .map_err(|e| ListKeyError::Generate(e.to_string()))?;
    store::write_key(dir, &fingerprint, &armored, false)?;
    Ok(fingerprint)
}

/// A new key with the settings of the module comment.
fn generate(user_id: &str) -> Result<SignedSecretKey, ListKeyError> {
    let failed = |e: String| ListKeyError::Generate(e);
    let subkey = SubkeyParamsBuilder::default()
        .version(KeyVersion::V4)
        .key_type(KeyType::ECDH(ECCCurve::Curve25519Legacy))
        .can_sign(false)
        .can_encrypt(EncryptionCaps::All)
        .can_authenticate(false)
        .build()
        .map_err(|e| failed(e.to_string()))?;
    // rPGP leaves the preferences empty unless set; gpg then encrypts to
    // the key with 3DES (OPENPGP.md).
    let params = SecretKeyParamsBuilder::default()
        .version(KeyVersion::V4)
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .can_encrypt(EncryptionCaps::None)
        .primary_user_id(user_id.to_owned())
        .preferred_symmetric_algorithms(
            [SymmetricKeyAlgorithm::AES256, SymmetricKeyAlgorithm::AES128]
                .into_iter()
                .collect(),
        )
        .preferred_hash_algorithms(
            [HashAlgorithm::Sha512, HashAlgorithm::Sha256]
                .into_iter()
                .collect(),
        )
        .preferred_compression_algorithms(
            [
                CompressionAlgorithm::ZLIB,
                CompressionAlgorithm::ZIP,
                CompressionAlgorithm::Uncompressed,
            ]
            .into_iter()
            .collect(),
        )
        .feature_seipd_v1(true)
        .feature_seipd_v2(false)
        .subkey(subkey)
        .build()
        .map_err(|e| failed(e.to_string()))?;
    params.generate(OsRng).map_err(|e| failed(e.to_string()))
}

/// A key's fingerprint as embargo writes them: upper-case hex.
fn hex(key: &impl KeyDetails) -> String {
    format!("{:X}", key.fingerprint())
}
