//! Each member's record of contributing back: counted for the API, the
//! admin's member page and the member's own page; read by nobody else.

use axum::http::{Method, StatusCode};
use jiff::SignedDuration;
use serde_json::json;

use crate::common::TestApp;
use crate::tasks::{PRIMARY, create_task, in_hours, team};
use crate::test_reports::file;

#[tokio::test]
async fn the_record_counts_test_reports_tasks_done_and_missed_and_leaks() {
    let app = TestApp::new().await;
    let t = team(&app).await;
    let (member, token) = (&t.primary.0, &t.primary.1);
    let path = format!("/api/v1/members/{member}/record");
    let empty = app.get(&path, Some(token)).await.json();
    assert_eq!(
        empty,
        json!({ "test_reports": 0, "tasks_done": 0, "tasks_missed": 0, "leaks": 0, "last_activity": null })
    );

    for result in ["works", "problems"] {
        let body = json!({ "result": result, "tested": "2.0 on riscv64" });
        let resp = file(&app, token, &t.advisory, body).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    }
    let missed = create_task(&app, &t, "other", &in_hours(&app, 10)).await;
    assert_eq!(missed.status, StatusCode::CREATED, "{}", missed.text());
    let done = create_task(&app, &t, "review_patch", &in_hours(&app, 100)).await;
    let done = done.json()["id"].as_str().unwrap().to_owned();
    app.advance(SignedDuration::from_hours(11));
    app.run_jobs().await;
    let resp = app
        .post(
            &format!("/api/v1/tasks/{done}/done"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let leak = json!({ "advisory_id": t.advisory, "what": "the patch", "to_whom": "a vendor" });
    let first = crate::leaks::report_leak(&app, token, leak.clone()).await;
    let first = first.json()["id"].as_str().unwrap().to_owned();
    crate::leaks::report_leak(&app, token, leak).await;
    let withdraw = format!("/api/v1/leaks/{first}/withdraw");
    let resp = app
        .post(
            &withdraw,
            Some(&t.admin),
            json!({ "reason": "public already" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());

    let r = app.get(&path, Some(&t.admin)).await.json();
    assert_eq!(r["test_reports"], 2);
    assert_eq!(r["tasks_done"], 1);
    assert_eq!(r["tasks_missed"], 1);
    assert_eq!(r["leaks"], 1, "a withdrawn record does not count");
    let last = r["last_activity"].as_str().unwrap();
    let done_at: jiff::Timestamp = last.parse().unwrap();
    let now = jiff::Timestamp::from_microsecond(app.now()).unwrap();
    assert!(
        now.duration_since(done_at) < SignedDuration::from_secs(60),
        "{last}"
    );
    // Another member's contact learns nothing, not even that it exists.
    assert_eq!(
        app.get(&path, Some(&t.backup.1)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path, None).await.status, StatusCode::UNAUTHORIZED);
    let backup = format!("/api/v1/members/{}/record", t.backup.0);
    let backup = app.get(&backup, Some(&t.backup.1)).await;
    assert_eq!(
        backup.json()["tasks_missed"],
        0,
        "the backup missed nothing"
    );

    // The admin's member page and the member's own page show it.
    let admin = app.browser("admin@project.test").await;
    let page = app
        .page(
            Method::GET,
            &format!("/admin/members/{member}"),
            Some(&admin.cookie),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let record = &html[html.find("id=\"record\"").expect("the record section")..];
    assert!(
        record.contains("<dt>Test reports</dt><dd>2</dd>"),
        "{record}"
    );
    assert!(record.contains("<dt>Tasks missed</dt><dd>1"), "{record}");
    assert!(record.contains("<dt>Leaks</dt><dd>1</dd>"), "{record}");
    let own = app.sign_in(PRIMARY, "a long enough password").await;
    let page = app.page(Method::GET, "/member", Some(&own), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let record = &html[html.find("id=\"record\"").expect("the record section")..];
    assert!(record.contains("<dt>Tasks done</dt><dd>1</dd>"), "{record}");
    assert!(
        record.contains("<dt>Test reports</dt><dd>2</dd>"),
        "{record}"
    );
}
