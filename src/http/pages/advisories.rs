//! Public advisories: the index, each advisory as HTML, OSV and CSAF, the
//! Atom feed, security.txt and the CSAF provider directory. Drafts and
//! embargoed advisories answer 404 exactly as unknown ids do.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::app::publication;
use crate::domain::authz::Action;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::publish::{self, Public, csaf, osv, rfc3339};

/// The template context of one public advisory.
pub fn advisory_context(state: &AppState, a: &Public) -> Value {
    let site = state.config.site();
    let c = &a.content;
    let affected: Vec<Value> = c
        .affected
        .iter()
        .map(|af| {
            let ranges: Vec<Value> = af
                .ranges
                .iter()
                .map(|r| {
                    let events: Vec<Value> = r
                        .events
                        .iter()
                        .map(|e| {
                            let kind = match e {
                                crate::domain::advisory::Event::Introduced(_) => "introduced",
                                crate::domain::advisory::Event::Fixed(_) => "fixed",
                                crate::domain::advisory::Event::LastAffected(_) => "last affected",
                                crate::domain::advisory::Event::Limit(_) => "limit",
                            };
                            json!({ "kind": kind, "version": e.version() })
                        })
                        .collect();
                    json!({ "kind": r.kind, "repo": r.repo, "events": events })
                })
                .collect();
            json!({ "ecosystem": af.package.ecosystem, "name": af.package.name, "purl": af.package.purl,
                    "ranges": ranges, "versions": af.versions })
        })
        .collect();
    json!({
        "id": a.id.as_str(),
        "summary": c.summary,
        // Rendered by publish::markdown, which drops raw HTML and unsafe links.
        "details_html": publish::markdown::to_html(&c.details),
        "published": rfc3339(a.published_at),
        "modified": rfc3339(a.modified_at),
        "withdrawn": a.withdrawn.as_ref().map(|w| json!({ "at": rfc3339(w.at), "reason": w.reason })),
        "aliases": c.aliases,
        "severity": a.scored,
        "cwe_ids": c.database_specific.cwe_ids,
        "unaffected_versions": c.database_specific.unaffected_versions,
        "fixed_versions": c.fixed_versions(),
        "affected": affected,
        "credits": c.credits,
        "references": c.references,
        "revisions": a.revisions.iter().map(|r| json!({ "number": r.number, "at": rfc3339(r.at), "summary": r.summary })).collect::<Vec<_>>(),
        "osv_url": format!("/advisories/{}.osv.json", a.id),
        "csaf_url": format!("/advisories/{}.csaf.json", a.id),
        "url": site.advisory_url(&a.id),
    })
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

pub async fn index(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let all = publication::all(&state).await?;
    page.render(
        &state,
        "advisories",
        "Security advisories",
        index_context(&all),
    )
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
    publish::securitytxt::render(
        &publish::securitytxt::SecurityTxt {
            base_url: state.config.base(),
            contact,
            encryption_key_url: &p.encryption_key_url,
            policy_url: &p.policy_url,
        },
        crate::clock::timestamp(),
    )
}

/// `/advisories/{id}`, `{id}.osv.json` or `{id}.csaf.json`.
pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let (id, format) = if let Some(id) = file.strip_suffix(".osv.json") {
        (id, "osv")
    } else if let Some(id) = file.strip_suffix(".csaf.json") {
        (id, "csaf")
    } else {
        (file.as_str(), "html")
    };
    let advisory = publication::find(&state, id)
        .await?
        .ok_or(Error::NotFound)?;
    let site = state.config.site();
    Ok(match format {
        "osv" => json_response(osv::render(&advisory, &site)),
        "csaf" => json_response(csaf::render(&advisory, &site)),
        _ => {
            let title = format!("{}: {}", advisory.id, advisory.content.summary);
            let mut ctx = advisory_context(&state, &advisory);
            ctx["patches"] = json!(public_patches(&state, &advisory).await?);
            page.render(&state, "advisory", &title, json!({ "advisory": ctx }))?
        }
    })
}

fn json_response(v: Value) -> Response {
    ([(header::CACHE_CONTROL, "public, max-age=60")], Json(v)).into_response()
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
    let all = publication::all(&state).await?;
    Ok(text(
        "application/atom+xml; charset=utf-8",
        publish::atom::render(&state.config.site(), &all),
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
    let all = publication::all(&state).await?;
    let last = all
        .iter()
        .map(|a| a.modified_at)
        .max()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Ok(json_response(csaf::provider_metadata(
        &state.config.site(),
        last,
    )))
}

pub async fn csaf_index(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let all = publication::all(&state).await?;
    Ok(text("text/plain; charset=utf-8", csaf::index_txt(&all)))
}

pub async fn csaf_changes(
    State(state): State<AppState>,
    page: Page,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let all = publication::all(&state).await?;
    Ok(text("text/csv; charset=utf-8", csaf::changes_csv(&all)))
}

/// `/.well-known/csaf/white/{year}/{file}`: a CSAF document at the path its
/// tracking id and release year give (section 7.1.11).
pub async fn csaf_document(
    State(state): State<AppState>,
    page: Page,
    Path((year, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ReadPublished)?;
    let all = publication::all(&state).await?;
    let found = all.iter().find(|a| {
        csaf::file_name(a.id.as_str()) == file && a.published_at.strftime("%Y").to_string() == year
    });
    let advisory = found.ok_or(Error::NotFound)?;
    Ok(json_response(csaf::render(advisory, &state.config.site())))
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
    Ok(list
        .into_iter()
        .map(|p| json!({ "url": format!("/advisories/{}/patches/{}", a.id, p.id), "filename": p.filename, "size": p.size, "sha256": p.sha256 }))
        .collect())
}
