//! Announcing from the admin's advisory page: what that page shows of its
//! announcements and the announce form, the confirmation that says what
//! will happen and to whom, the announcement itself, and the page of one
//! announcement's deliveries. The use cases are `app::announcements`; this
//! module turns the form into their input and their refusals into errors
//! on the advisory page.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::advisory_forms::one;
use super::see_other;
use crate::app::AppState;
use crate::app::announcements::{self as usecase, AnnounceError};
use crate::db::advisories::AdvisoryRow;
use crate::db::announcements::{self as store, DeliveryRow};
use crate::db::{DbError, accounts, clear_text, members};
use crate::domain::announcement::{DeliveryState, check_announceable};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::membership::MemberStatus;
use crate::http::api::advisories::advisory_error;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// Delivery states in the order the pages list them: what went wrong
/// first, what is still on its way next, what was sent last.
const STATE_ORDER: [DeliveryState; 6] = [
    DeliveryState::Failed,
    DeliveryState::Bounced,
    DeliveryState::Deferred,
    DeliveryState::Sending,
    DeliveryState::Queued,
    DeliveryState::Sent,
];

fn rank(state: &str) -> usize {
    let at = STATE_ORDER.iter().position(|s| s.as_str() == state);
    at.unwrap_or(0)
}

/// Admins only; a form must also carry its CSRF token.
fn allowed(page: &Page, csrf: Option<&str>) -> Result<(), Error> {
    Error::unless_allowed(&page.actor, Action::Announce)?;
    csrf.map_or(Ok(()), |c| page.check_csrf(c))
}

/// The announce form: a note, and all active members or the checked ones.
#[derive(Debug, Default)]
struct AnnounceForm {
    csrf: String,
    note: String,
    /// `all` (also when left out) or `chosen`.
    to: String,
    /// One per checked box.
    members: Vec<String>,
}

impl AnnounceForm {
    /// From the posted fields, in which `members` repeats.
    fn parse(fields: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "note" => form.note = value,
                "to" => form.to = value,
                "members" => form.members.push(value),
                _ => {}
            }
        }
        form
    }

    /// The members it names: None for all active members.
    fn chosen(&self) -> Result<Option<&[String]>, FieldErrors> {
        match self.to.as_str() {
            "" | "all" => Ok(None),
            "chosen" if self.members.is_empty() => Err(one(
                "members",
                "choose at least one member, or send to all active members",
            )),
            "chosen" => Ok(Some(&self.members)),
            _ => Err(one(
                "to",
                "choose all active members or the members checked",
            )),
        }
    }

    /// What it holds, to show again or carry to the next step.
    fn typed(&self) -> Value {
        let to = if self.to == "chosen" { "chosen" } else { "all" };
        json!({ "note": self.note, "to": to, "members": self.members })
    }
}

/// The advisory page again, with the form as typed and the refusal at
/// the top of the page (a state) or of the form (a member), with `status`.
async fn back_to_advisory(
    (state, page, id): (&AppState, &Page, &str),
    form: &AnnounceForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let typed = ("announce", form.typed());
    let mut resp = super::advisories_admin::refused((state, page, id), errors, typed).await?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// A refusal the advisory page shows, with its status; the rest are
/// error pages.
fn refusal(e: AnnounceError) -> Result<(FieldErrors, StatusCode), Error> {
    match e {
        AnnounceError::NotFound => Err(Error::NotFound),
        AnnounceError::NotAnnounceable(e) => {
            Ok((one("state", e.to_string()), StatusCode::CONFLICT))
        }
        AnnounceError::Invalid(f) => Ok((f, StatusCode::UNPROCESSABLE_ENTITY)),
        AnnounceError::Conflicts(f) => Ok((f, StatusCode::CONFLICT)),
        AnnounceError::Other(e) => Err(Error::Internal(e)),
    }
}

/// Who made an announcement, as the page names them: an account's email.
async fn who(
    conn: &mut sqlx::AnyConnection,
    cache: &mut HashMap<String, String>,
    actor: &str,
) -> Result<String, DbError> {
    if let Some(name) = cache.get(actor) {
        return Ok(name.clone());
    }
    let name = accounts::actor_name(conn, actor).await?;
    cache.insert(actor.to_owned(), name.clone());
    Ok(name)
}

/// What the advisory page shows of announcing `row`: its announcements,
/// newest first with their deliveries counted by state, and the active
/// members the forms offer (while it can be announced, or once it was).
pub(super) async fn advisory_context(state: &AppState, row: &AdvisoryRow) -> Result<Value, Error> {
    let advisory = row.id.as_str();
    let mut conn = state.db.conn().await?;
    let list = store::for_advisory(&mut conn, advisory).await?;
    let counts = store::state_counts(&mut conn, advisory).await?;
    let mut names = HashMap::new();
    let mut announcements = Vec::with_capacity(list.len());
    for a in &list {
        let mut mine: Vec<(&str, i64)> = counts
            .iter()
            .filter(|(id, _, _)| *id == a.id)
            .map(|(_, state, n)| (state.as_str(), *n))
            .collect();
        mine.sort_by_key(|(state, _)| std::cmp::Reverse(rank(state)));
        let mine: Vec<Value> = mine
            .iter()
            .map(|(state, n)| json!({ "state": state, "n": n }))
            .collect();
        announcements.push(json!({
            "id": a.id, "at": a.created_at, "by": who(&mut conn, &mut names, &a.created_by).await?,
            "recipients": a.recipients, "counts": mine,
        }));
    }
    let offered = check_announceable(row.state).is_ok();
    // Also for the leak form, once it went to the list.
    let active: Vec<Value> = match offered || !list.is_empty() {
        true => members::list(&mut conn)
            .await?
            .iter()
            .filter(|m| m.status == MemberStatus::Active)
            .map(|m| json!({ "id": m.id, "organization": m.organization }))
            .collect(),
        false => Vec::new(),
    };
    Ok(json!({ "offered": offered, "announcements": announcements, "members": active }))
}

type Fields = Form<Vec<(String, String)>>;

/// The confirmation: how many recipients, how many get the advisory
/// encrypted, how many in clear (allowed by an admin) and how many only a
/// notice, before anything is sent.
pub async fn confirm_announcement(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(fields): Fields,
) -> Result<Response, PageError> {
    let form = AnnounceForm::parse(fields);
    allowed(&page, Some(&form.csrf))?;
    let at = (&state, &page, id.as_str());
    let chosen = match form.chosen() {
        Ok(c) => c,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return back_to_advisory(at, &form, errors, status).await;
        }
    };
    let preview = match usecase::preview(&state, &id, chosen).await {
        Ok(p) => p,
        Err(e) => {
            let (errors, status) = refusal(e)?;
            return back_to_advisory(at, &form, errors, status).await;
        }
    };
    let row = crate::app::advisories::load(&state, &id).await;
    let row = row.map_err(advisory_error)?;
    let (content, _) = crate::app::advisories::content_of(&row).map_err(advisory_error)?;
    let names: Vec<String> = match chosen {
        Some(chosen) => {
            let mut conn = state.db.conn().await?;
            let all = members::list(&mut conn).await?;
            let named = all.into_iter().filter(|m| chosen.contains(&m.id));
            named.map(|m| m.organization).collect()
        }
        None => Vec::new(),
    };
    let ctx = json!({
        "advisory": { "id": row.id.as_str(), "summary": content.summary },
        "form": form.typed(), "chosen_names": names,
        "recipients": preview.recipients(), "encrypted": preview.encrypted,
        "notices": preview.notices, "clear": preview.clear, "not_accepted": preview.not_accepted,
    });
    let title = format!("Announce {} to the list?", row.id);
    page.render(&state, "admin_announce_confirm", &title, ctx)
}

/// Announces, as confirmed, and goes to the announcement's page.
pub async fn announce(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(fields): Fields,
) -> Result<Response, PageError> {
    let form = AnnounceForm::parse(fields);
    allowed(&page, Some(&form.csrf))?;
    let at = (&state, &page, id.as_str());
    let result = match form.chosen() {
        Ok(chosen) => usecase::announce(&state, &page.audit(), &id, &form.note, chosen).await,
        Err(errors) => Err(AnnounceError::Invalid(errors)),
    };
    match result {
        Ok(done) => Ok(see_other(&format!(
            "/admin/announcements/{}?announced=1",
            done.id.as_str()
        ))),
        Err(e) => {
            let (errors, status) = refusal(e)?;
            back_to_advisory(at, &form, errors, status).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    /// Set by the redirect after announcing: the page says it was done.
    announced: String,
}

fn delivery_json(
    d: &DeliveryRow,
    orgs: &HashMap<String, String>,
    allowances: &HashMap<String, Value>,
) -> Value {
    json!({
        "email": d.email, "member_id": d.member_id,
        "organization": orgs.get(&d.member_id).cloned().unwrap_or_else(|| d.member_id.clone()),
        "kind": d.kind, "clear_text": allowances.get(&d.id),
        "state": d.state, "attempts": d.attempts, "answer": d.answer,
        "message_id": d.message_id, "updated_at": d.updated_at,
        "failed": matches!(d.state.as_str(), "failed" | "bounced"),
    })
}

/// One announcement: every delivery, those not sent first. It shows
/// delivery records and the advisory's id and summary, nothing more of it,
/// so a view is not an audited read.
pub async fn show_announcement(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    allowed(&page, None)?;
    let mut conn = state.db.conn().await?;
    let ann = store::get(&mut conn, &id).await?.ok_or(Error::NotFound)?;
    let mut deliveries = store::deliveries(&mut conn, &ann.id).await?;
    let orgs: HashMap<String, String> = members::list(&mut conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m.organization))
        .collect();
    let mut names = HashMap::new();
    let by = who(&mut conn, &mut names, &ann.created_by).await?;
    // The allowance each clear delivery was sent under, as it stood then.
    let mut allowances = HashMap::new();
    for (delivery, a) in clear_text::of_announcement(&mut conn, &ann.id).await? {
        let allowed_by = who(&mut conn, &mut names, &a.by).await?;
        let shown = json!({ "allowed_by": allowed_by, "at": a.at, "reason": a.reason });
        allowances.insert(delivery, shown);
    }
    drop(conn);
    let row = crate::app::advisories::load(&state, &ann.advisory_id).await;
    let row = row.map_err(advisory_error)?;
    let (content, _) = crate::app::advisories::content_of(&row).map_err(advisory_error)?;
    // Stable: by member and address within a state.
    deliveries.sort_by_key(|d| rank(&d.state));
    let count = |s: DeliveryState| deliveries.iter().filter(|d| d.state == s.as_str()).count();
    let waiting = count(DeliveryState::Queued) + count(DeliveryState::Sending);
    let totals = json!({
        "all": deliveries.len(), "sent": count(DeliveryState::Sent),
        "bounced": count(DeliveryState::Bounced), "failed": count(DeliveryState::Failed),
        "deferred": count(DeliveryState::Deferred), "waiting": waiting,
    });
    let sent = DeliveryState::Sent.as_str();
    let (done, not_sent): (Vec<_>, Vec<_>) = deliveries.iter().partition(|d| d.state == sent);
    let ctx = json!({
        "announcement": { "id": ann.id, "at": ann.created_at, "by": by, "recipients": ann.recipients },
        "advisory": { "id": ann.advisory_id, "summary": content.summary },
        "announced": q.announced == "1", "totals": totals,
        "not_sent": not_sent.iter().map(|d| delivery_json(d, &orgs, &allowances)).collect::<Vec<_>>(),
        "sent": done.iter().map(|d| delivery_json(d, &orgs, &allowances)).collect::<Vec<_>>(),
    });
    let title = format!("Announcement of {}", ann.advisory_id);
    page.render(&state, "admin_announcement", &title, ctx)
}
