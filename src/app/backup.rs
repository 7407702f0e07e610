//! `embargo backup` and `embargo restore`: a deployment in one file, and
//! back into an empty data directory.
//!
//! The file is a SQLite database (layout in `db::backup`): the service's
//! tables as `VACUUM INTO` wrote them from one read snapshot, and the data
//! directory's key files (the list key, the cookie key, the recorded base
//! URL) beside them. The list key's secret files are sealed with the data
//! key, which no backup holds (files still in clear are sealed in place
//! first); the cookie key is not. It is made 0600, never replaces
//! a file, and appears only whole (written aside, then linked into place).
//! A keys-only backup holds the key files alone; it is how a PostgreSQL
//! deployment, whose database `pg_dump` copies, backs up the rest.

mod files;

use std::path::Path;

use anyhow::{Context, bail};
use sqlx::Connection;

use crate::app::AppState;
use crate::config::{Config, Paths};
use crate::db::backup::{self as sql, Meta};
use crate::domain::audit::ChainError;
use crate::mail::list_key::ListKey;

use files::Temp;
pub(crate) use files::create_private_file;

/// The layout [`Meta::format`] names.
pub const FORMAT: i64 = 1;
/// [`Meta::contents`] of a backup with the database.
pub const FULL: &str = "full";
/// [`Meta::contents`] of a backup of the key files alone.
pub const KEYS_ONLY: &str = "keys-only";

/// What a backup wrote.
#[derive(Debug)]
pub struct Summary {
    /// Rows of the main tables; empty in a keys-only backup.
    pub counts: Vec<(&'static str, i64)>,
    /// The key files' paths in the data directory (never their content).
    pub files: Vec<String>,
}

/// What a restore wrote and found.
#[derive(Debug)]
pub struct Restored {
    pub meta: Meta,
    pub files: Vec<String>,
    /// Rows of the main tables; empty in a keys-only restore.
    pub counts: Vec<(&'static str, i64)>,
    /// The restored list key's fingerprint, when the service was opened.
    pub fingerprint: Option<String>,
    /// `embargo audit verify`'s answer (events, head), when there was a
    /// database to verify.
    pub verified: Option<Result<(i64, String), ChainError>>,
}

/// Whether the configured database is SQLite (else PostgreSQL).
pub fn is_sqlite(config: &Config, paths: &Paths) -> bool {
    config.database_url(&paths.data).starts_with("sqlite:")
}

/// Writes the deployment of `config` and `paths` to `file`, a path that
/// must not exist: the SQLite database and the key files, or the key files
/// alone with `keys_only` (on either engine).
pub async fn backup(
    config: &Config,
    paths: &Paths,
    file: &Path,
    keys_only: bool,
) -> anyhow::Result<Summary> {
    let url = config.database_url(&paths.data);
    let sqlite = url.starts_with("sqlite:");
    if !keys_only && !sqlite {
        bail!(
            "the database is PostgreSQL: back it up with pg_dump and the key files with --keys-only"
        );
    }
    files::refuse_existing(file)?;
    // Checked before anything is written: a backup without it restores
    // no working service (and `--data` is likely wrong).
    files::require_list_key(&paths.data)?;
    seal_list_key(paths)?;
    let tmp = Temp::create_beside(file)?;
    if !keys_only {
        let db_file = sql::sqlite_file(&url)?;
        if !db_file.exists() {
            bail!(
                "no database at {}: is --data the deployment's data directory?",
                db_file.display()
            );
        }
        let mut live = sql::open_live(&url)
            .await
            .with_context(|| format!("opening the database {}", db_file.display()))?;
        sql::vacuum_into(&mut live, tmp.path())
            .await
            .context("copying the database (VACUUM INTO)")?;
        live.close().await?;
    }
    let mut conn = sql::open_file(tmp.path(), false)
        .await
        .context("writing the backup file")?;
    let (counts, migration) = if keys_only {
        (Vec::new(), None)
    } else {
        (
            sql::counts(&mut conn).await?,
            Some(sql::migration(&mut conn).await?),
        )
    };
    // Read after the snapshot: keys are only ever added, so these are
    // the snapshot's keys or more, never fewer (a rotation meanwhile).
    let key_files = files::read_keys(&paths.data)?;
    let meta = Meta {
        format: FORMAT,
        contents: (if keys_only { KEYS_ONLY } else { FULL }).to_owned(),
        embargo_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: crate::clock::timestamp().to_string(),
        migration,
        engine: (if sqlite { "sqlite" } else { "postgres" }).to_owned(),
    };
    sql::write(&mut conn, &meta, &key_files)
        .await
        .context("writing the key files into the backup")?;
    conn.close().await?;
    tmp.link_to(file)?;
    Ok(Summary {
        counts,
        files: key_files.into_iter().map(|f| f.path).collect(),
    })
}

/// Seals in place the list key's files still in clear (a deployment not
/// started since sealing existed), so the backup holds none in clear;
/// fails, before anything is written, when there is no data key to seal
/// them with.
fn seal_list_key(paths: &Paths) -> anyhow::Result<()> {
    let dir = paths.list_key();
    if !ListKey::any_clear(&dir)? {
        return Ok(());
    }
    if !crate::app::data_key::load_existing(&paths.data)? {
        bail!(
            "the list key in {} is stored in clear and there is no data key to seal it with: start `embargo serve` once (it makes the data key and seals the list key), then back up again",
            dir.display()
        );
    }
    let sealed = ListKey::seal_stored(&dir, false)?;
    tracing::info!(
        files = sealed.sealed,
        "sealed the list key's files stored in clear"
    );
    Ok(())
}

/// Restores `file` into the empty data directory of `paths`: the SQLite
/// database (a full backup) or, for a PostgreSQL `database_url`, the key
/// files alone (a keys-only backup). Refuses, changing nothing, when the
/// directory is not empty, the database file exists, or the file is not a
/// backup this embargo can restore. After a full restore, opens the
/// service and verifies the audit chain.
pub async fn restore(config: Config, paths: Paths, file: &Path) -> anyhow::Result<Restored> {
    let (meta, key_files) = read_backup(file).await?;
    let url = config.database_url(&paths.data);
    let sqlite = url.starts_with("sqlite:");
    match (meta.contents.as_str(), sqlite) {
        (FULL, false) => bail!(
            "{} is a full backup of a SQLite deployment, but database_url names PostgreSQL: restore it with SQLite (no database_url)",
            file.display()
        ),
        (KEYS_ONLY, true) => bail!(
            "{} holds only the key files (embargo backup --keys-only): restore the database with pg_restore and set database_url to it first",
            file.display()
        ),
        _ => {}
    }
    files::refuse_non_empty(&paths.data)?;
    let db_file = if sqlite {
        let f = sql::sqlite_file(&url)?;
        if f.symlink_metadata().is_ok() {
            bail!(
                "a database already exists at {}: restore needs none (nothing was changed)",
                f.display()
            );
        }
        Some(f)
    } else {
        None
    };
    let had_key = if meta.contents == FULL {
        require_data_key(file, &paths.data).await?
    } else {
        crate::app::data_key::load_existing(&paths.data)?
    };
    require_list_key_opens(file, &paths.data, &key_files, had_key)?;
    files::create_private_dir(&paths.data)?;
    let mut counts = Vec::new();
    if let Some(db_file) = &db_file {
        counts = restore_database(file, db_file).await?;
    }
    files::write_keys(&paths.data, &key_files)?;
    let files = key_files.into_iter().map(|f| f.path).collect();
    if db_file.is_none() {
        return Ok(Restored {
            meta,
            files,
            counts,
            fingerprint: None,
            verified: None,
        });
    }
    let state = AppState::open(config, paths)
        .await
        .context("opening the restored deployment")?;
    let verified = crate::app::audit::verify(&state, None).await?;
    let fingerprint = state.list_key.fingerprint().to_string();
    state.db.close().await;
    Ok(Restored {
        meta,
        files,
        counts,
        fingerprint: Some(fingerprint),
        verified: Some(verified),
    })
}

/// Fails, before anything is written, when the backup holds sealed values
/// that the data key in `data` (or `EMBARGO_DATA_KEY`) does not open: the
/// key is never in a backup. Answers whether there was a key to load.
async fn require_data_key(file: &Path, data: &Path) -> anyhow::Result<bool> {
    let had_key = crate::app::data_key::load_existing(data)?;
    let url = format!("sqlite://{}?mode=ro", file.display());
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .with_context(|| format!("opening {}", file.display()))?;
    let opened = crate::db::reseal::check_keys(&mut conn).await;
    conn.close().await.ok();
    match opened {
        Ok(()) => Ok(had_key),
        Err(e) if !had_key => bail!(
            "{} holds data sealed with a data key, which no backup contains: copy the data key of the deployment it came from to {} (or set {}) and restore again; nothing was changed ({e})",
            file.display(),
            data.join(crate::app::data_key::FILE).display(),
            crate::app::data_key::ENV,
        ),
        Err(e) => bail!(
            "the data key in {} (or {}) does not open {}: use the key of the deployment it came from; nothing was changed ({e})",
            data.display(),
            crate::app::data_key::ENV,
            file.display(),
        ),
    }
}

/// Fails, before anything is written, when a list key file of the backup
/// is sealed and the data key loaded from `data` (or `EMBARGO_DATA_KEY`;
/// `had_key` says whether there was one) does not open it.
fn require_list_key_opens(
    file: &Path,
    data: &Path,
    key_files: &[sql::File],
    had_key: bool,
) -> anyhow::Result<()> {
    for f in key_files {
        let Some(name) = f.path.strip_prefix("list-key/") else {
            continue;
        };
        let Err(e) = ListKey::check_backed_up(name, &f.content) else {
            continue;
        };
        if !had_key {
            bail!(
                "{} holds the list key sealed with a data key, which no backup contains: copy the data key of the deployment it came from to {} (or set {}) and restore again; nothing was changed ({e})",
                file.display(),
                data.join(crate::app::data_key::FILE).display(),
                crate::app::data_key::ENV,
            );
        }
        bail!(
            "the data key in {} (or {}) does not open the list key {} of {}: use the key of the deployment it came from; nothing was changed ({e})",
            data.display(),
            crate::app::data_key::ENV,
            f.path,
            file.display(),
        );
    }
    Ok(())
}

/// Opens `file` read-only and checks it is whole, a backup, in a format
/// and at a migration this embargo knows, naming only key files.
async fn read_backup(file: &Path) -> anyhow::Result<(Meta, Vec<sql::File>)> {
    let shown = file.display();
    if !file.is_file() {
        bail!("no backup file at {shown}");
    }
    let not_backup = |e: sqlx::Error| {
        anyhow::anyhow!("{shown} is not an embargo backup, or is damaged (SQLite: {e})")
    };
    let mut conn = sql::open_file(file, true).await.map_err(not_backup)?;
    if let Some(damage) = sql::damage(&mut conn).await.map_err(not_backup)? {
        bail!("{shown} is damaged (SQLite finds: {damage}); restore an older backup");
    }
    let Some(meta) = sql::read_meta(&mut conn).await.map_err(not_backup)? else {
        bail!(
            "{shown} is not an embargo backup: a SQLite database without the embargo_backup_meta and embargo_backup_files tables"
        );
    };
    if meta.format != FORMAT || ![FULL, KEYS_ONLY].contains(&meta.contents.as_str()) {
        bail!(
            "{shown} is a backup in a layout this embargo does not know (format {}, {}): restore it with embargo {} or newer",
            meta.format,
            meta.contents,
            meta.embargo_version
        );
    }
    let latest = crate::db::migrate::latest();
    if let Some(m) = meta.migration
        && m > latest
    {
        bail!(
            "{shown} was made by embargo {} at migration {m}; this embargo knows migrations up to {latest}: restore it with that version or newer",
            meta.embargo_version
        );
    }
    let key_files = sql::read_files(&mut conn).await.map_err(not_backup)?;
    conn.close().await?;
    files::check_names(file, &key_files)?;
    Ok((meta, key_files))
}

/// Copies the backup beside `db_file`, drops the backup's tables from the
/// copy, and links it into place; answers the main tables' rows.
async fn restore_database(file: &Path, db_file: &Path) -> anyhow::Result<Vec<(&'static str, i64)>> {
    let tmp = Temp::create_beside(db_file)?;
    tmp.copy_from(file)?;
    let mut conn = sql::open_file(tmp.path(), false)
        .await
        .context("opening the restored database")?;
    sql::strip(&mut conn)
        .await
        .context("removing the backup's tables from the restored database")?;
    let counts = sql::counts(&mut conn).await?;
    conn.close().await?;
    tmp.link_to(db_file)?;
    Ok(counts)
}
