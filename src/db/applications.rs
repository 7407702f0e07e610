//! Applications to join the list, and the vouches for them.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use crate::domain::id::{AccountId, ApplicationId};
use crate::domain::membership::{ApplicationStatus, ContactInput};
use crate::domain::secret::SecretHash;

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> DbError {
    DbError::Decode(Box::new(e))
}

/// An application to join the list; instants in microseconds since the
/// epoch.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Application {
    pub id: String,
    pub organization: String,
    pub website: String,
    pub security_alias: String,
    /// The version of the criteria answered.
    pub criteria_version: i64,
    /// One answer per criterion key.
    pub answers: BTreeMap<String, String>,
    #[schema(value_type = Vec<ApplicationContact>)]
    pub contacts: Vec<ContactInput>,
    /// The member named to vouch.
    pub voucher_member_id: String,
    #[schema(value_type = ApplicationStatusName)]
    pub status: ApplicationStatus,
    #[schema(required = true)]
    pub confirmed_at: Option<i64>,
    pub expires_at: i64,
    #[schema(required = true)]
    pub decided_at: Option<i64>,
    /// Who decided, as the audit log names them.
    #[schema(required = true)]
    pub decided_by: Option<String>,
    /// Empty until decided.
    pub decision_reason: String,
    /// The member it made; null unless approved.
    #[schema(required = true)]
    pub member_id: Option<String>,
    pub created_at: i64,
}

/// A contact person as the application names them.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApplicationContact {
    pub name: String,
    pub email: String,
    /// ASCII-armoured; null: none given.
    #[schema(required = true)]
    pub openpgp_key: Option<String>,
}

/// Where an application stands.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatusName {
    /// Waiting for the security alias to confirm it is monitored.
    AwaitingConfirmation,
    /// Confirmed; waiting for the vouch and the team's decision.
    InReview,
    Approved,
    Rejected,
    /// Not confirmed in time.
    Expired,
}

const COLUMNS: &str = "id, organization, website, security_alias, criteria_version, answers, contacts, \
    voucher_member_id, status, confirmed_at, expires_at, decided_at, decided_by, decision_reason, member_id, created_at";

fn application(r: &sqlx::any::AnyRow) -> Result<Application, DbError> {
    let answers: String = r.try_get("answers")?;
    let contacts: String = r.try_get("contacts")?;
    let status: String = r.try_get("status")?;
    Ok(Application {
        id: r.try_get("id")?,
        organization: r.try_get("organization")?,
        website: r.try_get("website")?,
        security_alias: r.try_get("security_alias")?,
        criteria_version: r.try_get("criteria_version")?,
        answers: serde_json::from_str(&answers).map_err(decode)?,
        contacts: serde_json::from_str(&contacts).map_err(decode)?,
        voucher_member_id: r.try_get("voucher_member_id")?,
        status: ApplicationStatus::parse(&status).map_err(decode)?,
        confirmed_at: r.try_get("confirmed_at")?,
        expires_at: r.try_get("expires_at")?,
        decided_at: r.try_get("decided_at")?,
        decided_by: r.try_get("decided_by")?,
        decision_reason: r.try_get("decision_reason")?,
        member_id: r.try_get("member_id")?,
        created_at: r.try_get("created_at")?,
    })
}

pub struct NewApplication<'a> {
    pub organization: &'a str,
    pub website: &'a str,
    pub security_alias: &'a str,
    pub criteria_version: i64,
    pub answers: &'a BTreeMap<String, String>,
    pub contacts: &'a [ContactInput],
    pub voucher_member_id: &'a str,
    pub status_hash: &'a SecretHash,
    pub confirm_hash: &'a SecretHash,
    pub expires_at: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    a: NewApplication<'_>,
) -> Result<ApplicationId, DbError> {
    let id = ApplicationId::generate();
    sqlx::query(
        "INSERT INTO applications (id, organization, website, security_alias, criteria_version, answers, contacts, \
         voucher_member_id, status, status_hash, confirm_hash, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'awaiting_confirmation', $9, $10, $11, $12)",
    )
    .bind(id.as_str())
    .bind(a.organization)
    .bind(a.website)
    .bind(a.security_alias)
    .bind(a.criteria_version)
    .bind(serde_json::to_string(a.answers).map_err(decode)?)
    .bind(serde_json::to_string(a.contacts).map_err(decode)?)
    .bind(a.voucher_member_id)
    .bind(a.status_hash.as_str())
    .bind(a.confirm_hash.as_str())
    .bind(a.expires_at)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(id)
}

async fn one(
    conn: &mut AnyConnection,
    column: &str,
    value: &str,
) -> Result<Option<Application>, DbError> {
    // `column` is one of this module's constants, never input.
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE {column} = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(value)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(application)
        .transpose()
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<Application>, DbError> {
    one(conn, "id", id).await
}

pub async fn by_status_link(
    conn: &mut AnyConnection,
    token: &SecretHash,
) -> Result<Option<Application>, DbError> {
    one(conn, "status_hash", token.as_str()).await
}

pub async fn by_confirm_link(
    conn: &mut AnyConnection,
    token: &SecretHash,
) -> Result<Option<Application>, DbError> {
    one(conn, "confirm_hash", token.as_str()).await
}

pub async fn list(
    conn: &mut AnyConnection,
    status: Option<ApplicationStatus>,
) -> Result<Vec<Application>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM applications WHERE ($1 IS NULL OR status = $1) ORDER BY created_at DESC LIMIT 500"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status.map(|s| s.as_str()))
        .fetch_all(conn)
        .await?;
    rows.iter().map(application).collect()
}

/// An application as the queue lists it, with the name of the member it
/// named to vouch.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    #[serde(flatten)]
    pub application: Application,
    pub voucher: Option<String>,
}

/// The page of applications `window` names, newest first, optionally in
/// one status and matching `search` (organisation, website, security
/// alias), in one query with the vouching members' names.
pub async fn page(
    conn: &mut AnyConnection,
    status: Option<ApplicationStatus>,
    search: Option<&str>,
    window: &Window,
) -> Result<Page<Listed>, DbError> {
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("a.{c}")).collect();
    let order = window.order();
    let sql = format!(
        "SELECT {}, m.organization AS voucher FROM applications a \
         LEFT JOIN members m ON m.id = a.voucher_member_id \
         WHERE ($1 IS NULL OR a.status = $1) AND {} AND {} \
         ORDER BY a.created_at {order}, a.id {order} LIMIT $7",
        columns.join(", "),
        super::search::any_of(2, &["a.organization", "a.website", "a.security_alias"]),
        Window::condition("a.created_at", "a.id", 3),
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status.map(|s| s.as_str()))
        .bind(search.and_then(super::search::pattern));
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows
        .iter()
        .map(|r| {
            Ok(Listed {
                application: application(r)?,
                voucher: r.try_get("voucher")?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(window.page(rows, |r| Cursor {
        at: r.application.created_at,
        id: r.application.id.clone(),
    }))
}

/// Moves `from` -> `to` if the application is still in `from`.
pub async fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    from: ApplicationStatus,
    to: ApplicationStatus,
) -> Result<bool, DbError> {
    let confirmed = (to == ApplicationStatus::InReview).then(super::now);
    let done = sqlx::query(
        "UPDATE applications SET status = $1, confirmed_at = COALESCE($2, confirmed_at) WHERE id = $3 AND status = $4",
    )
    .bind(to.as_str())
    .bind(confirmed)
    .bind(id)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_decision(
    conn: &mut AnyConnection,
    id: &str,
    to: ApplicationStatus,
    by: &str,
    reason: &str,
    member: Option<&str>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE applications SET status = $1, decided_at = $2, decided_by = $3, decision_reason = $4, member_id = $5 \
         WHERE id = $6 AND status = 'in_review'",
    )
    .bind(to.as_str())
    .bind(super::now())
    .bind(by)
    .bind(reason)
    .bind(member)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A member contact's vouch for an application, or refusal.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Vouch {
    pub account_id: String,
    pub email: String,
    pub member_id: String,
    pub vouched: bool,
    pub statement: String,
    pub at: i64,
}

/// Records (or replaces) a contact's vouch or refusal.
pub async fn upsert_vouch(
    conn: &mut AnyConnection,
    application: &str,
    account: &AccountId,
    member: &str,
    vouched: bool,
    statement: &str,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM vouches WHERE application_id = $1 AND account_id = $2")
        .bind(application)
        .bind(account.as_str())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO vouches (application_id, account_id, member_id, vouched, statement, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(application)
    .bind(account.as_str())
    .bind(member)
    .bind(i64::from(vouched))
    .bind(statement)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn vouches(conn: &mut AnyConnection, application: &str) -> Result<Vec<Vouch>, DbError> {
    let rows = sqlx::query(
        "SELECT v.account_id, a.email, v.member_id, v.vouched, v.statement, v.at FROM vouches v \
         JOIN accounts a ON a.id = v.account_id WHERE v.application_id = $1 ORDER BY v.at",
    )
    .bind(application)
    .fetch_all(conn)
    .await?;
    rows.iter().map(vouch).collect()
}

/// The vouches of the applications `ids`, by application id, each in the
/// order given, in one query.
pub async fn vouches_of(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, Vec<Vouch>>, DbError> {
    let mut by_app: std::collections::HashMap<String, Vec<Vouch>> = Default::default();
    if ids.is_empty() {
        return Ok(by_app);
    }
    let sql = format!(
        "SELECT v.application_id, v.account_id, a.email, v.member_id, v.vouched, v.statement, v.at \
         FROM vouches v JOIN accounts a ON a.id = v.account_id \
         WHERE v.application_id IN ({}) ORDER BY v.at",
        super::list(1, ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    for r in &query.fetch_all(conn).await? {
        by_app
            .entry(r.try_get("application_id")?)
            .or_default()
            .push(vouch(r)?);
    }
    Ok(by_app)
}

fn vouch(r: &sqlx::any::AnyRow) -> Result<Vouch, DbError> {
    Ok(Vouch {
        account_id: r.try_get("account_id")?,
        email: r.try_get("email")?,
        member_id: r.try_get("member_id")?,
        vouched: r.try_get::<i64, _>("vouched")? != 0,
        statement: r.try_get("statement")?,
        at: r.try_get("at")?,
    })
}
