//! Versions of the mail templates the team edited. Rows are never changed
//! or deleted: the newest per (name, lang) is current.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::DbError;

const COLUMNS: &str = "name, lang, version, subject, body_text, body_html, action, \
    reverted_to, reason, actor, created_at";
/// The newest row of each (name, lang).
const CURRENT: &str = "version = (SELECT MAX(v.version) FROM template_versions v \
    WHERE v.name = t.name AND v.lang = t.lang)";

#[derive(Debug, Clone, serde::Serialize)]
pub struct VersionRow {
    pub name: String,
    pub lang: String,
    pub version: i64,
    /// `None` with `text`: the built-in text.
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    /// `edit`, `revert` or `reset`.
    pub action: String,
    pub reverted_to: Option<i64>,
    pub reason: String,
    pub actor: String,
    pub created_at: i64,
}

impl VersionRow {
    /// The team's own text, not the built-in one.
    pub fn is_custom(&self) -> bool {
        self.text.is_some()
    }
}

fn version(r: &AnyRow) -> Result<VersionRow, DbError> {
    Ok(VersionRow {
        name: r.try_get("name")?,
        lang: r.try_get("lang")?,
        version: r.try_get("version")?,
        subject: r.try_get("subject")?,
        text: r.try_get("body_text")?,
        html: r.try_get("body_html")?,
        action: r.try_get("action")?,
        reverted_to: r.try_get("reverted_to")?,
        reason: r.try_get("reason")?,
        actor: r.try_get("actor")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The current version of every template and language that has one.
pub async fn current_all(conn: &mut AnyConnection) -> Result<Vec<VersionRow>, DbError> {
    let sql =
        format!("SELECT {COLUMNS} FROM template_versions t WHERE {CURRENT} ORDER BY name, lang");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?;
    rows.iter().map(version).collect()
}

/// The current version of `name` in each of `langs` that has one.
pub async fn current(
    conn: &mut AnyConnection,
    name: &str,
    langs: &[&str],
) -> Result<Vec<VersionRow>, DbError> {
    let mut all = Vec::new();
    for lang in langs {
        let sql = format!(
            "SELECT {COLUMNS} FROM template_versions t WHERE name = $1 AND lang = $2 AND {CURRENT}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .bind(*lang)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = row {
            all.push(version(&row)?);
        }
    }
    Ok(all)
}

/// One version.
pub async fn get(
    conn: &mut AnyConnection,
    name: &str,
    lang: &str,
    number: i64,
) -> Result<Option<VersionRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM template_versions WHERE name = $1 AND lang = $2 AND version = $3"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name)
        .bind(lang)
        .bind(number)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(version).transpose()
}

/// Every version of `name`, all languages, newest first, each with the
/// address of the account that made it (if it was one).
pub async fn history(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Vec<(VersionRow, Option<String>)>, DbError> {
    let columns = COLUMNS.replace(", ", ", t.");
    let sql = format!(
        "SELECT t.{columns}, a.email FROM template_versions t \
         LEFT JOIN accounts a ON 'account:' || a.id = t.actor \
         WHERE t.name = $1 ORDER BY t.lang, t.version DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((version(r)?, r.try_get("email")?)))
        .collect()
}

/// A page of [`history`], `size` long, after `after` (a language and a
/// version of it; the first page without), each with whether it is its
/// language's current version. The next page starts after the language
/// and version returned with it (`None` on the last).
pub async fn history_page(
    conn: &mut AnyConnection,
    name: &str,
    after: Option<(&str, i64)>,
    size: usize,
) -> Result<
    (
        Vec<(VersionRow, Option<String>, bool)>,
        Option<(String, i64)>,
    ),
    DbError,
> {
    let columns = COLUMNS.replace(", ", ", t.");
    let sql = format!(
        "SELECT t.{columns}, a.email, CASE WHEN t.{CURRENT} THEN 1 ELSE 0 END AS is_current \
         FROM template_versions t LEFT JOIN accounts a ON 'account:' || a.id = t.actor \
         WHERE t.name = $1 AND ($2 IS NULL OR t.lang > $2 OR (t.lang = $2 AND t.version < $3)) \
         ORDER BY t.lang, t.version DESC LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name)
        .bind(after.map(|(lang, _)| lang))
        .bind(after.map_or(0, |(_, v)| v))
        .bind(i64::try_from(size).map_or(i64::MAX, |n| n.saturating_add(1)))
        .fetch_all(conn)
        .await?;
    let mut list = rows
        .iter()
        .map(|r| {
            Ok((
                version(r)?,
                r.try_get("email")?,
                r.try_get::<i64, _>("is_current")? != 0,
            ))
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    let more = list.len() > size;
    list.truncate(size);
    let next = more
        .then(|| list.last().map(|(v, _, _)| (v.lang.clone(), v.version)))
        .flatten();
    Ok((list, next))
}

/// Adds `row` as the next version; its number must be the current one plus
/// one, which the primary key holds against a concurrent save.
pub async fn insert(conn: &mut AnyConnection, row: &VersionRow) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO template_versions (name, lang, version, subject, body_text, body_html, \
         action, reverted_to, reason, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&row.name)
    .bind(&row.lang)
    .bind(row.version)
    .bind(&row.subject)
    .bind(&row.text)
    .bind(&row.html)
    .bind(&row.action)
    .bind(row.reverted_to)
    .bind(&row.reason)
    .bind(&row.actor)
    .bind(row.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every language some template has a version in.
pub async fn languages(conn: &mut AnyConnection) -> Result<Vec<String>, DbError> {
    sqlx::query_scalar("SELECT DISTINCT lang FROM template_versions ORDER BY lang")
        .fetch_all(conn)
        .await
}
