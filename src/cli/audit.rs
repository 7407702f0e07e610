//! `embargo audit verify`: proves the audit log's hash chain unbroken.

use std::process::ExitCode;

use crate::app::AppState;
use crate::db::audit;
use crate::domain::audit::ChainVerifier;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Walk the whole chain; exit 0 when it is whole, 1 naming the first bad event.
    Verify,
}

const PAGE: i64 = 1000;

pub async fn run(cmd: AuditCommand, state: AppState) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify = cmd;
    let mut conn = state.db.conn().await?;
    let head = audit::head(&mut conn).await?;
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    loop {
        let page = audit::page(&mut conn, after, PAGE).await?;
        for ev in &page {
            if let Err(e) = verifier.push(ev) {
                println!("audit log BROKEN: {e}");
                return Ok(ExitCode::FAILURE);
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    match verifier.finish((head.0, &head.1)) {
        Ok(n) => {
            println!("audit log OK: {n} events, head {}", &head.1);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("audit log BROKEN: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
