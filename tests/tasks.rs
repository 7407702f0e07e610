//! Tasks with a primary and a backup: the primary hears at once and a day
//! before the due instant; at the due instant an undone task passes to the
//! backup and the admins are told; a task done in time sends neither. A
//! drafted text is taken into the advisory as an edit.

use axum::http::{Method, StatusCode};
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::announcements::cleared_member;
use crate::common::{Response, TestApp};
use crate::test_reports::announced;

const ADMIN: &str = "admin@project.test";
pub const PRIMARY: &str = "pat@primary.example";
const BACKUP: &str = "bo@backup.example";
/// The title may be embargoed: it stays out of every mail.
const TITLE: &str = "Test the overflow fix on big-endian MIPS";

/// Three cleared members, all sent the advisory: a task's primary and
/// backup, and another named on no task.
pub struct Team {
    pub admin: String,
    pub primary: (String, String),
    pub backup: (String, String),
    pub other: (String, String),
    pub advisory: String,
}

pub async fn team(app: &TestApp) -> Team {
    let admin = app.admin_token().await;
    let primary = cleared_member(app, &admin, "Primary", PRIMARY, None).await;
    let backup = cleared_member(app, &admin, "Backup", BACKUP, None).await;
    let other = cleared_member(app, &admin, "Other", "sam@other.example", None).await;
    let advisory = announced(app, &admin).await;
    Team {
        admin,
        primary,
        backup,
        other,
        advisory,
    }
}

/// An RFC 3339 instant `hours` from the service's now.
pub fn in_hours(app: &TestApp, hours: i64) -> String {
    jiff::Timestamp::from_microsecond(app.now())
        .unwrap()
        .checked_add(SignedDuration::from_hours(hours))
        .unwrap()
        .to_string()
}

pub async fn create_task(app: &TestApp, t: &Team, kind: &str, due: &str) -> Response {
    let body = json!({
        "kind": kind, "title": TITLE, "primary": t.primary.0, "backup": t.backup.0, "due": due,
    });
    let path = format!("/api/v1/advisories/{}/tasks", t.advisory);
    app.post(&path, Some(&t.admin), body).await
}

/// How many mails to `to` have `part` in their subject.
fn subjects(app: &TestApp, to: &str, part: &str) -> usize {
    app.mails_to(to)
        .iter()
        .filter(|m| m.subject.contains(part))
        .count()
}

async fn record(app: &TestApp, token: &str, member: &str) -> Value {
    let resp = app
        .get(&format!("/api/v1/members/{member}/record"), Some(token))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    resp.json()
}

#[tokio::test]
async fn a_task_missed_by_its_primary_is_handed_over_to_the_backup_at_the_due_instant() {
    let app = TestApp::new().await;
    let t = team(&app).await;
    let other = &t.other.1;
    let resp = create_task(&app, &t, "test_platform", &in_hours(&app, 48)).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let task = resp.json()["id"].as_str().unwrap().to_owned();
    app.run_jobs().await;
    let assigned = app.mails_to(PRIMARY);
    let assigned = assigned
        .iter()
        .find(|m| m.subject.contains("a task for Primary"))
        .expect("the primary's contacts hear at once");
    assert!(assigned.text.contains(&task) && assigned.text.contains(&t.advisory));
    assert!(!assigned.text.contains(TITLE) && !assigned.subject.contains(TITLE));
    assert!(
        assigned
            .text
            .contains("A day before it is due you get a reminder")
    );
    assert_eq!(subjects(&app, BACKUP, "task for"), 0);

    // 23 hours later: not yet a day before.
    app.advance(SignedDuration::from_hours(23));
    app.run_jobs().await;
    assert_eq!(subjects(&app, PRIMARY, "Reminder"), 0);
    app.advance(SignedDuration::from_hours(1));
    app.run_jobs().await;
    assert_eq!(
        subjects(&app, PRIMARY, "Reminder"),
        1,
        "a day before it is due"
    );
    let handover = "please take over";
    assert_eq!(subjects(&app, BACKUP, handover), 0);

    // A second before the due instant nothing passes; at it, the backup is asked.
    app.advance(SignedDuration::from_hours(24) - SignedDuration::from_secs(1));
    app.run_jobs().await;
    assert_eq!(subjects(&app, BACKUP, handover), 0);
    app.advance(SignedDuration::from_secs(1));
    app.run_jobs().await;
    assert_eq!(subjects(&app, BACKUP, handover), 1);
    assert_eq!(subjects(&app, PRIMARY, handover), 0);
    let told = app.mails_to(ADMIN);
    let told = told
        .iter()
        .find(|m| m.subject.starts_with("Task missed"))
        .expect("the admins are told");
    assert!(told.text.contains(&task) && told.text.contains("Backup"));
    assert!(!told.text.contains(TITLE));
    app.run_jobs().await;
    assert_eq!(subjects(&app, BACKUP, handover), 1, "once");

    let path = format!("/api/v1/tasks/{task}");
    let view = app.get(&path, Some(&t.backup.1)).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text());
    assert_eq!(view.json()["state"], "handed_over");
    assert_eq!(view.json()["missed"], true);
    assert_eq!(view.json()["title"], TITLE);
    assert_eq!(
        app.get(&path, Some(other)).await.status,
        StatusCode::NOT_FOUND
    );
    let done = format!("/api/v1/tasks/{task}/done");
    let body = json!({ "notes": "Works on MIPS." });
    assert_eq!(
        app.post(&done, Some(other), body.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    let resp = app.post(&done, Some(&t.backup.1), body.clone()).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(
        app.post(&done, Some(&t.primary.1), body).await.status,
        StatusCode::CONFLICT,
        "done once"
    );

    let primary = record(&app, &t.primary.1, &t.primary.0).await;
    assert_eq!(
        (
            primary["tasks_done"].clone(),
            primary["tasks_missed"].clone()
        ),
        (json!(0), json!(1))
    );
    let backup = record(&app, &t.admin, &t.backup.0).await;
    assert_eq!(
        (backup["tasks_done"].clone(), backup["tasks_missed"].clone()),
        (json!(1), json!(0))
    );
    assert!(backup["last_activity"].as_str().unwrap().ends_with('Z'));
    let list = format!("/api/v1/advisories/{}/tasks", t.advisory);
    let listed = app.get(&list, Some(other)).await;
    assert_eq!(listed.json()["items"], json!([]), "not named on it");
    let listed = app.get(&list, Some(&t.primary.1)).await.json();
    assert_eq!(listed["items"][0]["done_member"], t.backup.0.as_str());
}

#[tokio::test]
async fn a_task_done_in_time_sends_no_reminder_and_no_hand_over() {
    let app = TestApp::new().await;
    let t = team(&app).await;
    let task = create_task(&app, &t, "review_patch", &in_hours(&app, 48)).await;
    let task = task.json()["id"].as_str().unwrap().to_owned();
    app.advance(SignedDuration::from_hours(2));
    let done = format!("/api/v1/tasks/{task}/done");
    let resp = app
        .post(
            &done,
            Some(&t.primary.1),
            json!({ "notes": "Reviewed, one nit." }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    app.advance(SignedDuration::from_hours(47));
    app.run_jobs().await;
    assert_eq!(subjects(&app, PRIMARY, "Reminder"), 0);
    assert_eq!(subjects(&app, BACKUP, "take over"), 0);
    assert_eq!(subjects(&app, ADMIN, "Task missed"), 0);
    let r = record(&app, &t.primary.1, &t.primary.0).await;
    assert_eq!(
        (r["tasks_done"].clone(), r["tasks_missed"].clone()),
        (json!(1), json!(0))
    );
    let resp = app
        .get(&format!("/api/v1/tasks/{task}"), Some(&t.admin))
        .await;
    assert_eq!(resp.json()["notes"], "Reviewed, one nit.");
    assert_eq!(resp.json()["state"], "done");
}

#[tokio::test]
async fn a_drafted_disclosure_mail_is_taken_into_the_advisory_as_an_edit() {
    let app = TestApp::new().await;
    let t = team(&app).await;
    let review = create_task(&app, &t, "review_patch", &in_hours(&app, 48)).await;
    let review = review.json()["id"].as_str().unwrap().to_owned();
    let task = create_task(&app, &t, "draft_disclosure_mail", &in_hours(&app, 48)).await;
    let task = task.json()["id"].as_str().unwrap().to_owned();
    let text = "A heap overflow in the header parser lets a remote peer crash the server.";

    let put = |id: &str| format!("/api/v1/tasks/{id}/draft");
    let resp = app
        .api(
            Method::PUT,
            &put(&review),
            Some(&t.primary.1),
            Some(json!({ "draft": text })),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "a review takes no draft");
    let apply = format!("/api/v1/tasks/{task}/draft/apply");
    let resp = app.post(&apply, Some(&t.admin), json!({})).await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "no draft yet");
    let resp = app
        .api(
            Method::PUT,
            &put(&task),
            Some(&t.primary.1),
            Some(json!({ "draft": "first try" })),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let done = format!("/api/v1/tasks/{task}/done");
    let resp = app
        .post(
            &done,
            Some(&t.primary.1),
            json!({ "notes": "Drafted.", "draft": text }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());

    assert_eq!(
        app.post(&apply, Some(&t.primary.1), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let resp = app.post(&apply, Some(&t.admin), json!({})).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let revision = resp.json()["revision"].clone();
    let advisory = format!("/api/v1/advisories/{}", t.advisory);
    assert_eq!(
        app.get(&advisory, Some(&t.admin)).await.json()["details"],
        text
    );
    let history = app
        .get(&format!("{advisory}/history"), Some(&t.admin))
        .await
        .json();
    let last = history["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["revision"] == revision)
        .cloned()
        .expect("the edit is a revision");
    assert!(last["reason"].as_str().unwrap().contains(&task), "{last}");
    assert_eq!(last["changed"], json!(["details"]));
    let view = app
        .get(&format!("/api/v1/tasks/{task}"), Some(&t.primary.1))
        .await
        .json();
    assert_eq!(view["draft_applied_revision"], revision);
}

#[tokio::test]
async fn a_task_needs_two_members_on_the_list_and_a_future_due_and_a_refusal_writes_nothing() {
    let app = TestApp::new().await;
    let t = team(&app).await;
    let path = format!("/api/v1/advisories/{}/tasks", t.advisory);
    let due = in_hours(&app, 48);
    let body = |primary: &str, backup: &str, due: &str| json!({ "kind": "other", "title": "x", "primary": primary, "backup": backup, "due": due });
    let resp = app
        .post(
            &path,
            Some(&t.admin),
            body(&t.primary.0, &t.primary.0, &due),
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.json()["errors"]["backup"].is_string());
    let past = in_hours(&app, -1);
    let resp = app
        .post(
            &path,
            Some(&t.admin),
            body(&t.primary.0, &t.backup.0, &past),
        )
        .await;
    assert_eq!(resp.json()["errors"]["due"], "must lie in the future");
    let nobody = "mem_zzzzzzzzzzzzzzzz";
    let resp = app
        .post(&path, Some(&t.admin), body(nobody, &t.backup.0, &due))
        .await;
    assert_eq!(resp.json()["errors"]["primary"], "no such member");
    let removal = format!("/api/v1/members/{}/removal", t.backup.0);
    let resp = app
        .post(&removal, Some(&t.admin), json!({ "reason": "gone" }))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let resp = app
        .post(&path, Some(&t.admin), body(&t.primary.0, &t.backup.0, &due))
        .await;
    assert_eq!(resp.json()["errors"]["backup"], "is not on the list");
    let resp = app
        .post(
            &path,
            Some(&t.primary.1),
            body(&t.primary.0, &t.backup.0, &due),
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    let draft = crate::advisories::create(&app, &t.admin).await;
    let other = &t.other;
    let resp = app
        .post(
            &format!("/api/v1/advisories/{draft}/tasks"),
            Some(&t.admin),
            body(&t.primary.0, &other.0, &due),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.text());
    assert_eq!(app.count("tasks").await, 0);
    let mut conn = app.state.db.conn().await.unwrap();
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind LIKE 'task%'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(jobs, 0);
}

#[tokio::test]
async fn a_task_due_within_a_day_promises_no_reminder_and_sends_none() {
    let app = TestApp::new().await;
    let t = team(&app).await;
    let resp = create_task(&app, &t, "review_patch", &in_hours(&app, 12)).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    app.run_jobs().await;
    let assigned = app.mails_to(PRIMARY);
    let assigned = assigned
        .iter()
        .find(|m| m.subject.contains("a task for Primary"))
        .expect("the primary's contacts hear at once");
    assert!(!assigned.text.contains("reminder"), "{}", assigned.text);
    app.advance(SignedDuration::from_hours(11));
    app.run_jobs().await;
    assert_eq!(subjects(&app, PRIMARY, "Reminder"), 0);
}
