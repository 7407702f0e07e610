//! Announcements: an embargoed advisory sent to the list, one encrypted
//! message per recipient, and who got it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::app::announcements::{self as usecase, AnnounceError};
use crate::db::{announcements as store, clear_text};
use crate::domain::authz::Action;
use crate::http::api::clear_text::{AllowanceView, allowance_view};
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AnnounceBody {
    /// A note from the team, in Markdown, sent with the advisory.
    #[serde(default)]
    note: Option<String>,
    /// Members to send to (`mem_...`); all active members when left out.
    /// They join the advisory's audience: until it is published, only the
    /// contacts of members it was announced to may read it.
    #[serde(default)]
    members: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Announced {
    id: String,
    /// Contacts the announcement goes to.
    recipients: usize,
}

fn announce_error(e: AnnounceError) -> Error {
    match e {
        AnnounceError::NotFound => Error::NotFound,
        AnnounceError::NotAnnounceable(e) => Error::Conflict(e.to_string()),
        AnnounceError::Invalid(f) => Error::Invalid(f),
        AnnounceError::Conflicts(f) => Error::Conflicts(f),
        AnnounceError::Other(e) => Error::Internal(e),
    }
}

#[utoipa::path(post, path = "/api/v1/advisories/{id}/announcements", tag = "advisories", request_body = AnnounceBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Advisory id")),
    responses((status = 201, body = Announced, description = "Announced: each recipient gets their own message, and the chosen members (all active members when none are named) may read the advisory from now on; earlier announcements' members keep reading it"),
        (status = 401), (status = 403), (status = 404),
        (status = 409, description = "Only an embargoed advisory can be announced; the reason says why not this one"),
        (status = 422, description = "A named member is not an active member")))]
pub async fn announce(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnnounceBody>,
) -> Result<(StatusCode, Json<Announced>), ApiError> {
    Error::unless_allowed(&caller.actor, Action::Announce)?;
    let note = body.note.unwrap_or_default();
    let done = usecase::announce(&state, &caller.audit(), &id, &note, body.members.as_deref())
        .await
        .map_err(announce_error)?;
    Ok((
        StatusCode::CREATED,
        Json(Announced {
            id: done.id.as_str().to_owned(),
            recipients: done.recipients,
        }),
    ))
}

/// How a recipient gets an announcement.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum DeliveryKindName {
    /// Encrypted to their key.
    Encrypted,
    /// A notice naming nothing: they have no usable key.
    Notice,
    /// In clear, signed by the list key: no usable key, clear text allowed.
    Clear,
}

/// Where one recipient's message stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum DeliveryStateName {
    Queued,
    Sending,
    Sent,
    Deferred,
    Bounced,
    Failed,
}

/// One recipient's message.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    email: String,
    member_id: String,
    #[schema(value_type = DeliveryKindName)]
    kind: String,
    /// The clear-text allowance as it stood when announced; null when
    /// none applied.
    #[schema(required = true)]
    clear_text: Option<AllowanceView>,
    #[schema(value_type = DeliveryStateName)]
    state: String,
    attempts: i64,
    /// The SMTP server's last answer.
    answer: String,
    /// The Message-ID it is sent with.
    message_id: String,
}

/// An announcement and who got it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementView {
    id: String,
    advisory_id: String,
    /// The team's note, in Markdown.
    note: String,
    /// Microseconds since the epoch.
    created_at: i64,
    recipients: i64,
    deliveries: Vec<DeliveryView>,
}

#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "advisories", security(("bearer" = [])),
    params(("id" = String, Path, description = "Announcement id")),
    responses((status = 200, body = AnnouncementView, description = "The announcement and one delivery per recipient, each of `kind` \"encrypted\", \"notice\" or \"clear\". `clear`: no usable key, clear text allowed by an admin (the allowance as it stood when announced): the advisory unencrypted, signed by the list key"),
        (status = 401), (status = 403), (status = 404)))]
pub async fn get_announcement(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<AnnouncementView>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Announce)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let ann = store::get(&mut conn, &id)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    let deliveries = store::deliveries(&mut conn, &ann.id)
        .await
        .map_err(Error::from)?;
    let allowances = clear_text::of_announcement(&mut conn, &ann.id)
        .await
        .map_err(Error::from)?;
    let mut shown = Vec::with_capacity(deliveries.len());
    for d in &deliveries {
        let allowance = match allowances.get(&d.id) {
            Some(a) => Some(allowance_view(&mut conn, a).await.map_err(Error::from)?),
            None => None,
        };
        shown.push(DeliveryView {
            email: d.email.clone(),
            member_id: d.member_id.clone(),
            kind: d.kind.clone(),
            clear_text: allowance,
            state: d.state.clone(),
            attempts: d.attempts,
            answer: d.answer.clone(),
            message_id: d.message_id.clone(),
        });
    }
    Ok(Json(AnnouncementView {
        id: ann.id,
        advisory_id: ann.advisory_id,
        note: ann.note,
        created_at: ann.created_at,
        recipients: ann.recipients,
        deliveries: shown,
    }))
}
