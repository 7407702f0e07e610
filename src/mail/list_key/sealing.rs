//! Sealing the list key's files with the data key in place: those written
//! before sealing existed, and, after a data key rotation, those sealed
//! under an older data key; and checking the sealed files of a backup.

use std::io::ErrorKind;
use std::path::Path;

use super::store::{self, Stored};
use super::{ListKey, ListKeyError};
use crate::db::sealed;

/// What [`ListKey::seal_stored`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SealedFiles {
    /// Key files sealed (again) under the current data key.
    pub sealed: u64,
    /// Key files left as they were, sealed already.
    pub current: u64,
}

impl ListKey {
    /// Seals in place, under the current data key, every key file in `dir`
    /// stored in clear, and with `all` every one sealed under an older data
    /// key too (what `embargo key rotate` and `embargo key seal` do). A
    /// file is replaced whole (a temporary file of mode 0600, synced, then
    /// renamed), so a crash leaves it clear or sealed, never half written.
    pub fn seal_stored(dir: &Path, all: bool) -> Result<SealedFiles, ListKeyError> {
        let mut done = SealedFiles::default();
        for fingerprint in store::key_fingerprints(dir)? {
            let stored = match store::read_key(dir, &fingerprint) {
                Ok(s) => s,
                // Removed by a process that lost the race to make the first key.
                Err(ListKeyError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                    continue;
                }
                Err(e) => return Err(e),
            };
            match &stored {
                Stored::Sealed { current: true, .. } => done.current += 1,
                Stored::Sealed { .. } if !all => done.current += 1,
                _ => {
                    store::write_key(dir, &fingerprint, stored.armored(), true)?;
                    done.sealed += 1;
                }
            }
        }
        Ok(done)
    }

    /// Whether any key file in `dir` holds its key in clear (written
    /// before sealing).
    pub fn any_clear(dir: &Path) -> Result<bool, ListKeyError> {
        for fingerprint in store::key_fingerprints(dir)? {
            if store::is_clear(dir, &fingerprint)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Checks a key file a backup holds (`name` in the list key's
    /// directory, `content` its bytes): a sealed key file must open with
    /// the loaded data keys as the key its name says. Other files, and key
    /// files in clear (backups made before sealing), pass.
    pub fn check_backed_up(name: &str, content: &[u8]) -> Result<(), sealed::SealError> {
        let Some(fingerprint) = name.strip_suffix(store::KEY_SUFFIX) else {
            return Ok(());
        };
        let text = String::from_utf8_lossy(content);
        let text = text.trim_end();
        if !sealed::is_sealed_text(text) {
            return Ok(());
        }
        sealed::open_text(store::SEALED_AS, fingerprint, text.to_owned()).map(|_| ())
    }
}
