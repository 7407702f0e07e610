//! Files attached to reports: from the web form, the tracking page and mail.

use sqlx::{AnyConnection, Row};

use super::{DbError, sealed};

/// Sealed columns (`db::sealed`): the file's name and bytes.
pub const FILENAME: &str = "attachments.filename";
pub const CONTENT: &str = "attachments.content";
use crate::domain::id::{AttachmentId, MessageId, ReportId};

/// A file attached to a report.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A file of a report (not its bytes).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AttachmentInfo {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Hex.
    pub sha256: String,
    /// The message it came with; none for the report's own files.
    #[schema(required = true)]
    pub message_id: Option<String>,
}

fn attachment_info(r: &sqlx::any::AnyRow) -> Result<AttachmentInfo, DbError> {
    let id: String = r.try_get("id")?;
    Ok(AttachmentInfo {
        filename: sealed::open_text(FILENAME, &id, r.try_get("filename")?)?,
        id,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        message_id: r.try_get("message_id")?,
    })
}

pub async fn insert_attachment(
    conn: &mut AnyConnection,
    report: &ReportId,
    message: Option<&MessageId>,
    a: &NewAttachment,
) -> Result<AttachmentId, DbError> {
    let id = AttachmentId::generate();
    sqlx::query(
        "INSERT INTO attachments (id, report_id, message_id, filename, content_type, size, sha256, content, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.as_str())
    .bind(report.as_str())
    .bind(message.map(|m| m.as_str()))
    .bind(sealed::seal_text(FILENAME, id.as_str(), &a.filename)?)
    .bind(&a.content_type)
    .bind(a.content.len() as i64)
    .bind(crate::domain::secret::sha256_hex(&a.content))
    .bind(sealed::seal_blob(CONTENT, id.as_str(), &a.content)?)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn attachments(
    conn: &mut AnyConnection,
    report: &ReportId,
) -> Result<Vec<AttachmentInfo>, DbError> {
    let rows = sqlx::query(
        "SELECT id, filename, content_type, size, sha256, message_id FROM attachments WHERE report_id = $1 ORDER BY created_at, id",
    )
    .bind(report.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter().map(attachment_info).collect()
}

/// One attachment's bytes, only if it belongs to `report`.
pub async fn attachment_content(
    conn: &mut AnyConnection,
    report: &ReportId,
    id: &AttachmentId,
) -> Result<Option<(AttachmentInfo, Vec<u8>)>, DbError> {
    let row = sqlx::query(
        "SELECT id, filename, content_type, size, sha256, message_id, content FROM attachments WHERE id = $1 AND report_id = $2",
    )
    .bind(id.as_str())
    .bind(report.as_str())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let info = attachment_info(&r)?;
        let content = sealed::open_blob(CONTENT, &info.id, r.try_get("content")?)?;
        Ok((info, content))
    })
    .transpose()
}
