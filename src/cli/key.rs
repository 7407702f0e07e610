//! `embargo key ...`: the data key that seals reports, attachments and
//! patches in the database, and the list key's secret files.

use std::process::ExitCode;

use crate::app::AppState;
use crate::app::data_key;
use crate::db::audit::Actor;

#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Print where the data key comes from and the current key's id (never
    /// the key).
    Show,
    /// Add a new current data key to DATA/data-key and seal every protected
    /// value and the list key's files (DATA/list-key/) under it. The older
    /// keys stay in the file to open what running instances write with
    /// them until they restart: restart every `serve` afterwards, then run
    /// `embargo key seal`. With EMBARGO_DATA_KEY set,
    /// add the new key at its end and run `embargo key seal` instead.
    /// Recorded in the audit log as `data_key.rotated`.
    Rotate,
    /// Seal every protected value and list key file not yet under the
    /// current key: values written before this version, or by an instance
    /// that had not restarted since a rotation. Safe to interrupt and run
    /// again.
    Seal,
}

pub async fn run(cmd: KeyCommand, state: AppState) -> anyhow::Result<ExitCode> {
    match cmd {
        KeyCommand::Show => {
            match data_key::source(&state.paths.data) {
                data_key::Source::Env => println!("source:  {}", data_key::ENV),
                data_key::Source::File(p) => println!("source:  {}", p.display()),
            }
            let id = crate::db::sealed::current_key_id().unwrap_or_default();
            println!("current: {id}");
        }
        KeyCommand::Rotate | KeyCommand::Seal => {
            let add = matches!(cmd, KeyCommand::Rotate);
            if add && data_key::source(&state.paths.data) == data_key::Source::Env {
                anyhow::bail!(
                    "the data keys come from {}: add the new key at its end, then run `embargo key seal`",
                    data_key::ENV
                );
            }
            let bar = super::backup::spinner("sealing");
            let rotation = data_key::rotate(&state, &Actor::cli(), add, |column, n| {
                bar.set_message(format!("{column}: {n} sealed"));
            })
            .await?;
            bar.finish_and_clear();
            println!("current:  {}", rotation.current);
            println!(
                "sealed:   {} values ({} already under it)",
                rotation.resealed.sealed, rotation.resealed.current
            );
            println!(
                "list key: {} files sealed ({} already under it)",
                rotation.list_key.sealed, rotation.list_key.current
            );
            if rotation.made {
                println!("Restart every `embargo serve`, then run `embargo key seal`.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
