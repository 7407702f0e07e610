//! The HTML side, end to end: forms with their CSRF tokens, what pages show,
//! and what reaches the database and the mail.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use embargo::db::audit::Actor;
use embargo::domain::account::Role;
use embargo::domain::email::EmailAddress;

use crate::common::{CSRF, Response, TestApp, path_of};

const PASSWORD: &str = "correct horse battery staple";
const ADMIN: &str = "admin@project.test";
const BOUNDARY: &str = "pages-test-boundary-41c9";

/// The Cookie header of a browser that has only fetched a form.
fn csrf_cookie() -> String {
    format!("embargo_csrf={CSRF}")
}

/// `csrf=CSRF&k=v&...`, urlencoded.
fn form(fields: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("csrf", CSRF);
    s.extend_pairs(fields);
    s.finish()
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Response {
    app.page(Method::POST, path, Some(cookie), Some(&form(fields)))
        .await
}

async fn get_page(app: &TestApp, path: &str, cookie: &str) -> Response {
    app.page(Method::GET, path, Some(cookie), None).await
}

async fn login(app: &TestApp, email: &str, password: &str, totp: &str) -> Response {
    let fields = [("email", email), ("password", password), ("totp", totp)];
    post_form(app, "/login", &csrf_cookie(), &fields).await
}

/// Undoes the HTML escaping of the templates (which also escapes `/`).
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The first URL or path in `html` that starts with `prefix`.
fn link(html: &str, prefix: &str) -> Option<String> {
    let html = unescape(html);
    let start = html.find(prefix)?;
    let rest = &html[start..];
    let end = rest.find(['"', '<', ' ', '\n']).unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

/// The value of the hidden input `name`.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let rest = &html[html.find(&marker)? + marker.len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The value a response sets for cookie `name`, with its attributes.
fn set_cookie<'a>(resp: &'a Response, name: &str) -> Option<&'a str> {
    resp.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(name)?.strip_prefix('='))
}

/// The tracking page's multipart form: csrf, body and a file `attachment`.
fn reply_with_file(path: &str, csrf: &str, body: &str, file: (&str, &[u8])) -> Request<Body> {
    let part = |name: &str, extra: &str| {
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n")
    };
    let mut bytes = Vec::new();
    for (name, value) in [("csrf", csrf), ("body", body)] {
        bytes.extend(format!("{}\r\n{value}\r\n", part(name, "")).into_bytes());
    }
    let disposition = format!("; filename=\"{}\"", file.0);
    bytes.extend(part("attachment", &disposition).into_bytes());
    bytes.extend(b"Content-Type: text/plain\r\n\r\n");
    bytes.extend(file.1);
    bytes.extend(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, csrf_cookie())
        .body(Body::from(bytes))
        .expect("request")
}

/// A signed-in admin: (account id, api token, cookie).
async fn admin(app: &TestApp) -> (String, String, String) {
    let (id, token) = app.account(ADMIN, Role::Admin).await;
    (id, token, app.browser(ADMIN).await.cookie)
}

/// A new account of `role` and the path of its set-up link.
async fn setup_link(app: &TestApp, email: &str, role: Role) -> String {
    let email = EmailAddress::parse(email).expect("email");
    let url = embargo::app::auth::add_account(&app.state, &Actor::cli(), &email, role).await;
    path_of(&url.expect("set-up link"))
}

fn assert_escaped(html: &str, raw: &str, escaped: &str, page: &str) {
    assert!(!html.contains(raw), "{page} shows {raw} unescaped");
    assert!(html.contains(escaped), "{page} does not show {escaped}");
}

#[tokio::test]
async fn report_form_creates_a_report_and_shows_the_tracking_link() {
    let app = TestApp::new().await;
    let page = app.page(Method::GET, "/report", None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(r#"<form method="post" action="/report""#));
    let csrf = hidden(&html, "csrf").expect("csrf field");
    let cookie = set_cookie(&page, "embargo_csrf").expect("csrf cookie");
    assert!(
        cookie.starts_with(&format!("{csrf};")),
        "field repeats the cookie: {cookie}"
    );
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("csrf", csrf.as_str()),
            ("title", "Heap overflow in parser"),
        ])
        .extend_pairs([
            ("description", "Send 5 GB of zeros"),
            ("reporter_email", "rita@example.net"),
        ])
        .finish();
    let cookie = format!("embargo_csrf={csrf}");
    let done = app
        .page(Method::POST, "/report", Some(&cookie), Some(&body))
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.text());
    let url = link(&done.text(), "http://embargo.test/track/").expect("tracking link");
    assert_eq!(app.count("reports").await, 1);

    let track = get_page(&app, &path_of(&url), &cookie).await;
    assert_eq!(track.status, StatusCode::OK);
    assert!(track.text().contains("Heap overflow in parser"));
    app.run_jobs().await;
    let mails = app.mails_to("rita@example.net");
    assert_eq!(mails.len(), 1, "one acknowledgement");
    assert!(
        mails[0].text.contains(&url),
        "the mail carries the same link"
    );
}

#[tokio::test]
async fn report_form_without_csrf_is_refused_and_stores_nothing() {
    let app = TestApp::new().await;
    let fields = "title=t&description=d";
    let short = "embargo_csrf=abc".to_owned();
    let cases = [
        (None, format!("csrf={CSRF}&{fields}")),
        (
            Some(csrf_cookie()),
            format!("csrf=someOtherValueThatIsAlsoLongEnough1234&{fields}"),
        ),
        (Some(csrf_cookie()), fields.to_owned()),
        (Some(short), format!("csrf=abc&{fields}")),
    ];
    for (cookie, body) in cases {
        let resp = app
            .page(Method::POST, "/report", cookie.as_deref(), Some(&body))
            .await;
        assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{cookie:?} {body}");
        assert!(resp.text().contains("this form has expired"));
    }
    assert_eq!(app.count("reports").await, 0);
    assert_eq!(app.count("jobs").await, 0);
}

#[tokio::test]
async fn invalid_report_form_shows_errors_next_to_fields_and_keeps_input() {
    let app = TestApp::new().await;
    let fields = [
        ("title", ""),
        ("description", "kept text"),
        ("github", "a_b"),
    ];
    let resp = post_form(&app, "/report", &csrf_cookie(), &fields).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text();
    assert!(
        html.contains(r#"<p class="error" id="title-error">is required</p>"#),
        "{html}"
    );
    assert!(html.contains(r#"<p class="error" id="github-error">must be a GitHub user name"#));
    assert!(html.contains(">kept text</textarea>"), "description kept");
    assert!(html.contains(r#"name="github" value="a_b""#), "github kept");
    assert!(html.contains("There is a problem"));
    assert_eq!(app.count("reports").await, 0);
}

#[tokio::test]
async fn html_in_a_report_is_escaped_everywhere() {
    let app = TestApp::new().await;
    let (_, token, cookie) = admin(&app).await;
    let (title, desc) = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>");
    let resp = post_form(
        &app,
        "/report",
        &csrf_cookie(),
        &[("title", title), ("description", desc)],
    )
    .await;
    assert_eq!(resp.status, StatusCode::CREATED);
    let tracking = link(&resp.text(), "http://embargo.test/track/").expect("link");
    let id = app.get("/api/v1/reports", Some(&token)).await.json()["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let title_esc = "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;";
    let desc_esc = "&lt;img src=x onerror=alert(2)&gt;";
    let track = get_page(&app, &path_of(&tracking), &csrf_cookie())
        .await
        .text();
    assert_escaped(&track, title, title_esc, "tracking page");
    assert_escaped(&track, desc, desc_esc, "tracking page");
    let inbox = get_page(&app, "/admin/reports", &cookie).await.text();
    assert_escaped(&inbox, title, title_esc, "inbox");
    let report = get_page(&app, &format!("/admin/reports/{id}"), &cookie)
        .await
        .text();
    assert_escaped(&report, title, title_esc, "admin report page");
    assert_escaped(&report, desc, desc_esc, "admin report page");
}

#[tokio::test]
async fn first_admin_sets_up_through_the_link_and_logs_in() {
    let app = TestApp::new().await;
    let url = embargo::app::auth::bootstrap_admin(&app.state, &Actor::system()).await;
    let path = path_of(&url.expect("link"));
    let page = get_page(&app, &path, &csrf_cookie()).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains(r#"<input type="email" id="email" name="email""#),
        "asks for an address"
    );
    let secret = hidden(&html, "totp_secret").expect("totp secret");

    let fields = [
        ("email", "first@project.test"),
        ("password", PASSWORD),
        ("confirm", PASSWORD),
        ("totp_secret", secret.as_str()),
        ("totp", ""),
    ];
    let done = post_form(&app, &path, &csrf_cookie(), &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(done.header("location"), Some("/login"));
    assert_eq!(
        get_page(&app, &path, &csrf_cookie()).await.status,
        StatusCode::NOT_FOUND
    );
    let again = post_form(&app, &path, &csrf_cookie(), &fields).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "the link works once");

    let browser = app.browser("first@project.test").await;
    let inbox = get_page(&app, "/admin/reports", &browser.cookie).await;
    assert_eq!(inbox.status, StatusCode::OK);
}

#[tokio::test]
async fn setup_link_for_an_added_admin_works_once() {
    let app = TestApp::new().await;
    let path = setup_link(&app, "second@project.test", Role::Admin).await;
    let page = get_page(&app, &path, &csrf_cookie()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("<strong>second@project.test</strong>"));
    assert!(
        !page.text().contains(r#"name="email""#),
        "the address is known already"
    );

    let fields = [("password", PASSWORD), ("confirm", PASSWORD)];
    let done = post_form(&app, &path, &csrf_cookie(), &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(
        post_form(&app, &path, &csrf_cookie(), &fields).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_page(&app, &path, &csrf_cookie()).await.status,
        StatusCode::NOT_FOUND
    );
    let browser = app.browser("second@project.test").await;
    assert_eq!(
        get_page(&app, "/admin/reports", &browser.cookie)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn setup_rejects_short_or_mismatched_passwords() {
    let app = TestApp::new().await;
    let path = setup_link(&app, "m@project.test", Role::Member).await;
    let cases = [
        (
            ("password", "short"),
            ("confirm", "short"),
            "must be at least 12 characters",
        ),
        (
            ("password", PASSWORD),
            ("confirm", "another long password"),
            "does not match the password",
        ),
    ];
    for (password, confirm, message) in cases {
        let resp = post_form(&app, &path, &csrf_cookie(), &[password, confirm]).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            resp.text().contains(message),
            "no {message:?} in {}",
            resp.text()
        );
    }
    let ok = post_form(
        &app,
        &path,
        &csrf_cookie(),
        &[("password", PASSWORD), ("confirm", PASSWORD)],
    )
    .await;
    assert_eq!(
        ok.status,
        StatusCode::SEE_OTHER,
        "the link survives failed attempts"
    );
}

#[tokio::test]
async fn totp_is_required_for_admins_when_configured() {
    let app = TestApp::with_config(|c| c.auth.require_totp_for_admins = true).await;
    let path = setup_link(&app, "otp@project.test", Role::Admin).await;
    let page = get_page(&app, &path, &csrf_cookie()).await.text();
    let secret = hidden(&page, "totp_secret").expect("secret");
    let mut fields = vec![
        ("password", PASSWORD),
        ("confirm", PASSWORD),
        ("totp_secret", secret.as_str()),
    ];

    let without = post_form(&app, &path, &csrf_cookie(), &fields).await;
    assert_eq!(without.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without.text().contains("is required: add the secret"));
    assert_eq!(
        hidden(&without.text(), "totp_secret").as_ref(),
        Some(&secret),
        "same secret"
    );

    let code = || {
        embargo::app::auth::totp(&secret, "x", "y")
            .unwrap()
            .generate_current()
            .to_string()
    };
    let now = code();
    fields.push(("totp", now.as_str()));
    let with = post_form(&app, &path, &csrf_cookie(), &fields).await;
    assert_eq!(with.status, StatusCode::SEE_OTHER, "{}", with.text());

    let no_code = login(&app, "otp@project.test", PASSWORD, "").await;
    assert_eq!(no_code.status, StatusCode::UNAUTHORIZED);
    let with_code = login(&app, "otp@project.test", PASSWORD, &code()).await;
    assert_eq!(
        with_code.status,
        StatusCode::SEE_OTHER,
        "{}",
        with_code.text()
    );
    assert!(set_cookie(&with_code, "embargo_session").is_some());
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account() {
    let app = TestApp::new().await;
    app.account("victim@project.test", Role::Member).await;
    app.account("bystander@project.test", Role::Member).await;
    for _ in 0..5 {
        let resp = login(&app, "victim@project.test", "wrong password guess", "").await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    }
    let right = login(&app, "victim@project.test", PASSWORD, "").await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED, "locked");
    assert!(right.text().contains("locked for a while"));
    assert!(set_cookie(&right, "embargo_session").is_none());
    let other = login(&app, "bystander@project.test", PASSWORD, "").await;
    assert_eq!(
        other.status,
        StatusCode::SEE_OTHER,
        "only that account is locked"
    );
}

#[tokio::test]
async fn admin_triages_a_report_from_the_inbox() {
    let app = TestApp::new().await;
    let (admin_id, token, cookie) = admin(&app).await;
    let (id, _) = app
        .report("Heap overflow in parser", Some("rita@example.net"))
        .await;
    let inbox = get_page(&app, "/admin/reports", &cookie).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.text().contains("Heap overflow in parser"));
    assert_eq!(
        link(&inbox.text(), "/admin/reports/rpt_"),
        Some(format!("/admin/reports/{id}"))
    );
    let page = format!("/admin/reports/{id}");
    assert!(
        get_page(&app, &page, &cookie)
            .await
            .text()
            .contains("details of the bug")
    );
    app.run_jobs().await;

    let reply = post_form(
        &app,
        &format!("{page}/reply"),
        &cookie,
        &[("body", "We can reproduce it.")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header("location"), Some(page.as_str()));
    app.run_jobs().await;
    let mails = app.mails_to("rita@example.net");
    let mailed = mails
        .iter()
        .find(|m| m.text.contains("We can reproduce it."))
        .expect("reply mailed");
    assert!(
        mailed
            .reply_to
            .as_deref()
            .is_some_and(|r| r.starts_with("security+"))
    );

    let status = format!("{page}/status");
    let no_reason = post_form(
        &app,
        &status,
        &cookie,
        &[("status", "accepted"), ("reason", "")],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason
            .text()
            .contains("is required: the reporter is told why")
    );
    let fields = [("status", "accepted"), ("reason", "Confirmed on 1.4")];
    assert_eq!(
        post_form(&app, &status, &cookie, &fields).await.status,
        StatusCode::SEE_OTHER
    );
    app.run_jobs().await;
    assert!(
        app.mails_to("rita@example.net")
            .iter()
            .any(|m| m.text.contains("Confirmed on 1.4"))
    );

    let assign = post_form(
        &app,
        &format!("{page}/assign"),
        &cookie,
        &[("assignee", &admin_id)],
    )
    .await;
    assert_eq!(assign.status, StatusCode::SEE_OTHER);
    let json = app
        .get(&format!("/api/v1/reports/{id}"), Some(&token))
        .await
        .json();
    assert_eq!(json["report"]["assignee_id"], admin_id.as_str());
    assert_eq!(json["report"]["status"], "accepted");
    let html = get_page(&app, &page, &cookie).await.text();
    assert!(
        html.contains("<td>report.status_changed</td>"),
        "history lists the change"
    );
}

#[tokio::test]
async fn inbox_filters_by_status_and_searches_titles() {
    let app = TestApp::new().await;
    let (_, token, cookie) = admin(&app).await;
    for title in ["Alpha overflow", "Beta injection", "Gamma overflow"] {
        app.report(title, None).await;
    }
    let items = app.get("/api/v1/reports?q=beta", Some(&token)).await.json();
    let beta = items["items"][0]["id"].as_str().expect("beta").to_owned();
    let triage = serde_json::json!({ "status": "triaging" });
    app.post(
        &format!("/api/v1/reports/{beta}/status"),
        Some(&token),
        triage,
    )
    .await;

    let cases = [
        ("", &["Alpha", "Beta", "Gamma"][..]),
        ("?status=triaging", &["Beta"]),
        ("?status=new", &["Alpha", "Gamma"]),
        ("?q=overflow", &["Alpha", "Gamma"]),
        ("?q=OVERFLOW", &["Alpha", "Gamma"]),
        ("?status=new&q=gamma", &["Gamma"]),
        ("?status=accepted", &[]),
    ];
    for (query, shown) in cases {
        let resp = get_page(&app, &format!("/admin/reports{query}"), &cookie).await;
        assert_eq!(resp.status, StatusCode::OK, "{query}");
        let html = resp.text();
        for name in ["Alpha", "Beta", "Gamma"] {
            let listed = html.contains(&format!("{name} "));
            assert_eq!(listed, shown.contains(&name), "{query}: {name}");
        }
    }
    let empty = get_page(&app, "/admin/reports?status=accepted", &cookie).await;
    assert!(empty.text().contains("No reports match this filter"));
    let bogus = get_page(&app, "/admin/reports?status=bogus", &cookie).await;
    assert_eq!(bogus.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn reporter_replies_with_an_attachment_on_the_tracking_page() {
    let app = TestApp::new().await;
    admin(&app).await;
    let (_, url) = app.report("Heap overflow", Some("rita@example.net")).await;
    let track = path_of(&url);
    app.run_jobs().await;
    let notices_before = app.mails_to(ADMIN).len();

    let messages = format!("{track}/messages");
    let bad = reply_with_file(
        &messages,
        "wrongCsrfValueThatIsLongEnough0123456789",
        "x",
        ("a", b"a"),
    );
    assert_eq!(app.request(bad).await.status, StatusCode::BAD_REQUEST);
    let content = b"poc bytes \x00\x01";
    let req = reply_with_file(
        &messages,
        CSRF,
        "PoC attached SECRETBODY",
        ("b.txt", content),
    );
    let resp = app.request(req).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.text());
    assert_eq!(resp.header("location"), Some(track.as_str()));

    let page = get_page(&app, &track, &csrf_cookie()).await.text();
    assert!(page.contains("PoC attached SECRETBODY") && page.contains("b.txt"));
    let file = link(&page, &format!("{track}/attachments/")).expect("download link");
    let download = get_page(&app, &file, &csrf_cookie()).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body, content);
    assert!(
        download
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"))
    );
    assert_eq!(
        download.header("content-type"),
        Some("application/octet-stream")
    );

    app.run_jobs().await;
    let notices = app.mails_to(ADMIN);
    assert_eq!(notices.len(), notices_before + 1, "admins are told");
    let notice = notices.last().expect("notice");
    assert!(!notice.text.contains("SECRETBODY") && !notice.subject.contains("SECRETBODY"));
    assert_eq!(
        app.count("messages").await,
        1,
        "the refused form stored nothing"
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await;
    let (_, _, cookie) = admin(&app).await;
    assert_eq!(
        get_page(&app, "/admin/reports", &cookie).await.status,
        StatusCode::OK
    );
    let out = post_form(&app, "/logout", &cookie, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let cleared = set_cookie(&out, "embargo_session").expect("cookie cleared");
    assert!(
        cleared.starts_with(';') && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let after = get_page(&app, "/admin/reports", &cookie).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
    assert_eq!(after.header("location"), Some("/login"));
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = TestApp::new().await;
    let home = app.page(Method::GET, "/", None, None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.header("cache-control"), Some("no-store"));
    let missing = app.page(Method::GET, "/no/such/page", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let api = app.get("/api/v1/me", None).await;
    for resp in [&home, &missing, &api] {
        let csp = resp.header("content-security-policy").expect("CSP");
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(resp.header("x-frame-options"), Some("DENY"));
        assert_eq!(resp.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(resp.header("x-content-type-options"), Some("nosniff"));
    }
}

#[tokio::test]
async fn account_page_creates_and_revokes_tokens() {
    let app = TestApp::new().await;
    let (_, own_token) = app.account("member@project.test", Role::Member).await;
    let cookie = app.browser("member@project.test").await.cookie;
    let page = get_page(&app, "/account", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("member@project.test"));

    let created = post_form(&app, "/account/tokens", &cookie, &[("name", "laptop")]).await;
    assert_eq!(created.status, StatusCode::OK);
    let html = created.text();
    let shown = &html[html.find("Copy this token now").expect("token shown")..];
    let token = &shown[shown.find("<code>").unwrap() + 6..shown.find("</code>").unwrap()];
    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["email"], "member@project.test");

    let list = app.get("/api/v1/tokens", Some(&own_token)).await.json();
    let items = list["items"].as_array().expect("items");
    let laptop = items
        .iter()
        .find(|t| t["name"] == "laptop")
        .expect("listed");
    let revoke = format!("/account/tokens/{}/revoke", laptop["id"].as_str().unwrap());
    let done = post_form(&app, &revoke, &cookie, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.header("location"), Some("/account"));
    assert_eq!(
        app.get("/api/v1/me", Some(token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        get_page(&app, "/account", &cookie)
            .await
            .text()
            .contains("Revoked")
    );
    assert!(
        !get_page(&app, "/account", &cookie)
            .await
            .text()
            .contains(token),
        "shown once"
    );
}
