//! Pages: the message after a form (flash). A form redirects (303) with a
//! signed, short-lived cookie; the next page shows the message once at the
//! top and clears the cookie; a forged or altered cookie shows nothing.

use super::*;

pub(super) const FLASH: &str = "embargo_flash";

/// The flash cookie a response sets (its value), if any.
pub(super) fn flash_set(resp: &Response) -> Option<String> {
    let value = set_cookie(resp, FLASH)?.split(';').next()?;
    Some(value.to_owned()).filter(|v| !v.is_empty())
}

/// Follows a form's redirect as a browser does: the GET carries the
/// cookie the form's answer set.
pub(super) async fn follow(tab: &Tab<'_>, resp: &Response) -> Response {
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let to = resp.header("location").expect("location");
    let to = to.split('#').next().unwrap_or(to);
    let flash = flash_set(resp).expect("the answer sets a flash cookie");
    let cookie = format!("{}; {FLASH}={flash}", tab.cookie);
    tab.app.page(Method::GET, to, Some(&cookie), None).await
}

/// The message at the top of a page: (kind, role, text without markup).
pub(super) fn flash_of(html: &str) -> Option<(String, String, String)> {
    let start = html.find("<div class=\"flash flash-")?;
    let rest = &html[start + "<div class=\"flash flash-".len()..];
    let kind = rest[..rest.find('"')?].to_owned();
    let role = between(rest, "role=", "\"", "\"")?.to_owned();
    let inner = &rest[rest.find("<p>")? + 3..rest.find("</p>")?];
    let text: String = inner
        .split('<')
        .map(|s| s.split_once('>').map_or(s, |(_, t)| t))
        .collect();
    // Without the label a warning or error starts with.
    let text = unescape(&text);
    let text = ["Warning: ", "Error: "]
        .iter()
        .find_map(|l| text.strip_prefix(l))
        .map_or(text.clone(), str::to_owned);
    Some((kind, role, text))
}

/// Posts `fields` to `path`, follows the redirect, and returns the text of
/// the success message shown there.
pub(super) async fn success_after(tab: &Tab<'_>, path: &str, fields: &[(&str, &str)]) -> String {
    let resp = tab.post(path, fields).await;
    let page = follow(tab, &resp).await;
    assert_eq!(page.status, OK, "{}", page.text());
    let (kind, role, text) = flash_of(&page.text()).expect("a message at the top");
    assert_eq!(
        (kind.as_str(), role.as_str()),
        ("success", "status"),
        "{text}"
    );
    text
}

#[tokio::test]
async fn a_reply_is_confirmed_once_at_the_top_of_the_next_page() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let (id, _) = app.report("Heap overflow", Some(REPORTER)).await;
    let page = format!("/admin/reports/{id}");

    let resp = tab
        .post(&format!("{page}/reply"), &[("body", "Seen.")])
        .await;
    assert_eq!(resp.status, SEE_OTHER);
    assert_eq!(resp.header("location"), Some(page.as_str()));
    let cookie = set_cookie(&resp, FLASH).expect("flash cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=60"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    let shown = follow(&tab, &resp).await;
    let html = shown.text();
    let (kind, role, text) = flash_of(&html).expect("the message");
    assert_eq!((kind.as_str(), role.as_str()), ("success", "status"));
    assert_eq!(text, "Reply sent to the reporter.");
    // At the top: before the page's own heading.
    assert!(html.find("class=\"flash").unwrap() < html.find("<h1").unwrap());
    // Shown once: the page clears the cookie, and the next view has none.
    assert_eq!(
        set_cookie(&shown, FLASH).map(|c| c.split(';').next()),
        Some(Some(""))
    );
    assert!(set_cookie(&shown, FLASH).unwrap().contains("Max-Age=0"));
    assert_eq!(flash_of(&tab.get(&page).await.text()), None);
    // One reply was sent, whatever the reloads.
    app.run_jobs().await;
    let replies = app.mails_to(REPORTER);
    assert_eq!(
        replies.iter().filter(|m| m.text.contains("Seen.")).count(),
        1
    );
}

#[tokio::test]
async fn a_forged_or_altered_flash_cookie_shows_nothing() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let (id, _) = app.report("Heap overflow", Some(REPORTER)).await;
    let page = format!("/admin/reports/{id}");
    let resp = tab
        .post(&format!("{page}/reply"), &[("body", "Seen.")])
        .await;
    let genuine = flash_set(&resp).expect("flash");
    let parts: Vec<&str> = genuine.split('.').collect();
    assert_eq!(parts.len(), 4, "{genuine}");
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let planted = b64("Your session expired: log in at evil.example");
    let forged = [
        // Another text under the genuine signature.
        format!("{}.{}.{planted}.{}", parts[0], parts[1], parts[3]),
        // Another kind, a later expiry.
        format!("e.{}.{}.{}", parts[1], parts[2], parts[3]),
        format!("{}.99999999999.{}.{}", parts[0], parts[2], parts[3]),
        // Made up whole.
        format!("s.99999999999.{planted}.{}", b64("not a mac")),
        "Your session expired".to_owned(),
    ];
    for value in forged {
        let cookie = format!("{}; {FLASH}={value}", tab.cookie);
        let shown = app.page(Method::GET, &page, Some(&cookie), None).await;
        assert_eq!(shown.status, OK);
        assert_eq!(flash_of(&shown.text()), None, "{value}");
        assert!(!shown.text().contains("evil.example"));
        // It is cleared all the same.
        assert!(set_cookie(&shown, FLASH).is_some_and(|c| c.contains("Max-Age=0")));
    }
    // The genuine one expires with its minute.
    app.advance(jiff::SignedDuration::from_secs(61));
    let cookie = format!("{}; {FLASH}={genuine}", tab.cookie);
    let late = app.page(Method::GET, &page, Some(&cookie), None).await;
    assert_eq!(flash_of(&late.text()), None);
}

#[tokio::test]
async fn a_message_is_escaped_like_every_other_text() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let resp = app
        .post(
            "/api/v1/members",
            Some(&token),
            serde_json::json!({
                "organization": "<i>Evil</i> Org", "website": "https://evil.example",
                "security_alias": "security@evil.example",
                "contacts": [{ "name": "Eve", "email": "eve@evil.example" }],
            }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/admin/members/{id}/removal");
    let fields = [("reason", "Left."), ("confirm", "yes")];
    let resp = tab.post(&path, &fields).await;
    let html = follow(&tab, &resp).await.text();
    assert!(!html.contains("<i>Evil</i>"));
    assert!(html.contains("&lt;i&gt;Evil&lt;&#x2f;i&gt; Org"));
}

#[tokio::test]
async fn triage_status_and_assignment_each_say_what_happened() {
    let app = TestApp::new().await;
    let (admin_id, _, tab) = admin(&app).await;
    let (id, _) = app.report("Heap overflow", None).await;
    let page = format!("/admin/reports/{id}");
    let fields = [("status", "accepted"), ("reason", "Confirmed")];
    let text = success_after(&tab, &format!("{page}/status"), &fields).await;
    assert!(text.starts_with("Status set to accepted"), "{text}");
    let fields = [("assignee", admin_id.as_str())];
    let text = success_after(&tab, &format!("{page}/assign"), &fields).await;
    assert_eq!(text, "Report assigned.");
    // An error stays on the form that caused it, with no message.
    let wrong = tab
        .post(&format!("{page}/status"), &[("status", "bogus")])
        .await;
    assert_eq!(wrong.status, INVALID);
    assert_eq!(flash_set(&wrong), None);
}

#[tokio::test]
async fn the_membership_admin_forms_each_say_what_happened() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let fields = [
        ("organization", "Form Linux"),
        ("website", "https://form.example"),
        ("security_alias", "security@form.example"),
        ("contacts[0].name", "Fay"),
        ("contacts[0].email", "fay@form.example"),
    ];
    let text = success_after(&tab, "/admin/members", &fields).await;
    assert_eq!(text, "Form Linux added; 1 contact mailed a set-up link.");

    let criteria = super::membership::criteria(&app).await;
    let mut fields = Vec::new();
    for (i, c) in criteria["items"].as_array().unwrap().iter().enumerate() {
        for k in ["key", "title", "description"] {
            fields.push((format!("items[{i}].{k}"), c[k].as_str().unwrap().to_owned()));
        }
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let text = success_after(&tab, "/admin/criteria", &fields).await;
    assert!(text.starts_with("Criteria saved as version 2"), "{text}");

    // Allowing clear text is a warning; withdrawing it is not.
    let members = app.get("/api/v1/members", Some(&token)).await.json();
    let member = members["items"][0]["id"]
        .as_str()
        .expect("member")
        .to_owned();
    let mut conn = app.state.db.conn().await.unwrap();
    let fay = embargo::db::accounts::by_email(&mut conn, "fay@form.example")
        .await
        .unwrap();
    let fay = fay.expect("Fay's account").id;
    drop(conn);
    let allow = format!("/admin/members/{member}/contacts/{fay}/clear-text");
    let resp = tab.post(&allow, &[("reason", "Their gateway")]).await;
    let html = follow(&tab, &resp).await.text();
    assert!(
        html.contains("<strong>Warning:</strong>"),
        "named, not only coloured"
    );
    let (kind, role, text) = flash_of(&html).expect("message");
    assert_eq!((kind.as_str(), role.as_str()), ("warning", "status"));
    assert!(text.starts_with("Clear text allowed"), "{text}");
    let text = success_after(&tab, &format!("{allow}/withdraw"), &[]).await;
    assert!(text.starts_with("Clear text withdrawn"), "{text}");

    let (voucher, _) =
        crate::membership::founding_member(&app, &token, "Founders", "pat@founders.example").await;
    let answers = crate::membership::answers(&criteria);
    let (id, _) =
        super::membership::application_in_review(&app, &voucher, "Newcomer", answers).await;
    let fields = [("decision", "reject"), ("reason", "Not a distribution.")];
    let path = format!("/admin/applications/{id}/decision");
    let text = success_after(&tab, &path, &fields).await;
    assert_eq!(text, "Application rejected; the applicant is told why.");
}

#[tokio::test]
async fn a_contacts_own_forms_and_logging_out_say_what_happened() {
    let app = TestApp::new().await;
    let token = app.admin_token().await;
    crate::membership::founding_member(&app, &token, "Founders", "pat@founders.example").await;
    let tab = super::membership::contact_tab(&app, "pat@founders.example").await;
    let fields = [("name", "Cleo"), ("email", "cleo@founders.example")];
    let text = success_after(&tab, "/member/contacts", &fields).await;
    assert_eq!(
        text,
        "Cleo added; they are mailed a link to set up their account."
    );

    let resp = tab.post("/logout", &[]).await;
    let home = follow(&tab, &resp).await;
    let (_, _, text) = flash_of(&home.text()).expect("message");
    assert_eq!(text, "You are logged out.");
}

#[tokio::test]
async fn publishing_from_the_advisory_page_says_so_after_the_confirmation() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let id = crate::advisories::create(&app, &token).await;
    let path = format!("/admin/advisories/{id}/publish");
    // The confirmation page is no redirect, and carries no message.
    let asked = tab.post(&path, &[("reason", "Fixed upstream")]).await;
    assert_eq!(asked.status, OK);
    assert_eq!(flash_set(&asked), None);
    let fields = [("reason", "Fixed upstream"), ("confirm", "yes")];
    let text = success_after(&tab, &path, &fields).await;
    assert!(text.starts_with("Advisory published"), "{text}");
}
