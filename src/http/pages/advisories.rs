//! Public advisories: the index, each advisory as HTML, OSV and CSAF, the
//! Atom feed, security.txt and the CSAF provider directory. Drafts and
//! embargoed advisories answer 404 exactly as unknown ids do.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::app::public_documents::{self, Kind};
use crate::app::publication;
use crate::domain::authz::Action;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::http::paging;
use crate::publish::{self, Public, csaf, rfc3339};

/// The template context of one public advisory (see
/// [`publish::page::advisory_context`]).
pub fn advisory_context(state: &AppState, a: &Public) -> Value {
    publish::page::advisory_context(&state.config.site(), a)
}

/// The template context of the index.
pub fn index_context(all: &[Public]) -> Value {
    let items: Vec<Value> = all
        .iter()
        .map(|a| {
            json!({ "id": a.id.as_str(), "summary": a.content.summary, "published": rfc3339(a.published_at),
                    "withdrawn": a.withdrawn.is_some(), "aliases": a.content.aliases,
                    "rating": a.scored.first().map(|s| s.rating) })
        })
        .collect();
    json!({ "advisories": items })
}

/// `?before=` of the public index.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct IndexQuery {
    before: String,
}

/// `/advisories`: one page of public advisories, newest first, with a link
/// to the next.
pub async fn index(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<IndexQuery>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let before = paging::before(&q.before)?;
    let (shown, next) = publication::index_page(&state, before.as_ref()).await?;
    let mut ctx = index_context(&shown);
    ctx["next"] = json!(paging::next_link("/advisories", &[], next.as_ref()));
    ctx["newest"] = json!(before.is_some().then_some("/advisories"));
    page.render(&state, "advisories", "Security advisories", ctx)
}

/// A public page rendered outside any request, as nobody signed in sees it
/// (for `embargo export`).
pub fn render_static(
    state: &AppState,
    name: &str,
    title: &str,
    extra: Value,
) -> anyhow::Result<String> {
    let mut ctx = json!({
        "org": state.config.organization, "user": null, "csrf": "", "title": title,
        "security_address": state.config.security_address,
    });
    if let (Some(c), Some(e)) = (ctx.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    Ok(state.templates.page(name, &ctx)?)
}

/// The security.txt body for this configuration.
pub fn security_txt_body(state: &AppState) -> String {
    let p = &state.config.publication;
    let contact = if p.contact.is_empty() {
        state.config.security_address.as_str()
    } else {
        p.contact.as_str()
    };
    // The list key unless another key is configured.
    let list_key_url = format!("{}/list-key.asc", state.config.base());
    let encryption_key_url = if p.encryption_key_url.is_empty() {
        &list_key_url
    } else {
        &p.encryption_key_url
    };
    publish::securitytxt::render(
        &publish::securitytxt::SecurityTxt {
            base_url: state.config.base(),
            contact,
            encryption_key_url,
            policy_url: &p.policy_url,
        },
        crate::clock::timestamp(),
    )
}

/// `/advisories/{id}`, `{id}.osv.json` or `{id}.csaf.json`, served as
/// stored at publication, or `{id}.cve.json` (see [`public_documents`]).
pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    if let Some(id) = file.strip_suffix(".cve.json") {
        return cve_record(&state, id).await;
    }
    let (id, kind) = if let Some(id) = file.strip_suffix(".osv.json") {
        (id, Kind::Osv)
    } else if let Some(id) = file.strip_suffix(".csaf.json") {
        (id, Kind::Csaf)
    } else {
        (file.as_str(), Kind::Html)
    };
    let doc = public_documents::find(&state, id, kind)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(match kind {
        Kind::Osv | Kind::Csaf => stored_json(doc.body),
        Kind::Html => page.render(
            &state,
            "advisory",
            &doc.title,
            json!({ "article": doc.body }),
        )?,
    })
}

/// `/advisories/{id}.cve.json`: rendered per request from the public
/// record (one advisory's rows), as only CNAs publish it.
async fn cve_record(state: &AppState, id: &str) -> Result<Response, PageError> {
    let public = publication::find(state, id).await?.ok_or(Error::NotFound)?;
    let record =
        publish::cve::render(&public, &state.config.site()).map_err(|_| Error::NotFound)?;
    Ok(json_response(record))
}

fn json_response(v: Value) -> Response {
    ([(header::CACHE_CONTROL, "public, max-age=60")], Json(v)).into_response()
}

/// A stored JSON document, with the headers `Json` gives plus caching.
fn stored_json(body: String) -> Response {
    text("application/json", body)
}

fn text(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        body,
    )
        .into_response()
}

pub async fn feed(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let latest = publication::latest(&state).await?;
    Ok(text(
        "application/atom+xml; charset=utf-8",
        publish::atom::render(&state.config.site(), &latest),
    ))
}

pub async fn security_txt(
    State(state): State<AppState>,
    page: Page,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    Ok(text("text/plain; charset=utf-8", security_txt_body(&state)))
}

pub async fn csaf_provider_metadata(
    State(state): State<AppState>,
    page: Page,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let listing = publication::csaf_listing(&state).await?;
    let last = listing
        .iter()
        .map(|a| a.current_release_date)
        .max()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Ok(json_response(csaf::provider_metadata(
        &state.config.site(),
        last,
    )))
}

pub async fn csaf_index(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let listing = publication::csaf_listing(&state).await?;
    Ok(text(
        "text/plain; charset=utf-8",
        csaf::index_txt_of(&listing),
    ))
}

pub async fn csaf_changes(
    State(state): State<AppState>,
    page: Page,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let listing = publication::csaf_listing(&state).await?;
    Ok(text(
        "text/csv; charset=utf-8",
        csaf::changes_csv_of(&listing),
    ))
}

/// `/.well-known/csaf/white/{year}/{file}`: a CSAF document at the path its
/// tracking id and release year give (section 7.1.11).
pub async fn csaf_document(
    State(state): State<AppState>,
    page: Page,
    Path((year, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let doc = public_documents::find_csaf_at(&state, &year, &file)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(stored_json(doc.body))
}

/// `/advisories/{id}/patches/{patch}`: a published advisory's patch.
pub async fn public_patch(
    State(state): State<AppState>,
    page: Page,
    Path((id, patch)): Path<(String, String)>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let advisory = publication::find(&state, &id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(crate::http::api::advisories::patch_download(&state, &advisory.id, &patch).await?)
}

/// The patches of a public advisory, for its page.
pub async fn public_patches(state: &AppState, a: &Public) -> Result<Vec<Value>, Error> {
    let mut conn = state.db.conn().await?;
    let list = crate::db::advisories::patches(&mut conn, &a.id).await?;
    Ok(publish::page::patches_context(&a.id, &list))
}
