//! Where the data key (`db::sealed`) comes from: `EMBARGO_DATA_KEY` (base64
//! keys separated by commas, the last one current) or else the file
//! `DATA/data-key` (mode 0600, one base64 key per line, the last one
//! current), made at first start. The key is never in the database, and
//! `embargo backup` leaves it out: a stolen database or backup reveals
//! no sealed value.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::db::sealed::{self, DataKey};

/// The environment variable that holds the keys instead of the file.
pub const ENV: &str = "EMBARGO_DATA_KEY";
/// The key file's name in the data directory.
pub const FILE: &str = "data-key";

/// Where this process's keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Env,
    File(PathBuf),
}

/// The source for a data directory: the variable when set, else the file.
pub fn source(data: &Path) -> Source {
    match std::env::var_os(ENV) {
        Some(v) if !v.is_empty() => Source::Env,
        _ => Source::File(data.join(FILE)),
    }
}

/// Where the keys of `data` come from, to name in a message: the
/// variable's name or the file's path.
pub fn source_name(data: &Path) -> String {
    match source(data) {
        Source::Env => ENV.to_owned(),
        Source::File(p) => p.display().to_string(),
    }
}

/// Loads the keys of `data` (making the file with a new key on first
/// start) and installs them for this process. Returns the current key's id.
pub fn load(data: &Path) -> anyhow::Result<String> {
    let keys = match source(data) {
        Source::Env => {
            let text = std::env::var(ENV).with_context(|| format!("{ENV} is not UTF-8"))?;
            parse(&text.replace(',', "\n")).with_context(|| format!("reading {ENV}"))?
        }
        Source::File(path) => {
            let keys = read_or_make(&path)
                .with_context(|| format!("reading the data key {}", path.display()))?;
            sealed::watch_file(&path);
            keys
        }
    };
    install(keys)
}

/// Loads the keys of `data` if there are any (the variable, or the file),
/// never making one; false when there are none.
pub fn load_existing(data: &Path) -> anyhow::Result<bool> {
    match source(data) {
        Source::File(path) if !path.exists() => Ok(false),
        _ => load(data).map(|_| true),
    }
}

/// Adds the keys of `data` (the variable, or the file) to those this
/// process opens values with, without making any of them current: to read
/// another deployment's data.
pub fn load_for_reading(data: &Path) -> anyhow::Result<()> {
    let keys = match source(data) {
        Source::Env => parse(&std::env::var(ENV)?.replace(',', "\n"))?,
        Source::File(path) => parse(&fs::read_to_string(&path)?)?,
    };
    sealed::add_keys(keys);
    Ok(())
}

fn install(mut keys: Vec<DataKey>) -> anyhow::Result<String> {
    let current = keys.pop().context("no data key in it")?;
    let id = current.id();
    sealed::install(current, keys);
    Ok(id)
}

/// The keys of a key file's text (see [`sealed::parse_keys`]).
pub fn parse(text: &str) -> anyhow::Result<Vec<DataKey>> {
    Ok(sealed::parse_keys(text)?)
}

/// A new random key, as a key file line.
pub fn new_key_line() -> String {
    STANDARD.encode(rand::random::<[u8; 32]>())
}

fn read_or_make(path: &Path) -> anyhow::Result<Vec<DataKey>> {
    match fs::read_to_string(path) {
        Ok(text) => return parse(&text),
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    match create_private_once(path, format!("{}\n", new_key_line()).as_bytes()) {
        Ok(()) => {}
        // Another process made it first: every process uses that one.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e.into()),
    }
    parse(&fs::read_to_string(path)?)
}

/// Writes `contents` to `path` (mode 0600) only if nothing is there: whole
/// to a temporary file, then linked into place, so of several processes
/// starting at once exactly one wins and the others get `AlreadyExists`.
pub fn create_private_once(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("key");
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let written = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        fs::hard_link(&tmp, path)
    })();
    let _ = fs::remove_file(&tmp);
    written
}

/// Adds a new current key to the key file (kept 0600, replaced whole);
/// the older keys stay, so values sealed under them still open. Returns
/// the new key's id. With the keys in `EMBARGO_DATA_KEY`, the operator
/// adds the key there instead.
pub fn add_key(path: &Path) -> anyhow::Result<String> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("reading the data key {}", path.display()))?;
    let mut keys = parse(&text)?;
    let line = new_key_line();
    let mut new_text = text.clone();
    if !new_text.ends_with('\n') {
        new_text.push('\n');
    }
    new_text.push_str(&line);
    new_text.push('\n');
    let tmp = path.with_extension(format!("{:016x}.tmp", rand::random::<u64>()));
    (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(new_text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })()
    .inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
    .with_context(|| format!("writing the data key {}", path.display()))?;
    keys.extend(parse(&line)?);
    install(keys)
}

/// What `embargo key rotate` did.
#[derive(Debug)]
pub struct Rotation {
    /// The key everything is sealed under now.
    pub current: String,
    /// Whether this rotation made that key (false: the keys come from
    /// [`ENV`], where the operator added it).
    pub made: bool,
    pub resealed: crate::db::reseal::Resealed,
    /// The list key's files (`DATA/list-key/`), sealed under it too.
    pub list_key: crate::mail::list_key::SealedFiles,
}

/// With `add`, adds a new current key to the key file; then seals the
/// list key's files and every protected value under the current key, and
/// records `data_key.rotated` (`data_key.sealed` without `add`) in the
/// audit log. Killed midway, it
/// loses nothing: every key stays in the file, and sealing again finishes.
pub async fn rotate(
    state: &super::AppState,
    actor: &crate::db::audit::Actor,
    add: bool,
    progress: impl Fn(&str, u64),
) -> anyhow::Result<Rotation> {
    let (current, made) = match source(&state.paths.data) {
        Source::File(path) if add => {
            let path2 = path.clone();
            let id = tokio::task::spawn_blocking(move || add_key(&path2)).await??;
            (id, true)
        }
        _ => (
            sealed::current_key_id().context("no data key is loaded")?,
            false,
        ),
    };
    let dir = state.paths.list_key();
    let list_key = tokio::task::spawn_blocking(move || {
        crate::mail::list_key::ListKey::seal_stored(&dir, true)
    })
    .await?
    .context("sealing the list key's files under the new key")?;
    let resealed = crate::db::reseal::reseal_all(&state.db, progress)
        .await
        .context("sealing the data under the new key")?;
    let mut tx = state.db.begin().await?;
    crate::db::audit::append(
        &mut tx,
        actor,
        if made {
            "data_key.rotated"
        } else {
            "data_key.sealed"
        },
        &current,
        serde_json::json!({
            "current": current,
            "resealed": resealed.sealed,
            "list_key_files": list_key.sealed,
        }),
    );
    tx.commit().await?;
    tracing::info!(key = %current, resealed = resealed.sealed, list_key_files = list_key.sealed, "sealed the data under the current data key");
    Ok(Rotation {
        current,
        made,
        resealed,
        list_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_made_once_private_and_read_back_the_same() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let a = read_or_make(&path).unwrap();
        let b = read_or_make(&path).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].id(), b[0].id());
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_new_key_becomes_current_and_the_old_ones_stay() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let first = read_or_make(&path).unwrap()[0].id();
        let new = add_key(&path).unwrap();
        assert_ne!(first, new);
        let keys = parse(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            keys.iter().map(DataKey::id).collect::<Vec<_>>(),
            [first, new]
        );
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_bad_key_file_is_refused_by_line() {
        let e = parse("# comment\n\nnot-base64!\n").unwrap_err();
        assert_eq!(e.to_string(), "line 3: not a base64 key of 32 bytes");
        assert!(parse("\n# only a comment\n").is_err());
        assert!(parse(&STANDARD.encode([1u8; 16])).is_err());
    }
}
