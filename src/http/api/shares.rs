//! Need-to-know shares of an embargoed advisory with a colleague.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::paging::{PageQuery, WHOLE_LIST, next_cursor};
use crate::app::AppState;
use crate::app::shares::{self as usecase, ShareError, ShareInput};
use crate::db::advisories::AdvisoryRow;
use crate::db::shares::ShareRow;
use crate::domain::advisory::AdvisoryState;
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::id::MemberId;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ShareBody {
    /// The colleague's address.
    email: String,
    /// The colleague's name.
    name: String,
    /// Why they need to know.
    reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Shared {
    id: String,
}

fn share_error(e: ShareError) -> Error {
    match e {
        ShareError::NotFound => Error::NotFound,
        ShareError::Conflict(m) => Error::Conflict(m),
        ShareError::Invalid(f) => Error::Invalid(f),
        ShareError::Other(e) => Error::Internal(e),
    }
}

/// The advisory, if the caller may read it (404 as for a made-up id if
/// not), and whether the caller's organisation is in its audience.
async fn readable(state: &AppState, actor: &Actor, id: &str) -> Result<(AdvisoryRow, bool), Error> {
    let row = crate::app::advisories::load(state, id)
        .await
        .map_err(super::advisories::advisory_error)?;
    let in_audience = super::advisories::hidden_unless_readable(state, actor, &row).await?;
    Ok((row, in_audience))
}

/// A share of an embargoed advisory with a delegate; instants in
/// microseconds since the epoch.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareView {
    id: String,
    advisory_id: String,
    /// The member whose contact shared it.
    member_id: String,
    /// The contact who shared it: an account id.
    shared_by: String,
    /// The delegate's address.
    email: String,
    /// The delegate's name.
    name: String,
    reason: String,
    created_at: i64,
    /// Null until the delegate accepts the terms.
    #[schema(required = true)]
    accepted_at: Option<i64>,
    /// Null unless revoked.
    #[schema(required = true)]
    revoked_at: Option<i64>,
}

impl ShareView {
    fn of(s: &ShareRow) -> Self {
        Self {
            id: s.id.clone(),
            advisory_id: s.advisory_id.clone(),
            member_id: s.member_id.clone(),
            shared_by: s.shared_by.clone(),
            email: s.email.clone(),
            name: s.name.clone(),
            reason: s.reason.clone(),
            created_at: s.created_at,
            accepted_at: s.accepted_at,
            revoked_at: s.revoked_at,
        }
    }
}

/// A page of shares, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareList {
    items: Vec<ShareView>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// What a change to a share did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ShareStatusWord {
    Revoked,
    Accepted,
}

/// The answer to a change of a share.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareStatus {
    status: ShareStatusWord,
}

#[utoipa::path(post, path = "/api/v1/advisories/{id}/shares", tag = "advisories", request_body = ShareBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Advisory id")),
    responses((status = 201, body = Shared, description = "Shared: the colleague gets an invitation with a set-up link and nothing of the advisory"),
        (status = 401), (status = 403, description = "Only a cleared member contact shares, of an advisory announced to their organisation"),
        (status = 404, description = "No such advisory, or one the caller may not read (a draft, or an embargoed one not announced to their organisation)"),
        (status = 409, description = "Not embargoed, or the address has an account on the list already"), (status = 422)))]
pub async fn create_share(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ShareBody>,
) -> Result<(StatusCode, Json<Shared>), ApiError> {
    // Who may not ask for this id learns nothing of it (403 before any
    // lookup); an advisory the caller may not read is absent (404).
    super::advisories::may_ask_for(&caller.actor, &id)?;
    let (row, in_audience) = readable(&state, &caller.actor, &id).await?;
    if row.state != AdvisoryState::Embargoed {
        return Err(Error::Conflict(format!(
            "only an embargoed advisory can be shared; this one is {}",
            row.state.as_str()
        ))
        .into());
    }
    let share = Action::ShareAdvisory {
        state: row.state,
        in_audience,
    };
    Error::unless_allowed(&caller.actor, share)?;
    let advisory = row.id;
    let (Actor::Account { id: sharer, .. }, Some(member)) = (&caller.actor, caller.actor.member())
    else {
        return Err(Error::Forbidden.into());
    };
    let input = ShareInput {
        email: &body.email,
        name: &body.name,
        reason: &body.reason,
    };
    let share = usecase::share(&state, &caller.audit(), sharer, member, &advisory, input)
        .await
        .map_err(share_error)?;
    Ok((
        StatusCode::CREATED,
        Json(Shared {
            id: share.as_str().to_owned(),
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}/shares", tag = "advisories", security(("bearer" = [])),
    params(("id" = String, Path, description = "Advisory id"), PageQuery),
    responses((status = 200, body = ShareList, description = "Newest first: every share for admins, the caller's organisation's for a member contact"),
        (status = 401), (status = 403), (status = 404, description = "No such advisory, or one the caller may not read")))]
pub async fn list_shares(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<ShareList>, ApiError> {
    let window = p.window(WHOLE_LIST)?;
    let scope = if authorize(&caller.actor, Action::ManageAdvisories).is_allowed() {
        None
    } else {
        let member = caller.actor.member();
        match member {
            Some(m) => Error::unless_allowed(&caller.actor, Action::ManageShares(m))?,
            None => Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?,
        }
        member
    };
    let (advisory, _) = readable(&state, &caller.actor, &id).await?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let page = crate::db::shares::page_for_advisory(
        &mut conn,
        advisory.id.as_str(),
        scope.map(MemberId::as_str),
        &window,
    )
    .await
    .map_err(Error::from)?;
    Ok(Json(ShareList {
        items: page.items.iter().map(ShareView::of).collect(),
        next_cursor: next_cursor(&page),
    }))
}

/// The share, if the caller may act on it as `action` says (404 if not).
async fn share_for(
    state: &AppState,
    actor: &Actor,
    id: &str,
    action: impl Fn(&ShareRow) -> bool,
) -> Result<ShareRow, Error> {
    if matches!(actor, Actor::Anonymous) {
        return Err(Error::Unauthenticated);
    }
    let share = usecase::get(state, id)
        .await
        .map_err(Error::Internal)?
        .ok_or(Error::NotFound)?;
    if !action(&share) {
        return Err(Error::NotFound);
    }
    Ok(share)
}

#[utoipa::path(delete, path = "/api/v1/shares/{id}", tag = "advisories", security(("bearer" = [])),
    params(("id" = String, Path, description = "Share id")),
    responses((status = 200, body = ShareStatus, description = "`revoked`: the delegate's access ended"),
        (status = 401), (status = 404, description = "No such share, or not one the caller may revoke"), (status = 409)))]
pub async fn revoke_share(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ShareStatus>, ApiError> {
    let share = share_for(&state, &caller.actor, &id, |s| {
        MemberId::parse(&s.member_id)
            .is_ok_and(|m| authorize(&caller.actor, Action::ManageShares(&m)).is_allowed())
    })
    .await?;
    usecase::revoke(&state, &caller.audit(), &share)
        .await
        .map_err(share_error)?;
    Ok(Json(ShareStatus {
        status: ShareStatusWord::Revoked,
    }))
}

#[utoipa::path(post, path = "/api/v1/shares/{id}/accept", tag = "advisories", security(("bearer" = [])),
    params(("id" = String, Path, description = "Share id")),
    responses((status = 200, body = ShareStatus, description = "`accepted`: the share's terms accepted; with the current policy accepted too, the advisory is readable"),
        (status = 401), (status = 404, description = "No such share, or not the caller's"), (status = 409, description = "Revoked")))]
pub async fn accept_share(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ShareStatus>, ApiError> {
    let share = share_for(&state, &caller.actor, &id, |s| {
        crate::domain::id::AccountId::parse(&s.delegate_id)
            .is_ok_and(|d| authorize(&caller.actor, Action::AcceptShare(&d)).is_allowed())
    })
    .await?;
    usecase::accept(&state, &caller.audit(), &share)
        .await
        .map_err(share_error)?;
    Ok(Json(ShareStatus {
        status: ShareStatusWord::Accepted,
    }))
}
