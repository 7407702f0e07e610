//! `/metrics` in Prometheus's text format, served two ways (`[metrics]`):
//! on a separate listener (`listen`, meant for loopback or a private
//! network) to whoever reaches it, and on the public port only to a
//! request carrying the configured bearer token. Without a token the
//! public port answers 404, as for any unknown path.
//!
//! Also the layer that counts and times every request of the public router.

use std::future::Future;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;

use crate::app::AppState;
use crate::domain::secret::constant_time_eq;

/// The route label of a request no route matched: one value for every
/// such path, which may carry anything.
const UNMATCHED: &str = "unmatched";

/// Counts and times the request under its route template.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |p| p.as_str().to_owned());
    let resp = next.run(req).await;
    state
        .metrics
        .record_request(method, &route, resp.status().as_u16(), started.elapsed());
    resp
}

/// Methods the service knows by name; anything else is `other`, so a
/// client cannot make up label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Whether `headers` carry `Authorization: Bearer TOKEN` with `token`.
fn has_token(headers: &HeaderMap, token: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, given)) = value.trim().split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer") && constant_time_eq(given.trim(), token)
}

/// `GET /metrics` on the public port.
pub async fn public_scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.config.metrics.token.as_deref() else {
        return super::pages::public::not_found().await.into_response();
    };
    if !has_token(&headers, token) {
        return (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"metrics\""),
            )],
            "a bearer token is required\n",
        )
            .into_response();
    }
    scrape(&state).await
}

async fn scrape(state: &AppState) -> Response {
    match state.metrics.render(state).await {
        Ok(text) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the database counts could not be read");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

/// The separate listener's routes: `/metrics`, without a token, and 404
/// for everything else.
pub fn listener_router(state: AppState) -> Router {
    let clock = state.clock.clone();
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { scrape(&state).await }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let clock = clock.clone();
            async move { clock.scope(next.run(req)).await }
        }))
        .with_state(state)
}

/// Serves [`listener_router`] on `listener` until `stop` completes, with
/// the public port's connection limits.
pub async fn serve<F>(listener: TcpListener, state: AppState, stop: F)
where
    F: Future<Output = ()>,
{
    let http = state.config.http.clone();
    super::server::serve(listener, listener_router(state), &http, stop).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn only_the_exact_bearer_token_is_taken() {
        let token = "0123456789abcdef";
        assert!(has_token(&with_auth("Bearer 0123456789abcdef"), token));
        assert!(has_token(&with_auth("bearer 0123456789abcdef"), token));
        assert!(!has_token(&with_auth("Bearer 0123456789abcde"), token));
        assert!(!has_token(&with_auth("Bearer 0123456789abcdef0"), token));
        assert!(!has_token(&with_auth("Basic 0123456789abcdef"), token));
        assert!(!has_token(&with_auth("0123456789abcdef"), token));
        assert!(!has_token(&HeaderMap::new(), token));
    }

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        let odd = Method::from_bytes(b"SECRET-TOKEN").unwrap();
        assert_eq!(method_label(&odd), "other");
    }
}
