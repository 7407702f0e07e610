//! `embargo ingest`: one message from an MTA pipe on stdin.

use std::process::ExitCode;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use super::{EX_DATAERR, EX_TEMPFAIL};
use crate::app::AppState;
use crate::app::ingest::{IngestError, Outcome, ingest};
use crate::config::{Config, Paths};

pub async fn run(config: Config, paths: Paths) -> ExitCode {
    let limit = config.limits.max_mail_bytes;
    let mut raw = Vec::new();
    // Read one byte past the limit so an oversize message is recognised.
    let read = tokio::io::stdin()
        .take(limit as u64 + 1)
        .read_to_end(&mut raw)
        .await;
    if let Err(e) = read {
        eprintln!("embargo ingest: reading stdin: {e}");
        return ExitCode::from(EX_TEMPFAIL);
    }
    let state = match AppState::open(config, paths).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("embargo ingest: {e:#}");
            return ExitCode::from(EX_TEMPFAIL);
        }
    };
    match ingest(&state, &raw).await {
        Ok(outcome) => {
            match outcome {
                Outcome::NewReport(id) => eprintln!("embargo ingest: new report {id}"),
                Outcome::Reply(id) => eprintln!("embargo ingest: added to report {id}"),
                Outcome::Duplicate => eprintln!("embargo ingest: already taken; ignored"),
                Outcome::Bounce(id) => eprintln!("embargo ingest: bounce of delivery {id}"),
            }
            // Send the acknowledgement now if no server is running; a
            // running `serve` would also pick it up. Failures stay queued.
            let _ =
                tokio::time::timeout(Duration::from_secs(15), crate::jobs::run_due(&state)).await;
            ExitCode::SUCCESS
        }
        Err(IngestError::Malformed(e)) => {
            eprintln!("embargo ingest: rejected: {e}");
            ExitCode::from(EX_DATAERR)
        }
        Err(IngestError::Temporary(e)) => {
            eprintln!("embargo ingest: temporary failure, try again later: {e:#}");
            ExitCode::from(EX_TEMPFAIL)
        }
    }
}
