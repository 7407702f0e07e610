//! Members, their contacts, the criteria versions and the list policy.

use sqlx::{AnyConnection, Row};

use super::DbError;
pub use super::member_lists::*;
use crate::domain::id::{AccountId, MemberId};
use crate::domain::membership::{Criterion, MemberStatus};

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> DbError {
    DbError::Decode(Box::new(e))
}

/// The current criteria and their version, if any version exists.
pub async fn current_criteria(
    conn: &mut AnyConnection,
) -> Result<Option<(i64, Vec<Criterion>)>, DbError> {
    let row =
        sqlx::query("SELECT version, items FROM criteria_versions ORDER BY version DESC LIMIT 1")
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        let items: String = r.try_get("items")?;
        Ok((
            r.try_get("version")?,
            serde_json::from_str(&items).map_err(decode)?,
        ))
    })
    .transpose()
}

pub async fn insert_criteria(
    conn: &mut AnyConnection,
    items: &[Criterion],
    actor: &str,
) -> Result<i64, DbError> {
    let version = super::counters::next(conn, super::counters::CRITERIA_VERSIONS).await?;
    sqlx::query(
        "INSERT INTO criteria_versions (version, items, actor, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(version)
    .bind(serde_json::to_string(items).map_err(decode)?)
    .bind(actor)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(version)
}

/// A member organisation of the list.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: String,
    pub organization: String,
    pub website: String,
    /// The monitored security alias.
    pub security_alias: String,
    #[schema(value_type = MemberStatusName)]
    pub status: MemberStatus,
    /// The application it joined by; null for a founding member.
    #[schema(required = true)]
    pub application_id: Option<String>,
    /// Microseconds since the epoch.
    pub joined_at: i64,
    /// Microseconds since the epoch; null while active.
    #[schema(required = true)]
    pub removed_at: Option<i64>,
    pub removal_reason: String,
}

/// A member's standing on the list (the status column's values).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatusName {
    Active,
    Removed,
}

pub(super) const COLUMNS: &str = "id, organization, website, security_alias, status, application_id, joined_at, removed_at, removal_reason";

pub(super) fn member(r: &sqlx::any::AnyRow) -> Result<Member, DbError> {
    let status: String = r.try_get("status")?;
    Ok(Member {
        id: r.try_get("id")?,
        organization: r.try_get("organization")?,
        website: r.try_get("website")?,
        security_alias: r.try_get("security_alias")?,
        status: MemberStatus::parse(&status)
            .ok_or_else(|| DbError::Decode(format!("member status {status}").into()))?,
        application_id: r.try_get("application_id")?,
        joined_at: r.try_get("joined_at")?,
        removed_at: r.try_get("removed_at")?,
        removal_reason: r.try_get("removal_reason")?,
    })
}

pub struct NewMember<'a> {
    pub organization: &'a str,
    pub website: &'a str,
    pub security_alias: &'a str,
    pub application_id: Option<&'a str>,
}

pub async fn insert(conn: &mut AnyConnection, m: NewMember<'_>) -> Result<MemberId, DbError> {
    let id = MemberId::generate();
    sqlx::query(
        "INSERT INTO members (id, organization, website, security_alias, status, application_id, joined_at) \
         VALUES ($1, $2, $3, $4, 'active', $5, $6)",
    )
    .bind(id.as_str())
    .bind(m.organization)
    .bind(m.website)
    .bind(m.security_alias)
    .bind(m.application_id)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<Member>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM members WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(member)
        .transpose()
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<Member>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM members ORDER BY organization");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?;
    rows.iter().map(member).collect()
}

/// The ids of every active member, in one query: what the members an
/// announcement names are checked against.
pub async fn active_ids(
    conn: &mut AnyConnection,
) -> Result<std::collections::HashSet<String>, DbError> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM members WHERE status = 'active'")
        .fetch_all(conn)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Takes the member's row lock for the rest of the transaction, if it is
/// still active. Whoever changes a member's contacts takes it first, so two
/// such changes run one after the other on PostgreSQL too (where counting
/// the contacts alone would let two removals each see the other's victim).
/// SQLite's `BEGIN IMMEDIATE` already serialises writers; the no-op update
/// is harmless there.
pub async fn lock_active(conn: &mut AnyConnection, id: &str) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE members SET status = status WHERE id = $1 AND status = 'active'")
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_removed(
    conn: &mut AnyConnection,
    id: &str,
    reason: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE members SET status = 'removed', removed_at = $1, removal_reason = $2 WHERE id = $3 AND status = 'active'",
    )
    .bind(super::now())
    .bind(reason)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn add_contact(
    conn: &mut AnyConnection,
    member: &MemberId,
    account: &AccountId,
    name: &str,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO member_contacts (account_id, member_id, name, added_at) VALUES ($1, $2, $3, $4)")
        .bind(account.as_str())
        .bind(member.as_str())
        .bind(name)
        .bind(super::now())
        .execute(conn)
        .await?;
    Ok(())
}

/// A member's contact person.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ContactRow {
    pub account_id: String,
    pub name: String,
    pub email: String,
}

/// A member's current contacts.
pub async fn contacts(conn: &mut AnyConnection, member: &str) -> Result<Vec<ContactRow>, DbError> {
    let rows = sqlx::query(
        "SELECT c.account_id, c.name, a.email FROM member_contacts c JOIN accounts a ON a.id = c.account_id \
         WHERE c.member_id = $1 AND c.removed_at IS NULL ORDER BY c.name",
    )
    .bind(member)
    .fetch_all(conn)
    .await?;
    rows.iter().map(contact_row).collect()
}

/// The current contacts of every member, by member id, in one query.
pub async fn contacts_by_member(
    conn: &mut AnyConnection,
) -> Result<std::collections::HashMap<String, Vec<ContactRow>>, DbError> {
    let rows = sqlx::query(
        "SELECT c.member_id, c.account_id, c.name, a.email FROM member_contacts c \
         JOIN accounts a ON a.id = c.account_id WHERE c.removed_at IS NULL ORDER BY c.member_id, c.name",
    )
    .fetch_all(conn)
    .await?;
    let mut by_member: std::collections::HashMap<String, Vec<ContactRow>> = Default::default();
    for r in &rows {
        by_member
            .entry(r.try_get("member_id")?)
            .or_default()
            .push(contact_row(r)?);
    }
    Ok(by_member)
}

pub(super) fn contact_row(r: &sqlx::any::AnyRow) -> Result<ContactRow, DbError> {
    Ok(ContactRow {
        account_id: r.try_get("account_id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
    })
}

/// The member an account is a current contact of, if any.
pub async fn member_of(
    conn: &mut AnyConnection,
    account: &AccountId,
) -> Result<Option<Member>, DbError> {
    let sql = format!(
        "SELECT {} FROM members m JOIN member_contacts c ON c.member_id = m.id \
         WHERE c.account_id = $1 AND c.removed_at IS NULL",
        COLUMNS
            .split(", ")
            .map(|c| format!("m.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account.as_str())
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(member)
        .transpose()
}

/// Ends every way a member's contacts get in: accounts disabled, sessions
/// deleted, tokens revoked.
pub async fn cut_off(conn: &mut AnyConnection, member: &str) -> Result<u64, DbError> {
    let now = super::now();
    let sub = "SELECT account_id FROM member_contacts WHERE member_id = $1";
    let disabled = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE accounts SET disabled = 1 WHERE id IN ({sub})"
    )))
    .bind(member)
    .execute(&mut *conn)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM sessions WHERE account_id IN ({sub})"
    )))
    .bind(member)
    .execute(&mut *conn)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE api_tokens SET revoked_at = $2 WHERE revoked_at IS NULL AND account_id IN ({sub})"
    )))
    .bind(member)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(disabled.rows_affected())
}

/// The current policy: (version, text, published_at).
pub async fn current_policy(
    conn: &mut AnyConnection,
) -> Result<Option<(i64, String, i64)>, DbError> {
    let row = sqlx::query(
        "SELECT version, text, published_at FROM policy_versions ORDER BY version DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("version")?,
            r.try_get("text")?,
            r.try_get("published_at")?,
        ))
    })
    .transpose()
}

pub async fn insert_policy(
    conn: &mut AnyConnection,
    text: &str,
    actor: &str,
) -> Result<i64, DbError> {
    let version = super::counters::next(conn, super::counters::POLICY_VERSIONS).await?;
    sqlx::query(
        "INSERT INTO policy_versions (version, text, actor, published_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(version)
    .bind(text)
    .bind(actor)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(version)
}

/// Records an acceptance; false when it was already recorded.
pub async fn accept_policy(
    conn: &mut AnyConnection,
    account: &AccountId,
    version: i64,
    how: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO policy_acceptances (account_id, version, accepted_at, how) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, version) DO NOTHING",
    )
    .bind(account.as_str())
    .bind(version)
    .bind(super::now())
    .bind(how)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the account accepted `version`.
pub async fn has_accepted(
    conn: &mut AnyConnection,
    account: &AccountId,
    version: i64,
) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM policy_acceptances WHERE account_id = $1 AND version = $2",
    )
    .bind(account.as_str())
    .bind(version)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Contacts of active members who have not accepted `version`.
pub async fn contacts_without_acceptance(
    conn: &mut AnyConnection,
    version: i64,
) -> Result<Vec<String>, DbError> {
    sqlx::query_scalar(
        "SELECT a.email FROM member_contacts c JOIN accounts a ON a.id = c.account_id JOIN members m ON m.id = c.member_id \
         WHERE c.removed_at IS NULL AND m.status = 'active' AND a.disabled = 0 AND a.email <> '' \
         AND NOT EXISTS (SELECT 1 FROM policy_acceptances p WHERE p.account_id = a.id AND p.version = $1) ORDER BY a.email",
    )
    .bind(version)
    .fetch_all(conn)
    .await
}

/// Ends one contact's place on a member: removed from the list of contacts,
/// account disabled, sessions and tokens ended. False when not a contact or
/// when it is the member's last one (a member keeps at least one contact);
/// call [`lock_active`] first so the count is not a stale snapshot.
pub async fn remove_contact(
    conn: &mut AnyConnection,
    member: &str,
    account: &str,
) -> Result<bool, DbError> {
    let now = super::now();
    let done = sqlx::query(
        "UPDATE member_contacts SET removed_at = $1 WHERE member_id = $2 AND account_id = $3 AND removed_at IS NULL \
         AND (SELECT COUNT(*) FROM member_contacts c WHERE c.member_id = $2 AND c.removed_at IS NULL) > 1",
    )
    .bind(now)
    .bind(member)
    .bind(account)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE accounts SET disabled = 1 WHERE id = $1")
        .bind(account)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(account)
    .execute(conn)
    .await?;
    Ok(true)
}
