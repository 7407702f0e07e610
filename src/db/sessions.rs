//! Browser sessions and API tokens; both stored only as hashes.

use sqlx::{AnyConnection, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use crate::domain::id::{AccountId, TokenId};
use crate::domain::secret::SecretHash;

pub async fn insert_session(
    conn: &mut AnyConnection,
    token: &SecretHash,
    account: &AccountId,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token.as_str())
        .bind(account.as_str())
        .bind(super::now())
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The account behind a live session cookie.
pub async fn session_account(
    conn: &mut AnyConnection,
    token: &SecretHash,
    now: i64,
) -> Result<Option<AccountId>, DbError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT s.account_id FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = 0",
    )
    .bind(token.as_str())
    .bind(now)
    .fetch_optional(conn)
    .await?;
    id.map(|s| AccountId::parse(&s).map_err(|e| DbError::Decode(Box::new(e))))
        .transpose()
}

pub async fn delete_session(conn: &mut AnyConnection, token: &SecretHash) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    account: &AccountId,
    name: &str,
    token: &SecretHash,
) -> Result<TokenId, DbError> {
    let id = TokenId::generate();
    sqlx::query(
        "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.as_str())
    .bind(account.as_str())
    .bind(name)
    .bind(token.as_str())
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// A token's use is stamped at most this often (microseconds): a read with
/// a token stays a read, instead of a write on every request.
pub const TOKEN_STAMP_EVERY: i64 = 5 * 60 * 1_000_000;

/// The account behind an unrevoked token of an enabled account. Its
/// `last_used_at` is brought up to date only when older than
/// [`TOKEN_STAMP_EVERY`], so it is accurate to five minutes.
pub async fn token_account(
    conn: &mut AnyConnection,
    token: &SecretHash,
) -> Result<Option<AccountId>, DbError> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT account_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL \
         AND account_id IN (SELECT id FROM accounts WHERE disabled = 0)",
    )
    .bind(token.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((account, last_used)) = row else {
        return Ok(None);
    };
    let now = super::now();
    if last_used.is_none_or(|at| now - at >= TOKEN_STAMP_EVERY) {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token.as_str())
            .execute(&mut *conn)
            .await?;
    }
    AccountId::parse(&account)
        .map(Some)
        .map_err(|e| DbError::Decode(Box::new(e)))
}

pub async fn tokens_of(
    conn: &mut AnyConnection,
    account: &AccountId,
) -> Result<Vec<ApiToken>, DbError> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at, id",
    )
    .bind(account.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter().map(token).collect()
}

/// The page of `account`'s API tokens `window` names, oldest first.
pub async fn token_page(
    conn: &mut AnyConnection,
    account: &AccountId,
    window: &Window,
) -> Result<Page<ApiToken>, DbError> {
    let order = window.ascending_order();
    let sql = format!(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens \
         WHERE account_id = $1 AND {} ORDER BY created_at {order}, id {order} LIMIT $6",
        Window::ascending_condition("created_at", "id", 2)
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.as_str());
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows.iter().map(token).collect::<Result<Vec<_>, _>>()?;
    Ok(window.page(rows, |t| Cursor {
        at: t.created_at,
        id: t.id.clone(),
    }))
}

fn token(r: &sqlx::any::AnyRow) -> Result<ApiToken, DbError> {
    Ok(ApiToken {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

/// Revokes one of the account's tokens; false when there was none to revoke.
pub async fn revoke_token(
    conn: &mut AnyConnection,
    account: &AccountId,
    id: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
    )
    .bind(super::now())
    .bind(id)
    .bind(account.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
