//! Pages: intake.

use super::feedback::{FLASH, flash_of, flash_set, follow};
use super::*;

#[tokio::test]
async fn report_form_creates_a_report_and_shows_the_tracking_link() {
    let app = TestApp::new().await;
    let page = app.page(Method::GET, "/report", None, None).await;
    assert_eq!(page.status, OK);
    let html = page.text();
    assert!(html.contains(r#"<form method="post" action="/report""#));
    let csrf = hidden(&html, "csrf").expect("csrf field");
    let cookie = set_cookie(&page, "embargo_csrf").expect("csrf cookie");
    let repeated = cookie.starts_with(&format!("{csrf};"));
    assert!(repeated, "the field repeats the cookie: {cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

    // The form as a browser sends it back: the minted token, not a test constant.
    let tab = Tab::new(&app, format!("embargo_csrf={csrf}"));
    let title = ("title", "Heap overflow in parser");
    let email = ("reporter_email", REPORTER);
    let form = encode(&[("csrf", &csrf), title, ("description", "Send zeros"), email]);
    let done = tab.send("/report", &form).await;
    assert_eq!(done.status, SEE_OTHER, "{}", done.text());
    let path = done.header("location").expect("location").to_owned();
    let token = path.strip_prefix("/track/").expect("the tracking page");
    assert_eq!(app.count("reports").await, 1);

    let track = follow(&tab, &done).await;
    assert_eq!(track.status, OK);
    let html = track.text();
    assert!(html.contains("Heap overflow in parser"));
    let (_, _, text) = flash_of(&html).expect("the confirmation");
    assert!(text.contains("we also mailed it to you"), "{text}");
    let url = format!("{TRACK}{token}");
    app.run_jobs().await;
    let mails = app.mails_to(REPORTER);
    assert_eq!(mails.len(), 1, "one acknowledgement");
    assert!(mails[0].text.contains(&url), "the same link");
}

#[tokio::test]
async fn report_form_without_csrf_is_refused_and_stores_nothing() {
    let app = TestApp::new().await;
    let good = format!("embargo_csrf={CSRF}");
    let other = "someOtherValueThatIsAlsoLongEnough1234";
    let cases = [
        ("unrelated=1", Some(CSRF)),
        (&good, Some(other)),
        (&good, None),
        // Too short to be one of ours: ignored like a missing cookie.
        ("embargo_csrf=abc", Some("abc")),
    ];
    for (cookie, field) in cases {
        let csrf = field.map(|f| format!("csrf={f}&")).unwrap_or_default();
        let body = format!("{csrf}title=t&description=d");
        let resp = Tab::new(&app, cookie.to_owned())
            .send("/report", &body)
            .await;
        assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{cookie} {body}");
        assert!(resp.text().contains("this form has expired"));
    }
    assert_eq!(app.count("reports").await, 0);
    assert_eq!(app.count("jobs").await, 0);
}

#[tokio::test]
async fn invalid_report_form_shows_errors_next_to_fields_and_keeps_input() {
    let app = TestApp::new().await;
    let description = ("description", "kept text");
    let fields = [("title", ""), description, ("github", "a_b")];
    let resp = visitor(&app).post("/report", &fields).await;
    assert_eq!(resp.status, INVALID);
    let html = resp.text();
    assert!(html.contains("There is a problem"));
    assert!(html.contains(r#"<p class="error" id="title-error">is required</p>"#));
    let github = r#"<p class="error" id="github-error">must be a GitHub user name"#;
    assert!(html.contains(github), "{html}");
    assert!(html.contains(">kept text</textarea>"), "description kept");
    assert!(html.contains(r#"name="github" value="a_b""#), "github kept");
    assert_eq!(app.count("reports").await, 0);
}

#[tokio::test]
async fn html_in_a_report_is_escaped_everywhere() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (title, desc) = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>");
    let fields = [("title", title), ("description", desc)];
    let resp = visitor(&app).post("/report", &fields).await;
    assert_eq!(resp.status, SEE_OTHER);
    let tracking = resp.header("location").expect("tracking page").to_owned();
    let list = app.get("/api/v1/reports", Some(&token)).await.json();
    let id = list["items"][0]["id"].as_str().expect("id");

    let title_esc = "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;";
    let desc_esc = "&lt;img src=x onerror=alert(2)&gt;";
    let track = visitor(&app).get(&tracking).await.text();
    assert_escaped(&track, title, title_esc, "tracking page");
    assert_escaped(&track, desc, desc_esc, "tracking page");
    let inbox = tab.get("/admin/reports").await.text();
    assert_escaped(&inbox, title, title_esc, "inbox");
    let report = tab.get(&format!("/admin/reports/{id}")).await.text();
    assert_escaped(&report, title, title_esc, "admin report page");
    assert_escaped(&report, desc, desc_esc, "admin report page");
}

#[tokio::test]
async fn reporter_replies_with_an_attachment_on_the_tracking_page() {
    let app = TestApp::new().await;
    admin(&app).await;
    let track = path_of(&app.report("Heap overflow", Some(REPORTER)).await.1);
    app.run_jobs().await;
    let notices_before = app.mails_to(ADMIN).len();

    let messages = format!("{track}/messages");
    let wrong = "wrongCsrfValueThatIsLongEnough0123456789";
    let refused = reply_with_file(&messages, wrong, "x", ("a", b"a"));
    let refused = app.request(refused).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "CSRF is checked");
    let content = b"poc bytes \x00\x01";
    let body = "PoC attached SECRETBODY";
    let req = reply_with_file(&messages, CSRF, body, ("b.txt", content));
    let resp = app.request(req).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    assert_eq!(resp.header("location"), Some(track.as_str()));

    let tab = visitor(&app);
    let page = tab.get(&track).await.text();
    assert!(page.contains("PoC attached SECRETBODY") && page.contains("b.txt"));
    let file = link(&page, &format!("{track}/attachments/")).expect("download link");
    let download = tab.get(&file).await;
    assert_eq!(download.status, OK);
    assert_eq!(download.body, content);
    let disposition = download.header("content-disposition").unwrap_or_default();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let content_type = download.header("content-type");
    assert_eq!(content_type, Some("application/octet-stream"));

    app.run_jobs().await;
    let notices = app.mails_to(ADMIN);
    assert_eq!(notices.len(), notices_before + 1, "admins are told");
    let notice = notices.last().expect("notice");
    assert!(!notice.text.contains("SECRETBODY") && !notice.subject.contains("SECRETBODY"));
    assert_eq!(app.count("messages").await, 1, "one message kept");
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = TestApp::new().await;
    let home = app.page(Method::GET, "/", None, None).await;
    assert_eq!(home.status, OK);
    assert_eq!(home.header("cache-control"), Some("no-store"));
    let missing = app.page(Method::GET, "/no/such/page", None, None).await;
    assert_eq!(missing.status, NOT_FOUND);
    let api = app.get("/api/v1/me", None).await;
    for resp in [&home, &missing, &api] {
        let csp = resp.header("content-security-policy").expect("CSP");
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(resp.header("x-frame-options"), Some("DENY"));
        assert_eq!(resp.header("referrer-policy"), Some("strict-origin"));
        assert_eq!(resp.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(resp.header("strict-transport-security"), None, "plain http");
    }
    // Over https, every answer asks the browser never to come in clear.
    let https = TestApp::with_config(|c| c.base_url = "https://security.example.org".into()).await;
    for path in ["/", "/advisories", "/api/v1/me", "/no/such/page"] {
        let resp = https.page(Method::GET, path, None, None).await;
        assert_eq!(
            resp.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_filed_report_is_confirmed_once_on_its_tracking_page_and_a_reload_files_nothing_twice() {
    let app = TestApp::new().await;
    let tab = visitor(&app);
    let fields = [
        ("title", "Overflow SECRETTITLE"),
        ("description", "SECRETBODY"),
    ];
    let resp = tab.post("/report", &fields).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let path = resp.header("location").expect("location").to_owned();
    let token = path.strip_prefix("/track/").expect("the tracking page");
    // The cookie holds the message only: not the token, nothing of the report.
    let cookie = set_cookie(&resp, FLASH).expect("flash cookie");
    let sealed = flash_set(&resp).expect("flash");
    use base64::Engine;
    let text = sealed.split('.').nth(2).expect("text part");
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64");
    let text = String::from_utf8(text).expect("utf-8");
    for secret in [token, "SECRETTITLE", "SECRETBODY"] {
        assert!(!cookie.contains(secret) && !text.contains(secret), "{text}");
    }

    let shown = follow(&tab, &resp).await;
    assert_eq!(shown.status, OK);
    let html = shown.text();
    let (kind, role, text) = flash_of(&html).expect("the confirmation");
    assert_eq!((kind.as_str(), role.as_str()), ("success", "status"));
    assert_eq!(
        text,
        "Thank you: your report was received. This page's address is your private link to it and, \
         without an email address, the only way back: bookmark it now. The security team answers here."
    );
    assert!(
        html.contains("Overflow SECRETTITLE"),
        "the report's own page"
    );
    assert!(
        set_cookie(&shown, FLASH)
            .expect("cleared")
            .contains("Max-Age=0")
    );

    // Reloading is a GET of the tracking page: no confirmation, no new report.
    let again = tab.get(&path).await;
    assert_eq!(again.status, OK);
    assert_eq!(flash_of(&again.text()), None);
    assert!(again.text().contains("Overflow SECRETTITLE"));
    assert_eq!(app.count("reports").await, 1);
}
