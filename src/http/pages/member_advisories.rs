//! The list's view of embargoed advisories on the web: the advisories a
//! member contact may read, one advisory as the team wrote it, and its
//! patches as downloads. Which advisory a caller may read is
//! `authorize(actor, Action::ReadAdvisory { .. })`: an embargoed one only
//! when the caller's organisation is in its audience (need-to-know). One it
//! may not read answers 404 exactly as a made-up id. Every list, view and
//! download is an audit event.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};

use super::advisories_admin::ZONES;
use super::see_other;
use crate::app::AppState;
use crate::app::advisories as usecase;
use crate::db::advisories::{self as store, AdvisoryRow};
use crate::domain::advisory::{AdvisoryState, Content, ScoredSeverity};
use crate::domain::authz::{Action, Actor, Decision, authorize};
use crate::domain::embargo::{EmbargoInputError, countdown, in_zone};
use crate::domain::fields::FieldErrors;
use crate::domain::id::PatchId;
use crate::http::api::advisories::{advisory_error, hidden_unless_readable};
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::http::{paging, view};
use crate::publish::{markdown, rfc3339};

const LIST: &str = "/member/advisories";

/// `?tz=`: the zone to show embargo ends in, besides UTC and the agreed one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    tz: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    tz: String,
    before: String,
}

/// The viewer's zone: as asked with `?tz=`, else the one they chose on
/// their account page (the organisation's when none; a page cannot know
/// the browser's zone without JavaScript); an unknown name is shown as a
/// field error.
struct Viewer {
    zone: String,
    /// What was asked, for the form.
    asked: String,
    errors: FieldErrors,
}

impl Viewer {
    fn new(tz: &str, own: &str) -> Self {
        let asked: String = tz.trim().chars().take(100).collect();
        let mut errors = FieldErrors::new();
        let zone = match asked.as_str() {
            "" => own.to_owned(),
            z if TimeZone::get(z).is_ok() => z.to_owned(),
            z => {
                errors.add(
                    "tz",
                    EmbargoInputError::UnknownZone(z.to_owned()).to_string(),
                );
                "UTC".to_owned()
            }
        };
        Self {
            zone,
            asked,
            errors,
        }
    }

    fn context(&self) -> Value {
        json!({ "zone": self.zone, "asked": self.asked })
    }
}

/// An advisory's embargo end: its countdown by the service's clock, and
/// the instant in UTC, in the agreed zone and in the viewer's.
fn embargo_view(row: &AdvisoryRow, viewer: &Viewer) -> Value {
    let Some(until) = row
        .embargo_until
        .and_then(|m| Timestamp::from_microsecond(m).ok())
    else {
        return Value::Null;
    };
    let agreed = row.embargo_zone.as_deref().unwrap_or("UTC");
    json!({
        "until": rfc3339(until),
        "in_utc": until.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        "countdown": countdown(crate::clock::timestamp(), until),
        "time_zone": agreed,
        "in_time_zone": in_zone(until, agreed),
        "in_viewer_zone": in_zone(until, &viewer.zone),
    })
}

fn content(row: &AdvisoryRow) -> Result<(Content, Vec<ScoredSeverity>), Error> {
    usecase::content_of(row).map_err(advisory_error)
}

/// `/member/advisories`: the embargoed advisories the caller may read,
/// newest first, a page at a time. A caller who may read none (not
/// cleared) is told why, with 403.
pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let viewer = Viewer::new(&q.tz, page.time_zone(&state));
    match authorize(&page.actor, Action::ReadEmbargoedAdvisory) {
        Decision::Allow => {}
        Decision::Unauthenticated => return Err(Error::Unauthenticated.into()),
        Decision::Deny => {
            let ctx = json!({ "refused": true, "viewer": viewer.context() });
            let mut resp = page.render(&state, "member_advisories", "Embargoed advisories", ctx)?;
            *resp.status_mut() = StatusCode::FORBIDDEN;
            return Ok(resp);
        }
    }
    let before = paging::before(&q.before)?;
    // A member contact's page holds only what its organisation is in the
    // audience of (filtered in SQL, so pages stay full); an admin's, all.
    let audience = page.actor.member();
    let mut conn = state.db.conn().await?;
    let embargoed = Some(AdvisoryState::Embargoed);
    let rows = store::page(&mut conn, embargoed, audience, before.as_ref()).await?;
    drop(conn);
    // Each row by the one decision, although the query kept only those.
    let readable: Vec<&AdvisoryRow> = rows
        .items
        .iter()
        .filter(|r| {
            let action = Action::ReadAdvisory {
                id: &r.id,
                state: r.state,
                in_audience: audience.is_some(),
            };
            authorize(&page.actor, action).is_allowed()
        })
        .collect();
    let shown: Vec<&str> = readable.iter().map(|r| r.id.as_str()).collect();
    let audit = page.audit();
    crate::app::record_list(
        &state,
        &audit,
        "advisory.list_read",
        "member_advisories",
        &shown,
    )
    .await;
    let mut items = Vec::with_capacity(readable.len());
    for row in readable {
        let (c, scored) = content(row)?;
        items.push(json!({
            "id": row.id.as_str(), "summary": c.summary, "aliases": c.aliases,
            "rating": scored.first().map(|s| s.rating),
            "embargo": embargo_view(row, &viewer),
        }));
    }
    let params = [("tz", viewer.asked.as_str())];
    let ctx = json!({
        "advisories": items, "viewer": viewer.context(), "errors": viewer.errors,
        "zones": ZONES.split_whitespace().collect::<Vec<_>>(),
        "next": paging::next_link(LIST, &params, rows.next.as_ref()),
        "newest": before.is_some().then(|| paging::link(LIST, &params, None)),
    });
    page.render(&state, "member_advisories", "Embargoed advisories", ctx)
}

/// What `/member/advisories/{id}` found for the caller.
enum Found {
    /// Under embargo, and the caller may read it.
    Embargoed(AdvisoryRow),
    /// Public now: its page is the public one.
    Published(AdvisoryRow),
}

/// The advisory `id` for the caller. Nobody signed in is sent to log in
/// whatever the id, so learns nothing of which ids exist; an advisory the
/// caller may not read is 404 as a made-up id is. Drafts and withdrawn
/// advisories are the team's pages, never this view, so 404 to admins too.
async fn find(state: &AppState, page: &Page, id: &str) -> Result<Found, Error> {
    if page.actor == Actor::Anonymous {
        return Err(Error::Unauthenticated);
    }
    let row = usecase::load(state, id).await.map_err(advisory_error)?;
    if row.state == AdvisoryState::Published {
        Error::hidden_unless_allowed(&page.actor, Action::ReadPublished)?;
        return Ok(Found::Published(row));
    }
    hidden_unless_readable(state, &page.actor, &row).await?;
    match row.state {
        AdvisoryState::Embargoed => Ok(Found::Embargoed(row)),
        _ => Err(Error::NotFound),
    }
}

/// `/member/advisories/{id}`: one embargoed advisory as the team wrote it,
/// with its patches. A published one redirects to its public page.
pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let row = match find(&state, &page, &id).await? {
        Found::Embargoed(row) => row,
        Found::Published(row) => return Ok(see_other(&format!("/advisories/{}", row.id))),
    };
    crate::app::record(&state, &page.audit(), "advisory.read", row.id.as_str()).await;
    let viewer = Viewer::new(&q.tz, page.time_zone(&state));
    let (c, scored) = content(&row)?;
    let mut conn = state.db.conn().await?;
    let patches = store::patches(&mut conn, &row.id).await?;
    drop(conn);
    let patches: Vec<Value> = patches
        .iter()
        .map(|p| {
            json!({ "url": format!("{LIST}/{}/patches/{}", row.id, p.id), "filename": p.filename,
                    "size": p.size, "sha256": p.sha256 })
        })
        .collect();
    let advisory = json!({
        "id": row.id.as_str(), "summary": c.summary,
        // Rendered by publish::markdown, which drops raw HTML and unsafe links.
        "details_html": markdown::to_html(&c.details),
        "affected": c.affected, "severity": scored, "aliases": c.aliases,
        "cwe_ids": c.database_specific.cwe_ids,
        "unaffected_versions": c.database_specific.unaffected_versions,
        "fixed_versions": c.fixed_versions(), "credits": c.credits, "references": c.references,
        "embargo": embargo_view(&row, &viewer),
    });
    let ctx = json!({
        "advisory": advisory, "patches": patches, "viewer": viewer.context(),
        "errors": viewer.errors, "zones": ZONES.split_whitespace().collect::<Vec<_>>(),
    });
    let title = format!("{}: {}", row.id, c.summary);
    page.render(&state, "member_advisory", &title, ctx)
}

/// `/member/advisories/{id}/patches/{patch}`: a patch of an embargoed
/// advisory as a download; of a published one, its public download.
pub async fn patch(
    State(state): State<AppState>,
    page: Page,
    Path((id, patch)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let row = match find(&state, &page, &id).await? {
        Found::Embargoed(row) => row,
        Found::Published(row) => {
            // Only a well-formed id goes into the Location header.
            let patch = PatchId::parse(&patch).map_err(|_| Error::NotFound)?;
            let public = format!("/advisories/{}/patches/{patch}", row.id);
            return Ok(see_other(&public));
        }
    };
    let mut conn = state.db.conn().await?;
    let (info, content) = store::patch_content(&mut conn, &row.id, &patch)
        .await?
        .ok_or(Error::NotFound)?;
    drop(conn);
    let detail = json!({ "patch": info.id, "filename": info.filename, "size": info.size });
    let audit = page.audit();
    let action = "advisory.patch_downloaded";
    crate::app::record_detail(&state, &audit, action, row.id.as_str(), detail).await;
    Ok(view::download_as(
        &info.filename,
        &info.content_type,
        content,
    ))
}
