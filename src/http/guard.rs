//! Refuses cross-origin form posts before any handler runs.
//!
//! Page forms are cookie-authenticated, so besides their CSRF token a
//! state-changing request must come from a page of ours: its `Origin` (or,
//! when a browser sends none, its `Referer`) must be this service's origin.
//! "Ours" is the origin of `base_url`, or the host the request was sent to
//! (so `localhost` and `127.0.0.1` both work before `base_url` is set). A
//! request with neither header (curl, the tests) is left to the CSRF token.
//! The JSON API ignores cookies, so it needs no such check.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN, REFERER};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{Error, PageError};

/// The origin (`scheme://host[:port]`) of `base`, as browsers send it.
pub fn origin_of(base: &str) -> Option<String> {
    let url = url::Url::parse(base).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Whether a state-changing request with these headers came from a page
/// of `ours`.
pub fn is_same_origin(headers: &HeaderMap, ours: &str) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    // `Origin: null` (sandboxed or privacy-stripped) is present and not ours.
    let claimed = match (header(ORIGIN), header(REFERER)) {
        (Some(origin), _) => origin.to_owned(),
        (None, Some(referer)) => origin_of(referer).unwrap_or_default(),
        (None, None) => return true,
    };
    if claimed.eq_ignore_ascii_case(ours) {
        return true;
    }
    // The host the browser addressed, in any scheme.
    let authority = claimed.split_once("://").map(|(_, a)| a);
    match (authority, header(HOST)) {
        (Some(a), Some(host)) => !a.is_empty() && a.eq_ignore_ascii_case(host),
        _ => false,
    }
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Middleware: 403 for a cross-origin post to a page route.
pub async fn same_origin_forms(State(ours): State<Arc<str>>, req: Request, next: Next) -> Response {
    if changes_state(req.method())
        && !req.uri().path().starts_with("/api/")
        && !is_same_origin(req.headers(), &ours)
    {
        return PageError(Error::Forbidden).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const OURS: &str = "https://security.example.org";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn posts_from_our_pages_pass_and_others_do_not() {
        let host = ("host", "security.example.org");
        for ok in [
            vec![("origin", OURS)],
            vec![("origin", "HTTPS://Security.Example.org")],
            vec![("referer", "https://security.example.org/report")],
            vec![],
            vec![host],
            vec![
                ("origin", "http://localhost:8080"),
                ("host", "localhost:8080"),
            ],
        ] {
            assert!(is_same_origin(&headers(&ok), OURS), "{ok:?}");
        }
        for bad in [
            vec![("origin", "https://evil.example"), host],
            vec![("origin", "null"), host],
            vec![
                ("origin", "https://security.example.org.evil.example"),
                host,
            ],
            vec![("origin", "http://security.example.org:8443"), host],
            vec![
                ("referer", "https://evil.example/security.example.org"),
                host,
            ],
            vec![("referer", "not a url"), host],
        ] {
            assert!(!is_same_origin(&headers(&bad), OURS), "{bad:?}");
        }
    }

    #[test]
    fn origin_of_drops_the_path_and_default_port() {
        assert_eq!(
            origin_of("https://security.example.org:443/x/").as_deref(),
            Some(OURS)
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("nonsense"), None);
    }
}
