//! TOTP recovery codes: issued (shown once) when TOTP is set up or on
//! request, each usable once at login in place of the authenticator code.

use serde_json::json;

use super::AppState;
use crate::db::accounts::{self, Account};
use crate::db::audit::{self, Actor};
use crate::db::recovery_codes;
use crate::domain::id::AccountId;
use crate::domain::recovery::{self, COUNT};

/// New codes for `account` (voiding its old ones), to show once.
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
) -> anyhow::Result<Vec<String>> {
    let mut tx = state.db.begin().await?;
    let codes = issue_in(&mut tx, actor, account).await?;
    tx.commit().await?;
    Ok(codes)
}

/// [`issue`] in the caller's transaction.
pub(super) async fn issue_in(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    account: &AccountId,
) -> anyhow::Result<Vec<String>> {
    let codes: Vec<String> = (0..COUNT)
        .map(|_| recovery::format(&rand::random()))
        .collect();
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|c| recovery::normalize(c))
        .map(|c| recovery::hash(account, &c))
        .collect();
    anyhow::ensure!(hashes.len() == COUNT, "a recovery code did not read back");
    recovery_codes::replace(tx, account, &hashes).await?;
    audit::append(
        tx,
        actor,
        "account.recovery_codes_issued",
        account.as_str(),
        json!({ "count": COUNT }),
    );
    Ok(codes)
}

/// Sets up TOTP with `secret` for an account that has none, given the
/// code its app shows now; the account's new recovery codes, to show once.
pub async fn add_totp(
    state: &AppState,
    actor: &Actor,
    account: &Account,
    secret: &str,
    code: &str,
) -> Result<Vec<String>, TotpError> {
    let step = super::auth::totp_step(secret, code).ok_or(TotpError::WrongCode)?;
    let mut tx = state.db.begin().await?;
    if !accounts::add_totp(&mut tx, &account.id, secret, step).await? {
        return Err(TotpError::AlreadySetUp);
    }
    audit::append(
        &mut tx,
        actor,
        "account.totp_added",
        account.id.as_str(),
        json!({}),
    );
    let codes = issue_in(&mut tx, actor, &account.id).await?;
    tx.commit().await?;
    Ok(codes)
}

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("is not the current code for this secret")]
    WrongCode,
    #[error("an authenticator app is set up for this account already")]
    AlreadySetUp,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for TotpError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// How many of `account`'s codes are unused.
pub async fn unused(state: &AppState, account: &AccountId) -> anyhow::Result<usize> {
    let mut conn = state.db.conn().await?;
    Ok(recovery_codes::unused(&mut conn, account).await?.len())
}

/// The hash of an unused code of `account` that `typed` is, if it is one.
pub(super) async fn find(
    state: &AppState,
    account: &Account,
    typed: &str,
) -> anyhow::Result<Option<String>> {
    let Some(code) = recovery::normalize(typed) else {
        return Ok(None);
    };
    let candidate = recovery::hash(&account.id, &code);
    let mut conn = state.db.conn().await?;
    let stored = recovery_codes::unused(&mut conn, &account.id).await?;
    Ok(recovery::matching(&stored, &candidate).cloned())
}
