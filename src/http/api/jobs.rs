//! The job queue, for operators.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::paging::{PageQuery, WHOLE_LIST, next_cursor};
use crate::app::AppState;
use crate::app::jobs::{Retry, not_dead};
use crate::db::jobs;
use crate::domain::authz::Action;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;
use crate::http::pages::triage::job_state_filter;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// queued, running, done or dead.
    #[param(pattern = "^(queued|running|done|dead)?$")]
    state: String,
}

#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobsQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = JobList, description = "Newest first"), (status = 401), (status = 403)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    caller: ApiCaller,
    super::ApiQuery(q): super::ApiQuery<JobsQuery>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<JobList>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Administer)?;
    let filter = job_state_filter(&q.state)?;
    let window = p.window(WHOLE_LIST)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let page = jobs::page(&mut conn, filter, None, &window)
        .await
        .map_err(Error::from)?;
    Ok(Json(JobList {
        next_cursor: next_cursor(&page),
        items: page.items,
    }))
}

/// A page of the job queue.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct JobList {
    items: Vec<jobs::JobRow>,
    /// The `cursor` of the next page; null on the last.
    next_cursor: Option<String>,
}

/// A retried job's state.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RetriedState {
    Queued,
}

/// A dead job, queued again.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Retried {
    state: RetriedState,
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs", security(("bearer" = [])),
    responses((status = 200, body = Retried, description = "Queued again"), (status = 401), (status = 403), (status = 404, description = "no job with that id"), (status = 409, description = "the job is not dead (the message names its state)")))]
pub async fn retry_job(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Retried>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Administer)?;
    match crate::app::jobs::retry(&state, &caller.audit(), &id).await? {
        Retry::Queued => {}
        Retry::NotDead(s) => return Err(Error::Conflict(not_dead(&s)).into()),
        Retry::Missing => return Err(Error::NotFound.into()),
    }
    Ok(Json(Retried {
        state: RetriedState::Queued,
    }))
}
