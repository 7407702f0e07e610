//! `embargo list-key ...`: show the list's OpenPGP key, or rotate it.

use std::process::ExitCode;

use crate::app::AppState;
use crate::db::audit::Actor;

#[derive(Debug, clap::Subcommand)]
pub enum ListKeyCommand {
    /// Print the current key's fingerprint, the older keys kept for
    /// decrypting, and the armored public key (last, to pipe into
    /// `gpg --import`).
    Show,
    /// Make a new current key; the older ones stay in DATA/list-key/ to
    /// decrypt mail sent to them. Recorded in the audit log as
    /// `list_key.rotated`. Restart `serve` (every instance) afterwards: a
    /// running service keeps the key it loaded.
    Rotate,
}

pub async fn run(cmd: ListKeyCommand, state: AppState) -> anyhow::Result<ExitCode> {
    match cmd {
        ListKeyCommand::Show => {
            let key = &state.list_key;
            println!("fingerprint: {}", key.fingerprint());
            for old in key.previous_fingerprints() {
                println!("previous:    {old}");
            }
            print!("{}", key.armored_public());
        }
        ListKeyCommand::Rotate => {
            let rotation = crate::app::list_key::rotate(&state, &Actor::cli()).await?;
            println!("previous:    {}", rotation.previous);
            println!("fingerprint: {}", rotation.current);
            println!("Restart `embargo serve` to sign and publish with the new key.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
