//! Narrow screens (390 px): every table on the main pages scrolls inside
//! a wrapper a keyboard can focus (axe's `scrollable-region-focusable`),
//! and the stylesheet keeps the page itself from growing wider than the
//! screen. (How wide pages really render is measured in the browser
//! tests; these check what the server sends.)

use super::membership::{application_in_review, contact_tab};
use super::*;
use crate::membership::{accept_current_policy, answers, founding_member};

const WRAP: &str = "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"";

/// Every `<table` in `html` comes right after the opening tag of a
/// focusable, labelled wrapper: how many tables there are.
fn assert_wrapped(html: &str, page: &str) -> usize {
    let mut n = 0;
    for (at, _) in html.match_indices("<table") {
        n += 1;
        let before = html[..at].trim_end();
        let tag = &before[before.rfind('<').expect("a tag before")..];
        assert!(
            tag.starts_with(WRAP) && tag.ends_with("\">"),
            "{page}: table {n} sits in {tag}"
        );
        let label = &tag[WRAP.len()..tag.len() - 2];
        assert!(!label.trim().is_empty(), "{page}: table {n} has no label");
    }
    n
}

#[tokio::test]
async fn every_table_on_the_main_pages_sits_in_a_focusable_wrapper() {
    let app = TestApp::new().await;
    let (admin_id, token, tab) = admin(&app).await;
    let (report, _) = app.report("Heap overflow in parser", Some(REPORTER)).await;
    let assign = format!("/admin/reports/{report}/assign");
    assert_eq!(
        tab.post(&assign, &[("assignee", admin_id.as_str())])
            .await
            .status,
        SEE_OTHER
    );
    let advisory = crate::advisories::create(&app, &token).await;
    let (member, pat) = founding_member(&app, &token, "Founders", "pat@founders.example").await;
    accept_current_policy(&app, &pat).await;
    let review = [("outcome", "keep"), ("notes", "Fine")];
    let reviewed = tab
        .post(&format!("/admin/members/{member}/review"), &review)
        .await;
    assert_eq!(reviewed.status, SEE_OTHER);
    let criteria = app.get("/api/v1/criteria", None).await.json();
    let (application, _) =
        application_in_review(&app, &member, "Newcomer", answers(&criteria)).await;
    app.run_jobs().await;

    let admin_pages = [
        "/admin/reports".to_owned(),
        format!("/admin/reports/{report}"),
        "/admin/advisories".to_owned(),
        format!("/admin/advisories/{advisory}"),
        "/admin/applications".to_owned(),
        format!("/admin/applications/{application}"),
        "/admin/members".to_owned(),
        format!("/admin/members/{member}"),
        "/admin/jobs".to_owned(),
        "/admin/templates".to_owned(),
        "/admin/templates/report_received".to_owned(),
        "/account".to_owned(),
    ];
    let mut tables = 0;
    for path in &admin_pages {
        let resp = tab.get(path).await;
        assert_eq!(resp.status, OK, "{path}");
        tables += assert_wrapped(&resp.text(), path);
    }
    assert!(tables >= 15, "the pages above hold tables: {tables}");

    let contact = contact_tab(&app, "pat@founders.example").await;
    for path in ["/member", "/member/advisories", "/advisories"] {
        let resp = contact.get(path).await;
        assert_eq!(resp.status, OK, "{path}");
        assert_wrapped(&resp.text(), path);
    }
}

#[tokio::test]
async fn the_stylesheet_keeps_narrow_pages_within_the_screen() {
    let app = TestApp::new().await;
    let css = visitor(&app).get("/static/style.css").await.text();
    let ours = &css[css
        .find("/* ==== Lists, navigation and narrow screens")
        .expect("the section")..];
    for rule in [
        "dd, code, caption, .code { overflow-wrap: anywhere; }",
        "fieldset { min-width: 0; }",
        // Else the visually hidden text in cells widens the page.
        ".table-wrap { position: relative;",
        ".table-wrap:focus-visible",
        ".site-header .nav-narrow { display: none; }",
    ] {
        assert!(ours.contains(rule), "{rule}");
    }
    let narrow = &ours[ours
        .find("@media (max-width: 48rem)")
        .expect("a narrow layout")..];
    assert!(narrow.contains(".site-header .nav-wide { display: none; }"));
    assert!(narrow.contains(".site-header .nav-narrow { display: list-item; }"));
    assert!(css.contains(".table-wrap { overflow-x: auto;"));
}
