//! `embargo jobs ...`: the outbox as operators see it.

use std::process::ExitCode;

use crate::app::AppState;
use crate::app::jobs::Retry;
use crate::db::audit::Actor;
use crate::db::jobs;
use crate::domain::job::JobState;

#[derive(Debug, clap::Subcommand)]
pub enum JobsCommand {
    /// List recent jobs, newest first.
    List {
        /// Only jobs in this state: queued, running, done or dead.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Put a dead job back in the queue.
    Retry { id: String },
    /// Run every due job now, then exit.
    Run,
}

pub async fn run(cmd: JobsCommand, state: AppState) -> anyhow::Result<ExitCode> {
    match cmd {
        JobsCommand::List {
            state: filter,
            limit,
        } => {
            let filter = match filter.as_deref() {
                None => None,
                Some(s) => Some(
                    JobState::parse(s).ok_or_else(|| anyhow::anyhow!("unknown job state {s:?}"))?,
                ),
            };
            let mut conn = state.db.conn().await?;
            let list = jobs::list(&mut conn, filter, limit).await?;
            println!("ID\tKIND\tSTATE\tATTEMPTS\tRUN AT\tLAST ERROR");
            for j in list {
                let run_at = jiff::Timestamp::from_microsecond(j.run_at)
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}/{}\t{}\t{}",
                    j.id, j.kind, j.state, j.attempts, j.max_attempts, run_at, j.last_error
                );
            }
        }
        JobsCommand::Retry { id } => {
            match crate::app::jobs::retry(&state, &Actor::cli(), &id).await? {
                Retry::Queued => {}
                Retry::NotDead(s) => anyhow::bail!("job {id} is {s}, not dead: nothing to retry"),
                Retry::Missing => anyhow::bail!("no job {id}"),
            }
            println!("requeued {id}");
        }
        JobsCommand::Run => {
            let n = crate::jobs::run_due(&state).await?;
            println!("ran {n} jobs");
        }
    }
    Ok(ExitCode::SUCCESS)
}
