//! An embargoed advisory's audience: the member organisations chosen in
//! its announcements, whose cleared contacts alone may read it.

use std::collections::HashSet;

use sqlx::{AnyConnection, AssertSqlSafe};

use super::DbError;

/// Whether `member` is in `advisory`'s audience: one primary-key lookup.
pub async fn includes(
    conn: &mut AnyConnection,
    advisory: &str,
    member: &str,
) -> Result<bool, DbError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM audience_members WHERE advisory_id = $1 AND member_id = $2",
    )
    .bind(advisory)
    .bind(member)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Adds every active member to `advisory`'s audience in one statement, as
/// chosen by `announcement`; members already in it keep their first entry.
pub async fn add_all_active(
    conn: &mut AnyConnection,
    advisory: &str,
    announcement: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audience_members (advisory_id, member_id, announcement_id, added_at) \
         SELECT $1, m.id, $2, $3 FROM members m WHERE m.status = 'active' \
         ON CONFLICT (advisory_id, member_id) DO NOTHING",
    )
    .bind(advisory)
    .bind(announcement)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds `members` to `advisory`'s audience, as chosen by `announcement`,
/// a batch of rows per statement; members already in it keep their first
/// entry.
pub async fn add(
    conn: &mut AnyConnection,
    advisory: &str,
    announcement: &str,
    members: &HashSet<String>,
    now: i64,
) -> Result<(), DbError> {
    let members: Vec<&String> = members.iter().collect();
    let params = super::Params::of(conn);
    for rows in members.chunks(params.rows(4)) {
        // Only placeholders are formatted in; every value is bound.
        let sql = format!(
            "INSERT INTO audience_members (advisory_id, member_id, announcement_id, added_at) \
             VALUES {} ON CONFLICT (advisory_id, member_id) DO NOTHING",
            params.placeholders(rows.len(), 4)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for member in rows {
            q = q
                .bind(advisory)
                .bind(member.as_str())
                .bind(announcement)
                .bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
