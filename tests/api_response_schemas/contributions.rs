//! The answers of the routes around an announced advisory: the
//! announcement, shares, leaks, tasks, test reports and member records;
//! and the CVE record and a job retried.

use axum::http::Method;
use serde_json::json;

use super::{CREATED, Checker, OK};
use crate::common::TestApp;
use crate::tasks::{in_hours, team};

#[tokio::test]
async fn answers_around_an_announced_advisory_match_the_document() {
    let app = TestApp::on_sqlite().await;
    let doc = Checker::new(&app).await;
    let t = team(&app).await;
    let (admin, advisory) = (&t.admin, &t.advisory);
    let (primary, primary_token) = (&t.primary.0, &t.primary.1);

    // The announcement the team's members got.
    let ann = super::scalar(&app, "SELECT id FROM announcements").await;
    let r = app
        .get(&format!("/api/v1/announcements/{ann}"), Some(admin))
        .await;
    let announcement = doc.check(Method::GET, "/api/v1/announcements/{id}", OK, &r);
    assert_eq!(announcement["deliveries"].as_array().map(Vec::len), Some(3));

    // A share with a colleague, accepted, listed and revoked.
    let share = json!({ "email": "dana@primary.example", "name": "Dana", "reason": "packages it" });
    let shares = format!("/api/v1/advisories/{advisory}/shares");
    let r = app.post(&shares, Some(primary_token), share).await;
    assert_eq!(r.status, CREATED, "{}", r.text());
    let share = r.json()["id"].as_str().unwrap().to_owned();
    let dana = app.set_up_from_mail("dana@primary.example").await;
    let r = app
        .post(
            &format!("/api/v1/shares/{share}/accept"),
            Some(&dana),
            json!({}),
        )
        .await;
    doc.check(Method::POST, "/api/v1/shares/{id}/accept", OK, &r);
    let r = app.get(&shares, Some(admin)).await;
    doc.check(Method::GET, "/api/v1/advisories/{id}/shares", OK, &r);
    let path = format!("/api/v1/shares/{share}");
    let r = app
        .api(Method::DELETE, &path, Some(primary_token), None)
        .await;
    doc.check(Method::DELETE, "/api/v1/shares/{id}", OK, &r);

    // A task, done, drafted and applied; the primary's record.
    let r = crate::tasks::create_task(&app, &t, "draft_release_notes", &in_hours(&app, 48)).await;
    let task = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!("/api/v1/tasks/{task}"), Some(primary_token))
        .await;
    doc.check(Method::GET, "/api/v1/tasks/{id}", OK, &r);
    let draft = json!({ "draft": "Upgrade to 1.4.2." });
    let path = format!("/api/v1/tasks/{task}/draft");
    let r = app
        .api(Method::PUT, &path, Some(primary_token), Some(draft))
        .await;
    doc.check(Method::PUT, "/api/v1/tasks/{id}/draft", OK, &r);
    let done = json!({ "notes": "drafted" });
    let r = app
        .post(
            &format!("/api/v1/tasks/{task}/done"),
            Some(primary_token),
            done,
        )
        .await;
    doc.check(Method::POST, "/api/v1/tasks/{id}/done", OK, &r);
    let r = app
        .post(&format!("{path}/apply"), Some(admin), json!({}))
        .await;
    doc.check(Method::POST, "/api/v1/tasks/{id}/draft/apply", OK, &r);
    let r = app
        .get(&format!("/api/v1/advisories/{advisory}/tasks"), Some(admin))
        .await;
    let tasks = doc.check(Method::GET, "/api/v1/advisories/{id}/tasks", OK, &r);
    assert_eq!(tasks["items"][0]["state"], "done", "{tasks}");
    let r = app
        .get(&format!("/api/v1/members/{primary}/record"), Some(admin))
        .await;
    doc.check(Method::GET, "/api/v1/members/{id}/record", OK, &r);

    // A test report with a file, listed for the admins and the author.
    let filed = json!({
        "result": "works", "tested": "1.4.2 on arm64", "details": "fine", "visibility": "members",
        "attachments": [{ "filename": "log.txt", "content_type": "text/plain", "content_base64": "b2sK" }],
    });
    let r = crate::test_reports::file(&app, primary_token, advisory, filed).await;
    assert_eq!(r.status, CREATED, "{}", r.text());
    let list = format!("/api/v1/advisories/{advisory}/test-reports");
    for token in [admin, primary_token, &t.other.1] {
        let r = app.get(&list, Some(token)).await;
        doc.check(Method::GET, "/api/v1/advisories/{id}/test-reports", OK, &r);
    }

    // A leak: traced, recorded, told to the list, looked back on, closed.
    let mails = app.mails_to(crate::tasks::PRIMARY);
    let paste = mails.iter().rfind(|m| m.text.contains(advisory.as_str()));
    let paste = paste.map_or(String::from("nothing"), |m| m.text.clone());
    let r = app
        .post("/api/v1/leaks/trace", Some(admin), json!({ "text": paste }))
        .await;
    doc.check(Method::POST, "/api/v1/leaks/trace", OK, &r);
    let leak = json!({
        "advisory_id": advisory, "member_id": primary, "what": "the summary",
        "to_whom": "a journalist", "when": "yesterday",
    });
    let r = crate::leaks::report_leak(&app, admin, leak).await;
    assert_eq!(r.status, CREATED, "{}", r.text());
    let leak = r.json()["id"].as_str().unwrap().to_owned();
    let one = format!("/api/v1/leaks/{leak}");
    let r = app.get(&one, Some(admin)).await;
    doc.check(Method::GET, "/api/v1/leaks/{id}", OK, &r);
    let notice = json!({ "text": "Please check your forwarding rules." });
    let r = app
        .post(&format!("{one}/notice"), Some(admin), notice)
        .await;
    doc.check(Method::POST, "/api/v1/leaks/{id}/notice", CREATED, &r);
    let retro = json!({
        "findings": "Forwarded.", "root_cause": "A filter rule.",
        "actions": [{ "what": "Remove the rule", "owner": "Pat", "state": "done" }],
    });
    let path = format!("{one}/retrospective");
    let r = app.api(Method::PUT, &path, Some(admin), Some(retro)).await;
    doc.check(Method::PUT, "/api/v1/leaks/{id}/retrospective", OK, &r);
    let r = app
        .post(
            &format!("{one}/comments"),
            Some(primary_token),
            json!({ "body": "Sorry." }),
        )
        .await;
    assert_eq!(r.status, CREATED, "{}", r.text());
    let r = app.get(&one, Some(primary_token)).await;
    let read = doc.check(Method::GET, "/api/v1/leaks/{id}", OK, &r);
    assert!(read["retrospective"].is_object(), "{read}");
    let r = app
        .post(&format!("{one}/close"), Some(admin), json!({}))
        .await;
    doc.check(Method::POST, "/api/v1/leaks/{id}/close", OK, &r);
    let r = app
        .get(&format!("/api/v1/members/{primary}/leaks"), Some(admin))
        .await;
    doc.check(Method::GET, "/api/v1/members/{id}/leaks", OK, &r);
}

#[tokio::test]
async fn a_withdrawn_leak_a_cve_record_and_a_retried_job_match_the_document() {
    let app = TestApp::with_config(|c| {
        c.publication.cve_org_id = "b3476cb9-2e3d-41a6-98d0-0f47421a65b6".into();
    })
    .await;
    let doc = Checker::new(&app).await;
    let t = team(&app).await;
    let leak = json!({ "advisory_id": t.advisory, "what": "it", "to_whom": "someone" });
    let r = crate::leaks::report_leak(&app, &t.primary.1, leak).await;
    assert_eq!(r.status, CREATED, "{}", r.text());
    let leak = r.json()["id"].as_str().unwrap().to_owned();
    let reason = json!({ "reason": "a mistake" });
    let r = app
        .post(
            &format!("/api/v1/leaks/{leak}/withdraw"),
            Some(&t.admin),
            reason,
        )
        .await;
    doc.check(Method::POST, "/api/v1/leaks/{id}/withdraw", OK, &r);

    let path = format!("/api/v1/advisories/{}/cve", t.advisory);
    let r = app.get(&path, Some(&t.admin)).await;
    doc.check(Method::GET, "/api/v1/advisories/{id}/cve", OK, &r);
    let reason = json!({ "reason": "released" });
    let r = app
        .post(
            &format!("/api/v1/advisories/{}/publish", t.advisory),
            Some(&t.admin),
            reason,
        )
        .await;
    doc.check(Method::POST, "/api/v1/advisories/{id}/publish", OK, &r);
    let r = app.get(&path, Some(&t.admin)).await;
    doc.check(Method::GET, "/api/v1/advisories/{id}/cve", OK, &r);

    let dead = "INSERT INTO jobs (id, kind, payload, idempotency_key, state, run_at, max_attempts, created_at, updated_at) \
                VALUES ('job_deadschemacheck', 'seeded', '{}', 'job_deadschemacheck', 'dead', 1, 1, 1, 1)";
    super::execute(&app, dead).await;
    let r = app
        .post(
            "/api/v1/jobs/job_deadschemacheck/retry",
            Some(&t.admin),
            json!({}),
        )
        .await;
    doc.check(Method::POST, "/api/v1/jobs/{id}/retry", OK, &r);
}
