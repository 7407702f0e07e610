//! Members' test reports on advisories and their attachments.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::DbError;
use super::cursor::{Cursor, Page, Window};
use super::placeholders;
use crate::db::reports::NewAttachment;
use crate::domain::contribution::TestReport;

const COLUMNS: &str = "t.id, t.advisory_id, t.member_id, m.organization, t.author, a.email, \
    t.result, t.tested, t.details, t.visibility, t.created_at";
const FROM: &str = "FROM test_reports t JOIN members m ON m.id = t.member_id \
    JOIN accounts a ON a.id = t.author";

#[derive(Debug, Clone, serde::Serialize)]
pub struct TestReportRow {
    pub id: String,
    pub advisory_id: String,
    pub member_id: String,
    pub organization: String,
    pub author: String,
    pub author_email: String,
    pub result: String,
    pub tested: String,
    pub details: String,
    pub visibility: String,
    pub created_at: i64,
}

fn report(r: &AnyRow) -> Result<TestReportRow, DbError> {
    Ok(TestReportRow {
        id: r.try_get("id")?,
        advisory_id: r.try_get("advisory_id")?,
        member_id: r.try_get("member_id")?,
        organization: r.try_get("organization")?,
        author: r.try_get("author")?,
        author_email: r.try_get("email")?,
        result: r.try_get("result")?,
        tested: r.try_get("tested")?,
        details: r.try_get("details")?,
        visibility: r.try_get("visibility")?,
        created_at: r.try_get("created_at")?,
    })
}

/// What a listing shows of an attachment (not its bytes).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttachmentInfo {
    #[serde(skip)]
    pub test_report_id: String,
    /// Its number in the report, from 0: the download path names it.
    pub n: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

fn attachment(r: &AnyRow) -> Result<AttachmentInfo, DbError> {
    Ok(AttachmentInfo {
        test_report_id: r.try_get("test_report_id")?,
        n: r.try_get("position")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
    })
}

pub struct NewTestReport<'a> {
    pub id: &'a str,
    pub advisory_id: &'a str,
    pub member_id: &'a str,
    pub author: &'a str,
    pub report: &'a TestReport,
    pub created_at: i64,
}

/// Writes the report and its attachments (in two statements).
pub async fn insert(
    conn: &mut AnyConnection,
    t: &NewTestReport<'_>,
    files: &[NewAttachment],
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO test_reports (id, advisory_id, member_id, author, result, tested, details, \
         visibility, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(t.id)
    .bind(t.advisory_id)
    .bind(t.member_id)
    .bind(t.author)
    .bind(t.report.result.as_str())
    .bind(&t.report.tested)
    .bind(&t.report.details)
    .bind(t.report.visibility.as_str())
    .bind(t.created_at)
    .execute(&mut *conn)
    .await?;
    if files.is_empty() {
        return Ok(());
    }
    // Only placeholders are formatted in; every value is bound.
    let sql = format!(
        "INSERT INTO test_report_attachments (test_report_id, position, filename, content_type, \
         size, sha256, content) VALUES {}",
        placeholders(files.len(), 7)
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for (i, f) in files.iter().enumerate() {
        q = q
            .bind(t.id)
            .bind(i as i64)
            .bind(&f.filename)
            .bind(&f.content_type)
            .bind(f.content.len() as i64)
            .bind(crate::domain::secret::sha256_hex(&f.content))
            .bind(&f.content);
    }
    q.execute(conn).await?;
    Ok(())
}

/// Every test report on `advisory`, newest first; the caller filters
/// what its reader may see.
pub async fn for_advisory(
    conn: &mut AnyConnection,
    advisory: &str,
) -> Result<Vec<TestReportRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE t.advisory_id = $1 ORDER BY t.created_at DESC, t.id DESC"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(advisory)
        .fetch_all(conn)
        .await?;
    rows.iter().map(report).collect()
}

/// The page of the test reports on `advisory` `window` names, newest
/// first; only `member`'s own and those shared with the members when
/// given (the caller still shows each only to who may read it).
pub async fn page_for_advisory(
    conn: &mut AnyConnection,
    advisory: &str,
    member: Option<&str>,
    window: &Window,
) -> Result<Page<TestReportRow>, DbError> {
    let order = window.order();
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE t.advisory_id = $1 \
         AND ($2 = '' OR t.member_id = $2 OR t.visibility = 'members') AND {} \
         ORDER BY t.created_at {order}, t.id {order} LIMIT $7",
        Window::condition("t.created_at", "t.id", 3)
    );
    let query = sqlx::query(AssertSqlSafe(sql))
        .bind(advisory)
        .bind(member.unwrap_or(""));
    let rows = window.bind(query).fetch_all(conn).await?;
    let rows = rows.iter().map(report).collect::<Result<Vec<_>, _>>()?;
    Ok(window.page(rows, |r| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    }))
}

/// The attachments of the test reports `ids`, in one query.
pub async fn attachments_of(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> Result<Vec<AttachmentInfo>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT f.test_report_id, f.position, f.filename, f.content_type, f.size, f.sha256 \
         FROM test_report_attachments f WHERE f.test_report_id IN ({}) \
         ORDER BY f.test_report_id, f.position",
        super::list(1, ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(attachment).collect()
}

/// The attachments of every test report on `advisory`, in one query.
pub async fn attachments_for_advisory(
    conn: &mut AnyConnection,
    advisory: &str,
) -> Result<Vec<AttachmentInfo>, DbError> {
    let rows = sqlx::query(
        "SELECT f.test_report_id, f.position, f.filename, f.content_type, f.size, f.sha256 \
         FROM test_report_attachments f JOIN test_reports t ON t.id = f.test_report_id \
         WHERE t.advisory_id = $1 ORDER BY f.test_report_id, f.position",
    )
    .bind(advisory)
    .fetch_all(conn)
    .await?;
    rows.iter().map(attachment).collect()
}

/// One test report, only if it is on `advisory`.
pub async fn get(
    conn: &mut AnyConnection,
    advisory: &str,
    id: &str,
) -> Result<Option<TestReportRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE t.id = $1 AND t.advisory_id = $2");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .bind(advisory)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(report).transpose()
}

/// The `n`th attachment of a test report, with its bytes.
pub async fn attachment_content(
    conn: &mut AnyConnection,
    report: &str,
    n: i64,
) -> Result<Option<(AttachmentInfo, Vec<u8>)>, DbError> {
    let row = sqlx::query(
        "SELECT test_report_id, position, filename, content_type, size, sha256, content \
         FROM test_report_attachments WHERE test_report_id = $1 AND position = $2",
    )
    .bind(report)
    .bind(n)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((attachment(&r)?, r.try_get("content")?)))
        .transpose()
}
