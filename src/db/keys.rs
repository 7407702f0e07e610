//! Contacts' OpenPGP certificates.

use sqlx::{AnyConnection, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use crate::domain::id::{AccountId, KeyId};

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct KeyRow {
    pub id: String,
    pub fingerprint: String,
    pub encryption_subkey: String,
    pub algorithm: String,
    pub expires_at: Option<i64>,
    pub uploaded_at: i64,
    pub replaced_at: Option<i64>,
}

fn key(r: &sqlx::any::AnyRow) -> Result<KeyRow, DbError> {
    Ok(KeyRow {
        id: r.try_get("id")?,
        fingerprint: r.try_get("fingerprint")?,
        encryption_subkey: r.try_get("encryption_subkey")?,
        algorithm: r.try_get("algorithm")?,
        expires_at: r.try_get("expires_at")?,
        uploaded_at: r.try_get("uploaded_at")?,
        replaced_at: r.try_get("replaced_at")?,
    })
}

pub struct NewKey<'a> {
    pub fingerprint: &'a str,
    pub encryption_subkey: &'a str,
    pub algorithm: &'a str,
    pub armored: &'a str,
    /// The packet of the key to encrypt to ([`crate::mail::keys::packet_of`]).
    pub encryption_key: &'a [u8],
    pub expires_at: Option<i64>,
}

/// Stores a certificate as the account's current one; the previous one is
/// kept, marked replaced.
///
/// The unique index `contact_keys_one_current` allows one current key per
/// account. Two uploads racing on PostgreSQL would each retire nothing (the
/// other's key is not committed yet) and one would then fail on the index;
/// locking the account row first makes the second wait and retire the
/// first's key, so both succeed and the later one is current.
pub async fn replace(
    conn: &mut AnyConnection,
    account: &AccountId,
    k: &NewKey<'_>,
) -> Result<KeyId, DbError> {
    let now = super::now();
    sqlx::query("UPDATE accounts SET disabled = disabled WHERE id = $1")
        .bind(account.as_str())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE contact_keys SET replaced_at = $1 WHERE account_id = $2 AND replaced_at IS NULL",
    )
    .bind(now)
    .bind(account.as_str())
    .execute(&mut *conn)
    .await?;
    let id = KeyId::generate();
    sqlx::query(
        "INSERT INTO contact_keys (id, account_id, fingerprint, encryption_subkey, algorithm, armored, encryption_key, expires_at, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.as_str())
    .bind(account.as_str())
    .bind(k.fingerprint)
    .bind(k.encryption_subkey)
    .bind(k.algorithm)
    .bind(k.armored)
    .bind(k.encryption_key)
    .bind(k.expires_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn list(conn: &mut AnyConnection, account: &AccountId) -> Result<Vec<KeyRow>, DbError> {
    let rows = sqlx::query(
        "SELECT id, fingerprint, encryption_subkey, algorithm, expires_at, uploaded_at, replaced_at FROM contact_keys \
         WHERE account_id = $1 ORDER BY uploaded_at DESC, id DESC",
    )
    .bind(account.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter().map(key).collect()
}

/// The page of `account`'s keys `window` names, newest uploaded first.
pub async fn page(
    conn: &mut AnyConnection,
    account: &AccountId,
    window: &Window,
) -> Result<Page<KeyRow>, DbError> {
    let order = window.order();
    let sql = format!(
        "SELECT id, fingerprint, encryption_subkey, algorithm, expires_at, uploaded_at, replaced_at \
         FROM contact_keys WHERE account_id = $1 AND {} \
         ORDER BY uploaded_at {order}, id {order} LIMIT $6",
        Window::condition("uploaded_at", "id", 2)
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.as_str());
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows.iter().map(key).collect::<Result<Vec<_>, _>>()?;
    Ok(window.page(rows, |k| Cursor {
        at: k.uploaded_at,
        id: k.id.clone(),
    }))
}

/// The key if it is still an account's current one, with the account's address.
pub async fn current_by_id(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(KeyRow, String)>, DbError> {
    let row = sqlx::query(
        "SELECT k.id, k.fingerprint, k.encryption_subkey, k.algorithm, k.expires_at, k.uploaded_at, k.replaced_at, a.email \
         FROM contact_keys k JOIN accounts a ON a.id = k.account_id \
         WHERE k.id = $1 AND k.replaced_at IS NULL AND a.disabled = 0",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((key(&r)?, r.try_get("email")?))).transpose()
}

/// What retiring a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retired {
    /// It was current and is retired now.
    Now,
    /// It was retired (or replaced) before; nothing changed.
    Before,
    /// The account has no key of that id.
    Missing,
}

/// Retires the account's key `id`.
pub async fn retire(
    conn: &mut AnyConnection,
    account: &AccountId,
    id: &str,
) -> Result<Retired, DbError> {
    let done = sqlx::query(
        "UPDATE contact_keys SET replaced_at = $1 WHERE id = $2 AND account_id = $3 AND replaced_at IS NULL",
    )
    .bind(super::now())
    .bind(id)
    .bind(account.as_str())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(Retired::Now);
    }
    let known: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM contact_keys WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account.as_str())
            .fetch_optional(conn)
            .await?;
    Ok(if known.is_some() {
        Retired::Before
    } else {
        Retired::Missing
    })
}

/// An account's current key (armored) if it has not expired at `now`.
pub async fn current_armored(
    conn: &mut AnyConnection,
    account: &str,
    now: i64,
) -> Result<Option<String>, DbError> {
    sqlx::query_scalar(
        "SELECT armored FROM contact_keys WHERE account_id = $1 AND replaced_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(account)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// A current key as a message is encrypted to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsableKey {
    /// The packet of the key to encrypt to, stored with the certificate,
    /// and the fingerprint that key was stored under.
    Packet {
        packet: Vec<u8>,
        encryption_subkey: String,
    },
    /// A certificate stored before those packets were: the whole of it,
    /// with the fingerprint of the key chosen when it was uploaded.
    Certificate {
        armored: String,
        encryption_subkey: String,
    },
}

/// The current keys of many accounts at once, by account id, as messages
/// are encrypted to them; an account without a usable key is missing.
pub async fn usable_many(
    conn: &mut AnyConnection,
    accounts: &[&str],
    now: i64,
) -> Result<std::collections::HashMap<String, UsableKey>, DbError> {
    let mut found = std::collections::HashMap::new();
    let p = super::Params::of(conn);
    // Ids per statement: with `$N`, SQLite's cost grows with their square.
    for chunk in accounts.chunks(100) {
        let chunk = super::padded(chunk, 100);
        // The certificate only where no packet was stored.
        let sql = format!(
            "SELECT account_id, encryption_key, encryption_subkey, \
             CASE WHEN encryption_key IS NULL THEN armored END AS armored \
             FROM contact_keys WHERE account_id IN ({}) \
             AND replaced_at IS NULL AND (expires_at IS NULL OR expires_at > {})",
            p.list(1, chunk.len()),
            p.at(chunk.len() + 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id);
        }
        q = q.bind(now);
        for r in q.fetch_all(&mut *conn).await? {
            let key = match r.try_get::<Option<Vec<u8>>, _>("encryption_key")? {
                Some(packet) => UsableKey::Packet {
                    packet,
                    encryption_subkey: r.try_get("encryption_subkey")?,
                },
                None => UsableKey::Certificate {
                    armored: r
                        .try_get::<Option<String>, _>("armored")?
                        .unwrap_or_default(),
                    encryption_subkey: r.try_get("encryption_subkey")?,
                },
            };
            found.insert(r.try_get("account_id")?, key);
        }
    }
    Ok(found)
}
