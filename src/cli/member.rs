//! `embargo member ...`: the distribution list from the command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::EX_DATAERR;
use crate::app::AppState;
use crate::app::import::{self, ImportError, Plan};
use crate::db::audit::Actor;

/// sysexits(3): the input file cannot be read; bad usage.
const EX_NOINPUT: u8 = 66;
const EX_USAGE: u8 = 64;

const FORMATS: &str = "\
FORMATS
  The format follows the file's extension (.json or .csv) unless --format
  names it.

  JSON: one object per member, each with its contacts:

    {\"members\": [
      {\"organization\": \"Example Linux\",
       \"website\": \"https://example-linux.org\",
       \"security_alias\": \"security@example-linux.org\",
       \"contacts\": [
         {\"name\": \"Nina Example\", \"email\": \"nina@example-linux.org\",
          \"openpgp_key\": \"-----BEGIN PGP PUBLIC KEY BLOCK-----\\n...\",
          \"policy_accepted_at\": \"2024-03-01\"}]}]}

    openpgp_key (ASCII-armored public key) and policy_accepted_at are
    optional.

  CSV: one row per contact, after this header line:

    organization,website,security_alias,contact_name,contact_email,openpgp_key_file,policy_accepted_at

    Rows with the same organization make one member; its later rows may
    leave website and security_alias empty. openpgp_key_file is the path of
    an armored public key, relative to the CSV file's folder, or empty.
    Fields with commas, quotes or line breaks go in double quotes (RFC 4180).

  policy_accepted_at is an RFC 3339 date (2024-03-01) or date-time with an
  offset (2024-03-01T09:30:00Z), not in the future: when the contact accepted
  the old list's policy. It is recorded as an admin's attestation of the
  CURRENT policy version (how = attested, audit event policy.attested with
  the original date); the contact is not asked to accept it again.

WHAT IS A PROBLEM
  Every problem is reported as LINE: FIELD: MESSAGE, where LINE is the CSV
  line (`line 4`) or the JSON member (`members[3]`) and FIELD the CSV column
  or the JSON field under the member (`contacts[0].email`): invalid fields,
  keys that cannot receive mail for membership.key_valid_days, an
  organisation or address listed twice, an organisation that is already a
  member, an address that already has an account. Key warnings (such as a
  key without a user id for the address) are printed but do not stop the
  import.

OUTCOME
  Without problems, every member and contact is written in one transaction:
  each contact gets an account, a one-time set-up link and the contact_setup
  mail (delivered right away when it can be; otherwise by `serve` or `jobs
  run`). The last line is `imported N members, M contacts (K policy
  attestations)`. With any problem nothing is written.

EXIT STATUS
  0 imported (or a clean dry run), 65 the file has problems, 66 the file
  cannot be read.";

#[derive(Debug, clap::Subcommand)]
pub enum MemberCommand {
    /// Import members, their contacts, keys and policy acceptance dates from
    /// an existing distribution list (JSON or CSV), all or nothing.
    #[command(after_long_help = FORMATS)]
    Import(ImportArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The list to import: a .json or .csv file (see --help for both formats).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The file's format, when its extension does not tell.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Check the file and show what would be imported; change nothing.
    #[arg(long)]
    dry_run: bool,
}

pub async fn run(cmd: MemberCommand, state: AppState) -> anyhow::Result<ExitCode> {
    match cmd {
        MemberCommand::Import(args) => import_file(args, state).await,
    }
}

fn print_report(plan: &Plan) {
    for w in &plan.warnings {
        println!("{}: {}: warning: {}", w.at, w.field, w.message);
    }
    for p in &plan.problems {
        println!("{p}");
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

async fn import_file(args: ImportArgs, state: AppState) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        Some(Format::Json) => import::Format::Json,
        Some(Format::Csv) => import::Format::Csv,
        None => match import::Format::from_path(&args.file) {
            Some(f) => f,
            None => {
                eprintln!(
                    "embargo member import: {}: name the format with --format json|csv \
                     (or use a .json or .csv file name)",
                    args.file.display()
                );
                return Ok(ExitCode::from(EX_USAGE));
            }
        },
    };
    let mut plan = match import::read(&state, &args.file, format).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("embargo member import: {}: {e}", args.file.display());
            return Ok(ExitCode::from(EX_NOINPUT));
        }
    };

    if args.dry_run {
        let mut conn = state.db.conn().await?;
        import::check_existing(&mut conn, &mut plan).await?;
        let policy = crate::db::members::current_policy(&mut conn).await?;
        drop(conn);
        // The plan, indented so it does not read as problems.
        println!(
            "{}",
            if plan.problems.is_empty() {
                "would import:"
            } else {
                "read (nothing is imported while there are problems):"
            }
        );
        for m in &plan.members {
            let contacts: Vec<String> = m
                .input
                .contacts
                .iter()
                .zip(&m.contacts)
                .map(|(c, p)| {
                    let mut s = c.email.trim().to_owned();
                    if let Some(fpr) = &p.key_fingerprint {
                        s.push_str(&format!(" (key {fpr})"));
                    }
                    if let Some(a) = &p.attestation {
                        s.push_str(&format!(" (policy accepted {})", a.original));
                    }
                    s
                })
                .collect();
            println!(
                "  {} {:?}, {}: {}",
                m.at(),
                m.input.organization.trim(),
                plural(contacts.len(), "contact", "contacts"),
                contacts.join(", ")
            );
        }
        if plan.attestation_count() > 0 {
            match policy {
                Some((v, _, _)) => {
                    println!("policy acceptances would be attested for the current version {v}")
                }
                None => println!(
                    "policy acceptances would be attested for version 1 (the default policy)"
                ),
            }
        }
        print_report(&plan);
        let (members, contacts, attested) = (
            plan.members.len(),
            plan.contact_count(),
            plan.attestation_count(),
        );
        if plan.problems.is_empty() {
            println!(
                "dry run: would import {}, {} ({}); nothing changed",
                plural(members, "member", "members"),
                plural(contacts, "contact", "contacts"),
                plural(attested, "policy attestation", "policy attestations"),
            );
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "dry run: {} found; nothing changed",
            plural(plan.problems.len(), "problem", "problems")
        );
        return Ok(ExitCode::from(EX_DATAERR));
    }

    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(plan.contact_count() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} contacts")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("importing");
    for w in &plan.warnings {
        bar.suspend(|| println!("{}: {}: warning: {}", w.at, w.field, w.message));
    }
    let tick = || bar.inc(1);
    let result = import::import(&state, &Actor::cli(), plan, &tick).await;
    bar.finish_and_clear();
    let done = match result {
        Ok(done) => done,
        Err(ImportError::Problems(plan)) => {
            for p in &plan.problems {
                println!("{p}");
            }
            println!(
                "{}; nothing imported",
                plural(plan.problems.len(), "problem", "problems")
            );
            return Ok(ExitCode::from(EX_DATAERR));
        }
        Err(ImportError::Other(e)) => return Err(e.context("nothing imported")),
    };
    for (id, organization, contacts) in &done.members {
        println!(
            "{id}\t{organization}\t{}",
            plural(*contacts, "contact", "contacts")
        );
    }
    if let Some(v) = done.policy_version {
        println!(
            "policy version {v}: {} attested from the previous list (audit: policy.attested)",
            plural(done.attestations, "acceptance", "acceptances")
        );
    }
    // Send the set-up mails now if no server is running; a running `serve`
    // would also pick them up. Failures stay queued.
    match tokio::time::timeout(Duration::from_secs(60), crate::jobs::run_due(&state)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => eprintln!("embargo member import: sending mail: {e:#}; it stays queued"),
        Err(_) => eprintln!(
            "embargo member import: some set-up mails are still queued; `serve` or `embargo jobs run` sends them"
        ),
    }
    // A fixed form (no singulars), for scripts that read the last line.
    println!(
        "imported {} members, {} contacts ({} policy attestations)",
        done.members.len(),
        done.contacts,
        done.attestations
    );
    Ok(ExitCode::SUCCESS)
}
