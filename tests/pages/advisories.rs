//! Pages: advisories for admins, on the same use cases as the API.

use embargo::domain::account::Role;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::*;

pub(super) const V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
pub(super) const ADVISORIES: &str = "/admin/advisories";

pub(super) fn osv_fields() -> Value {
    json!({
        "affected": [{
            "package": { "ecosystem": "Go", "name": "example.org/runtime" },
            "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "1.0.0" }, { "fixed": "1.4.2" }] }]
        }],
        "severity": [{ "type": "CVSS_V3", "score": V31 }],
        "database_specific": { "cwe_ids": ["CWE-59"] },
        "aliases": ["CVE-2026-12345"],
        "credits": [{ "name": "Rita Reporter", "type": "FINDER" }],
        "references": [{ "type": "FIX", "url": "https://example.org/runtime/commit/abc" }]
    })
}

/// A draft made through the API: its id and its admin page.
pub(super) async fn draft(app: &TestApp, token: &str, summary: &str) -> (String, String) {
    let mut body = osv_fields();
    body["summary"] = json!(summary);
    body["details"] = json!("Symlinks *escape*.");
    let resp = app.post("/api/v1/advisories", Some(token), body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["id"].as_str().expect("id").to_owned();
    let page = format!("/admin/advisories/{id}");
    (id, page)
}

pub(super) async fn api(app: &TestApp, token: &str, path: &str) -> Value {
    app.get(&format!("/api/v1/advisories/{path}"), Some(token))
        .await
        .json()
}

/// Posts a form that must succeed; returns where it redirects.
pub(super) async fn accepted(tab: &Tab<'_>, path: &str, fields: &[(&str, &str)]) -> String {
    let resp = tab.post(path, fields).await;
    assert_eq!(resp.status, SEE_OTHER, "{path}: {}", resp.text());
    resp.header("location").expect("location").to_owned()
}

/// Posts a form that must be refused as invalid; returns the page.
pub(super) async fn refused(tab: &Tab<'_>, path: &str, fields: &[(&str, &str)]) -> String {
    let resp = tab.post(path, fields).await;
    assert_eq!(resp.status, INVALID, "{path}");
    resp.text()
}

/// The error shown next to the field `id` (empty when there is none).
pub(super) fn field_error(html: &str, id: &str) -> String {
    let error = between(html, &format!("id=\"{id}-error\""), ">", "</p>");
    error.map(unescape).unwrap_or_default()
}

/// `now + hours` as a `datetime-local` value in `zone`, and its instant.
pub(super) fn local_in(hours: i64, zone: &str) -> (String, Timestamp) {
    let tz = TimeZone::get(zone).expect("zone");
    let at = Timestamp::now() + SignedDuration::from_hours(hours);
    let local = at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M");
    let civil: DateTime = local.to_string().parse().expect("local time");
    let instant = civil.to_zoned_datetime(tz).expect("exists").timestamp();
    (local.to_string(), instant)
}

/// [`local_in`] at least `hours` ahead, moved on by whole days to a
/// Monday to Thursday in `zone`, where the embargo policy warns of nothing
/// (an end on a Friday or a weekend draws a warning whatever the day the
/// test runs).
/// Also answers the hours it chose.
pub(super) fn local_on_a_working_day(hours: i64, zone: &str) -> (String, Timestamp, i64) {
    let tz = TimeZone::get(zone).expect("zone");
    (0..7)
        .map(|days| hours + 24 * days)
        .map(|hours| {
            let (local, at) = local_in(hours, zone);
            (local, at, hours)
        })
        .find(|(_, at, _)| {
            let day = at.to_zoned_datetime(tz.clone()).weekday();
            !matches!(
                day,
                jiff::civil::Weekday::Friday
                    | jiff::civil::Weekday::Saturday
                    | jiff::civil::Weekday::Sunday
            )
        })
        .expect("four of seven days are working days")
}

pub(super) fn utc(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The text of the textarea with id `id`, unescaped.
pub(super) fn textarea(html: &str, id: &str) -> String {
    let inner = between(html, &format!("<textarea id=\"{id}\""), ">", "</textarea>");
    unescape(inner.expect("textarea"))
}

#[tokio::test]
async fn an_advisory_is_created_through_the_form_and_bad_json_is_shown_next_to_its_field() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (report, _) = app.report("Symlink escape", None).await;
    let list = tab.get("/admin/advisories").await.text();
    assert_eq!(
        link(&list, "/admin/advisories/new").as_deref(),
        Some("/admin/advisories/new")
    );
    let form = tab
        .get(&format!("/admin/advisories/new?report={report}"))
        .await;
    assert_eq!(form.status, OK);
    assert!(
        form.text()
            .contains(&format!("name=\"report_id\" value=\"{report}\""))
    );

    let typed = r#"{"affected": [{"package": "#;
    let fields = [
        ("summary", "Container escape"),
        ("osv", typed),
        ("report_id", &report),
    ];
    let html = refused(&tab, ADVISORIES, &fields).await;
    assert!(
        field_error(&html, "osv").starts_with("is not valid JSON"),
        "{html}"
    );
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("aria-describedby=\"osv-hint osv-error\" aria-invalid=\"true\""));
    assert_eq!(textarea(&html, "osv"), typed, "the typed text is kept");
    assert!(html.contains("value=\"Container escape\""));
    let html = refused(&tab, ADVISORIES, &[("summary", "s"), ("osv", "[1]")]).await;
    assert!(field_error(&html, "osv").contains("must be a JSON object"));
    let wrong =
        json!({ "affected": [{ "package": { "ecosystem": "", "name": "x" }, "versions": ["1"] }] });
    let html = refused(
        &tab,
        ADVISORIES,
        &[("summary", "s"), ("osv", &wrong.to_string())],
    )
    .await;
    let error = field_error(&html, "osv");
    assert!(
        error.starts_with("affected[0].package.ecosystem: "),
        "{error}"
    );
    assert_eq!(app.count("advisories").await, 0);

    let osv = osv_fields().to_string();
    let details = "A *crafted* image.";
    let fields = [
        ("summary", "Container escape"),
        ("details", details),
        ("osv", &osv),
        ("report_id", &report),
    ];
    let location = accepted(&tab, ADVISORIES, &fields).await;
    let id = location
        .strip_prefix("/admin/advisories/")
        .expect("advisory page");
    let a = api(&app, &token, id).await;
    assert_eq!(
        (a["state"].as_str(), a["summary"].as_str()),
        (Some("draft"), Some("Container escape"))
    );
    assert_eq!(
        (a["details"].as_str(), a["report_id"].as_str()),
        (Some(details), Some(report.as_str()))
    );
    assert_eq!(a["affected"][0]["ranges"][0]["events"][1]["fixed"], "1.4.2");
    assert_eq!(a["severity"][0]["base_score"], 9.8);
    assert_eq!(a["database_specific"]["cwe_ids"], json!(["CWE-59"]));
    assert_eq!(a["aliases"], json!(["CVE-2026-12345"]));
    assert_eq!(a["credits"][0]["name"], "Rita Reporter");

    let html = unescape(&tab.get(&location).await.text());
    let shown = [
        "CRITICAL (9.8)",
        "CVE-2026-12345",
        "CWE-59",
        "fixed <code>1.4.2</code>",
        "Rita Reporter",
    ];
    for s in shown {
        assert!(html.contains(s), "the page does not show {s}");
    }
    assert!(html.contains("<pre class=\"text\">A *crafted* image.</pre>"));
    let drafts = tab.get("/admin/advisories?state=draft").await.text();
    assert!(drafts.contains(&format!("href=\"/admin/advisories/{id}\"")));
    let published = tab.get("/admin/advisories?state=published").await.text();
    assert!(!published.contains(id));
    let bogus = tab.get("/admin/advisories?state=bogus").await.status;
    assert_eq!(bogus, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_edit_with_a_reason_is_kept_as_a_revision() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    let html = tab.get(&page).await.text();
    let mut structured: Value = serde_json::from_str(&textarea(&html, "osv")).expect("JSON");
    assert_eq!(
        structured,
        osv_fields(),
        "the form holds the current fields"
    );
    structured["aliases"] = json!(["CVE-2026-54321"]);
    let osv = structured.to_string();
    let edit = format!("{page}/edit");

    let mut fields = vec![
        ("summary", "Better title"),
        ("details", "Symlinks *escape*."),
        ("osv", &osv),
    ];
    let html = refused(&tab, &edit, &fields).await;
    assert!(
        field_error(&html, "edit_reason").contains("is required"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Better title\""),
        "the typed summary is kept"
    );
    assert_eq!(api(&app, &token, &id).await["revision"], 1);

    fields.push(("reason", "CVE assigned"));
    assert_eq!(accepted(&tab, &edit, &fields).await, page);
    let history = api(&app, &token, &format!("{id}/history")).await;
    let revs = history["revisions"].as_array().expect("revisions");
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[1]["reason"], "CVE assigned");
    assert_eq!(revs[1]["changed"], json!(["summary", "aliases"]));
    let a = api(&app, &token, &id).await;
    assert_eq!(a["summary"], "Better title");
    assert_eq!(a["aliases"], json!(["CVE-2026-54321"]));
    assert_eq!(
        a["affected"],
        osv_fields()["affected"],
        "fields left as they were stay"
    );
    let html = tab.get(&page).await.text();
    assert!(html.contains("<td>CVE assigned</td>"));
    assert!(html.contains("<td>summary, aliases</td>"));
}

#[tokio::test]
async fn publishing_and_withdrawing_through_the_forms_change_the_public_page() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    let public = format!("/advisories/{id}");
    assert_eq!(tab.get(&public).await.status, NOT_FOUND);
    let html = tab.get(&page).await.text();
    for action in ["edit", "embargo", "publish"] {
        let form = format!("action=\"/admin/advisories/{id}/{action}\"");
        assert!(html.contains(&form), "{action}");
    }
    let withdraw_form = format!("action=\"/admin/advisories/{id}/withdraw\"");
    assert!(
        !html.contains(&withdraw_form),
        "a draft is not offered withdrawal"
    );

    let publish = format!("{page}/publish");
    let html = refused(&tab, &publish, &[("reason", " ")]).await;
    assert!(
        field_error(&html, "publish_reason").contains("is required"),
        "{html}"
    );
    // Publishing asks once more, saying what will happen; only its button does it.
    let asked = tab.post(&publish, &[("reason", "fix released")]).await;
    assert_eq!(asked.status, OK);
    let asked = unescape(&asked.text());
    assert!(
        asked.contains("The advisory becomes public at once"),
        "{asked}"
    );
    assert!(asked.contains("This cannot be undone."), "{asked}");
    assert!(asked.contains("name=\"confirm\" value=\"yes\""), "{asked}");
    assert_eq!(
        api(&app, &token, &id).await["state"],
        "draft",
        "nothing happened yet"
    );
    let confirmed = [("reason", "fix released"), ("confirm", "yes")];
    accepted(&tab, &publish, &confirmed).await;
    assert_eq!(api(&app, &token, &id).await["state"], "published");
    let shown = tab.get(&public).await;
    assert_eq!(shown.status, OK);
    assert!(shown.text().contains("Container escape"));
    let html = unescape(&tab.get(&page).await.text());
    assert!(html.contains(&format!("<a href=\"{public}\">Public page</a>")));
    assert!(
        !html.contains("/publish\"") && !html.contains("/embargo\""),
        "no longer legal"
    );
    assert!(
        html.contains("/edit\"") && html.contains("/withdraw\""),
        "still legal"
    );

    let withdraw = format!("{page}/withdraw");
    let asked = unescape(
        &tab.post(&withdraw, &[("reason", "duplicate of SA-2026-0002")])
            .await
            .text(),
    );
    assert!(
        asked.contains("keeps a notice that the advisory was withdrawn"),
        "{asked}"
    );
    let confirmed = [("reason", "duplicate of SA-2026-0002"), ("confirm", "yes")];
    accepted(&tab, &withdraw, &confirmed).await;
    assert_eq!(api(&app, &token, &id).await["state"], "withdrawn");
    let tombstone = unescape(&tab.get(&public).await.text());
    assert!(tombstone.contains("This advisory was withdrawn"));
    assert!(tombstone.contains("duplicate of SA-2026-0002"));
    let html = tab.get(&page).await.text();
    assert!(
        !html.contains("/withdraw\"") && !html.contains("/edit\""),
        "nothing left to do"
    );
    let html = refused(&tab, &withdraw, &[("reason", "again"), ("confirm", "yes")]).await;
    assert!(html.contains("a withdrawn advisory cannot be withdrawn"));
}

#[tokio::test]
async fn members_and_delegates_get_403_and_visitors_the_login() {
    let app = TestApp::new().await;
    let token = app.admin_token().await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    let gets = [
        ADVISORIES.to_owned(),
        format!("{ADVISORIES}/new"),
        page.clone(),
    ];
    let actions = ["edit", "embargo", "publish", "withdraw"].map(|a| format!("{page}/{a}"));
    let posts = std::iter::once(ADVISORIES.to_owned()).chain(actions);
    let posts: Vec<String> = posts.collect();
    for (email, role) in [
        ("member@project.test", Role::Member),
        ("delegate@project.test", Role::Delegate),
    ] {
        app.account(email, role).await;
        let tab = signed_in(&app, email).await;
        for path in &gets {
            let status = tab.get(path).await.status;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email} GET {path}");
        }
        for path in &posts {
            let status = tab
                .post(path, &[("summary", "x"), ("reason", "x")])
                .await
                .status;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email} POST {path}");
        }
    }
    let anonymous = visitor(&app).get(&page).await;
    assert_eq!(
        (anonymous.status, anonymous.header("location")),
        (SEE_OTHER, Some(login_for(&page).as_str()))
    );
    let a = api(&app, &token, &id).await;
    assert_eq!(
        (a["state"].as_str(), a["revision"].as_i64()),
        (Some("draft"), Some(1))
    );
}

#[tokio::test]
async fn html_in_an_advisory_is_escaped_on_the_admin_pages() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let raw = "<script>alert(1)</script>";
    let escaped = "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;";
    let (_, page) = draft(&app, &token, raw).await;
    let list = tab.get("/admin/advisories").await.text();
    assert_escaped(&list, raw, escaped, "the list");
    let html = tab.get(&page).await.text();
    assert_escaped(&html, raw, escaped, "the advisory page");
    assert!(html.contains(&format!("{escaped}</h1>")));
    let img = "<img src=x onerror=alert(1)>";
    let html = refused(
        &tab,
        ADVISORIES,
        &[("summary", raw), ("details", img), ("osv", "{")],
    )
    .await;
    assert_escaped(
        &html,
        img,
        "&lt;img src=x onerror=alert(1)&gt;",
        "the refused form",
    );
    assert_escaped(&html, raw, escaped, "the refused form");
}
