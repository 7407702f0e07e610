//! `embargo admin ...` and `embargo token ...`.

use std::process::ExitCode;

use anyhow::Context;

use crate::app::{AppState, auth};
use crate::db::audit::Actor;
use crate::db::{accounts, sessions};
use crate::domain::account::Role;
use crate::domain::email::EmailAddress;

#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create an admin (or renew the set-up link of an existing one) and
    /// print a one-time set-up link, valid for 24 hours, as the last line.
    Add {
        /// The admin's e-mail address; it is their login name.
        email: String,
    },
    /// List accounts.
    List,
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an account and print it as the last line.
    Create {
        /// The account's e-mail address.
        #[arg(long, value_name = "EMAIL")]
        user: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List an account's tokens.
    List {
        #[arg(long, value_name = "EMAIL")]
        user: String,
    },
    /// Revoke one of an account's tokens.
    Revoke {
        #[arg(long, value_name = "EMAIL")]
        user: String,
        /// The token's id (tok_...), as `token list` shows.
        id: String,
    },
}

pub async fn admin(cmd: AdminCommand, state: AppState) -> anyhow::Result<ExitCode> {
    match cmd {
        AdminCommand::Add { email } => {
            let email =
                EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("{email:?} {e}"))?;
            let link = auth::add_account(&state, &Actor::cli(), &email, Role::Admin).await?;
            println!("Admin {email} can set up their account within 24 hours at:");
            println!("{link}");
        }
        AdminCommand::List => {
            let mut conn = state.db.conn().await?;
            for a in accounts::list(&mut conn).await? {
                let status = if a.disabled {
                    "disabled"
                } else if a.password_hash.is_none() {
                    "not set up"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\t{}", a.id, a.role.as_str(), a.email, status);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn account_by_email(state: &AppState, email: &str) -> anyhow::Result<accounts::Account> {
    let mut conn = state.db.conn().await?;
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("{email:?} {e}"))?;
    accounts::by_email(&mut conn, email.as_str())
        .await?
        .with_context(|| format!("no account with e-mail {email}"))
}

pub async fn token(cmd: TokenCommand, state: AppState) -> anyhow::Result<ExitCode> {
    match cmd {
        TokenCommand::Create { user, name } => {
            let account = account_by_email(&state, &user).await?;
            let (id, token) = auth::create_token(&state, &Actor::cli(), &account.id, &name).await?;
            println!(
                "Token {id} for {} ({}); it is shown only now:",
                account.email,
                account.role.as_str()
            );
            println!("{}", token.expose());
        }
        TokenCommand::List { user } => {
            let account = account_by_email(&state, &user).await?;
            let mut conn = state.db.conn().await?;
            for t in sessions::tokens_of(&mut conn, &account.id).await? {
                let status = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}", t.id, t.name, status);
            }
        }
        TokenCommand::Revoke { user, id } => {
            let account = account_by_email(&state, &user).await?;
            if !auth::revoke_token(&state, &Actor::cli(), &account.id, &id).await? {
                anyhow::bail!("{} has no active token {id}", account.email);
            }
            println!("revoked {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
