//! The data directory itself (0700: it holds the SQLite database and the
//! outbox) and its private files: the list key (`DATA/list-key/`,
//! 0700, its files 0600), the cookie key (`DATA/cookie-key`, 0600) and the
//! data key (`DATA/data-key`, 0600, unless `EMBARGO_DATA_KEY` holds it), each
//! owned by the user running embargo. Only metadata is read, never a key.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::config::Paths;
use crate::domain::doctor::{Finding, Status, private_mode_problem};

pub fn check(paths: &Paths) -> Vec<Finding> {
    let mut found = vec![
        data_dir(paths),
        list_key(paths),
        key_file(paths, "cookie_key", "cookie-key"),
    ];
    // With the keys in the environment there is no file to check.
    if crate::app::data_key::source(&paths.data) != crate::app::data_key::Source::Env {
        found.push(key_file(paths, "data_key", crate::app::data_key::FILE));
    }
    found
}

/// The effective user of this process: the owner of `/proc/self` (Linux);
/// `None` elsewhere, and the owner is then not checked.
fn running_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// What is wrong with one path, if anything.
fn problem(path: &Path, meta: &std::fs::Metadata, uid: Option<u32>) -> Option<String> {
    let name = path.display();
    if let Some(mode) = private_mode_problem(meta.mode(), meta.is_dir()) {
        return Some(format!("{name}: {mode}"));
    }
    match uid {
        Some(uid) if meta.uid() != uid => Some(format!(
            "{name}: owned by uid {}, not this user (uid {uid}); run doctor as the service's user",
            meta.uid()
        )),
        _ => None,
    }
}

fn data_dir(paths: &Paths) -> Finding {
    const CHECK: &str = "data_dir";
    let dir = &paths.data;
    match std::fs::metadata(dir) {
        Ok(meta) => match problem(dir, &meta, running_uid()) {
            None => Finding::ok(CHECK, format!("{} is 0700", dir.display())),
            Some(p) => Finding::new(
                Status::Fail,
                CHECK,
                p,
                format!(
                    "chmod 700 {} (it holds the database and the outbox; and chown to the service's user)",
                    dir.display()
                ),
            ),
        },
        Err(e) => Finding::new(
            Status::Warn,
            CHECK,
            format!("cannot read {}: {e}", dir.display()),
            "start `embargo serve` once as the service's user: it makes the directory",
        ),
    }
}

fn list_key(paths: &Paths) -> Finding {
    const CHECK: &str = "list_key";
    let dir = paths.list_key();
    let meta = match std::fs::metadata(&dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Finding::new(
                Status::Warn,
                CHECK,
                format!("{} does not exist yet", dir.display()),
                "start `embargo serve` once: it makes the list key",
            );
        }
        Err(e) => {
            return Finding::new(
                Status::Fail,
                CHECK,
                format!("cannot read {}: {e}", dir.display()),
                "run doctor as the service's user",
            );
        }
    };
    let uid = running_uid();
    let mut problems: Vec<String> = problem(&dir, &meta, uid).into_iter().collect();
    let mut files = 0;
    match std::fs::read_dir(&dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let path = entry.path();
                // Not followed: a link is reported by its own mode.
                let Ok(meta) = std::fs::symlink_metadata(&path) else {
                    continue;
                };
                files += 1;
                problems.extend(problem(&path, &meta, uid));
            }
        }
        Err(e) => problems.push(format!("cannot list {}: {e}", dir.display())),
    }
    if problems.is_empty() {
        return Finding::ok(
            CHECK,
            format!("{} is 0700 with {files} private file(s)", dir.display()),
        );
    }
    let d = dir.display();
    Finding::new(
        Status::Fail,
        CHECK,
        problems.join("; "),
        format!("chmod 700 {d} && chmod 600 {d}/* (and chown -R to the service's user)"),
    )
}

/// A key file in the data directory (`name`), checked as `check`: 0600,
/// owned by this user.
fn key_file(paths: &Paths, check: &'static str, name: &str) -> Finding {
    let path = paths.data.join(name);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) => match problem(&path, &meta, running_uid()) {
            None => Finding::ok(check, format!("{} is 0600", path.display())),
            Some(p) => Finding::new(
                Status::Fail,
                check,
                p,
                format!(
                    "chmod 600 {} (and chown to the service's user)",
                    path.display()
                ),
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Finding::new(
            Status::Warn,
            check,
            format!("{} does not exist yet", path.display()),
            "start `embargo serve` once: it makes the key",
        ),
        Err(e) => Finding::new(
            Status::Fail,
            check,
            format!("cannot read {}: {e}", path.display()),
            "run doctor as the service's user",
        ),
    }
}
