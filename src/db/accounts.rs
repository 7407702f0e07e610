//! Accounts, their one-time set-up links, and login failure counting.

use sqlx::{AnyConnection, Row};

use super::DbError;
use crate::domain::account::Role;
use crate::domain::email::EmailAddress;
use crate::domain::id::AccountId;
use crate::domain::secret::SecretHash;

#[derive(Debug, Clone)]
pub struct Account {
    pub id: AccountId,
    pub email: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub disabled: bool,
    /// The language mail to them is written in; `None`: the organisation's.
    pub language: Option<String>,
    /// The IANA zone pages show instants in; `None`: the organisation's.
    pub time_zone: Option<String>,
}

impl Account {
    /// The admin `serve` creates on a fresh install; its address is chosen
    /// on the set-up page.
    pub fn is_bootstrap(&self) -> bool {
        self.role == Role::Admin && self.email.is_empty()
    }
}

const COLUMNS: &str = "id, email, role, password_hash, totp_secret, totp_last_step, failed_logins, locked_until, disabled, language, time_zone";

fn account(r: &sqlx::any::AnyRow) -> Result<Account, DbError> {
    let id: String = r.try_get("id")?;
    let role: String = r.try_get("role")?;
    Ok(Account {
        id: AccountId::parse(&id).map_err(|e| DbError::Decode(Box::new(e)))?,
        email: r.try_get("email")?,
        role: Role::parse(&role)
            .ok_or_else(|| DbError::Decode(format!("unknown role {role}").into()))?,
        password_hash: r.try_get("password_hash")?,
        totp_secret: r.try_get("totp_secret")?,
        totp_last_step: r.try_get("totp_last_step")?,
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get("locked_until")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        language: r.try_get("language")?,
        time_zone: r.try_get("time_zone")?,
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    email: &EmailAddress,
    role: Role,
) -> Result<AccountId, DbError> {
    let id = AccountId::generate();
    sqlx::query("INSERT INTO accounts (id, email, role, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id.as_str())
        .bind(email.as_str())
        .bind(role.as_str())
        .bind(super::now())
        .execute(conn)
        .await?;
    Ok(id)
}

/// The bootstrap admin: its address is set on the set-up page.
pub async fn insert_unnamed_admin(conn: &mut AnyConnection) -> Result<AccountId, DbError> {
    let id = AccountId::generate();
    sqlx::query("INSERT INTO accounts (id, email, role, created_at) VALUES ($1, '', 'admin', $2)")
        .bind(id.as_str())
        .bind(super::now())
        .execute(conn)
        .await?;
    Ok(id)
}

pub async fn set_email(
    conn: &mut AnyConnection,
    id: &AccountId,
    email: &EmailAddress,
) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET email = $1 WHERE id = $2")
        .bind(email.as_str())
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<Account>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE email = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(email)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(account)
        .transpose()
}

pub async fn by_id(conn: &mut AnyConnection, id: &AccountId) -> Result<Option<Account>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.as_str())
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(account)
        .transpose()
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<Account>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM accounts ORDER BY email");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?;
    rows.iter().map(account).collect()
}

pub async fn admins(conn: &mut AnyConnection) -> Result<Vec<Account>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM accounts WHERE role = 'admin' AND disabled = 0 AND email <> '' ORDER BY email"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?;
    rows.iter().map(account).collect()
}

/// The addresses of the [`admins`]: where a mail to the admins goes.
pub async fn admin_addresses(conn: &mut AnyConnection) -> Result<Vec<String>, DbError> {
    Ok(admins(conn).await?.into_iter().map(|a| a.email).collect())
}

/// Active admins: set up and not disabled. While there is one, nobody may
/// use a bootstrap link.
pub async fn count_admins(conn: &mut AnyConnection) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND password_hash IS NOT NULL AND disabled = 0",
    )
    .fetch_one(conn)
    .await
}

pub async fn set_password(
    conn: &mut AnyConnection,
    id: &AccountId,
    password_hash: &str,
    totp_secret: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE accounts SET password_hash = $1, totp_secret = $2, failed_logins = 0, locked_until = NULL WHERE id = $3",
    )
    .bind(password_hash)
    .bind(totp_secret)
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets TOTP on an account that has none, with `step` as its last used
/// step (the code given to set it up); false when it has TOTP already.
pub async fn add_totp(
    conn: &mut AnyConnection,
    id: &AccountId,
    secret: &str,
    step: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE accounts SET totp_secret = $1, totp_last_step = $2 WHERE id = $3 AND totp_secret IS NULL",
    )
    .bind(secret)
    .bind(step)
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts a failed login; locks the account until `lock_until` once
/// `max_failures` is reached. Returns the new count.
pub async fn record_failed_login(
    conn: &mut AnyConnection,
    id: &AccountId,
    max_failures: i64,
    lock_until: i64,
) -> Result<i64, DbError> {
    // No row for an id no account has: nothing counted.
    let n: i64 = sqlx::query_scalar(
        "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
    )
    .bind(id.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or(0);
    if n >= max_failures {
        sqlx::query("UPDATE accounts SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(lock_until)
            .bind(id.as_str())
            .execute(conn)
            .await?;
    }
    Ok(n)
}

/// Records a TOTP step as used; false when it (or a later one) already was.
pub async fn use_totp_step(
    conn: &mut AnyConnection,
    id: &AccountId,
    step: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_successful_login(
    conn: &mut AnyConnection,
    id: &AccountId,
) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores a set-up link; any earlier unused link for the account stops working.
pub async fn insert_setup_link(
    conn: &mut AnyConnection,
    account: &AccountId,
    token: &SecretHash,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE setup_links SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL")
        .bind(super::now())
        .bind(account.as_str())
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO setup_links (token_hash, account_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token.as_str())
        .bind(account.as_str())
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The account a set-up link belongs to, if the link is unused and unexpired.
pub async fn setup_link_account(
    conn: &mut AnyConnection,
    token: &SecretHash,
    now: i64,
) -> Result<Option<AccountId>, DbError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT account_id FROM setup_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token.as_str())
    .bind(now)
    .fetch_optional(conn)
    .await?;
    id.map(|s| AccountId::parse(&s).map_err(|e| DbError::Decode(Box::new(e))))
        .transpose()
}

/// Marks a link used; false when it was already used (a concurrent submit).
pub async fn use_setup_link(conn: &mut AnyConnection, token: &SecretHash) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE setup_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(super::now())
    .bind(token.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Voids every unused set-up link of the bootstrap admin (the admin account
/// without an address), once a real admin exists.
pub async fn void_bootstrap_links(conn: &mut AnyConnection) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE setup_links SET used_at = $1 WHERE used_at IS NULL AND account_id IN \
         (SELECT id FROM accounts WHERE role = 'admin' AND email = '')",
    )
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Who an audit actor is, as pages and the API name them: the account's
/// address for `account:acc_...`, else the actor as recorded (`cli`,
/// `system`, an account since deleted).
pub async fn actor_name(conn: &mut AnyConnection, actor: &str) -> Result<String, DbError> {
    let id = actor.strip_prefix("account:").map(AccountId::parse);
    let account = match id {
        Some(Ok(id)) => by_id(conn, &id).await?,
        _ => None,
    };
    Ok(account.map_or_else(|| actor.to_owned(), |a| a.email))
}

/// What pages call the accounts among audit `actors` (`account:acc_...`),
/// in one query: a member contact's name and address, else the address.
/// Actors that are not accounts, or accounts since deleted, are left out.
pub async fn actor_names(
    conn: &mut AnyConnection,
    actors: &[&str],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    let mut ids: Vec<&str> = actors
        .iter()
        .filter_map(|a| a.strip_prefix("account:"))
        .filter(|id| AccountId::parse(id).is_ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(names);
    }
    let marks: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT a.id, a.email, c.name FROM accounts a \
         LEFT JOIN member_contacts c ON c.account_id = a.id WHERE a.id IN ({})",
        marks.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in &ids {
        query = query.bind(*id);
    }
    for r in query.fetch_all(conn).await? {
        let id: String = r.try_get("id")?;
        let email: String = r.try_get("email")?;
        let name: Option<String> = r.try_get("name")?;
        let shown = match (name, email.is_empty()) {
            (Some(n), false) => format!("{n} <{email}>"),
            (Some(n), true) => n,
            (None, false) => email,
            (None, true) => "the first admin (no address yet)".to_owned(),
        };
        names.insert(format!("account:{id}"), shown);
    }
    Ok(names)
}

/// Sets the language mail to `id` is written in (`None`: the organisation's).
pub async fn set_language(
    conn: &mut AnyConnection,
    id: &AccountId,
    language: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET language = $1 WHERE id = $2")
        .bind(language)
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the zone `id` reads instants in on pages (`None`: the organisation's).
pub async fn set_time_zone(
    conn: &mut AnyConnection,
    id: &AccountId,
    time_zone: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET time_zone = $1 WHERE id = $2")
        .bind(time_zone)
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// The mail language of each address of `emails` that is an account
/// (`None`: the account chose none); addresses of no account are absent.
pub async fn languages(
    conn: &mut AnyConnection,
    emails: &[&str],
) -> Result<std::collections::HashMap<String, Option<String>>, DbError> {
    let mut out = std::collections::HashMap::new();
    for chunk in emails.chunks(super::rows_per_statement(1)) {
        // Only placeholders are formatted in; every value is bound.
        let sql = format!(
            "SELECT email, language FROM accounts WHERE email IN ({})",
            super::list(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            q = q.bind(*e);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get("email")?, r.try_get("language")?);
        }
    }
    Ok(out)
}
