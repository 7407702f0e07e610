//! Lists of members: the admins' page at a time with its search, and the
//! names an applicant picks a voucher from.

use sqlx::{AnyConnection, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use super::members::{COLUMNS, ContactRow, Member, contact_row, member};

/// A member as the members list shows it: one line, with how many
/// current contacts it has.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    #[serde(flatten)]
    pub member: Member,
    pub contacts: i64,
}

/// The page of members `window` names, newest joined first, matching
/// `search` (organisation, website, security alias, or a current
/// contact's name or address), in one query.
pub async fn page(
    conn: &mut AnyConnection,
    search: Option<&str>,
    window: &Window,
) -> Result<Page<Listed>, DbError> {
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("m.{c}")).collect();
    let order = window.order();
    let contact = super::search::any_of(1, &["c.name", "a.email"]);
    let sql = format!(
        "SELECT {}, (SELECT COUNT(*) FROM member_contacts c WHERE c.member_id = m.id \
           AND c.removed_at IS NULL) AS contacts FROM members m \
         WHERE ({} OR EXISTS (SELECT 1 FROM member_contacts c JOIN accounts a ON a.id = c.account_id \
           WHERE c.member_id = m.id AND c.removed_at IS NULL AND $1 IS NOT NULL AND {contact})) \
         AND {} ORDER BY m.joined_at {order}, m.id {order} LIMIT $6",
        columns.join(", "),
        super::search::any_of(1, &["m.organization", "m.website", "m.security_alias"]),
        Window::condition("m.joined_at", "m.id", 2),
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(search.and_then(super::search::pattern));
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows
        .iter()
        .map(|r| {
            Ok(Listed {
                member: member(r)?,
                contacts: r.try_get("contacts")?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(window.page(rows, |r| Cursor {
        at: r.member.joined_at,
        id: r.member.id.clone(),
    }))
}

/// Every active member's id and name, by name: what an applicant picks
/// a voucher from.
pub async fn directory(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, DbError> {
    let rows = sqlx::query(
        "SELECT id, organization FROM members WHERE status = 'active' ORDER BY organization, id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("organization")?)))
        .collect()
}

/// The id of the active member called `name` (case aside), if there is
/// one: how an applicant names a voucher when the directory is not shown.
pub async fn active_named(conn: &mut AnyConnection, name: &str) -> Result<Option<String>, DbError> {
    sqlx::query_scalar(
        "SELECT id FROM members WHERE status = 'active' AND LOWER(organization) = LOWER($1) \
         ORDER BY joined_at, id LIMIT 1",
    )
    .bind(name.trim())
    .fetch_optional(conn)
    .await
}

/// A page of members by name (then id), `size` long, after the member
/// `after` (the first page without it); only active ones if `active_only`.
/// The next page starts after the id returned with it (`None` on the
/// last). An `after` naming no member gives an empty page.
pub async fn by_name(
    conn: &mut AnyConnection,
    active_only: bool,
    after: Option<&str>,
    size: usize,
) -> Result<(Vec<Member>, Option<String>), DbError> {
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("m.{c}")).collect();
    let sql = format!(
        "SELECT {} FROM members m WHERE ($1 = 0 OR m.status = 'active') \
         AND ($2 IS NULL OR m.organization > (SELECT k.organization FROM members k WHERE k.id = $2) \
           OR (m.organization = (SELECT k.organization FROM members k WHERE k.id = $2) AND m.id > $2)) \
         ORDER BY m.organization, m.id LIMIT $3",
        columns.join(", ")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(active_only))
        .bind(after)
        .bind(i64::try_from(size).map_or(i64::MAX, |n| n.saturating_add(1)))
        .fetch_all(conn)
        .await?;
    let mut list = rows.iter().map(member).collect::<Result<Vec<_>, _>>()?;
    let more = list.len() > size;
    list.truncate(size);
    let next = more.then(|| list.last().map(|m| m.id.clone())).flatten();
    Ok((list, next))
}

/// The current contacts of the members `ids`, by member id, by name, in
/// one query.
pub async fn contacts_of(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, Vec<ContactRow>>, DbError> {
    let mut by_member: std::collections::HashMap<String, Vec<ContactRow>> = Default::default();
    if ids.is_empty() {
        return Ok(by_member);
    }
    let sql = format!(
        "SELECT c.member_id, c.account_id, c.name, a.email FROM member_contacts c \
         JOIN accounts a ON a.id = c.account_id WHERE c.removed_at IS NULL \
         AND c.member_id IN ({}) ORDER BY c.member_id, c.name",
        super::list(1, ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    for r in &query.fetch_all(conn).await? {
        by_member
            .entry(r.try_get("member_id")?)
            .or_default()
            .push(contact_row(r)?);
    }
    Ok(by_member)
}
