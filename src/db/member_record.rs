//! A member's record of contributing back, for its page and its review:
//! one query of counts over test reports, tasks and leaks.

use sqlx::{AnyConnection, Row};

use super::DbError;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MemberRecord {
    pub test_reports: i64,
    /// Tasks done by the member's contacts (or credited to it by an admin).
    pub tasks_done: i64,
    /// Tasks whose due instant passed undone while the member was primary.
    pub tasks_missed: i64,
    /// Leak records, withdrawn ones left out.
    pub leaks: i64,
    /// The latest test report or task done (microseconds).
    pub last_activity: Option<i64>,
}

/// The record of `member`, whatever its state.
pub async fn get(conn: &mut AnyConnection, member: &str) -> Result<MemberRecord, DbError> {
    let row = sqlx::query(
        "SELECT \
         (SELECT COUNT(*) FROM test_reports WHERE member_id = $1) AS test_reports, \
         (SELECT MAX(created_at) FROM test_reports WHERE member_id = $1) AS last_report, \
         (SELECT COUNT(*) FROM tasks WHERE done_member = $1) AS tasks_done, \
         (SELECT MAX(done_at) FROM tasks WHERE done_member = $1) AS last_done, \
         (SELECT COUNT(*) FROM tasks WHERE primary_member = $1 AND missed_at IS NOT NULL) AS tasks_missed, \
         (SELECT COUNT(*) FROM leaks WHERE member_id = $1 AND state <> 'withdrawn') AS leaks",
    )
    .bind(member)
    .fetch_one(conn)
    .await?;
    let last_report: Option<i64> = row.try_get("last_report")?;
    let last_done: Option<i64> = row.try_get("last_done")?;
    Ok(MemberRecord {
        test_reports: row.try_get("test_reports")?,
        tasks_done: row.try_get("tasks_done")?,
        tasks_missed: row.try_get("tasks_missed")?,
        leaks: row.try_get("leaks")?,
        last_activity: last_report.max(last_done),
    })
}
