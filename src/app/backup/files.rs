//! The files side of a backup: which files of the data directory it holds,
//! and writing private files that appear only whole.

use std::fs::{self, File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::db::backup::File as KeyFile;

/// The list key's directory in the data directory (`Paths::list_key`).
const LIST_KEY: &str = "list-key";
/// Files of the data directory itself that a backup holds when present:
/// the cookie key, and the base URL `serve` recorded for the other commands.
const LOOSE: &[&str] = &["cookie-key", "base_url"];

/// Where a backup's `path` goes under `data`; `None` for a path that is
/// not one a backup writes (a foreign or tampered file must not write
/// elsewhere, such as `../..`).
pub fn target(data: &Path, path: &str) -> Option<PathBuf> {
    match path.split_once('/') {
        None if LOOSE.contains(&path) => Some(data.join(path)),
        Some((LIST_KEY, name)) if is_plain(name) => Some(data.join(LIST_KEY).join(name)),
        _ => None,
    }
}

/// A file name of the list key's directory that is not temporary (its
/// temporary files start with a dot, as do `.` and `..`).
fn is_plain(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains('/') && !name.contains('\0')
}

/// Fails unless `data/list-key/current` exists.
pub fn require_list_key(data: &Path) -> anyhow::Result<()> {
    let current = data.join(LIST_KEY).join("current");
    if current.symlink_metadata().is_err() {
        bail!(
            "no list key in {}: is --data the deployment's data directory?",
            current.display()
        );
    }
    Ok(())
}

/// The key files of `data`, as a backup holds them.
pub fn read_keys(data: &Path) -> anyhow::Result<Vec<KeyFile>> {
    let dir = data.join(LIST_KEY);
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if is_plain(&name) && entry.file_type()?.is_file() {
            out.push(read(&entry.path(), format!("{LIST_KEY}/{name}"))?);
        }
    }
    for name in LOOSE {
        let path = data.join(name);
        if path.is_file() {
            out.push(read(&path, (*name).to_owned())?);
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn read(path: &Path, name: String) -> anyhow::Result<KeyFile> {
    let meta = fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    let content = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(KeyFile {
        path: name,
        mode: meta.permissions().mode() & 0o777,
        content,
    })
}

/// Fails unless every file of the backup `file` goes to a known place
/// and the list key is among them.
pub fn check_names(file: &Path, files: &[KeyFile]) -> anyhow::Result<()> {
    if let Some(bad) = files
        .iter()
        .find(|f| target(Path::new(""), &f.path).is_none())
    {
        bail!(
            "{} is not a backup this embargo writes: it holds a file {:?}, which is none of the data directory's key files",
            file.display(),
            bad.path
        );
    }
    if !files.iter().any(|f| f.path == "list-key/current") {
        bail!("{} holds no list key (list-key/current)", file.display());
    }
    Ok(())
}

/// Writes the backup's key files under `data`, each with its mode; the
/// list key's directory gets 0700 as the service makes it.
pub fn write_keys(data: &Path, files: &[KeyFile]) -> anyhow::Result<()> {
    create_private_dir(&data.join(LIST_KEY))?;
    for f in files {
        let Some(path) = target(data, &f.path) else {
            continue;
        };
        let tmp = Temp::create_beside(&path)?;
        fs::write(tmp.path(), &f.content).with_context(|| format!("writing {}", path.display()))?;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(f.mode))
            .with_context(|| format!("writing {}", path.display()))?;
        tmp.link_to(&path)?;
    }
    Ok(())
}

/// Fails when `path` exists: a backup never replaces a file.
pub fn refuse_existing(path: &Path) -> anyhow::Result<()> {
    if path.symlink_metadata().is_ok() {
        bail!(
            "{} already exists: a backup never replaces a file; name a new one",
            path.display()
        );
    }
    Ok(())
}

/// Fails when `dir` holds anything but the data key (which is never in a
/// backup, and which a restore of sealed data needs there first); a
/// missing directory is empty.
pub fn refuse_non_empty(dir: &Path) -> anyhow::Result<()> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            let data_key = std::ffi::OsStr::new(crate::app::data_key::FILE);
            if entries
                .filter_map(Result::ok)
                .any(|e| e.file_name() != data_key)
            {
                bail!(
                    "the data directory {} is not empty: restore needs an empty one (nothing was changed)",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("reading {}", dir.display())),
    }
}

/// Creates `dir` (and its parents) with mode 0700 if missing.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// Creates `file`, empty, with mode 0600 unless it exists.
pub fn create_private_file(file: &Path) -> anyhow::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
    {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => {
            Err(e).with_context(|| format!("creating {}", file.display()))
        }
        _ => Ok(()),
    }
}

/// A new file of mode 0600 beside where a file is going, removed on drop
/// unless it was linked into place.
pub struct Temp {
    path: PathBuf,
}

impl Temp {
    /// Creates it, empty, in the directory of `target`.
    pub fn create_beside(target: &Path) -> anyhow::Result<Self> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        Ok(Self { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fills it with the bytes of `source`.
    pub fn copy_from(&self, source: &Path) -> anyhow::Result<()> {
        let mut from =
            File::open(source).with_context(|| format!("reading {}", source.display()))?;
        let mut to = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.path)
            .with_context(|| format!("writing {}", self.path.display()))?;
        std::io::copy(&mut from, &mut to)
            .with_context(|| format!("writing {}", self.path.display()))?;
        Ok(())
    }

    /// Syncs it and links it to `target`, which must not exist; then the
    /// directory is synced, so the file is there after a crash.
    pub fn link_to(self, target: &Path) -> anyhow::Result<()> {
        let write = |e| anyhow::Error::new(e).context(format!("writing {}", target.display()));
        File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(write)?;
        match fs::hard_link(&self.path, target) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                bail!(
                    "{} appeared meanwhile: it was not replaced",
                    target.display()
                )
            }
            Err(e) => return Err(write(e)),
        }
        if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            File::open(dir).and_then(|d| d.sync_all()).map_err(write)?;
        }
        Ok(())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        // SQLite's rollback journal, if a write to it was cut short.
        let mut journal = self.path.clone().into_os_string();
        journal.push("-journal");
        let _ = fs::remove_file(journal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_writes_only_to_the_key_files_places() {
        let data = Path::new("/d");
        assert_eq!(target(data, "cookie-key"), Some(data.join("cookie-key")));
        assert_eq!(
            target(data, "list-key/current"),
            Some(data.join("list-key/current"))
        );
        for bad in [
            "embargo.db",
            "list-key/",
            "list-key/..",
            "list-key/.current.1.tmp",
            "list-key/a/b",
            "../cookie-key",
            "/etc/passwd",
            "list-key/../../x",
        ] {
            assert_eq!(target(data, bad), None, "{bad}");
        }
    }
}
