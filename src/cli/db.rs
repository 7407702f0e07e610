//! `embargo db copy --to postgres://...`: move a SQLite deployment's
//! database into an empty PostgreSQL database.

use std::io::IsTerminal;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::db_copy::{self, Progress, shown};
use crate::config::{Config, Paths};

#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Copy the SQLite database (every table, ids as they are) into an
    /// empty PostgreSQL database, then verify the audit log there as
    /// `embargo audit verify` does (exit 1 when it fails).
    ///
    /// The target gets embargo's migrations first; a target with rows in
    /// any of embargo's tables is refused. The copy is one transaction: a
    /// failure leaves the target empty. The source is read in one snapshot,
    /// so `serve` may run, but what it writes after the snapshot is not
    /// copied: stop `serve` first, then set `database_url` to the target
    /// (README, "Moving to PostgreSQL"). The data directory's keys stay
    /// where they are.
    Copy(CopyArgs),
}

#[derive(Debug, clap::Args)]
pub struct CopyArgs {
    /// The empty PostgreSQL database: postgres://USER:PASSWORD@HOST/DATABASE.
    /// From the environment, the password stays out of the process list.
    #[arg(
        long,
        value_name = "URL",
        env = "EMBARGO_COPY_TO",
        hide_env_values = true
    )]
    to: String,
    /// Connect to both, check the target and count the rows to copy;
    /// write nothing.
    #[arg(long)]
    dry_run: bool,
}

/// A bar over all rows on a terminal; nothing drawn otherwise. Each table
/// copied gets a line on stdout either way.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }

    fn rows(&self, n: u64) {
        self.0.inc(n);
    }

    fn table_done(&self, table: &str, rows: i64) {
        self.0.suspend(|| println!("{table}: {rows} rows"));
    }
}

pub async fn run(cmd: DbCommand, config: Config, paths: Paths) -> anyhow::Result<ExitCode> {
    let DbCommand::Copy(args) = cmd;
    let bar = if std::io::stderr().is_terminal() && !args.dry_run {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} rows {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("copying");
    let bar = Bar(bar);
    let result = db_copy::copy(&config, &paths, &args.to, args.dry_run, &bar).await;
    bar.0.finish_and_clear();
    let summary = result?;
    let to = shown(&args.to);
    let tables = summary.tables.len();
    let total = summary.total();
    let Some(verified) = summary.verified else {
        for (table, rows) in &summary.tables {
            println!("{table}: {rows} rows");
        }
        println!(
            "dry run: would copy {total} rows of {tables} tables into {to}; nothing was written"
        );
        return Ok(ExitCode::SUCCESS);
    };
    // The same words as `embargo audit verify`.
    match verified {
        Ok((n, head)) => {
            println!(
                "copied {total} rows of {tables} tables into {to}; audit log OK: {n} events, head {head}"
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("copied {total} rows of {tables} tables into {to}; audit log BROKEN: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
