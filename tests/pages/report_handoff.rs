//! Pages: from a report to its advisory (issue 11): the prefilled form, the
//! links both ways, and what the reporter's tracking page and API show.

use embargo::domain::account::Role;
use embargo::domain::id::ReportId;
use serde_json::{Value, json};

use super::*;

const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;

/// A report by API with `extra` fields: (id, tracking path, tracking token).
async fn report(app: &TestApp, title: &str, extra: Value) -> (String, String, String) {
    let mut body = json!({ "title": title, "description": "Unpacking follows symlinks." });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let resp = app.post("/api/v1/reports", None, body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let v = resp.json();
    let path = path_of(v["tracking_url"].as_str().expect("tracking url"));
    let token = path.strip_prefix("/track/").expect("token").to_owned();
    (v["id"].as_str().expect("id").to_owned(), path, token)
}

/// The text of the textarea with id `id`, unescaped.
fn textarea(html: &str, id: &str) -> String {
    let inner = between(html, &format!("<textarea id=\"{id}\""), ">", "</textarea>");
    unescape(inner.expect("textarea"))
}

/// The value of the text input with id `id`, unescaped.
fn input(html: &str, id: &str) -> String {
    let value = between(
        html,
        &format!("<input type=\"text\" id=\"{id}\""),
        "value=\"",
        "\"",
    );
    unescape(value.expect("input"))
}

/// An advisory made through the API from `report`: its id.
async fn advisory_from(app: &TestApp, token: &str, report: &str, summary: &str) -> String {
    let body =
        json!({ "summary": summary, "details": "Secret details of the fix.", "report_id": report });
    let resp = app.post("/api/v1/advisories", Some(token), body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().expect("id").to_owned()
}

async fn act(app: &TestApp, token: &str, id: &str, action: &str) {
    let path = format!("/api/v1/advisories/{id}/{action}");
    let resp = app
        .post(&path, Some(token), json!({ "reason": "fix released" }))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{action}: {}", resp.text());
    app.run_jobs().await;
}

#[tokio::test]
async fn a_consenting_reporter_is_credited_in_the_prefilled_form_and_the_advisory_links_both_ways()
{
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let extra = json!({ "affected_versions": "1.0 up to 1.4", "unaffected_versions": "0.9\n2.0",
                        "reporter_name": "Rita Reporter", "github": "rita", "credit_consent": true });
    let (rid, _, _) = report(&app, "Symlink escape in unpack", extra).await;
    let report_page = format!("/admin/reports/{rid}");
    let html = tab.get(&report_page).await.text();
    assert!(html.contains("Create advisory from this report"));
    let new = link(&html, "/admin/advisories/new?report=").expect("create link");
    assert_eq!(new, format!("/admin/advisories/new?report={rid}"));

    let form = tab.get(&new).await;
    assert_eq!(form.status, OK);
    let html = form.text();
    assert_eq!(input(&html, "summary"), "Symlink escape in unpack");
    let details = textarea(&html, "details");
    assert!(
        details.starts_with("Unpacking follows symlinks."),
        "{details}"
    );
    assert!(details.contains("1.0 up to 1.4"), "{details}");
    assert_eq!(input(&html, "report_id"), rid);
    let osv: Value = serde_json::from_str(&textarea(&html, "osv")).expect("osv json");
    let credit = json!({ "name": "Rita Reporter", "type": "FINDER",
                         "contact": ["https://github.com/rita"], "github": "rita" });
    assert_eq!(osv["credits"], json!([credit]));
    assert_eq!(
        osv["database_specific"]["unaffected_versions"],
        json!(["0.9", "2.0"])
    );
    assert!(!html.contains("did not consent"));

    let osv = osv.to_string();
    let fields = [
        ("summary", "Symlink escape in unpack"),
        ("details", details.as_str()),
        ("osv", osv.as_str()),
        ("report_id", rid.as_str()),
    ];
    let resp = tab.post("/admin/advisories", &fields).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let location = resp.header("location").expect("location").to_owned();
    let id = location.strip_prefix("/admin/advisories/").expect("page");
    let a = app
        .get(&format!("/api/v1/advisories/{id}"), Some(&token))
        .await
        .json();
    assert_eq!(a["report_id"], rid.as_str());
    assert_eq!(
        a["credits"].as_array().map(Vec::len),
        Some(1),
        "credited once"
    );

    let html = unescape(&tab.get(&location).await.text());
    assert!(html.contains("From report"));
    assert!(html.contains(&format!("<a href=\"{report_page}\">{rid}</a>")));
    let html = tab.get(&report_page).await.text();
    assert_eq!(
        link(&html, "/admin/advisories/").as_deref(),
        Some(location.as_str())
    );
}

#[tokio::test]
async fn without_consent_the_form_has_no_credit_says_why_and_escapes_the_title() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let title = "<script>alert(1)</script> in unpack";
    let extra = json!({ "reporter_name": "Rita Reporter", "credit_consent": false });
    let (rid, _, _) = report(&app, title, extra).await;
    let form = tab
        .get(&format!("/admin/advisories/new?report={rid}"))
        .await;
    assert_eq!(form.status, OK);
    let html = form.text();
    assert_escaped(
        &html,
        "<script>alert(1)",
        "&lt;script&gt;alert(1)",
        "the form",
    );
    assert_eq!(input(&html, "summary"), title);
    let osv: Value = serde_json::from_str(&textarea(&html, "osv")).expect("osv json");
    assert_eq!(osv["credits"], json!([]));
    assert!(html.contains("the reporter did not consent to credit"));

    let made_up = ReportId::generate();
    for id in [made_up.as_str(), "rpt_nonsense", "nothing-like-an-id"] {
        let status = tab
            .get(&format!("/admin/advisories/new?report={id}"))
            .await
            .status;
        assert_eq!(status, NOT_FOUND, "{id}");
    }
}

#[tokio::test]
async fn non_admins_cannot_read_a_report_through_the_prefilled_form() {
    let app = TestApp::new().await;
    app.admin_token().await;
    let (rid, track, _) = report(&app, "Secret title of the report", json!({})).await;
    let path = format!("/admin/advisories/new?report={rid}");
    for (email, role) in [
        ("member@project.test", Role::Member),
        ("delegate@project.test", Role::Delegate),
    ] {
        app.account(email, role).await;
        let resp = signed_in(&app, email).await.get(&path).await;
        assert_eq!(resp.status, FORBIDDEN, "{email}");
        assert!(!resp.text().contains("Secret title"), "{email}");
    }
    let anonymous = visitor(&app).get(&path).await;
    assert_eq!(anonymous.status, SEE_OTHER);
    assert!(!anonymous.text().contains("Secret title"));
    // Nor does the report's own tracking page offer the form.
    let html = unescape(&visitor(&app).get(&track).await.text());
    assert!(!html.contains("/admin/advisories/new"));
}

#[tokio::test]
async fn the_tracking_page_names_a_draft_by_id_only_and_links_it_once_published() {
    let app = TestApp::new().await;
    let token = app.admin_token().await;
    let (rid, track, secret) = report(&app, "Symlink escape", json!({})).await;
    let api = format!("/api/v1/track/{secret}");
    let v = app.get(&api, None).await.json();
    assert_eq!(
        (&v["report"]["advisory_id"], &v["report"]["advisory_url"]),
        (&Value::Null, &Value::Null)
    );
    assert!(
        !visitor(&app)
            .get(&track)
            .await
            .text()
            .contains("<dt>Advisory</dt>")
    );

    let id = advisory_from(&app, &token, &rid, "Embargoed summary words").await;
    let html = unescape(&visitor(&app).get(&track).await.text());
    assert!(
        html.contains("<dt>Advisory</dt>") && html.contains(&id),
        "{html}"
    );
    assert!(
        !html.contains(&format!("/advisories/{id}")),
        "no link to a draft"
    );
    let resp = app.get(&api, None).await;
    let v = resp.json();
    assert_eq!(v["report"]["advisory_id"], id.as_str());
    assert_eq!(v["report"]["advisory_url"], Value::Null);
    for text in [html, resp.text()] {
        for secret in ["Embargoed summary words", "Secret details"] {
            assert!(
                !text.contains(secret),
                "the draft's {secret:?} reached the reporter"
            );
        }
    }

    act(&app, &token, &id, "publish").await;
    let url = format!("http://embargo.test/advisories/{id}");
    let v = app.get(&api, None).await.json();
    assert_eq!(
        (
            v["report"]["advisory_id"].as_str(),
            v["report"]["advisory_url"].as_str()
        ),
        (Some(id.as_str()), Some(url.as_str()))
    );
    let html = unescape(&visitor(&app).get(&track).await.text());
    assert!(
        html.contains(&format!("<a href=\"{url}\">{id}</a>")),
        "{html}"
    );
    assert_eq!(visitor(&app).get(&path_of(&url)).await.status, OK);

    // Withdrawn after publication, its public page says so: still linked.
    act(&app, &token, &id, "withdraw").await;
    let v = app.get(&api, None).await.json();
    assert_eq!(v["report"]["advisory_url"].as_str(), Some(url.as_str()));
}

#[tokio::test]
async fn a_draft_withdrawn_before_publication_is_not_named_to_the_reporter() {
    let app = TestApp::new().await;
    let token = app.admin_token().await;
    let (rid, _, secret) = report(&app, "Symlink escape", json!({})).await;
    let id = advisory_from(&app, &token, &rid, "Abandoned").await;
    act(&app, &token, &id, "withdraw").await;
    let v = app
        .get(&format!("/api/v1/track/{secret}"), None)
        .await
        .json();
    assert_eq!(v["report"]["advisory_id"], Value::Null);
    let second = advisory_from(&app, &token, &rid, "The real one").await;
    let v = app
        .get(&format!("/api/v1/track/{secret}"), None)
        .await
        .json();
    assert_eq!(v["report"]["advisory_id"], second.as_str());
}
