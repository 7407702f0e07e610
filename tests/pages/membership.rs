//! Pages: the membership process for applicants and members (applying,
//! the policy, vouching), on the same use cases as the API. The admins'
//! pages are tested in `membership_admin`.

use serde_json::{Value, json};

use super::feedback::{flash_of, follow};
use super::*;
use crate::common::link_in;
use crate::membership::{accept_current_policy, answers, founding_member};

/// The password `founding_member` sets through the set-up link.
const CONTACT_PASSWORD: &str = "a long enough password";
const STATUS: &str = "http://embargo.test/applications/status/";

/// The error shown next to the field `id` (empty when there is none).
pub(super) fn field_error(html: &str, id: &str) -> String {
    let error = between(html, &format!("id=\"{id}-error\""), ">", "</p>");
    error.map(unescape).unwrap_or_default()
}

/// The text of the textarea with id `id`, unescaped.
pub(super) fn textarea(html: &str, id: &str) -> String {
    let inner = between(html, &format!("<textarea id=\"{id}\""), ">", "</textarea>");
    unescape(inner.expect("textarea"))
}

/// A tab signed in as a member contact set up by `founding_member`.
pub(super) async fn contact_tab<'a>(app: &'a TestApp, email: &str) -> Tab<'a> {
    let resp = login(app, email, CONTACT_PASSWORD, "").await;
    assert_eq!(resp.status, SEE_OTHER, "login: {}", resp.text());
    let session = set_cookie(&resp, "embargo_session").expect("session cookie");
    let session = session.split(';').next().expect("value");
    let cookie = format!("embargo_csrf={CSRF}; embargo_session={session}");
    Tab::with_session(app, cookie).await
}

/// An application naming `voucher`, sent by API and confirmed by its
/// alias: (id, path of the status link).
pub(super) async fn application_in_review(
    app: &TestApp,
    voucher: &str,
    org: &str,
    answers: Value,
) -> (String, String) {
    let alias = format!("security@{}.example", org.to_lowercase());
    let body = json!({
        "organization": org, "website": format!("https://{}.example", org.to_lowercase()),
        "security_alias": alias, "criteria": answers, "voucher": voucher,
        "contacts": [{ "name": "Ann Applicant", "email": format!("ann@{}.example", org.to_lowercase()) }],
    });
    let resp = app.post("/api/v1/applications", None, body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let created = resp.json();
    app.run_jobs().await;
    let mail = app.mails_to(&alias).pop().expect("confirmation mail");
    let confirm = link_in(&mail.text, "http://embargo.test/applications/confirm/").expect("link");
    assert_eq!(app.get(&path_of(&confirm), None).await.status, OK);
    let status = path_of(created["status_url"].as_str().expect("status url"));
    (created["id"].as_str().expect("id").to_owned(), status)
}

pub(super) async fn criteria(app: &TestApp) -> Value {
    app.get("/api/v1/criteria", None).await.json()
}

#[tokio::test]
async fn an_application_sent_through_the_form_shows_errors_at_their_fields_and_then_its_status_link()
 {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (voucher, _) = founding_member(&app, &admin, "Founders", "pat@founders.example").await;
    let tab = visitor(&app);
    let form = tab.get("/apply").await;
    assert_eq!(form.status, OK);
    let html = form.text();
    assert!(html.contains(&format!("<option value=\"{voucher}\">Founders</option>")));
    assert!(html.contains("<label for=\"criteria-user_base\">User base</label>"));
    assert!(html.contains("name=\"criteria.user_base\""));
    assert!(
        html.contains("A user base beyond your own organisation"),
        "the description is the hint"
    );

    // Answers missing, and a bad address in the third contact row (the second is left empty).
    let typed = [
        ("organization", "New Distro"),
        ("website", "https://newdistro.example"),
        ("security_alias", "security@newdistro.example"),
        ("contacts[0].name", "Nina New"),
        ("contacts[0].email", "nina@newdistro.example"),
        ("contacts[2].name", "Otto Other"),
        ("contacts[2].email", "not-an-address"),
        (
            "criteria.track_record",
            "https://newdistro.example/security",
        ),
        ("voucher", &voucher),
    ];
    let resp = tab.post("/apply", &typed).await;
    assert_eq!(resp.status, INVALID);
    let html = resp.text();
    assert!(html.contains("role=\"alert\""));
    assert_eq!(
        field_error(&html, "criteria-user_base"),
        "answer \"User base\""
    );
    assert!(html.contains("aria-describedby=\"criteria-user_base-hint criteria-user_base-error\" aria-invalid=\"true\""));
    assert!(
        !field_error(&html, "contacts-2-email").is_empty(),
        "the error is at the row typed in"
    );
    assert!(field_error(&html, "contacts-1-email").is_empty());
    assert!(field_error(&html, "criteria-track_record").is_empty());
    assert_eq!(
        textarea(&html, "criteria-track_record"),
        "https://newdistro.example/security"
    );
    assert!(html.contains("value=\"New Distro\"") && html.contains("value=\"Otto Other\""));
    assert!(html.contains(&format!("<option value=\"{voucher}\" selected>")));
    assert_eq!(app.count("applications").await, 0);

    let mut fields: Vec<(String, String)> = typed[..6]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    fields.push(("contacts[2].email".into(), "otto@newdistro.example".into()));
    fields.push(("voucher".into(), voucher.clone()));
    for (k, v) in answers(&criteria(&app).await).as_object().expect("answers") {
        fields.push((
            format!("criteria.{k}"),
            v.as_str().expect("text").to_owned(),
        ));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = tab.post("/apply", &pairs).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let path = resp.header("location").expect("location").to_owned();
    assert!(path.starts_with("/applications/status/"), "{path}");
    let status = format!("http://embargo.test{path}");
    let page = follow(&tab, &resp).await;
    assert_eq!(page.status, OK);
    let html = page.text();
    let (_, _, text) = flash_of(&html).expect("the confirmation");
    assert!(text.contains("your application was received"), "{text}");
    assert!(
        html.contains("Waiting for the security alias security@newdistro.example to confirm"),
        "{html}"
    );
    assert!(html.contains("Keep it private"), "{html}");
    let listed = app.get("/api/v1/applications", Some(&admin)).await.json();
    let contacts = &listed["items"][0]["contacts"];
    assert_eq!(
        contacts[1]["email"], "otto@newdistro.example",
        "the third row counts"
    );

    app.run_jobs().await;
    let mail = app
        .mails_to("security@newdistro.example")
        .pop()
        .expect("confirmation mail");
    assert!(link_in(&mail.text, "http://embargo.test/applications/confirm/").is_some());
    assert_eq!(link_in(&mail.text, STATUS), Some(status));
}

#[tokio::test]
async fn an_application_is_confirmed_once_on_its_status_page_and_a_reload_applies_nothing_twice() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (voucher, _) = founding_member(&app, &admin, "Founders", "pat@founders.example").await;
    let mut fields = vec![
        ("organization".to_owned(), "Once Distro".to_owned()),
        ("website".to_owned(), "https://once.example".to_owned()),
        (
            "security_alias".to_owned(),
            "security@once.example".to_owned(),
        ),
        ("contacts[0].name".to_owned(), "Olga Once".to_owned()),
        (
            "contacts[0].email".to_owned(),
            "olga@once.example".to_owned(),
        ),
        ("voucher".to_owned(), voucher),
    ];
    for (k, v) in answers(&criteria(&app).await).as_object().expect("answers") {
        fields.push((
            format!("criteria.{k}"),
            v.as_str().expect("text").to_owned(),
        ));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let tab = visitor(&app);
    let resp = tab.post("/apply", &pairs).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let path = resp.header("location").expect("location").to_owned();
    let token = path
        .strip_prefix("/applications/status/")
        .expect("status page");
    let cookie = set_cookie(&resp, "embargo_flash").expect("flash cookie");
    assert!(
        !cookie.contains(token),
        "the status link stays out of the cookie"
    );

    let shown = follow(&tab, &resp).await;
    assert_eq!(shown.status, OK);
    let html = shown.text();
    let (kind, _, text) = flash_of(&html).expect("the confirmation");
    assert_eq!(kind, "success");
    assert_eq!(
        text,
        "Thank you: your application was received, and a confirmation link is on its way to your \
         security alias. This page's address is your status link: bookmark it."
    );
    assert!(
        html.contains("<dt>Organisation</dt><dd>Once Distro</dd>"),
        "{html}"
    );
    assert!(html.contains("What happens next"), "{html}");

    // Reloading is a GET of the status page: no confirmation, no new application.
    let again = tab.get(&path).await;
    assert_eq!(again.status, OK);
    assert_eq!(flash_of(&again.text()), None);
    assert!(again.text().contains("Once Distro"));
    assert_eq!(app.count("applications").await, 1);
    app.run_jobs().await;
    assert_eq!(
        app.mails_to("security@once.example").len(),
        1,
        "one confirmation mail"
    );
}

#[tokio::test]
async fn the_policy_page_shows_the_text_and_a_contact_accepts_it_there_to_see_embargoed_advisories()
{
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, token) = founding_member(&app, &admin, "Distro", "c@distro.example").await;
    let id = crate::advisories::create(&app, &admin).await;
    let until = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
    let body = json!({ "until": until.to_string(), "time_zone": "UTC", "reason": "agreed" });
    let set = app
        .post(
            &format!("/api/v1/advisories/{id}/embargo"),
            Some(&admin),
            body,
        )
        .await;
    assert_eq!(set.status, OK, "{}", set.text());
    // Announced to every active member: Distro is in its audience.
    let announced = crate::announcements::announce(&app, &admin, &id, json!({})).await;
    assert_eq!(
        announced.status,
        StatusCode::CREATED,
        "{}",
        announced.text()
    );
    let advisory = format!("/api/v1/advisories/{id}");
    assert_eq!(
        app.get(&advisory, Some(&token)).await.status,
        StatusCode::FORBIDDEN
    );

    let public = visitor(&app).get("/policy").await;
    assert_eq!(public.status, OK);
    let html = public.text();
    assert!(html.contains("<h1>List policy</h1>") && html.contains("Version 1, published"));
    assert!(
        html.contains("<strong>Embargo.</strong>"),
        "the Markdown is rendered"
    );
    assert!(
        !html.contains("action=\"/policy/accept\""),
        "nobody to accept for"
    );

    let tab = contact_tab(&app, "c@distro.example").await;
    let html = tab.get("/policy").await.text();
    assert!(html.contains("You have not accepted this version yet"));
    assert_eq!(hidden(&html, "version").as_deref(), Some("1"));
    let stale = tab.post("/policy/accept", &[("version", "0")]).await;
    assert_eq!(stale.status, INVALID);
    assert!(unescape(&stale.text()).contains("the current policy is version 1"));
    let resp = tab.post("/policy/accept", &[("version", "1")]).await;
    assert_eq!(resp.status, SEE_OTHER);
    // Accepting leads on to the embargoed advisories the contact may read.
    assert_eq!(resp.header("location"), Some("/member/advisories"));
    let html = tab.get("/policy").await.text();
    assert!(html.contains("You have accepted this version"));
    assert!(!html.contains("action=\"/policy/accept\""));

    let seen = app.get(&advisory, Some(&token)).await;
    assert_eq!(seen.status, OK, "{}", seen.text());
    assert_eq!(seen.json()["state"], "embargoed");
}

#[tokio::test]
async fn a_vouch_through_the_page_records_the_statement_for_the_admins() {
    let app = TestApp::new().await;
    let (_, admin, admin_tab) = admin(&app).await;
    let (voucher, _) = founding_member(&app, &admin, "Founders", "pat@founders.example").await;
    let (_, other) = founding_member(&app, &admin, "Other", "o@other.example").await;
    accept_current_policy(&app, &other).await;
    let (id, _) =
        application_in_review(&app, &voucher, "Newcomer", answers(&criteria(&app).await)).await;
    let page = format!("/applications/{id}/vouch");

    let outsider = contact_tab(&app, "o@other.example").await;
    assert_eq!(outsider.get(&page).await.status, NOT_FOUND);
    assert_eq!(admin_tab.get(&page).await.status, StatusCode::FORBIDDEN);
    let anonymous = visitor(&app).get(&page).await;
    assert_eq!(
        (anonymous.status, anonymous.header("location")),
        (SEE_OTHER, Some(login_for(&page).as_str()))
    );

    let tab = contact_tab(&app, "pat@founders.example").await;
    let html = unescape(&tab.get(&page).await.text());
    assert!(html.contains("Vouch for Newcomer") && html.contains("https://newcomer.example"));
    assert!(html.contains("<h3>User base</h3>") && html.contains("Our answer to User base"));
    let empty = tab
        .post(&page, &[("statement", " "), ("vouch", "true")])
        .await;
    assert_eq!(empty.status, INVALID);
    assert!(field_error(&empty.text(), "statement").starts_with("is required"));

    let statement = "We have shipped their patches since 2019.";
    let resp = tab
        .post(&page, &[("statement", statement), ("vouch", "true")])
        .await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    assert_eq!(resp.header("location"), Some(page.as_str()));
    let html = tab.get(&page).await.text();
    assert!(html.contains("you vouched for Newcomer") && html.contains(statement));

    let review = admin_tab.get(&format!("/admin/applications/{id}")).await;
    assert_eq!(review.status, OK);
    let html = review.text();
    assert!(html.contains("pat@founders.example vouched") && html.contains(statement));
    assert!(
        html.contains("application.vouched"),
        "the history shows the vouch"
    );
    assert!(
        html.contains("<h3>Track record</h3>"),
        "answers carry their criterion's title"
    );
}

#[tokio::test]
async fn html_in_an_applicants_answers_is_escaped_on_the_admin_and_vouch_pages() {
    let app = TestApp::new().await;
    let (_, admin, tab) = admin(&app).await;
    let (voucher, _) = founding_member(&app, &admin, "Founders", "pat@founders.example").await;
    let mut given = answers(&criteria(&app).await);
    given["user_base"] = json!("<script>alert(1)</script><img src=x onerror=alert(2)>");
    let (id, _) = application_in_review(&app, &voucher, "Sneaky", given).await;
    let html = tab.get(&format!("/admin/applications/{id}")).await.text();
    assert_escaped(
        &html,
        "<script>alert(1)",
        "&lt;script&gt;alert(1)",
        "the admin application page",
    );
    assert_escaped(
        &html,
        "<img src=x",
        "&lt;img src=x onerror=alert(2)&gt;",
        "the admin application page",
    );
    let html = contact_tab(&app, "pat@founders.example")
        .await
        .get(&format!("/applications/{id}/vouch"))
        .await
        .text();
    assert_escaped(
        &html,
        "<script>alert(1)",
        "&lt;script&gt;alert(1)",
        "the vouch page",
    );
}
