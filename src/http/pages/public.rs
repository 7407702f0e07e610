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

/// 200 when the database commits a small write within two seconds; 503
/// when it does not answer or refuses writes (full disk, read-only).
pub async fn healthz(State(state): State<AppState>) -> Response {
    let unavailable = |why: &'static str| (StatusCode::SERVICE_UNAVAILABLE, why).into_response();
    match tokio::time::timeout(HEALTH_DEADLINE, state.db.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            return unavailable("database unavailable\n");
        }
        Err(_) => {
            tracing::warn!("health check: database did not answer in time");
            return unavailable("database unavailable\n");
        }
    }
    match tokio::time::timeout(HEALTH_DEADLINE, state.db.probe_write()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database refuses writes");
            unavailable("database refuses writes\n")
        }
        Err(_) => {
            tracing::warn!("health check: database did not commit in time");
            unavailable("database refuses writes\n")
        }
    }
}

/// 200 when this process is ready for traffic, 503 otherwise; the JSON
/// body names each check's state (see [`crate::app::readiness`]).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let readiness = crate::app::readiness::check(&state).await;
    let status = if readiness.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(readiness)).into_response()
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

/// The passkey ceremonies' script (the only script the pages load).
pub async fn passkeys_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/passkeys.js"),
    )
        .into_response()
}

pub async fn home(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    page.render(&state, "home", "Security", json!({}))
}

pub async fn not_found() -> PageError {
    PageError(Error::NotFound)
}
