//! Pages anyone may see, and operational endpoints.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::AppState;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// How long `/healthz` waits for the database: a load balancer's probe
/// needs an answer, not a hang until the pool gives up.
const HEALTH_DEADLINE: std::time::Duration = std::time::Duration::from_secs(2);

/// 200 when the database answers within two seconds, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(HEALTH_DEADLINE, state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
        Err(_) => {
            tracing::warn!("health check: database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/style.css"),
    )
        .into_response()
}

pub async fn home(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    page.render(&state, "home", "Security", json!({}))
}

pub async fn not_found() -> PageError {
    PageError(Error::NotFound)
}
