//! A browser signed in through the login form: its cookies and the CSRF
//! token its pages carry.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use super::{Response, TestApp};

/// A CSRF value any anonymous test form may use: without a session the
/// double-submit check only needs the cookie and the field to agree.
pub const CSRF: &str = "testcsrftesttokentesttokentesttokentesttoken";

/// A signed-in browser: the `Cookie` header to send with page requests, and
/// the CSRF token its pages carry (bound to the session).
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// Logs `email` in through the login form (password as set by
    /// [`TestApp::account`]) and returns its cookies.
    pub async fn browser(&self, email: &str) -> Browser {
        let cookie = self.sign_in(email, "correct horse battery staple").await;
        let csrf = self.csrf_on_page(&cookie).await;
        Browser { cookie, csrf }
    }

    /// Logs `email` in with `password` through the login form; returns the
    /// `Cookie` header a browser would then send.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("csrf", CSRF),
                ("email", email),
                ("password", password),
                ("totp", ""),
            ])
            .finish();
        let resp = self
            .request(
                Request::builder()
                    .method(Method::POST)
                    .uri("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("embargo_csrf={CSRF}"))
                    .body(Body::from(body))
                    .expect("request"),
            )
            .await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "login failed: {}",
            resp.text()
        );
        let session = resp
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("embargo_session="))
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_owned();
        format!("embargo_csrf={CSRF}; embargo_session={session}")
    }

    /// The CSRF token the pages show to the browser sending `cookie` (read
    /// from the log-out form every signed-in page has).
    pub async fn csrf_on_page(&self, cookie: &str) -> String {
        let page = self.page(Method::GET, "/", Some(cookie), None).await;
        let mut html = page.text();
        let marker = "name=\"csrf\" value=\"";
        if !html.contains(marker) {
            // An account that must set up a second factor first sees
            // only its account page.
            html = self
                .page(Method::GET, "/account", Some(cookie), None)
                .await
                .text();
        }
        let rest = &html[html.find(marker).expect("a form with a CSRF field") + marker.len()..];
        rest[..rest.find('"').expect("end of value")].to_owned()
    }

    /// A page request; `cookie` is a full Cookie header (or none).
    pub async fn page(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> Response {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let req = match form {
            Some(f) => b
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(f.to_owned())),
            None => b.body(Body::empty()),
        };
        self.request(req.expect("request")).await
    }
}
