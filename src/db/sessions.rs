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

/// The account behind a live session cookie, and whether the session's
/// use is due to be recorded again ([`touch_session`]).
pub async fn session_account(
    conn: &mut AnyConnection,
    token: &SecretHash,
    now: i64,
) -> Result<Option<(AccountId, bool)>, DbError> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT s.account_id, s.last_seen_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = 0",
    )
    .bind(token.as_str())
    .bind(now)
    .fetch_optional(conn)
    .await?;
    let Some((id, seen)) = row else {
        return Ok(None);
    };
    let due = seen.is_none_or(|at| now - at >= TOKEN_STAMP_EVERY);
    let id = AccountId::parse(&id).map_err(|e| DbError::Decode(Box::new(e)))?;
    Ok(Some((id, due)))
}

/// Records that a session was used now, by `user_agent` from `ip`; done
/// only when [`session_account`] says it is due (every five minutes), so
/// a page view stays a read.
pub async fn touch_session(
    conn: &mut AnyConnection,
    token: &SecretHash,
    user_agent: &str,
    ip: &str,
) -> Result<(), DbError> {
    let now = super::now();
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $1, user_agent = $2, ip = $3 WHERE token_hash = $4",
    )
    .bind(now)
    .bind(user_agent)
    .bind(ip)
    .bind(token.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// A live session as its account's list shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionSummary {
    /// Names the session without being its secret or the stored hash.
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
    pub expires_at: i64,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// Whether it is the session of the request that asked.
    pub current: bool,
}

/// The public id of the session stored under `token`.
pub fn session_id(token: &str) -> String {
    let h = crate::domain::secret::sha256_hex(format!("embargo session id\0{token}").as_bytes());
    h[..16].to_owned()
}

/// `account`'s live sessions, newest first; `current` marks the asking one.
pub async fn live_sessions_of(
    conn: &mut AnyConnection,
    account: &AccountId,
    current: Option<&SecretHash>,
) -> Result<Vec<SessionSummary>, DbError> {
    let rows = sqlx::query(
        "SELECT token_hash, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions \
         WHERE account_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
    )
    .bind(account.as_str())
    .bind(super::now())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let token: String = r.try_get("token_hash")?;
            Ok(SessionSummary {
                id: session_id(&token),
                current: current.is_some_and(|c| c.as_str() == token),
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
                expires_at: r.try_get("expires_at")?,
                user_agent: r.try_get("user_agent")?,
                ip: r.try_get("ip")?,
            })
        })
        .collect()
}

/// Ends every session of `account` but `keep`; how many ended.
pub async fn end_sessions(
    conn: &mut AnyConnection,
    account: &AccountId,
    keep: Option<&SecretHash>,
) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
        .bind(account.as_str())
        .bind(keep.map_or("", SecretHash::as_str))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Revokes every live token of `account` but the one stored as `keep`;
/// how many were revoked.
pub async fn revoke_tokens(
    conn: &mut AnyConnection,
    account: &AccountId,
    keep: Option<&SecretHash>,
) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL AND token_hash <> $3",
    )
    .bind(super::now())
    .bind(account.as_str())
    .bind(keep.map_or("", SecretHash::as_str))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
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
