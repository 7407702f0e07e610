//! Advisories for admins as pages: the list and one advisory with its
//! content, history and the forms that edit, embargo, publish and withdraw
//! it (a new one is in `advisory_new`). Every action is a use case of `app::advisories`; this module
//! only turns forms into their input and their errors back into fields.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::see_other;
use crate::app::AppState;
use crate::app::advisories as usecase;
use crate::db::advisories::{self as store, AdvisoryRow};
use crate::domain::advisory::AdvisoryState;
use crate::domain::authz::{Action, authorize};
use crate::domain::embargo::{EmbargoInputError, Warning, in_zone};
use crate::domain::fields::FieldErrors;
use crate::http::api::advisories::advisory_error;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::http::view::advisory_json;

/// The OSV fields the "OSV fields (JSON)" textarea holds.
pub(super) const STRUCTURED: &str =
    "affected severity database_specific aliases credits references";

pub(super) const STATES: [&str; 4] = ["draft", "embargoed", "published", "withdrawn"];

/// Common IANA zones offered for the embargo's zone; any other name works too.
pub(super) const ZONES: &str = "UTC Europe/London Europe/Berlin Europe/Paris Europe/Amsterdam \
    Europe/Helsinki Europe/Moscow America/New_York America/Chicago America/Denver \
    America/Los_Angeles America/Sao_Paulo Asia/Kolkata Asia/Shanghai Asia/Singapore Asia/Tokyo \
    Australia/Sydney Pacific/Auckland";

/// Warnings as the `?warn=` parameter names them after an embargo is set.
pub(super) const WARNINGS: [(&str, Warning); 3] = [
    ("weekend", Warning::Weekend),
    ("friday", Warning::Friday),
    ("public_holiday", Warning::PublicHoliday),
];

pub(super) const OVERRIDE_HINT: &str = "; to proceed anyway, give an override reason";
pub(super) const NOT_AN_OBJECT: &str = "must be a JSON object such as {\"affected\": []}";
pub(super) const REASON_REQUIRED: &str = "is required: the history keeps why the content changed";

/// Admins only; a form must also carry its CSRF token.
pub(super) fn allowed(page: &Page, action: Action<'_>, csrf: Option<&str>) -> Result<(), Error> {
    let decision = authorize(&page.actor, action);
    if !decision.is_allowed() {
        return Err(Error::denied(decision));
    }
    csrf.map_or(Ok(()), |c| page.check_csrf(c))
}

use super::advisory_forms::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    state: String,
    q: String,
    before: String,
    after: String,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, None)?;
    let filter = match q.state.trim() {
        "" => None,
        s => Some(AdvisoryState::parse(s).map_err(|e| Error::BadRequest(e.to_string()))?),
    };
    let window = crate::http::paging::window(&q.before, &q.after)?;
    let search = q.q.trim();
    let found = crate::db::advisory_lists::Filter {
        state: filter,
        audience: None,
        search: Some(search),
    };
    let mut conn = state.db.conn().await?;
    let page_rows = crate::db::advisory_lists::find(&mut conn, &found, &window).await?;
    drop(conn);
    let rows = &page_rows.items;
    let shown: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    crate::app::record_list(
        &state,
        &page.audit(),
        "advisory.list_read",
        "advisories",
        &shown,
    )
    .await;
    let items: Vec<Value> = rows.iter().map(advisory_json).collect::<Result<_, _>>()?;
    let params = [("state", q.state.as_str()), ("q", search)];
    let pages = crate::http::paging::Links::of("/admin/advisories", &params, &window, &page_rows);
    let ctx = json!({ "advisories": items, "filter_state": q.state, "q": search,
                      "states": STATES, "pages": pages });
    page.render(&state, "admin_advisories", "Advisories", ctx)
}

/// What the advisory page shows besides the advisory itself.
#[derive(Default)]
struct Shown {
    errors: FieldErrors,
    /// The viewer's zone, as asked for.
    tz: String,
    warnings: Vec<&'static str>,
    /// A form as it was typed, shown again with its errors: (name, fields).
    typed: Option<(&'static str, Value)>,
    /// The embargo was just saved: the page confirms it.
    saved: bool,
}

/// The advisory page. Showing content that is not public is recorded.
async fn render_advisory(
    state: &AppState,
    page: &Page,
    row: &AdvisoryRow,
    shown: Shown,
) -> Result<Response, PageError> {
    if !row.state.is_public() {
        crate::app::record(state, &page.audit(), "advisory.read", row.id.as_str()).await;
    }
    let advisory = advisory_json(row)?;
    // The edit form holds the stored fields, without the computed scores.
    let (stored, _) = usecase::content_of(row).map_err(advisory_error)?;
    let content = serde_json::to_value(&stored).map_err(anyhow::Error::from)?;
    let invalid = !shown.errors.is_empty();
    let mut errors = shown.errors;
    let until = row
        .embargo_until
        .and_then(|m| Timestamp::from_microsecond(m).ok());
    // `?tz=`: the end in one more zone, asked for on the page.
    let tz: String = shown.tz.trim().chars().take(100).collect();
    let viewer_at = match until {
        _ if tz.is_empty() => None,
        Some(u) if TimeZone::get(&tz).is_ok() => Some(in_zone(u, &tz)),
        Some(_) => {
            errors.add("tz", EmbargoInputError::UnknownZone(tz.clone()).to_string());
            None
        }
        None => None,
    };
    let embargo_facts = super::embargo_form::facts(state, row, shown.saved).await?;
    let mut forms = json!({
        "edit": stored_view(row, &stored),
        "embargo": super::embargo_form::fields(row, &state.config.organization_time_zone),
        "publish": { "reason": "" },
        "withdraw": { "reason": "" },
        "announce": { "note": "", "to": "all", "members": [] },
    });
    if let Some((name, fields)) = shown.typed {
        forms[name] = fields;
    }
    let mut conn = state.db.conn().await?;
    let revisions = store::revisions(&mut conn, &row.id).await?;
    let changes = store::embargo_history(&mut conn, &row.id).await?;
    let actors = revisions.iter().map(|r| r.actor.as_str());
    let actors: Vec<&str> = actors
        .chain(changes.iter().map(|c| c.actor.as_str()))
        .collect();
    let names = crate::http::history::Names::of(&mut conn, &actors, &[]).await?;
    drop(conn);
    let revisions: Vec<Value> = revisions
        .iter()
        .map(|r| {
            json!({ "revision": r.revision, "at": r.at, "actor": names.who(&r.actor),
                    "reason": r.reason, "changed": r.changed })
        })
        .collect();
    let announcing = super::announcements_admin::advisory_context(state, row).await?;
    let patches = super::advisory_patches::context(state, row).await?;
    let github = super::advisory_github::context(state, row).await?;
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| {
            let at = Timestamp::from_microsecond(c.until).ok();
            json!({
                "at": c.at, "actor": names.who(&c.actor), "time_zone": c.time_zone, "reason": c.reason,
                "override_reason": c.override_reason, "until": at.map(crate::publish::rfc3339),
                "in_time_zone": at.map(|t| in_zone(t, &c.time_zone)),
            })
        })
        .collect();
    let s = row.state;
    let published = s.is_public() && row.published_at.is_some();
    let ctx = json!({
        "advisory": advisory, "viewer": { "zone": tz, "at": viewer_at },
        "embargo_facts": embargo_facts,
        "zones": ZONES.split_whitespace().collect::<Vec<_>>(),
        "warnings": shown.warnings, "errors": errors, "forms": forms,
        "actions": { "edit": s.edit().is_ok(), "embargo": s.embargo().is_ok(),
                     "publish": s.publish().is_ok(),
                     // A draft is left, not withdrawn, on the page.
                     "withdraw": s.withdraw().is_ok() && row.state != AdvisoryState::Draft },
        "public_url": published.then(|| format!("/advisories/{}", row.id)),
        "revisions": revisions, "embargo_changes": changes, "announcing": announcing,
        "patches": patches, "github": github,
    });
    let title = format!(
        "{}: {}",
        row.id,
        content["summary"].as_str().unwrap_or_default()
    );
    let mut resp = page.render(state, "admin_advisory", &title, ctx)?;
    if invalid {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    tz: String,
    /// Warnings of the embargo just set, by name (`friday,weekend`).
    warn: String,
    /// `embargo` after the embargo was saved.
    saved: String,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, None)?;
    let row = usecase::load(&state, &id).await.map_err(advisory_error)?;
    // Only known names map to fixed texts: nothing of the query is echoed.
    let asked = |name: &str| q.warn.split(',').any(|w| w.trim() == name);
    let warnings = WARNINGS
        .iter()
        .filter(|(n, _)| asked(n))
        .map(|(_, w)| w.message());
    let (tz, warnings) = (q.tz.clone(), warnings.collect());
    render_advisory(
        &state,
        &page,
        &row,
        Shown {
            tz,
            warnings,
            saved: q.saved == "embargo",
            ..Shown::default()
        },
    )
    .await
}

/// The advisory page again, with a form's errors and what was typed in it.
pub(super) async fn refused(
    (state, page, id): (&AppState, &Page, &str),
    errors: FieldErrors,
    typed: (&'static str, Value),
) -> Result<Response, PageError> {
    let row = usecase::load(state, id).await.map_err(advisory_error)?;
    let typed = Some(typed);
    render_advisory(
        state,
        page,
        &row,
        Shown {
            errors,
            typed,
            ..Shown::default()
        },
    )
    .await
}

/// `POST /admin/advisories/{id}/edit` (see `advisory_forms::edit_advisory`).
pub async fn edit(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    edit_advisory(&state, &page, &id, pairs).await
}

/// The publish and withdraw forms: a reason (the embargo's is in `embargo_form`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActionForm {
    #[serde(skip_serializing)]
    csrf: String,
    reason: String,
    /// `yes` from the confirmation page of publishing or withdrawing.
    #[serde(skip_serializing)]
    confirm: String,
}

/// Publish or withdraw, by the form's `name` on the page.
async fn act(
    state: AppState,
    page: Page,
    id: String,
    form: ActionForm,
    name: &'static str,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, Some(&form.csrf))?;
    let (audit, reason) = (page.audit(), form.reason.as_str());
    // Irreversible: asked once more, on a page saying what will happen.
    let irreversible = matches!(name, "publish" | "withdraw");
    if irreversible && !reason.trim().is_empty() && form.confirm != "yes" {
        return super::confirm::advisory(&state, &page, &id, name, reason).await;
    }
    let result = match name {
        "publish" => usecase::publish_now(&state, &audit, &id, reason).await,
        _ => usecase::withdraw(&state, &audit, &id, reason).await,
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/admin/advisories/{id}"))),
        Err(e) => {
            let errors = form_errors(e, &format!("{name}_reason"))?;
            refused((&state, &page, &id), errors, (name, json!(form))).await
        }
    }
}

type Id = Path<String>;

pub async fn publish(
    State(s): State<AppState>,
    p: Page,
    Path(id): Id,
    Form(f): Form<ActionForm>,
) -> Result<Response, PageError> {
    let done =
        super::Flash::success("Advisory published: its public page, feeds and records are out.");
    Ok(done.on_redirect(&s, act(s.clone(), p, id, f, "publish").await?))
}

pub async fn withdraw(
    State(s): State<AppState>,
    p: Page,
    Path(id): Id,
    Form(f): Form<ActionForm>,
) -> Result<Response, PageError> {
    let done = super::Flash::success("Advisory withdrawn.");
    Ok(done.on_redirect(&s, act(s.clone(), p, id, f, "withdraw").await?))
}
