//! The list key's files, in a directory of mode 0700 (`DATA/list-key/`):
//! `{FINGERPRINT}.asc`, one armored secret key each (mode 0600), sealed
//! with the data key (`db::sealed`: one line `embargo-sealed:v1:...`,
//! bound to the role [`SEALED_AS`] and the key's fingerprint), and
//! `current`, the fingerprint of the key in use (in clear: it is public).
//! A key file written before sealing holds the armored key in clear; it
//! reads as it is and is sealed in place ([`super::ListKey::seal_stored`]).
//!
//! Every file is written whole to a temporary file, synced, then renamed or
//! linked into place, and the directory is synced: a crash leaves the old
//! state or the new one, never half a key. Temporary files start with a dot
//! and are never read.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::ListKeyError;
use crate::db::sealed;

/// The file naming the key in use.
pub(super) const CURRENT: &str = "current";
pub(super) const KEY_SUFFIX: &str = ".asc";
/// What a key file's secret is sealed for, its fingerprint being the row:
/// a sealed file opens only as the key of that fingerprint, never renamed
/// to another key's file nor copied into a database column.
pub const SEALED_AS: &str = "list-key.secret";

/// A key file's content as stored.
pub(super) enum Stored {
    /// Written before sealing: the armored key itself.
    Clear(String),
    /// Sealed with the data key: the armored key, and whether it is sealed
    /// under the current data key already.
    Sealed { armored: String, current: bool },
}

impl Stored {
    /// The armored secret key.
    pub(super) fn armored(&self) -> &str {
        match self {
            Self::Clear(a) | Self::Sealed { armored: a, .. } => a,
        }
    }
}

fn io(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> ListKeyError {
    let path = path.to_owned();
    move |source| ListKeyError::Io {
        action,
        path,
        source,
    }
}

/// Creates `dir` with mode 0700 if it is missing; warns if it exists and
/// others may read it.
pub(super) fn ensure_dir(dir: &Path) -> Result<(), ListKeyError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io(dir, "creating"))?;
    warn_if_open(dir);
    Ok(())
}

/// Logs a warning when a list-key file or directory is open to group or
/// others (a restore from backup may do that); the service still starts.
fn warn_if_open(path: &Path) {
    if let Ok(meta) = fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{mode:o}"),
                "the list key's files should be readable by the service's user only (chmod go-rwx)"
            );
        }
    }
}

/// Writes `contents` as `dir/name` (mode 0600) atomically. With `replace`
/// an existing file is replaced; without, an existing file wins and the
/// answer is `false`: of several processes creating the same file at once,
/// exactly one succeeds.
pub(super) fn write_atomic(
    dir: &Path,
    name: &str,
    contents: &[u8],
    replace: bool,
) -> Result<bool, ListKeyError> {
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let target = dir.join(name);
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io(&tmp, "writing")(e));
    }
    let placed = if replace {
        fs::rename(&tmp, &target).map(|()| true)
    } else {
        let linked = match fs::hard_link(&tmp, &target) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        };
        let _ = fs::remove_file(&tmp);
        linked
    };
    let placed = placed.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io(&target, "writing")(e)
    })?;
    sync_dir(dir)?;
    Ok(placed)
}

fn sync_dir(dir: &Path) -> Result<(), ListKeyError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir, "syncing"))
}

/// The path of the key file for `fingerprint`.
pub(super) fn key_path(dir: &Path, fingerprint: &str) -> PathBuf {
    dir.join(format!("{fingerprint}{KEY_SUFFIX}"))
}

/// The fingerprint `current` names, or `None` when there is no such file.
pub(super) fn read_current(dir: &Path) -> Result<Option<String>, ListKeyError> {
    let path = dir.join(CURRENT);
    match fs::read_to_string(&path) {
        Ok(text) => {
            let fingerprint = text.trim().to_owned();
            if !is_fingerprint(&fingerprint) {
                return Err(ListKeyError::Corrupt {
                    path,
                    reason: "it does not hold a 40-digit fingerprint".to_owned(),
                });
            }
            Ok(Some(fingerprint))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(&path, "reading")(e)),
    }
}

/// Makes `fingerprint` the key in use.
pub(super) fn write_current(
    dir: &Path,
    fingerprint: &str,
    replace: bool,
) -> Result<bool, ListKeyError> {
    write_atomic(dir, CURRENT, format!("{fingerprint}\n").as_bytes(), replace)
}

/// The fingerprints of every key file in `dir`.
pub(super) fn key_fingerprints(dir: &Path) -> Result<Vec<String>, ListKeyError> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(dir, "reading"))? {
        let entry = entry.map_err(io(dir, "reading"))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(fingerprint) = name.strip_suffix(KEY_SUFFIX)
            && is_fingerprint(fingerprint)
        {
            found.push(fingerprint.to_owned());
        }
    }
    found.sort();
    Ok(found)
}

/// The secret key stored for `fingerprint`, opened with the data key when
/// it is sealed.
pub(super) fn read_key(dir: &Path, fingerprint: &str) -> Result<Stored, ListKeyError> {
    let path = key_path(dir, fingerprint);
    warn_if_open(&path);
    let text = fs::read_to_string(&path).map_err(io(&path, "reading"))?;
    let stored = text.trim_end();
    if !sealed::is_sealed_text(stored) {
        return Ok(Stored::Clear(text));
    }
    let current = sealed::sealed_with_current(stored.as_bytes());
    let armored = sealed::open_text(SEALED_AS, fingerprint, stored.to_owned()).map_err(|e| {
        match e {
            // Bound to its fingerprint: a damaged file, or another key's.
            sealed::SealError::Damaged => ListKeyError::Corrupt {
                path,
                reason: format!("it does not open ({e})"),
            },
            source => ListKeyError::Sealed {
                action: "opening",
                path,
                source,
            },
        }
    })?;
    Ok(Stored::Sealed { armored, current })
}

/// Whether the key file of `fingerprint` holds the key in clear (written
/// before sealing); read without the data key. A file removed meanwhile
/// (by a process that lost the race to make the first key) is not.
pub(super) fn is_clear(dir: &Path, fingerprint: &str) -> Result<bool, ListKeyError> {
    let path = key_path(dir, fingerprint);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(!sealed::is_sealed_text(text.trim_end())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io(&path, "reading")(e)),
    }
}

/// Writes the secret key `armored` of `fingerprint`, sealed under the
/// current data key (see [`write_atomic`] for `replace` and the answer).
pub(super) fn write_key(
    dir: &Path,
    fingerprint: &str,
    armored: &str,
    replace: bool,
) -> Result<bool, ListKeyError> {
    let sealed = sealed::seal_text(SEALED_AS, fingerprint, armored).map_err(|source| {
        ListKeyError::Sealed {
            action: "sealing",
            path: key_path(dir, fingerprint),
            source,
        }
    })?;
    let name = format!("{fingerprint}{KEY_SUFFIX}");
    write_atomic(dir, &name, format!("{sealed}\n").as_bytes(), replace)
}

/// Removes a key file that never became current (a lost creation race).
/// Removes the key a process made but lost the race to name, unless
/// another process named it meanwhile (one that found it stored without
/// a marker): `current` never changes once written here, so the check
/// cannot go stale.
pub(super) fn remove_unused_key(dir: &Path, fingerprint: &str) {
    if read_current(dir).ok().flatten().as_deref() == Some(fingerprint) {
        return;
    }
    let _ = fs::remove_file(key_path(dir, fingerprint));
}

fn is_fingerprint(s: &str) -> bool {
    s.len() == 40
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}
