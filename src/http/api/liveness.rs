//! Liveness pings to members' security aliases and the periodic member
//! reviews: the alias answers a ping through its link; admins read a
//! member's liveness record and record reviews.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::membership::membership_error;
use super::paging::{PageQuery, WHOLE_LIST, next_cursor};
use crate::app::AppState;
use crate::app::liveness::{self as usecase, PingView, ping_view};
use crate::db::members::MemberStatusName;
use crate::db::{self, liveness as store, members};
use crate::domain::authz::Action;
use crate::domain::membership::MemberStatus;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

/// Starts the daily sweep should it not run yet; a failure is logged, the
/// request goes on.
pub async fn keep_sweeping(state: &AppState) {
    if let Err(err) = usecase::ensure_sweep(state).await {
        tracing::warn!(error = %format!("{err:#}"), "could not enqueue the liveness sweep");
    }
}

/// The median of `values`, if any.
fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let m = if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    };
    Some((m * 10.0).round() / 10.0)
}

/// A member's liveness record; instants in microseconds since the epoch.
#[derive(Debug, Serialize, ToSchema)]
pub struct LivenessRecord {
    /// The member's id.
    member: String,
    organization: String,
    #[schema(value_type = MemberStatusName)]
    status: MemberStatus,
    /// Newest first.
    pings: Vec<PingView>,
    /// Pings due and not answered.
    overdue: usize,
    /// Pings answered, in time or late.
    answered: usize,
    /// Null before the first answer.
    #[schema(required = true)]
    median_response_hours: Option<f64>,
    /// Null for a removed member.
    #[schema(required = true)]
    next_ping_at: Option<i64>,
    /// Null for a removed member.
    #[schema(required = true)]
    review_due_at: Option<i64>,
    review_is_due: bool,
}

/// A ping, answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct PingAnswered {
    /// The member's id.
    member: String,
    organization: String,
    /// Microseconds since the epoch.
    sent_at: i64,
    /// Microseconds since the epoch: the first answer.
    #[schema(required = true)]
    answered_at: Option<i64>,
    #[schema(required = true)]
    response_hours: Option<f64>,
    /// False when the link was followed before: the first answer counts.
    first_answer: bool,
}

/// A page of a member's reviews, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    items: Vec<store::Review>,
    /// Microseconds since the epoch; null for a removed member.
    #[schema(required = true)]
    review_due_at: Option<i64>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// A review, recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewCreated {
    id: String,
    #[schema(value_type = store::ReviewOutcome)]
    outcome: String,
    /// The member's standing after it.
    #[schema(value_type = MemberStatusName)]
    member_status: MemberStatus,
}

/// A member's liveness record: its pings (newest first) with their state,
/// counts, the median response time, and when the next ping and the next
/// review are due.
pub async fn liveness_view(
    state: &AppState,
    member: &members::Member,
) -> Result<LivenessRecord, Error> {
    let mut conn = state.db.conn().await?;
    let pings = store::pings(&mut conn, &member.id).await?;
    let reviews = store::reviews(&mut conn, &member.id).await?;
    drop(conn);
    let now = db::now();
    let views: Vec<PingView> = pings.iter().map(|p| ping_view(p, now)).collect();
    let count = |s: &str| views.iter().filter(|v| v.state == s).count();
    let hours = pings.iter().filter_map(usecase::response_hours).collect();
    let active = member.status == MemberStatus::Active;
    let last_ping = pings.first().map(|p| p.sent_at);
    let last_review = reviews.first().map(|r| r.at);
    let next_ping = usecase::next_ping_at(state, member.joined_at, last_ping);
    let review_due = usecase::review_due_at(state, member.joined_at, last_review);
    Ok(LivenessRecord {
        member: member.id.clone(),
        organization: member.organization.clone(),
        status: member.status,
        overdue: count("overdue"),
        answered: count("answered") + count("late"),
        pings: views,
        median_response_hours: median(hours),
        next_ping_at: active.then_some(next_ping),
        review_due_at: active.then_some(review_due),
        review_is_due: active && review_due <= now,
    })
}

async fn member(state: &AppState, id: &str) -> Result<members::Member, Error> {
    let mut conn = state.db.conn().await?;
    members::get(&mut conn, id).await?.ok_or(Error::NotFound)
}

#[utoipa::path(post, path = "/api/v1/liveness/{token}", tag = "membership",
    responses((status = 200, body = PingAnswered, description = "The first answer counts"), (status = 404)))]
pub async fn answer_ping(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(token): Path<String>,
) -> Result<Json<PingAnswered>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::AnswerAliasPing)?;
    let answered = usecase::answer(&state, &caller.audit(), &token)
        .await
        .map_err(membership_error)?;
    keep_sweeping(&state).await;
    let p = &answered.ping;
    Ok(Json(PingAnswered {
        member: p.member_id.clone(),
        organization: answered.organization,
        sent_at: p.sent_at,
        answered_at: p.answered_at,
        response_hours: usecase::response_hours(p),
        first_answer: answered.first,
    }))
}

#[utoipa::path(get, path = "/api/v1/members/{id}/liveness", tag = "membership", security(("bearer" = [])),
    responses((status = 200, body = LivenessRecord, description = "Instants in microseconds since the epoch"),
        (status = 401), (status = 403), (status = 404)))]
pub async fn member_liveness(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<LivenessRecord>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    keep_sweeping(&state).await;
    let m = member(&state, &id).await?;
    Ok(Json(liveness_view(&state, &m).await?))
}

#[utoipa::path(get, path = "/api/v1/members/{id}/reviews", tag = "membership", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = ReviewList, description = "Newest first"),
        (status = 401), (status = 403), (status = 404)))]
pub async fn list_reviews(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<ReviewList>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    let window = p.window(WHOLE_LIST)?;
    keep_sweeping(&state).await;
    let m = member(&state, &id).await?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let page = store::review_page(&mut conn, &m.id, &window)
        .await
        .map_err(Error::from)?;
    let last = store::last_review_at(&mut conn, &m.id)
        .await
        .map_err(Error::from)?;
    let due = (m.status == MemberStatus::Active)
        .then(|| usecase::review_due_at(&state, m.joined_at, last));
    Ok(Json(ReviewList {
        next_cursor: next_cursor(&page),
        items: page.items,
        review_due_at: due,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// `keep` or `remove`.
    #[schema(pattern = "^(keep|remove)$")]
    outcome: String,
    /// Kept with the review; required to remove, as the reason the member
    /// is told.
    #[serde(default)]
    notes: String,
}

#[utoipa::path(post, path = "/api/v1/members/{id}/reviews", tag = "membership", request_body = ReviewBody, security(("bearer" = [])),
    responses((status = 201, body = ReviewCreated, description = "`remove` removes the member as `/removal` does"),
        (status = 401), (status = 403), (status = 404), (status = 409, description = "the member was removed already"), (status = 422)))]
pub async fn create_review(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Response, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    keep_sweeping(&state).await;
    let review = usecase::review(&state, &caller.audit(), &id, &body.outcome, &body.notes)
        .await
        .map_err(membership_error)?;
    let m = member(&state, &id).await?;
    let body = ReviewCreated {
        id: review.as_str().to_owned(),
        outcome: body.outcome.trim().to_owned(),
        member_status: m.status,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn median_of_response_times() {
        assert_eq!(super::median(vec![]), None);
        assert_eq!(super::median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(super::median(vec![4.0, 1.0]), Some(2.5));
    }
}
