//! `embargo audit ...`: prove the audit log's hash chain unbroken, and print
//! its head to keep outside the database.

use std::process::ExitCode;

use crate::app::AppState;
use crate::db::audit;
use crate::domain::audit::Anchor;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Walk the whole chain in one snapshot; exit 0 when it is whole, 1
    /// naming the first bad event.
    Verify {
        /// A head printed earlier by `embargo audit head` (SEQ:HASH), kept
        /// outside the database: also prove nothing up to it was rewritten.
        #[arg(long, value_name = "SEQ:HASH")]
        anchor: Option<Anchor>,
    },
    /// Print the current head as SEQ:HASH (last line), to keep elsewhere.
    Head,
}

pub async fn run(cmd: AuditCommand, state: AppState) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Head => {
            let mut conn = state.db.conn().await?;
            let (seq, hash) = audit::head(&mut conn).await?;
            println!("{}", Anchor { seq, hash });
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify { anchor } => {
            let anchored = anchor.is_some();
            match crate::app::audit::verify(&state, anchor).await? {
                Ok((n, head)) => {
                    let through = if anchored { ", through the anchor" } else { "" };
                    println!("audit log OK: {n} events{through}, head {head}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    println!("audit log BROKEN: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
