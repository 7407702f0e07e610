//! Histories on the report, advisory, application and member pages name
//! people (the account's address, a contact's name) and say what was
//! recorded in words, not as `account:acc_...` and JSON.

use serde_json::json;

use super::membership::application_in_review;
use super::*;
use crate::membership::{answers, founding_member};

/// The part of `html` from the heading `heading` to the end.
fn from<'a>(html: &'a str, heading: &str) -> &'a str {
    &html[html
        .find(heading)
        .unwrap_or_else(|| panic!("{heading} in {html}"))..]
}

fn assert_readable(history: &str, page: &str) {
    assert!(
        !history.contains("account:acc"),
        "{page}: an actor id: {history}"
    );
    assert!(
        !history.contains("acc_"),
        "{page}: an account id: {history}"
    );
    assert!(!history.contains("{&quot;"), "{page}: JSON: {history}");
}

#[tokio::test]
async fn a_reports_history_names_the_admin_and_reads_as_text() {
    let app = TestApp::new().await;
    let (admin_id, _, tab) = admin(&app).await;
    let (id, _) = app.report("Heap overflow in parser", Some(REPORTER)).await;
    let page = format!("/admin/reports/{id}");
    let assign = tab
        .post(
            &format!("{page}/assign"),
            &[("assignee", admin_id.as_str())],
        )
        .await;
    assert_eq!(assign.status, SEE_OTHER);
    let fields = [("status", "triaging"), ("reason", "Looking into it")];
    assert_eq!(
        tab.post(&format!("{page}/status"), &fields).await.status,
        SEE_OTHER
    );

    let html = tab.get(&page).await.text();
    let history = from(&html, "<h2>History</h2>");
    assert_readable(history, "report");
    assert!(history.contains("<td>admin@project.test</td>"), "{history}");
    assert!(
        history.contains("to: admin@project.test"),
        "the assignee by name"
    );
    assert!(history.contains("from: new; reason: Looking into it; to: triaging"));
    assert!(
        history.contains("<td>A visitor</td>"),
        "the anonymous intake"
    );
    let api = app
        .get(
            &format!("/api/v1/reports/{id}"),
            Some(&app.admin_token().await),
        )
        .await;
    let recorded = &api.json()["history"][0];
    assert!(
        recorded["actor"]
            .as_str()
            .unwrap()
            .starts_with("account:acc_"),
        "the API keeps ids"
    );
}

#[tokio::test]
async fn an_advisorys_revisions_and_embargo_changes_name_who_made_them() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let id = crate::advisories::create(&app, &token).await;
    let path = format!("/api/v1/advisories/{id}");
    let edit = json!({ "summary": "Sharper summary", "reason": "clearer" });
    let resp = app
        .api(axum::http::Method::PATCH, &path, Some(&token), Some(edit))
        .await;
    assert_eq!(resp.status, OK, "{}", resp.text());
    let html = tab.get(&format!("/admin/advisories/{id}")).await.text();
    let history = from(&html, "<h2>History</h2>");
    assert_readable(history, "advisory");
    assert_eq!(
        history.matches("<td>admin@project.test</td>").count(),
        2,
        "{history}"
    );
}

#[tokio::test]
async fn application_and_member_histories_name_people() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (member, _) = founding_member(&app, &token, "Founders", "pat@founders.example").await;
    let criteria = app.get("/api/v1/criteria", None).await.json();
    let (application, _) =
        application_in_review(&app, &member, "Newcomer", answers(&criteria)).await;
    let html = tab
        .get(&format!("/admin/applications/{application}"))
        .await
        .text();
    let history = from(&html, "<h2>History</h2>");
    assert_readable(history, "application");
    assert!(history.contains("<td>A visitor</td>"), "{history}");

    let page = format!("/admin/members/{member}");
    let fields = [("outcome", "keep"), ("notes", "Still shipping")];
    assert_eq!(
        tab.post(&format!("{page}/review"), &fields).await.status,
        SEE_OTHER
    );
    let html = tab.get(&page).await.text();
    let reviews = from(&html, "<h2>Reviews</h2>");
    assert_readable(reviews, "member");
    assert!(
        reviews.contains("<td>admin@project.test</td><td>keep</td>"),
        "{reviews}"
    );
    let history = from(&html, "<h2 id=\"history\">History</h2>");
    assert!(history.contains("<td>admin@project.test</td><td>member.created</td>"));
    assert!(
        history.contains("account: Pat Contact &lt;pat@founders.example&gt;"),
        "{history}"
    );
}
