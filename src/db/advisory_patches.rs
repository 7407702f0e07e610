//! Patches attached to advisories.

use sqlx::{AnyConnection, Row};

use super::DbError;
use crate::domain::advisory::AdvisoryId;

#[derive(Debug, Clone, serde::Serialize)]
pub struct PatchInfo {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

fn patch_info(r: &sqlx::any::AnyRow) -> Result<PatchInfo, DbError> {
    Ok(PatchInfo {
        id: r.try_get("id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn insert_patch(
    conn: &mut AnyConnection,
    advisory: &AdvisoryId,
    patch: &crate::db::reports::NewAttachment,
    actor: &str,
) -> Result<crate::domain::id::PatchId, DbError> {
    let id = crate::domain::id::PatchId::generate();
    sqlx::query(
        "INSERT INTO advisory_patches (id, advisory_id, filename, content_type, size, sha256, content, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.as_str())
    .bind(advisory.as_str())
    .bind(&patch.filename)
    .bind(&patch.content_type)
    .bind(patch.content.len() as i64)
    .bind(crate::domain::secret::sha256_hex(&patch.content))
    .bind(&patch.content)
    .bind(actor)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn patches(
    conn: &mut AnyConnection,
    advisory: &AdvisoryId,
) -> Result<Vec<PatchInfo>, DbError> {
    let rows = sqlx::query(
        "SELECT id, filename, content_type, size, sha256, created_at FROM advisory_patches \
         WHERE advisory_id = $1 ORDER BY created_at, id",
    )
    .bind(advisory.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter().map(patch_info).collect()
}

/// One patch's bytes, only if it belongs to `advisory`.
pub async fn patch_content(
    conn: &mut AnyConnection,
    advisory: &AdvisoryId,
    id: &str,
) -> Result<Option<(PatchInfo, Vec<u8>)>, DbError> {
    let row = sqlx::query(
        "SELECT id, filename, content_type, size, sha256, created_at, content FROM advisory_patches \
         WHERE id = $1 AND advisory_id = $2",
    )
    .bind(id)
    .bind(advisory.as_str())
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((patch_info(&r)?, r.try_get("content")?)))
        .transpose()
}
