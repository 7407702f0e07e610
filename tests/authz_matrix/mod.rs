//! The authorization matrix: what every route answers each kind of caller.
//! The table below is the specification, written out by hand; the test
//! insists that it covers exactly the routes the router registers.

mod capabilities;
mod liveness;
mod membership;

use std::cell::Cell;
use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use embargo::db::audit::Actor;
use embargo::domain::account::Role;
use embargo::domain::email::EmailAddress;
use serde_json::{Value, json};

use crate::common::{CSRF, Response, TestApp, path_of};

/// What one caller must get from one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This status code.
    Is(u16),
    /// `303 See Other` to `/login`: a page asking for credentials.
    Login,
}

use Expect::{Is, Login};

/// Columns: Anonymous, Member, Delegate, Admin.
type Row = (Method, &'static str, [Expect; 4]);

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    // Public pages and operations.
    (Method::GET,    "/healthz",                                        [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/static/style.css",                               [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/",                                               [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/report",                                         [Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/report",                                         [Is(201), Is(201), Is(201), Is(201)]),
    // What is published, for everyone.
    (Method::GET,    "/advisories",                                     [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/advisories/{file}",                              [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/advisories/{file}/patches/{patch}",              [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/feed.atom",                                      [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/security.txt",                       [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/csaf/provider-metadata.json",        [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/csaf/white/index.txt",               [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/csaf/white/changes.csv",             [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/csaf/white/{year}/{file}",           [Is(200), Is(200), Is(200), Is(200)]),
    // The reporter's capability link: whoever holds it, and nobody else.
    (Method::GET,    "/track/{token}",                                  [Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/track/{token}/messages",                         [Is(303), Is(303), Is(303), Is(303)]),
    (Method::GET,    "/track/{token}/attachments/{attachment}",         [Is(200), Is(200), Is(200), Is(200)]),
    // Signing in and setting up.
    (Method::GET,    "/login",                                          [Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/login",                                          [Is(303), Is(303), Is(303), Is(303)]),
    (Method::POST,   "/logout",                                         [Is(303), Is(303), Is(303), Is(303)]),
    (Method::GET,    "/setup/{token}",                                  [Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/setup/{token}",                                  [Is(303), Is(303), Is(303), Is(303)]),
    (Method::POST,   "/api/v1/setup/{token}",                           [Is(200), Is(200), Is(200), Is(200)]),
    // One's own account.
    (Method::GET,    "/account",                                        [Login,   Is(200), Is(200), Is(200)]),
    (Method::POST,   "/account/tokens",                                 [Login,   Is(200), Is(200), Is(200)]),
    (Method::POST,   "/account/tokens/{id}/revoke",                     [Login,   Is(303), Is(303), Is(303)]),
    // Triage pages: admins only.
    (Method::GET,    "/admin/reports",                                  [Login,   Is(403), Is(403), Is(200)]),
    (Method::GET,    "/admin/reports/{id}",                             [Login,   Is(403), Is(403), Is(200)]),
    (Method::POST,   "/admin/reports/{id}/reply",                       [Login,   Is(403), Is(403), Is(303)]),
    (Method::POST,   "/admin/reports/{id}/status",                      [Login,   Is(403), Is(403), Is(303)]),
    (Method::POST,   "/admin/reports/{id}/assign",                      [Login,   Is(403), Is(403), Is(303)]),
    (Method::GET,    "/admin/reports/{id}/attachments/{attachment}",    [Login,   Is(403), Is(403), Is(200)]),
    (Method::GET,    "/admin/jobs",                                     [Login,   Is(403), Is(403), Is(200)]),
    (Method::POST,   "/admin/jobs/{id}/retry",                          [Login,   Is(403), Is(403), Is(404)]),
    (Method::GET,    "/admin/advisories",                               [Login,   Is(403), Is(403), Is(200)]),
    (Method::GET,    "/admin/advisories/new",                           [Login,   Is(403), Is(403), Is(200)]),
    (Method::POST,   "/admin/advisories",                               [Login,   Is(403), Is(403), Is(303)]),
    (Method::GET,    "/admin/advisories/{id}",                          [Login,   Is(403), Is(403), Is(200)]),
    (Method::POST,   "/admin/advisories/{id}/edit",                     [Login,   Is(403), Is(403), Is(303)]),
    (Method::POST,   "/admin/advisories/{id}/embargo",                  [Login,   Is(403), Is(403), Is(303)]),
    (Method::POST,   "/admin/advisories/{id}/publish",                  [Login,   Is(403), Is(403), Is(303)]),
    (Method::POST,   "/admin/advisories/{id}/withdraw",                 [Login,   Is(403), Is(403), Is(303)]),
    // The JSON API.
    (Method::GET,    "/api/openapi.json",                               [Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/reports",                                 [Is(201), Is(201), Is(201), Is(201)]),
    (Method::GET,    "/api/v1/reports",                                 [Is(401), Is(403), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/reports/{id}",                            [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/reports/{id}/messages",                   [Is(401), Is(403), Is(403), Is(201)]),
    (Method::POST,   "/api/v1/reports/{id}/status",                     [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/reports/{id}/assignee",                   [Is(401), Is(403), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/reports/{id}/attachments/{attachment}",   [Is(401), Is(403), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/track/{token}",                           [Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/track/{token}/messages",                  [Is(201), Is(201), Is(201), Is(201)]),
    (Method::GET,    "/api/v1/track/{token}/attachments/{attachment}",  [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/api/v1/me",                                      [Is(401), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/api/v1/tokens",                                  [Is(401), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/tokens",                                  [Is(401), Is(201), Is(201), Is(201)]),
    (Method::DELETE, "/api/v1/tokens/{id}",                             [Is(401), Is(204), Is(204), Is(204)]),
    (Method::POST,   "/api/v1/advisories",                              [Is(401), Is(403), Is(403), Is(201)]),
    (Method::GET,    "/api/v1/advisories",                              [Is(401), Is(403), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/advisories/{id}",                         [Is(401), Is(403), Is(403), Is(200)]),
    (Method::PATCH,  "/api/v1/advisories/{id}",                         [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/embargo",                 [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/publish",                 [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/withdraw",                [Is(401), Is(403), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/advisories/{id}/history",                 [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/patches",                 [Is(401), Is(403), Is(403), Is(201)]),
    (Method::GET,    "/api/v1/advisories/{id}/patches/{patch}",         [Is(401), Is(403), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/jobs",                                    [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/jobs/{id}/retry",                         [Is(401), Is(403), Is(403), Is(404)]),
];

const ADMIN: &str = "admin@project.test";
const PASSWORD: &str = "correct horse battery staple";
/// Well-formed ids that exist nowhere.
const NO_TOKEN: &str = "tok_aaaaaaaaaaaaaaaa";
const NO_JOB: &str = "job_aaaaaaaaaaaaaaaa";
const BOUNDARY: &str = "matrix-boundary-5e1c";

/// One column of the matrix: how that kind of caller identifies itself.
struct Caller {
    label: &'static str,
    email: Option<&'static str>,
    /// Bearer token for API routes.
    token: Option<String>,
    /// Cookie header for page routes (the CSRF cookie, plus a session).
    cookie: String,
    /// The CSRF token its forms carry.
    csrf: String,
}

/// One app with a caller of each kind, a report and an attachment on it.
struct World {
    app: TestApp,
    callers: Vec<Caller>,
    report: String,
    tracking: String,
    attachment: String,
    /// A published advisory, for the public paths and reads.
    advisory: String,
    /// A patch on that advisory.
    patch: String,
    /// The list's member, application and links.
    list: membership::List,
    /// A member with a ping, for the liveness and review routes.
    liveness: liveness::Liveness,
    throwaway: Cell<u32>,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::with_config(|c| c.limits.reports_per_hour = 10_000).await;
        let mut callers = vec![Caller {
            label: "anonymous",
            email: None,
            token: None,
            cookie: format!("embargo_csrf={CSRF}"),
            csrf: CSRF.to_owned(),
        }];
        for (label, email, role) in [
            ("member", "member@project.test", Role::Member),
            ("delegate", "delegate@project.test", Role::Delegate),
            ("admin", ADMIN, Role::Admin),
        ] {
            let (_, token) = app.account(email, role).await;
            let browser = app.browser(email).await;
            callers.push(Caller {
                label,
                email: Some(email),
                token: Some(token),
                cookie: browser.cookie,
                csrf: browser.csrf,
            });
        }
        let (report, url) = app.report("Matrix report", Some("rep@example.net")).await;
        let tracking = tracking_token(&url);
        let upload = json!({
            "body": "x",
            "attachments": [{ "filename": "a.txt", "content_base64": "aGVsbG8=" }],
        });
        let path = format!("/api/v1/track/{tracking}/messages");
        let resp = app.post(&path, None, upload).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
        let admin = callers[3].token.as_deref();
        let detail = app
            .get(&format!("/api/v1/reports/{report}"), admin)
            .await
            .json();
        let attachment = detail["attachments"][0]["id"]
            .as_str()
            .expect("attachment id")
            .to_owned();
        let advisory = fresh_advisory(&app, admin).await;
        let patch = app
            .post(
                &format!("/api/v1/advisories/{advisory}/patches"),
                admin,
                json!({ "filename": "fix.patch", "content_base64": "LS0tIGEK" }),
            )
            .await
            .json()["id"]
            .as_str()
            .expect("patch id")
            .to_owned();
        let published = app
            .post(
                &format!("/api/v1/advisories/{advisory}/publish"),
                admin,
                json!({ "reason": "matrix" }),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.text());
        let list = membership::List::new(&app, "member@project.test").await;
        let liveness = liveness::Liveness::new(&app).await;
        Self {
            app,
            callers,
            report,
            tracking,
            attachment,
            advisory,
            patch,
            list,
            liveness,
            throwaway: Cell::new(0),
        }
    }

    fn admin_token(&self) -> Option<&str> {
        self.callers[3].token.as_deref()
    }

    /// A report still in status `new`, so that moving it to triage is legal.
    async fn fresh_report(&self) -> String {
        self.app
            .report("Fresh report", Some("rep@example.net"))
            .await
            .0
    }

    /// The id of a new API token of `who`'s own account.
    async fn fresh_token_id(&self, who: &Caller) -> String {
        let Some(token) = who.token.as_deref() else {
            return NO_TOKEN.to_owned();
        };
        let resp = self
            .app
            .post("/api/v1/tokens", Some(token), json!({ "name": "matrix" }))
            .await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
        resp.json()["id"].as_str().expect("token id").to_owned()
    }

    /// The secret of a new set-up link, for a new account.
    async fn fresh_setup_token(&self) -> String {
        let n = self.throwaway.get() + 1;
        self.throwaway.set(n);
        let email = EmailAddress::parse(&format!("new{n}@project.test")).expect("email");
        let url =
            embargo::app::auth::add_account(&self.app.state, &Actor::cli(), &email, Role::Member)
                .await
                .expect("set-up link");
        tracking_token(&url)
    }

    /// The concrete path for `template`, with fresh resources where the
    /// request would use them up.
    async fn path(&self, template: &str, method: &Method, who: &Caller) -> String {
        if let Some(p) = self
            .list
            .own_path(&self.app, template, who.token.as_deref())
            .await
        {
            return p;
        }
        if let Some(p) = self
            .list
            .path(&self.app, template, self.admin_token())
            .await
        {
            return p;
        }
        if let Some(p) = self
            .liveness
            .path(&self.app, template, self.admin_token())
            .await
        {
            return p;
        }
        let mut path = template
            .replace("{attachment}", &self.attachment)
            .replace("{patch}", &self.patch);
        if path.contains("{year}") {
            let year = &self
                .advisory
                .split('-')
                .rev()
                .nth(1)
                .expect("year")
                .to_owned();
            let file = format!("{}.json", self.advisory.to_lowercase());
            path = path.replace("{year}", year).replace("{file}", &file);
        }
        path = path.replace("{file}", &self.advisory);
        let advisory_page = path.starts_with("/admin/advisories/{id}");
        if path.starts_with("/api/v1/advisories/{id}") || advisory_page {
            // Changes need a draft of their own; reads use the published one.
            let id = if method == Method::GET {
                self.advisory.clone()
            } else {
                fresh_advisory(&self.app, self.admin_token()).await
            };
            path = path.replace("{id}", &id);
        }
        if path.contains("{id}") {
            let id = if path.contains("/tokens/{id}") {
                self.fresh_token_id(who).await
            } else if path.contains("/jobs/{id}") {
                NO_JOB.to_owned()
            } else if path.ends_with("/status") {
                self.fresh_report().await
            } else {
                self.report.clone()
            };
            path = path.replace("{id}", &id);
        }
        if path.contains("{token}") {
            let token = if path.starts_with("/setup/") || path.starts_with("/api/v1/setup/") {
                self.fresh_setup_token().await
            } else {
                self.tracking.clone()
            };
            path = path.replace("{token}", &token);
        }
        path
    }

    /// Sends `method template` as `who`, with a body an allowed caller
    /// would succeed with.
    async fn send(&self, method: &Method, template: &str, who: &Caller) -> Response {
        let path = self.path(template, method, who).await;
        if template.starts_with("/api/") {
            // Leaving the list ends the member: a member of its own leaves.
            let own = match (template, who.label) {
                ("/api/v1/me/member/leave", "member") => {
                    Some(self.list.throwaway_contact(&self.app).await)
                }
                _ => None,
            };
            let token = own.as_deref().or(who.token.as_deref());
            let body = match self.list.body(&self.app, template).await {
                Some(b) => Some(b),
                None => self.liveness.body(&self.app, template).await,
            };
            let body = body.or_else(|| api_body(method, template));
            return self.app.api(method.clone(), &path, token, body).await;
        }
        if template == "/track/{token}/messages" {
            return self
                .app
                .request(multipart_request(&path, &who.cookie, &who.csrf))
                .await;
        }
        let (cookie, csrf) = match who.email {
            // Logging out ends the session: use one of its own.
            Some(email) if template == "/logout" => {
                let b = self.app.browser(email).await;
                (b.cookie, b.csrf)
            }
            // Leaving ends the member: a member of its own leaves.
            Some(_) if template == "/member/leave" && who.label == "member" => {
                let (email, _) = self.list.throwaway_contact_login(&self.app).await;
                let b = self.app.browser(&email).await;
                (b.cookie, b.csrf)
            }
            _ => (who.cookie.clone(), who.csrf.clone()),
        };
        let form = if method == Method::POST {
            let fields = match self.list.form(&self.app, template).await {
                Some(f) => Some(f),
                None => self.liveness.form(&self.app, template).await,
            };
            let fields = fields.unwrap_or_else(|| page_fields(template, who));
            Some(format!("csrf={csrf}{fields}"))
        } else {
            None
        };
        self.app
            .page(method.clone(), &path, Some(&cookie), form.as_deref())
            .await
    }
}

/// A new draft advisory, created by the admin.
async fn fresh_advisory(app: &TestApp, admin: Option<&str>) -> String {
    let body = json!({
        "summary": "Matrix advisory",
        "affected": [{ "package": { "ecosystem": "Go", "name": "example.org/m" }, "versions": ["1.0.0"] }],
    });
    let resp = app.post("/api/v1/advisories", admin, body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().expect("advisory id").to_owned()
}

/// A JSON body that succeeds for an allowed caller.
fn api_body(method: &Method, template: &str) -> Option<Value> {
    if method == Method::PATCH {
        return Some(json!({ "summary": "Edited", "reason": "matrix" }));
    }
    if method != Method::POST {
        return None;
    }
    let in_two_days = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(48))
        .expect("time");
    match template {
        "/api/v1/advisories/{id}/patches" => Some(json!({
            "filename": "p.diff", "content_base64": "LS0tIGEK",
        })),
        "/api/v1/advisories" => Some(json!({
            "summary": "s",
            "affected": [{ "package": { "ecosystem": "Go", "name": "x" }, "versions": ["1"] }],
        })),
        "/api/v1/advisories/{id}/embargo" => Some(json!({
            "until": in_two_days.to_string(), "time_zone": "UTC", "reason": "agreed",
        })),
        "/api/v1/advisories/{id}/publish" | "/api/v1/advisories/{id}/withdraw" => {
            Some(json!({ "reason": "matrix" }))
        }
        "/api/v1/reports" => Some(json!({ "title": "t", "description": "d" })),
        "/api/v1/reports/{id}/messages" => Some(json!({ "body": "hi" })),
        "/api/v1/reports/{id}/status" => Some(json!({ "status": "triaging" })),
        "/api/v1/reports/{id}/assignee" => Some(json!({ "assignee": null })),
        "/api/v1/track/{token}/messages" => Some(json!({ "body": "x" })),
        "/api/v1/tokens" => Some(json!({ "name": "n" })),
        "/api/v1/setup/{token}" => Some(json!({ "password": "a long enough password" })),
        _ => None,
    }
}

/// Form fields after `csrf` that succeed for an allowed caller.
fn page_fields(template: &str, who: &Caller) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match template {
        "/report" => "&title=t&description=d".to_owned(),
        // Logging in is public: the anonymous caller uses the admin's credentials.
        "/login" => format!(
            "&email={}&password={}",
            enc(who.email.unwrap_or(ADMIN)),
            enc(PASSWORD)
        ),
        "/setup/{token}" => {
            let p = enc("a long enough password");
            format!("&password={p}&confirm={p}")
        }
        "/account/tokens" => "&name=x".to_owned(),
        "/admin/reports/{id}/reply" => "&body=hi".to_owned(),
        "/admin/reports/{id}/status" => "&status=triaging".to_owned(),
        "/admin/reports/{id}/assign" => "&assignee=".to_owned(),
        "/admin/advisories" => format!(
            "&summary=s&osv={}",
            enc(
                r#"{"affected": [{"package": {"ecosystem": "Go", "name": "x"}, "versions": ["1"]}]}"#
            )
        ),
        "/admin/advisories/{id}/edit" => "&summary=Edited&reason=matrix".to_owned(),
        "/admin/advisories/{id}/embargo" => {
            let in_two_days = jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::from_hours(48))
                .expect("time");
            let local = in_two_days.strftime("%Y-%m-%dT%H:%M").to_string();
            format!("&until={}&time_zone=UTC&reason=agreed", enc(&local))
        }
        "/admin/advisories/{id}/publish" | "/admin/advisories/{id}/withdraw" => {
            "&reason=matrix".to_owned()
        }
        _ => String::new(),
    }
}

/// The tracking page's form: csrf, a message and a file.
fn multipart_request(path: &str, cookie: &str, csrf: &str) -> Request<Body> {
    let mut body = String::new();
    for (name, value) in [("csrf", csrf), ("body", "more details")] {
        body += &format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        );
    }
    body += &format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"b.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nfile content\r\n--{BOUNDARY}--\r\n"
    );
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request")
}

/// `None` when `resp` is what `expect` says, else what was wrong.
fn mismatch(expect: Expect, resp: &Response) -> Option<String> {
    let location = resp.header("location");
    let ok = match expect {
        Is(code) => resp.status.as_u16() == code,
        Login => resp.status == StatusCode::SEE_OTHER && location == Some("/login"),
    };
    if ok {
        return None;
    }
    let text = resp.text();
    // Error pages: the message, not the page head.
    let body: String = text[text.find("<main").unwrap_or(0)..]
        .chars()
        .take(200)
        .collect();
    Some(format!(
        "expected {expect:?}, got {} (location {location:?}): {body}",
        resp.status
    ))
}

/// The secret at the end of a tracking or set-up link.
fn tracking_token(url: &str) -> String {
    path_of(url).rsplit('/').next().expect("token").to_owned()
}

fn key(method: &Method, path: &str) -> (String, String) {
    (method.to_string(), path.to_owned())
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let routes: BTreeSet<_> = embargo::http::route_table()
        .iter()
        .map(|(m, p)| key(m, p))
        .collect();
    let all: Vec<&Row> = MATRIX
        .iter()
        .chain(membership::ROWS)
        .chain(liveness::ROWS)
        .collect();
    let rows: BTreeSet<_> = all.iter().map(|(m, p, _)| key(m, p)).collect();
    assert_eq!(rows.len(), all.len(), "the matrix has a duplicate row");
    let missing: Vec<_> = routes.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&routes).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the matrix must list exactly the routes of route_table()\n\
         routes without a row: {missing:?}\nrows without a route: {stale:?}"
    );

    let world = World::new().await;
    let mut failures = Vec::new();
    for (method, template, expected) in all {
        for (who, expect) in world.callers.iter().zip(expected) {
            let resp = world.send(method, template, who).await;
            let mut problem = mismatch(*expect, &resp);
            // Success by redirect is never the login redirect, except after set-up.
            let to_login = resp.header("location") == Some("/login");
            if *expect == Is(303) && to_login && !template.starts_with("/setup/") {
                problem = Some("expected success, got the redirect to /login".into());
            }
            if let Some(problem) = problem {
                failures.push(format!("{} {method} {template}: {problem}", who.label));
            }
        }
    }
    // The sessions used above were not ended along the way.
    for who in world.callers.iter().filter(|c| c.email.is_some()) {
        let resp = world
            .app
            .page(Method::GET, "/account", Some(&who.cookie), None)
            .await;
        assert_eq!(
            resp.status,
            StatusCode::OK,
            "{}'s session was lost",
            who.label
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
