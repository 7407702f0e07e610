//! Passkeys (WebAuthn credentials) and the ceremonies waiting for a
//! browser's answer.

use sqlx::{AnyConnection, Row};

use super::DbError;
use crate::domain::id::{AccountId, PasskeyId};
use crate::domain::passkey::{CeremonyKind, PasskeyName};
use crate::domain::secret::SecretHash;

/// One stored passkey.
#[derive(Debug, Clone)]
pub struct StoredPasskey {
    pub id: PasskeyId,
    pub account_id: AccountId,
    pub name: String,
    /// The credential id, base64url without padding.
    pub credential_id: String,
    /// The account's WebAuthn user handle (a UUID).
    pub user_handle: String,
    /// webauthn-rs's `Passkey` as JSON.
    pub passkey: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What the account page lists of a passkey.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PasskeySummary {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl StoredPasskey {
    pub fn summary(&self) -> PasskeySummary {
        PasskeySummary {
            id: self.id.to_string(),
            name: self.name.clone(),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        }
    }
}

const COLUMNS: &str =
    "id, account_id, name, credential_id, user_handle, passkey, created_at, last_used_at";

fn decode<T, E: std::error::Error + Send + Sync + 'static>(r: Result<T, E>) -> Result<T, DbError> {
    r.map_err(|e| DbError::Decode(Box::new(e)))
}

fn passkey(r: &sqlx::any::AnyRow) -> Result<StoredPasskey, DbError> {
    let id: String = r.try_get("id")?;
    let account: String = r.try_get("account_id")?;
    Ok(StoredPasskey {
        id: decode(PasskeyId::parse(&id))?,
        account_id: decode(AccountId::parse(&account))?,
        name: r.try_get("name")?,
        credential_id: r.try_get("credential_id")?,
        user_handle: r.try_get("user_handle")?,
        passkey: r.try_get("passkey")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
    })
}

/// A passkey to store.
pub struct NewPasskey<'a> {
    pub account: &'a AccountId,
    pub name: &'a PasskeyName,
    pub credential_id: &'a str,
    pub user_handle: &'a str,
    pub passkey: &'a str,
}

/// Stores a passkey; `None` when its credential id is stored already (for
/// this account or another).
pub async fn insert(
    conn: &mut AnyConnection,
    new: &NewPasskey<'_>,
) -> Result<Option<PasskeyId>, DbError> {
    let id = PasskeyId::generate();
    let done = sqlx::query(
        "INSERT INTO passkeys (id, account_id, name, credential_id, user_handle, passkey, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(id.as_str())
    .bind(new.account.as_str())
    .bind(new.name.as_str())
    .bind(new.credential_id)
    .bind(new.user_handle)
    .bind(new.passkey)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

/// An account's passkeys, oldest first.
pub async fn of_account(
    conn: &mut AnyConnection,
    account: &AccountId,
) -> Result<Vec<StoredPasskey>, DbError> {
    let sql =
        format!("SELECT {COLUMNS} FROM passkeys WHERE account_id = $1 ORDER BY created_at, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account.as_str())
        .fetch_all(conn)
        .await?;
    rows.iter().map(passkey).collect()
}

/// The passkey with this credential id, whoever's it is.
pub async fn by_credential(
    conn: &mut AnyConnection,
    credential_id: &str,
) -> Result<Option<StoredPasskey>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(credential_id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(passkey)
        .transpose()
}

/// Whether the account has at least one passkey.
pub async fn has_any(conn: &mut AnyConnection, account: &AccountId) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passkeys WHERE account_id = $1")
        .bind(account.as_str())
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// Removes one of the account's passkeys; its name when there was one.
pub async fn delete(
    conn: &mut AnyConnection,
    account: &AccountId,
    id: &str,
) -> Result<Option<String>, DbError> {
    let name: Option<String> =
        sqlx::query_scalar("DELETE FROM passkeys WHERE id = $1 AND account_id = $2 RETURNING name")
            .bind(id)
            .bind(account.as_str())
            .fetch_optional(conn)
            .await?;
    Ok(name)
}

/// Records a sign-in with a passkey: when, and its updated state (the
/// signature counter).
pub async fn record_use(
    conn: &mut AnyConnection,
    id: &PasskeyId,
    passkey: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3")
        .bind(passkey)
        .bind(super::now())
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// A ceremony's state, as taken.
#[derive(Debug, Clone)]
pub struct Ceremony {
    pub account_id: Option<AccountId>,
    /// webauthn-rs's ceremony state as JSON.
    pub state: String,
    /// Where a sign-in goes afterwards (a path checked when it was asked).
    pub next_path: String,
}

/// A ceremony to store.
pub struct NewCeremony<'a> {
    pub token: &'a SecretHash,
    pub kind: CeremonyKind,
    pub account: Option<&'a AccountId>,
    pub state: &'a str,
    pub next_path: &'a str,
    pub expires_at: i64,
}

/// Stores a ceremony, and forgets the ones no longer answerable.
pub async fn insert_ceremony(
    conn: &mut AnyConnection,
    new: &NewCeremony<'_>,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at <= $1")
        .bind(super::now())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO webauthn_ceremonies (token_hash, kind, account_id, state, next_path, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new.token.as_str())
    .bind(new.kind.as_str())
    .bind(new.account.map(AccountId::as_str))
    .bind(new.state)
    .bind(new.next_path)
    .bind(new.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes a live ceremony of `kind` (it is gone afterwards, answered or
/// not); `None` when there is none: unknown, of another kind, expired or
/// taken already.
pub async fn take_ceremony(
    conn: &mut AnyConnection,
    token: &SecretHash,
    kind: CeremonyKind,
) -> Result<Option<Ceremony>, DbError> {
    let row = sqlx::query(
        "DELETE FROM webauthn_ceremonies WHERE token_hash = $1 AND kind = $2 AND expires_at > $3 \
         RETURNING account_id, state, next_path",
    )
    .bind(token.as_str())
    .bind(kind.as_str())
    .bind(super::now())
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let account: Option<String> = r.try_get("account_id")?;
    Ok(Some(Ceremony {
        account_id: account.map(|a| decode(AccountId::parse(&a))).transpose()?,
        state: r.try_get("state")?,
        next_path: r.try_get("next_path")?,
    }))
}
