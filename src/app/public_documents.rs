//! The public documents of an advisory (its page's article, OSV and CSAF),
//! rendered once when what is public changes and served as stored, so a
//! read is one indexed query however many advisories there are.
//!
//! When: [`refresh`] runs inside the transaction that publishes, corrects,
//! withdraws or adds a patch to a public advisory, so the stored documents
//! change together with the record. Rendering is a pure function of rows
//! that transaction already reads; if it fails anyway (a template error, a
//! record the renderers refuse), the change still commits — an embargo lift
//! must never wait on a renderer — and the advisory's stored documents are
//! deleted instead, so no stale document outlives the change. Absence is
//! the marker: [`find`] renders a missing document on first request and
//! stores it. The same lazy path fills in advisories published before
//! migration 0008, so there is no startup backfill.

use sqlx::AnyConnection;

use super::AppState;
use super::publication::to_public;
use crate::db::{self, DbError, public_documents as store};
use crate::domain::advisory::AdvisoryId;
use crate::publish::page::{advisory_context, patches_context};
use crate::publish::{Public, csaf, osv};

pub use crate::db::public_documents::StoredDocument;

/// The kinds of stored documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The article of `/advisories/{id}`; the layout wraps it per request.
    Html,
    /// `/advisories/{id}.osv.json`.
    Osv,
    /// `/advisories/{id}.csaf.json` and the CSAF directory's file.
    Csaf,
}

impl Kind {
    /// As stored in `public_documents.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Html => "html",
            Kind::Osv => "osv",
            Kind::Csaf => "csaf",
        }
    }
}

struct Rendered {
    kind: Kind,
    path: Option<String>,
    title: String,
    body: String,
}

/// The CSAF directory path of an advisory: `YEAR/FILE.json` (section
/// 7.1.11), the year being its release's.
pub fn csaf_path(a: &Public) -> String {
    csaf::path(a)
}

fn render(
    state: &AppState,
    a: &Public,
    patches: Vec<serde_json::Value>,
) -> anyhow::Result<Vec<Rendered>> {
    let site = state.config.site();
    let mut ctx = advisory_context(&site, a);
    ctx["patches"] = serde_json::Value::Array(patches);
    let article = state
        .templates
        .page("advisory_article", serde_json::json!({ "advisory": ctx }))?;
    Ok(vec![
        Rendered {
            kind: Kind::Html,
            path: None,
            title: format!("{}: {}", a.id, a.content.summary),
            body: article,
        },
        Rendered {
            kind: Kind::Osv,
            path: None,
            title: String::new(),
            body: serde_json::to_string(&osv::render(a, &site))?,
        },
        Rendered {
            kind: Kind::Csaf,
            path: Some(csaf_path(a)),
            title: String::new(),
            body: serde_json::to_string(&csaf::render(a, &site))?,
        },
    ])
}

/// Renders `id`'s documents from the rows as `conn` sees them; `None`
/// when the advisory is not public (or unknown).
async fn render_from(
    conn: &mut AnyConnection,
    state: &AppState,
    id: &AdvisoryId,
) -> anyhow::Result<Option<Vec<Rendered>>> {
    let Some(row) = crate::db::advisories::get(conn, id).await? else {
        return Ok(None);
    };
    let Some(public) = to_public(conn, &row).await? else {
        return Ok(None);
    };
    let patches = crate::db::advisories::patches(conn, id).await?;
    Ok(Some(render(state, &public, patches_context(id, &patches))?))
}

async fn store_all(
    conn: &mut AnyConnection,
    id: &AdvisoryId,
    docs: &[Rendered],
    only_if_absent: bool,
) -> Result<(), DbError> {
    let at = db::now();
    for d in docs {
        let doc = store::NewDocument {
            kind: d.kind.as_str(),
            path: d.path.as_deref(),
            title: &d.title,
            body: &d.body,
        };
        store::put(conn, id, &doc, at, only_if_absent).await?;
    }
    Ok(())
}

/// Re-renders and stores `id`'s public documents inside the caller's
/// transaction, after it changed what is public. A rendering failure is
/// logged and leaves no stored document (read renders lazily); only a
/// database error fails the caller.
pub async fn refresh(
    conn: &mut AnyConnection,
    state: &AppState,
    id: &AdvisoryId,
) -> Result<(), DbError> {
    match render_from(conn, state, id).await {
        Ok(Some(docs)) => store_all(conn, id, &docs, false).await,
        Ok(None) => store::delete(conn, id).await,
        Err(e) => {
            tracing::error!(advisory.id = %id, error = %e, "rendering public documents failed; they will be rendered on first read");
            store::delete(conn, id).await
        }
    }
}

/// The stored document `kind` of public advisory `id`; `None` for drafts,
/// embargoed and unknown ids alike. Renders and stores it when missing.
pub async fn find(
    state: &AppState,
    id: &str,
    kind: Kind,
) -> anyhow::Result<Option<StoredDocument>> {
    let Ok(id) = AdvisoryId::parse(id) else {
        return Ok(None);
    };
    let mut conn = state.db.conn().await?;
    if let Some(doc) = store::get(&mut conn, &id, kind.as_str()).await? {
        return Ok(Some(doc));
    }
    let Some(docs) = render_from(&mut conn, state, &id).await? else {
        return Ok(None);
    };
    store_all(&mut conn, &id, &docs, true).await?;
    Ok(docs
        .into_iter()
        .find(|d| d.kind == kind)
        .map(|d| StoredDocument {
            title: d.title,
            body: d.body,
        }))
}

/// The CSAF document at directory path `year/file`, or `None`.
pub async fn find_csaf_at(
    state: &AppState,
    year: &str,
    file: &str,
) -> anyhow::Result<Option<StoredDocument>> {
    let path = format!("{year}/{file}");
    {
        let mut conn = state.db.conn().await?;
        if let Some(doc) = store::csaf_at(&mut conn, &path).await? {
            return Ok(Some(doc));
        }
    }
    // Not stored yet (published before migration 0008, or its rendering
    // failed): ids are upper-case letters, digits and hyphens, so the file
    // name is the lower-cased id and names the advisory to render.
    let Some(stem) = file.strip_suffix(".json") else {
        return Ok(None);
    };
    if find(state, &stem.to_ascii_uppercase(), Kind::Csaf)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let mut conn = state.db.conn().await?;
    Ok(store::csaf_at(&mut conn, &path).await?)
}
