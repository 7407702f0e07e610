//! `embargo backup FILE` and `embargo restore FILE`: the deployment in one
//! file (the SQLite database and the data directory's keys), and back.

use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::backup::{self, KEYS_ONLY};
use crate::config::{Config, Paths};

/// The PostgreSQL side of a backup, which `embargo` leaves to its tools.
const PG_DUMP: &str = "pg_dump --format=custom --file=embargo.pgdump \"$DATABASE_URL\"";
const PG_RESTORE: &str = "pg_restore --exit-on-error --single-transaction --no-owner --dbname=\"$DATABASE_URL\" embargo.pgdump";

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Only the key files (the list key, the cookie key), not the
    /// database: with `pg_dump` on PostgreSQL, or beside your own copies.
    #[arg(long)]
    keys_only: bool,
    /// The file to write (mode 0600); it must not exist. It holds the
    /// list's secret keys sealed with the data key (which it leaves out)
    /// and the cookie key: keep it private.
    file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A file `embargo backup` wrote.
    file: PathBuf,
}

/// A spinner on a terminal while `what` runs; nothing otherwise.
pub(crate) fn spinner(what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(what);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn counted(counts: &[(&str, i64)]) -> String {
    counts
        .iter()
        .map(|(table, n)| format!("{n} {table}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn backup(args: BackupArgs, config: Config, paths: Paths) -> anyhow::Result<ExitCode> {
    if !args.keys_only && !backup::is_sqlite(&config, &paths) {
        eprintln!(
            "embargo: the database is PostgreSQL, which `embargo backup` does not copy. Back up the two parts:\n  \
             {PG_DUMP}\n  \
             embargo backup --keys-only {}\n\
             ($DATABASE_URL: the configured database_url; see the README, \"Backup and restore\")",
            args.file.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    let bar = spinner("backing up");
    let summary = backup::backup(&config, &paths, &args.file, args.keys_only).await;
    bar.finish_and_clear();
    let summary = summary?;
    let what = if args.keys_only {
        String::new()
    } else {
        format!("{}; ", counted(&summary.counts))
    };
    println!(
        "backed up to {}: {what}key files: {}",
        args.file.display(),
        summary.files.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(args: RestoreArgs, config: Config, paths: Paths) -> anyhow::Result<ExitCode> {
    let bar = spinner("restoring");
    let restored = backup::restore(config, paths, &args.file).await;
    bar.finish_and_clear();
    let r = restored?;
    println!(
        "restored a backup of embargo {} made {}",
        r.meta.embargo_version, r.meta.created_at
    );
    if r.meta.contents == KEYS_ONLY {
        println!("key files: {}", r.files.join(", "));
        println!("Now restore the database into the empty PostgreSQL database, then verify it:");
        println!("  {PG_RESTORE}");
        println!("  embargo audit verify");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}; key files: {}", counted(&r.counts), r.files.join(", "));
    if let Some(fingerprint) = &r.fingerprint {
        println!("list key: {fingerprint}");
    }
    // The same lines as `embargo audit verify`.
    match r.verified {
        Some(Ok((n, head))) => {
            println!("audit log OK: {n} events, head {head}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Err(e)) => {
            println!("audit log BROKEN: {e}");
            Ok(ExitCode::FAILURE)
        }
        None => Ok(ExitCode::FAILURE),
    }
}
