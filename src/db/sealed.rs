//! Encryption at rest: what a stolen database file, dump or backup must not
//! reveal (report bodies and attachments, the advisories' patches, the
//! content of advisories not yet published; outside the database, the
//! list key's secret files, `mail::list_key`) is stored sealed with
//! AES-256-GCM under a data key kept outside the database
//! (`app::data_key`). Each sealed value names its key, so values sealed
//! under an older key still open after a rotation, and is bound to its
//! column and row: a value copied onto another row does not open.
//!
//! The keys live in one keyring per process: a process serves one
//! deployment, and every query function reaches them without the key
//! being threaded through every call. (Tests that run several
//! deployments in one process therefore give them one key.) Values written before sealing
//! existed (no prefix) read as they are until `embargo key rotate` seals
//! them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use sha2::{Digest, Sha256};

/// Prefix of a sealed text value; base64 of `key id | nonce | ciphertext` follows.
const TEXT_PREFIX: &str = "embargo-sealed:v1:";
/// Prefix of a sealed binary value; `key id | nonce | ciphertext` follows.
const BLOB_PREFIX: &[u8] = b"EMBSEAL1";
const ID_LEN: usize = 8;
const NONCE_LEN: usize = 12;

/// A data key: 32 random bytes. Never shown, never logged.
#[derive(Clone)]
pub struct DataKey {
    id: [u8; ID_LEN],
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id())
    }
}

impl DataKey {
    /// The key of these 32 bytes; its id is the start of their SHA-256.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        let digest = Sha256::digest(bytes);
        let mut id = [0; ID_LEN];
        id.copy_from_slice(&digest[..ID_LEN]);
        Self {
            id,
            cipher: Aes256Gcm::new(bytes.into()),
        }
    }

    /// The key's id in hex: safe to show (it reveals nothing of the key).
    pub fn id(&self) -> String {
        crate::domain::secret::hex(&self.id)
    }
}

/// Why a value could not be sealed or opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("no data key is loaded: the process cannot write protected data")]
    NoKey,
    #[error("the data key {0} that sealed this value is not loaded")]
    UnknownKey(String),
    #[error("a sealed value did not open: damaged, or moved from another row")]
    Damaged,
}

impl From<SealError> for sqlx::Error {
    fn from(e: SealError) -> Self {
        sqlx::Error::Decode(Box::new(e))
    }
}

#[derive(Default)]
struct Keyring {
    keys: HashMap<[u8; ID_LEN], DataKey>,
    current: Option<[u8; ID_LEN]>,
    /// The key file, read again when a value names a key not loaded: one
    /// another process added by `embargo key rotate`.
    file: Option<PathBuf>,
}

static KEYRING: RwLock<Option<Keyring>> = RwLock::new(None);

/// Makes `current` the key new values are sealed with, keeping `older`
/// (and every key loaded before) to open values sealed with them.
pub fn install(current: DataKey, older: impl IntoIterator<Item = DataKey>) {
    let mut ring = KEYRING.write().unwrap_or_else(|e| e.into_inner());
    let ring = ring.get_or_insert_with(Keyring::default);
    for key in older {
        ring.keys.insert(key.id, key);
    }
    ring.current = Some(current.id);
    ring.keys.insert(current.id, current);
}

/// Names the key file that [`install`]ed keys came from, to read again
/// when a value names a key this process has not loaded.
pub fn watch_file(path: &Path) {
    let mut ring = KEYRING.write().unwrap_or_else(|e| e.into_inner());
    ring.get_or_insert_with(Keyring::default).file = Some(path.to_owned());
}

/// Reads the key file again, adding keys it holds that are not loaded
/// (the current key stays: this process learns of a rotation at restart).
fn reread_file() {
    let file = {
        let ring = KEYRING.read().unwrap_or_else(|e| e.into_inner());
        ring.as_ref().and_then(|r| r.file.clone())
    };
    let Some(keys) = file
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|text| parse_keys(&text).ok())
    else {
        return;
    };
    let mut ring = KEYRING.write().unwrap_or_else(|e| e.into_inner());
    let ring = ring.get_or_insert_with(Keyring::default);
    for key in keys {
        ring.keys.entry(key.id).or_insert(key);
    }
}

/// The keys of a key file's text: one base64 key of 32 bytes per line, the
/// last one current; blank lines and `#` comments skipped.
pub fn parse_keys(text: &str) -> Result<Vec<DataKey>, KeyFileError> {
    use base64::engine::general_purpose::STANDARD;
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bytes = STANDARD
            .decode(line)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .ok_or(KeyFileError::BadLine(n + 1))?;
        keys.push(DataKey::from_bytes(&bytes));
    }
    if keys.is_empty() {
        return Err(KeyFileError::Empty);
    }
    Ok(keys)
}

/// Why a key file's text holds no usable key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyFileError {
    #[error("line {0}: not a base64 key of 32 bytes")]
    BadLine(usize),
    #[error("no data key in it")]
    Empty,
}

/// Adds `keys` to open values with, leaving the current key as it is.
pub fn add_keys(keys: impl IntoIterator<Item = DataKey>) {
    let mut ring = KEYRING.write().unwrap_or_else(|e| e.into_inner());
    let ring = ring.get_or_insert_with(Keyring::default);
    for key in keys {
        ring.keys.entry(key.id).or_insert(key);
    }
}

/// The id of the key new values are sealed with, if one is loaded.
pub fn current_key_id() -> Option<String> {
    let ring = KEYRING.read().unwrap_or_else(|e| e.into_inner());
    let ring = ring.as_ref()?;
    ring.current
        .and_then(|id| ring.keys.get(&id))
        .map(DataKey::id)
}

/// What a sealed value is bound to: its column and its row, so that a
/// value moved elsewhere does not open.
fn aad(column: &str, row: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(column.len() + row.len() + 1);
    aad.extend_from_slice(column.as_bytes());
    aad.push(0);
    aad.extend_from_slice(row.as_bytes());
    aad
}

fn seal_raw(column: &str, row: &str, clear: &[u8]) -> Result<Vec<u8>, SealError> {
    let ring = KEYRING.read().unwrap_or_else(|e| e.into_inner());
    let ring = ring.as_ref().ok_or(SealError::NoKey)?;
    let key = ring
        .current
        .and_then(|id| ring.keys.get(&id))
        .ok_or(SealError::NoKey)?;
    let nonce: [u8; NONCE_LEN] = rand::random();
    let aad = aad(column, row);
    let sealed = key
        .cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: clear,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::Damaged)?;
    let mut out = Vec::with_capacity(ID_LEN + NONCE_LEN + sealed.len());
    out.extend_from_slice(&key.id);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn open_raw(column: &str, row: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    if sealed.len() < ID_LEN + NONCE_LEN {
        return Err(SealError::Damaged);
    }
    let (id, rest) = sealed.split_at(ID_LEN);
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let mut key_id = [0; ID_LEN];
    key_id.copy_from_slice(id);
    let known = |ring: &Option<Keyring>| {
        ring.as_ref()
            .and_then(|r| r.keys.get(&key_id))
            .map(|k| k.cipher.clone())
    };
    let cipher = known(&KEYRING.read().unwrap_or_else(|e| e.into_inner()));
    let cipher = match cipher {
        Some(c) => c,
        None => {
            reread_file();
            known(&KEYRING.read().unwrap_or_else(|e| e.into_inner()))
                .ok_or_else(|| SealError::UnknownKey(crate::domain::secret::hex(id)))?
        }
    };
    let aad = aad(column, row);
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::Damaged)
}

/// `clear` sealed for `column` (as `table.column`) of the row `row`.
pub fn seal_text(column: &str, row: &str, clear: &str) -> Result<String, SealError> {
    let sealed = seal_raw(column, row, clear.as_bytes())?;
    Ok(format!("{TEXT_PREFIX}{}", STANDARD_NO_PAD.encode(sealed)))
}

/// The clear text of a value [`seal_text`] wrote; a value without the
/// prefix (written before sealing) as it is.
pub fn open_text(column: &str, row: &str, stored: String) -> Result<String, SealError> {
    let Some(encoded) = stored.strip_prefix(TEXT_PREFIX) else {
        return Ok(stored);
    };
    let sealed = STANDARD_NO_PAD
        .decode(encoded)
        .map_err(|_| SealError::Damaged)?;
    String::from_utf8(open_raw(column, row, &sealed)?).map_err(|_| SealError::Damaged)
}

/// `clear` bytes sealed for `column` of the row `row`.
pub fn seal_blob(column: &str, row: &str, clear: &[u8]) -> Result<Vec<u8>, SealError> {
    let sealed = seal_raw(column, row, clear)?;
    let mut out = Vec::with_capacity(BLOB_PREFIX.len() + sealed.len());
    out.extend_from_slice(BLOB_PREFIX);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The clear bytes of a value [`seal_blob`] wrote; unsealed bytes as they are.
pub fn open_blob(column: &str, row: &str, stored: Vec<u8>) -> Result<Vec<u8>, SealError> {
    match stored.strip_prefix(BLOB_PREFIX) {
        Some(sealed) => open_raw(column, row, sealed),
        None => Ok(stored),
    }
}

/// Whether `stored` is a value [`seal_text`] wrote (under any key), as
/// opposed to one written before sealing.
pub fn is_sealed_text(stored: &str) -> bool {
    stored.starts_with(TEXT_PREFIX)
}

/// Whether a stored value is sealed under the current key already (what
/// `embargo key rotate` skips).
pub fn sealed_with_current(stored: &[u8]) -> bool {
    let body = if let Some(b) = stored.strip_prefix(BLOB_PREFIX) {
        b.to_vec()
    } else if let Some(t) = stored.strip_prefix(TEXT_PREFIX.as_bytes()) {
        match STANDARD_NO_PAD.decode(t) {
            Ok(b) => b,
            Err(_) => return false,
        }
    } else {
        return false;
    };
    let ring = KEYRING.read().unwrap_or_else(|e| e.into_inner());
    match ring.as_ref().and_then(|r| r.current) {
        Some(current) => body.len() >= ID_LEN && body[..ID_LEN] == current,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> DataKey {
        DataKey::from_bytes(&[byte; 32])
    }

    #[test]
    fn sealed_values_open_on_their_row_only_and_hide_the_text() {
        install(key(1), []);
        let sealed = seal_text("reports.title", "r1", "canary-in-a-title").unwrap();
        assert!(!sealed.contains("canary"));
        assert_eq!(
            open_text("reports.title", "r1", sealed.clone()).unwrap(),
            "canary-in-a-title"
        );
        assert_eq!(
            open_text("reports.title", "r2", sealed.clone()),
            Err(SealError::Damaged)
        );
        assert_eq!(
            open_text("reports.description", "r1", sealed),
            Err(SealError::Damaged)
        );
        // Written before sealing: read as it is.
        assert_eq!(
            open_text("reports.title", "r1", "old".into()).unwrap(),
            "old"
        );

        let blob = seal_blob("attachments.content", "a1", b"\x00canary bytes").unwrap();
        assert!(!blob.windows(6).any(|w| w == b"canary"));
        assert_eq!(
            open_blob("attachments.content", "a1", blob).unwrap(),
            b"\x00canary bytes"
        );
    }

    #[test]
    fn values_sealed_under_an_older_key_open_after_a_new_one_is_installed() {
        install(key(2), []);
        let old = seal_text("messages.body", "m1", "before the rotation").unwrap();
        install(key(3), [key(2)]);
        assert!(!sealed_with_current(old.as_bytes()));
        assert_eq!(
            open_text("messages.body", "m1", old).unwrap(),
            "before the rotation"
        );
    }

    #[test]
    fn a_value_of_an_unknown_key_or_damaged_is_refused_not_misread() {
        install(key(4), []);
        let mut sealed = seal_blob("attachments.content", "a", b"x").unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(
            open_blob("attachments.content", "a", sealed),
            Err(SealError::Damaged)
        );
        let mut foreign = BLOB_PREFIX.to_vec();
        foreign.extend_from_slice(&[0xee; ID_LEN + NONCE_LEN + 16]);
        assert!(matches!(
            open_blob("attachments.content", "a", foreign),
            Err(SealError::UnknownKey(_))
        ));
    }
}
