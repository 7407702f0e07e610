//! TOTP recovery codes, stored as hashes (`domain::recovery`).

use sqlx::AnyConnection;

use super::DbError;
use crate::domain::id::AccountId;

/// Replaces all of `account`'s codes with `hashes`.
pub async fn replace(
    conn: &mut AnyConnection,
    account: &AccountId,
    hashes: &[String],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account.as_str())
        .execute(&mut *conn)
        .await?;
    let now = super::now();
    for h in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(account.as_str())
        .bind(h)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The hashes of `account`'s unused codes.
pub async fn unused(conn: &mut AnyConnection, account: &AccountId) -> Result<Vec<String>, DbError> {
    sqlx::query_scalar(
        "SELECT code_hash FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account.as_str())
    .fetch_all(conn)
    .await
}

/// Marks a code used; false when it was used already (a concurrent login).
pub async fn mark_used(
    conn: &mut AnyConnection,
    account: &AccountId,
    hash: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(super::now())
    .bind(account.as_str())
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
