//! The `embargo` command line: one file per subcommand.

mod account;
mod audit;
mod backup;
mod cvss;
mod db;
mod doctor;
mod export;
mod ingest;
mod jobs;
mod key;
mod list_key;
mod member;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::AppState;
use crate::config::{Config, Paths};

#[derive(Debug, Parser)]
#[command(
    name = "embargo",
    version,
    about = "Coordinated vulnerability disclosure for open-source security teams"
)]
pub struct Cli {
    /// Configuration file (TOML). Settings may also come from EMBARGO_* variables.
    #[arg(long, global = true, env = "EMBARGO_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory for the SQLite database, the mail outbox and the list key.
    #[arg(
        long,
        global = true,
        env = "EMBARGO_DATA",
        value_name = "DIR",
        default_value = "./data"
    )]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web service and the job runner.
    Serve(serve::Args),
    /// Manage admin accounts.
    #[command(subcommand)]
    Admin(account::AdminCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(account::TokenCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Take one RFC 5322 message on stdin (for an MTA pipe). Exit codes:
    /// 0 taken, 65 malformed (bounce), 75 temporary failure (retry).
    Ingest,
    /// Inspect and retry background jobs.
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
    /// Manage the distribution list's members.
    #[command(subcommand)]
    Member(member::MemberCommand),
    /// Show or rotate the data key that seals reports, attachments and
    /// patches in the database (DATA/data-key or EMBARGO_DATA_KEY).
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Show or rotate the list's OpenPGP key (kept in DATA/list-key/).
    #[command(subcommand)]
    ListKey(list_key::ListKeyCommand),
    /// Write the published advisories as files for static hosting.
    Export(export::Args),
    /// Write the SQLite database and the data directory's keys (the list
    /// key, the cookie key) to a new file, while `serve` runs or not.
    ///
    /// On PostgreSQL, back up the database with `pg_dump --format=custom`
    /// and the keys with `--keys-only` (README, "Backup and restore").
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty data directory, then verify the
    /// audit log as `embargo audit verify` does (exit 1 when it fails).
    ///
    /// With a PostgreSQL `database_url`, restores a `--keys-only` backup's
    /// key files and prints the `pg_restore` command for the database.
    Restore(backup::RestoreArgs),
    /// Move the database: `embargo db copy --to postgres://...` copies a
    /// SQLite deployment into an empty PostgreSQL database.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Print the score and rating of a CVSS 3.1 or 4.0 vector, as FIRST's
    /// calculators show them (for example `9.8 CRITICAL`).
    Cvss {
        /// The vector, starting with `CVSS:3.1/` or `CVSS:4.0/`.
        vector: String,
    },
    /// Check this deployment and print what is wrong and how to fix it.
    ///
    /// Reads the same --config, --data and EMBARGO_* settings as `serve` and
    /// prints one line per check: ok, warn or FAIL, what was found and, for
    /// a problem, the fix. Checks: base_url is https (plain http warns on
    /// loopback, fails elsewhere); the database answers and its migrations
    /// are applied; PostgreSQL is 13 or later, its clock within 5 s of this
    /// machine's (a warning beyond, a failure beyond 60 s); no first-admin
    /// set-up link is still open; the SMTP server takes
    /// `MAIL FROM:<from_address>` (then RSET: nothing is sent); the list key
    /// and cookie key files are private to this user; the security.txt
    /// served at base_url does not expire within 30 days.
    ///
    /// Changes nothing: the database is opened read-only and not migrated.
    /// Exit codes: 0 nothing failed (warnings allowed), 1 a check failed,
    /// 78 the configuration cannot be loaded.
    Doctor,
}

/// sysexits(3) codes the MTA understands.
pub const EX_DATAERR: u8 = 65;
pub const EX_SOFTWARE: u8 = 70;
pub const EX_TEMPFAIL: u8 = 75;
pub const EX_CONFIG: u8 = 78;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Needs neither configuration nor data.
    if let Command::Cvss { vector } = &cli.command {
        return cvss::run(vector);
    }
    let default_level = if matches!(cli.command, Command::Serve(_)) {
        "info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("EMBARGO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match log_format(std::env::var_os("EMBARGO_LOG_FORMAT").as_deref()) {
        Ok(LogFormat::Text) => logs.init(),
        Ok(LogFormat::Json) => logs.json().init(),
        Err(e) => {
            eprintln!("embargo: {e}");
            return config_error(&cli.command);
        }
    }

    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("embargo: {e:#}");
            return config_error(&cli.command);
        }
    };
    let paths = Paths {
        data: cli.data.clone(),
    };
    let listen = match &cli.command {
        Command::Serve(args) => Some(args.listen),
        _ => None,
    };
    config.resolve_base_url(&paths, listen);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("embargo: starting the runtime: {e}");
            return ExitCode::from(EX_SOFTWARE);
        }
    };
    runtime.block_on(async move {
        match run(cli.command, config, paths).await {
            Ok(code) => code,
            Err(e) => {
                eprintln!("embargo: {e:#}");
                ExitCode::FAILURE
            }
        }
    })
}

fn config_error(command: &Command) -> ExitCode {
    // An MTA should retry rather than bounce while we are misconfigured.
    ExitCode::from(if matches!(command, Command::Ingest) {
        EX_TEMPFAIL
    } else {
        EX_CONFIG
    })
}

/// How logs are written to stderr.
#[derive(Debug, PartialEq, Eq)]
enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// `EMBARGO_LOG_FORMAT`: unset or empty is text.
fn log_format(value: Option<&std::ffi::OsStr>) -> Result<LogFormat, String> {
    match value.map(|v| v.to_str()) {
        None | Some(Some("" | "text")) => Ok(LogFormat::Text),
        Some(Some("json")) => Ok(LogFormat::Json),
        Some(Some(other)) => Err(format!(
            "EMBARGO_LOG_FORMAT must be `text` or `json`, not {other:?}"
        )),
        Some(None) => Err("EMBARGO_LOG_FORMAT must be `text` or `json`".into()),
    }
}

async fn run(command: Command, config: Config, paths: Paths) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => serve::run(args, config, paths).await,
        Command::Admin(c) => account::admin(c, AppState::open(config, paths).await?).await,
        Command::Token(c) => account::token(c, AppState::open(config, paths).await?).await,
        Command::Audit(c) => audit::run(c, AppState::open(config, paths).await?).await,
        Command::Jobs(c) => jobs::run(c, AppState::open(config, paths).await?).await,
        Command::Member(c) => member::run(c, AppState::open(config, paths).await?).await,
        Command::Key(c) => key::run(c, AppState::open(config, paths).await?).await,
        Command::ListKey(c) => list_key::run(c, AppState::open(config, paths).await?).await,
        Command::Ingest => Ok(ingest::run(config, paths).await),
        Command::Cvss { vector } => Ok(cvss::run(&vector)),
        Command::Backup(args) => backup::backup(args, config, paths).await,
        Command::Restore(args) => backup::restore(args, config, paths).await,
        Command::Doctor => doctor::run(config, paths).await,
        Command::Db(c) => db::run(c, config, paths).await,
        Command::Export(args) => export::run(args, AppState::open(config, paths).await?).await,
    }
}

#[cfg(test)]
mod tests {
    use super::{LogFormat, log_format};

    #[test]
    fn the_log_format_is_text_json_or_an_error_naming_the_variable() {
        assert_eq!(log_format(None), Ok(LogFormat::Text));
        assert_eq!(log_format(Some("".as_ref())), Ok(LogFormat::Text));
        assert_eq!(log_format(Some("text".as_ref())), Ok(LogFormat::Text));
        assert_eq!(log_format(Some("json".as_ref())), Ok(LogFormat::Json));
        let err = log_format(Some("xml".as_ref())).unwrap_err();
        assert!(
            err.contains("EMBARGO_LOG_FORMAT") && err.contains("\"xml\""),
            "{err}"
        );
    }
}
