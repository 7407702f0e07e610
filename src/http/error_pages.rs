//! Error pages in the site's layout: a page's error response carries what
//! went wrong ([`ErrorPage`]); this layer renders it with the navigation of
//! whoever asked and a next step, falling back to the plain page when even
//! that fails.

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::extract::Page;
use crate::app::AppState;

/// What a page's error response says, for the layout to show.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub message: String,
}

/// What to do next after `status`.
fn next_step(status: u16, max_body: usize) -> String {
    match status {
        403 => "Your account may not open this page. If you think it should, ask the security team.".into(),
        404 => "The address may be mistyped, or what it named is gone or not yours to see.".into(),
        413 => format!(
            "Send less at once: the limit is {} MiB a request. Go back to keep what you typed.",
            max_body / (1024 * 1024)
        ),
        429 => "Too many tries from your address: wait a few minutes, then try again.".into(),
        400 | 422 => "Go back, correct the form and send it again.".into(),
        _ => "Something went wrong on our side. Try again in a moment; if it keeps happening, tell the security team.".into(),
    }
}

pub async fn with_layout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    // Only what rendering needs: who is signed in (the cookies).
    let mut kept = Request::new(());
    *kept.uri_mut() = parts.uri.clone();
    *kept.headers_mut() = parts.headers.clone();
    let resp = next.run(Request::from_parts(parts, body)).await;
    let Some(error) = resp.extensions().get::<ErrorPage>().cloned() else {
        return resp;
    };
    let status = resp.status();
    let (mut parts, ()) = kept.into_parts();
    let Ok(page) = Page::from_request_parts(&mut parts, &state).await else {
        return resp;
    };
    let title = status.canonical_reason().unwrap_or("Error");
    let ctx = json!({
        "message": error.message,
        "next_step": next_step(status.as_u16(), state.config.limits.max_body_bytes),
        "status": status.as_u16(),
    });
    match page.render(&state, "error", title, ctx) {
        Ok(mut rendered) => {
            *rendered.status_mut() = status;
            rendered
        }
        Err(_) => resp,
    }
}
