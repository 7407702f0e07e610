//! Public documents of published advisories, rendered once at publication
//! (and at each correction or withdrawal) and served as stored.

use sqlx::{AnyConnection, Row};

use super::DbError;
use crate::domain::advisory::AdvisoryId;

/// One stored document.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    /// The HTML page's title; empty for the JSON kinds.
    pub title: String,
    /// The bytes served (for `html`, the article the layout wraps).
    pub body: String,
}

/// One document to store.
pub struct NewDocument<'a> {
    /// `html`, `osv` or `csaf`.
    pub kind: &'a str,
    /// The CSAF directory path `YEAR/FILE.json`; `None` for other kinds.
    pub path: Option<&'a str>,
    pub title: &'a str,
    pub body: &'a str,
}

/// Stores `doc` for `id`, replacing what was stored. With `only_if_absent`
/// an existing document wins: a lazy render on a read must never overwrite
/// what a correction or withdrawal stored meanwhile.
pub async fn put(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    doc: &NewDocument<'_>,
    at: i64,
    only_if_absent: bool,
) -> Result<(), DbError> {
    let sql = if only_if_absent {
        "INSERT INTO public_documents (advisory_id, kind, path, title, body, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
    } else {
        "INSERT INTO public_documents (advisory_id, kind, path, title, body, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (advisory_id, kind) DO UPDATE \
         SET path = excluded.path, title = excluded.title, body = excluded.body, updated_at = excluded.updated_at"
    };
    sqlx::query(sql)
        .bind(id.as_str())
        .bind(doc.kind)
        .bind(doc.path)
        .bind(doc.title)
        .bind(doc.body)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets every stored document of `id`, so the next read renders afresh.
pub async fn delete(conn: &mut AnyConnection, id: &AdvisoryId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM public_documents WHERE advisory_id = $1")
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

fn stored(r: &sqlx::any::AnyRow) -> Result<StoredDocument, DbError> {
    Ok(StoredDocument {
        title: r.try_get("title")?,
        body: r.try_get("body")?,
    })
}

/// The stored document of kind `kind` for `id` (primary key lookup).
pub async fn get(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    kind: &str,
) -> Result<Option<StoredDocument>, DbError> {
    sqlx::query("SELECT title, body FROM public_documents WHERE advisory_id = $1 AND kind = $2")
        .bind(id.as_str())
        .bind(kind)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(stored)
        .transpose()
}

/// The CSAF document stored at directory path `YEAR/FILE.json`.
pub async fn csaf_at(
    conn: &mut AnyConnection,
    path: &str,
) -> Result<Option<StoredDocument>, DbError> {
    sqlx::query("SELECT title, body FROM public_documents WHERE path = $1 AND kind = 'csaf'")
        .bind(path)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(stored)
        .transpose()
}
