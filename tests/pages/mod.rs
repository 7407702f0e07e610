//! The HTML side, end to end: forms with their CSRF tokens, what pages show,
//! and what reaches the database and the mail.

mod account;
mod advisories;
mod advisory_editor;
mod advisory_embargo;
mod announcements;
mod apply_list;
mod clear_text;
mod errors;
mod feedback;
mod histories;
mod intake;
mod leaks;
mod list_search;
mod lists;
mod member_admin_details;
mod member_advisories;
mod member_self;
mod membership;
mod membership_admin;
mod mobile;
mod passkeys;
mod recovery_codes;
mod report_attachments;
mod report_handoff;
mod second_factor_required;
mod sessions;
mod setup_totp;
mod templates;
mod times;
mod triage;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use embargo::db::audit::Actor;
use embargo::domain::account::Role;
use embargo::domain::email::EmailAddress;

pub(super) use crate::common::{CSRF, Response, TestApp, path_of};

pub(super) const PASSWORD: &str = "correct horse battery staple";
pub(super) const ADMIN: &str = "admin@project.test";
pub(super) const REPORTER: &str = "rita@example.net";
pub(super) const TRACK: &str = "http://embargo.test/track/";
pub(super) const BOUNDARY: &str = "pages-test-boundary-41c9";
pub(super) const OK: StatusCode = StatusCode::OK;
pub(super) const SEE_OTHER: StatusCode = StatusCode::SEE_OTHER;
pub(super) const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
pub(super) const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// A browser tab: page requests with one Cookie header.
pub(super) struct Tab<'a> {
    app: &'a TestApp,
    cookie: String,
    /// The token its forms carry: `CSRF` without a session, else the
    /// session's own.
    csrf: String,
}

impl<'a> Tab<'a> {
    fn new(app: &'a TestApp, cookie: String) -> Self {
        let csrf = CSRF.to_owned();
        Self { app, cookie, csrf }
    }

    /// A tab holding a session, with the CSRF token its pages show.
    async fn with_session(app: &'a TestApp, cookie: String) -> Self {
        let csrf = app.csrf_on_page(&cookie).await;
        Self { app, cookie, csrf }
    }

    async fn get(&self, path: &str) -> Response {
        let cookie = Some(self.cookie.as_str());
        self.app.page(Method::GET, path, cookie, None).await
    }

    /// Posts an urlencoded form as it is.
    async fn send(&self, path: &str, form: &str) -> Response {
        let cookie = Some(self.cookie.as_str());
        self.app.page(Method::POST, path, cookie, Some(form)).await
    }

    /// Posts the tab's CSRF token and `fields`.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let form = format!("csrf={}&{}", self.csrf, encode(fields));
        self.send(path, &form).await
    }
}

pub(super) fn encode(fields: &[(&str, &str)]) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(fields).finish()
}

/// A tab nobody is signed in to, holding the CSRF cookie.
pub(super) fn visitor(app: &TestApp) -> Tab<'_> {
    Tab::new(app, format!("embargo_csrf={CSRF}"))
}

/// A tab signed in as `email`.
pub(super) async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Tab<'a> {
    let browser = app.browser(email).await;
    Tab {
        app,
        cookie: browser.cookie,
        csrf: browser.csrf,
    }
}

/// A signed-in admin: (account id, API token, tab).
pub(super) async fn admin(app: &TestApp) -> (String, String, Tab<'_>) {
    let (id, token) = app.account(ADMIN, Role::Admin).await;
    (id, token, signed_in(app, ADMIN).await)
}

pub(super) async fn login(app: &TestApp, email: &str, password: &str, totp: &str) -> Response {
    let fields = [("email", email), ("password", password), ("totp", totp)];
    visitor(app).post("/login", &fields).await
}

/// A new account of `role` and the path of its set-up link.
pub(super) async fn setup_link(app: &TestApp, email: &str, role: Role) -> String {
    let email = EmailAddress::parse(email).expect("email");
    let url = embargo::app::auth::add_account(&app.state, &Actor::cli(), &email, role).await;
    path_of(&url.expect("set-up link"))
}

/// Undoes the HTML escaping of the templates (which also escapes `/`).
pub(super) fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The first URL or path in `html` that starts with `prefix`.
pub(super) fn link(html: &str, prefix: &str) -> Option<String> {
    let html = unescape(html);
    let rest = &html[html.find(prefix)?..];
    let end = rest.find(['"', '<', ' ', '\n']).unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

/// The value of the hidden input `name`.
pub(super) fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let rest = &html[html.find(&marker)? + marker.len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The text between the first `start` after `after`, and the next `end`.
pub(super) fn between<'a>(html: &'a str, after: &str, start: &str, end: &str) -> Option<&'a str> {
    let html = &html[html.find(after)?..];
    let html = &html[html.find(start)? + start.len()..];
    Some(&html[..html.find(end)?])
}

/// What a response sets cookie `name` to, with its attributes.
pub(super) fn set_cookie<'a>(resp: &'a Response, name: &str) -> Option<&'a str> {
    let mut all = resp.headers.get_all(header::SET_COOKIE).iter();
    all.find_map(|c| c.to_str().ok()?.strip_prefix(name)?.strip_prefix('='))
}

/// The tracking page's multipart form: csrf, body and a file `attachment`.
pub(super) fn reply_with_file(
    path: &str,
    csrf: &str,
    body: &str,
    file: (&str, &[u8]),
) -> Request<Body> {
    let part =
        |name: &str| format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"");
    let mut bytes = Vec::new();
    for (name, value) in [("csrf", csrf), ("body", body)] {
        bytes.extend(format!("{}\r\n\r\n{value}\r\n", part(name)).into_bytes());
    }
    let head = format!("{}; filename=\"{}\"\r\n", part("attachment"), file.0);
    bytes.extend(format!("{head}Content-Type: text/plain\r\n\r\n").into_bytes());
    bytes.extend(file.1);
    bytes.extend(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, format!("embargo_csrf={CSRF}"))
        .body(Body::from(bytes))
        .expect("request")
}

pub(super) fn assert_escaped(html: &str, raw: &str, escaped: &str, page: &str) {
    assert!(!html.contains(raw), "{page} shows {raw} unescaped");
    assert!(html.contains(escaped), "{page} does not show {escaped}");
}

/// Where an anonymous visitor of the page at `path` is sent: the login,
/// told to return there.
pub fn login_for(path: &str) -> String {
    let path: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    format!("/login?next={path}")
}
