//! Clear text allowed for member contacts (columns of `member_contacts`),
//! and the allowance as recorded on the deliveries it shaped.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::DbError;
use super::list;
use crate::domain::clear_text::Allowance;

/// Records that `account`, a current contact of `member`, may receive
/// embargoed advisories in clear, replacing an earlier allowance. False
/// when it is not a current contact of that member.
pub async fn allow(
    conn: &mut AnyConnection,
    member: &str,
    account: &str,
    allowance: &Allowance,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE member_contacts SET clear_text_by = $1, clear_text_at = $2, clear_text_reason = $3 \
         WHERE member_id = $4 AND account_id = $5 AND removed_at IS NULL",
    )
    .bind(&allowance.by)
    .bind(allowance.at)
    .bind(&allowance.reason)
    .bind(member)
    .bind(account)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the allowance of `account` as a contact of `member`. False when
/// there was none (of two withdrawals at once, one finds it).
pub async fn withdraw(
    conn: &mut AnyConnection,
    member: &str,
    account: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE member_contacts SET clear_text_by = NULL, clear_text_at = NULL, clear_text_reason = '' \
         WHERE member_id = $1 AND account_id = $2 AND clear_text_at IS NOT NULL",
    )
    .bind(member)
    .bind(account)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A contact of `member` (current or removed) and its allowance, if any:
/// None when `account` never was its contact.
pub async fn of_contact(
    conn: &mut AnyConnection,
    member: &str,
    account: &str,
) -> Result<Option<(bool, Option<Allowance>)>, DbError> {
    let row = sqlx::query(
        "SELECT removed_at, clear_text_by, clear_text_at, clear_text_reason FROM member_contacts \
         WHERE member_id = $1 AND account_id = $2",
    )
    .bind(member)
    .bind(account)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let current = r.try_get::<Option<i64>, _>("removed_at")?.is_none();
    Ok(Some((current, allowance(&r)?)))
}

/// The allowances of `member`'s current contacts, by account id.
pub async fn of_member(
    conn: &mut AnyConnection,
    member: &str,
) -> Result<HashMap<String, Allowance>, DbError> {
    let rows = sqlx::query(
        "SELECT account_id, clear_text_by, clear_text_at, clear_text_reason FROM member_contacts \
         WHERE member_id = $1 AND removed_at IS NULL AND clear_text_at IS NOT NULL",
    )
    .bind(member)
    .fetch_all(conn)
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        if let Some(a) = allowance(r)? {
            out.insert(r.try_get("account_id")?, a);
        }
    }
    Ok(out)
}

/// Of `accounts`, those still allowed clear text as a current contact:
/// read when a clear delivery starts, so a withdrawal after the
/// announcement stops what has not gone out yet.
pub async fn still_allowed(
    conn: &mut AnyConnection,
    accounts: &[&str],
) -> Result<HashSet<String>, DbError> {
    let mut out = HashSet::new();
    for chunk in accounts.chunks(100) {
        // Only placeholders are formatted in; every value is bound.
        let sql = format!(
            "SELECT account_id FROM member_contacts WHERE account_id IN ({}) \
             AND removed_at IS NULL AND clear_text_at IS NOT NULL",
            list(1, chunk.len())
        );
        let mut q = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
        for a in chunk {
            q = q.bind(*a);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Keeps `allowance` on delivery `delivery`, as it stood when the
/// announcement chose clear text for it.
pub async fn record_on_delivery(
    conn: &mut AnyConnection,
    delivery: &str,
    allowance: &Allowance,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE deliveries SET clear_text_by = $1, clear_text_at = $2, clear_text_reason = $3 WHERE id = $4",
    )
    .bind(&allowance.by)
    .bind(allowance.at)
    .bind(&allowance.reason)
    .bind(delivery)
    .execute(conn)
    .await?;
    Ok(())
}

/// The allowances recorded on `announcement`'s clear deliveries, by
/// delivery id.
pub async fn of_announcement(
    conn: &mut AnyConnection,
    announcement: &str,
) -> Result<HashMap<String, Allowance>, DbError> {
    let rows = sqlx::query(
        "SELECT id, clear_text_by, clear_text_at, clear_text_reason FROM deliveries \
         WHERE announcement_id = $1 AND kind = 'clear' AND clear_text_at IS NOT NULL",
    )
    .bind(announcement)
    .fetch_all(conn)
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        if let Some(a) = allowance(r)? {
            out.insert(r.try_get("id")?, a);
        }
    }
    Ok(out)
}

/// The allowance in a row's `clear_text_*` columns, if set.
pub(super) fn allowance(r: &sqlx::any::AnyRow) -> Result<Option<Allowance>, DbError> {
    let at: Option<i64> = r.try_get("clear_text_at")?;
    let Some(at) = at else { return Ok(None) };
    Ok(Some(Allowance {
        by: r
            .try_get::<Option<String>, _>("clear_text_by")?
            .unwrap_or_default(),
        at,
        reason: r.try_get("clear_text_reason")?,
    }))
}
