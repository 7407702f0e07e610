//! Patches attached to advisories.

use sqlx::{AnyConnection, Row};

use super::{DbError, sealed};

/// Sealed columns (`db::sealed`): the file's name and bytes.
pub const FILENAME: &str = "advisory_patches.filename";
pub const CONTENT: &str = "advisory_patches.content";
use crate::domain::advisory::AdvisoryId;

/// A patch of an advisory, without its bytes.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PatchInfo {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Hex.
    pub sha256: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

fn patch_info(r: &sqlx::any::AnyRow) -> Result<PatchInfo, DbError> {
    let id: String = r.try_get("id")?;
    Ok(PatchInfo {
        filename: sealed::open_text(FILENAME, &id, r.try_get("filename")?)?,
        id,
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
    .bind(sealed::seal_text(FILENAME, id.as_str(), &patch.filename)?)
    .bind(&patch.content_type)
    .bind(patch.content.len() as i64)
    .bind(crate::domain::secret::sha256_hex(&patch.content))
    .bind(sealed::seal_blob(CONTENT, id.as_str(), &patch.content)?)
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
    row.map(|r| {
        let info = patch_info(&r)?;
        let content = sealed::open_blob(CONTENT, &info.id, r.try_get("content")?)?;
        Ok((info, content))
    })
    .transpose()
}
