//! A job that dies is told to the admins, in the transaction that marks it
//! dead: its kind, its id and the first line of its error, never more.

use std::sync::{Arc, Mutex};

use embargo::db::jobs as store;
use embargo::domain::job::Lane;
use embargo::domain::mail_kind::MailKind;

use crate::common::{TestApp, link_in};
use crate::job_engine::{hook, queue_mail, states};

const ADMIN: &str = "admin@project.test";

/// An app whose mail to an address starting with `dead` fails for good;
/// the rest is captured as usual.
async fn app_refusing_dead_addresses() -> TestApp {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let capture = sent.clone();
    let transport = hook(move |m| {
        let capture = capture.clone();
        async move {
            if m.to.iter().any(|t| t.starts_with("dead")) {
                let refusal = "550 5.1.1 <dead@example.net>: no such user\nthe mail said: secret";
                return Err(embargo::jobs::Permanent(refusal.into()).into());
            }
            capture.lock().unwrap().push(m);
            Ok(())
        }
    });
    TestApp::with_transport(|_| {}, transport, sent).await
}

#[tokio::test]
async fn a_job_that_dies_is_told_to_the_admins_with_the_first_line_of_its_error() {
    let app = app_refusing_dead_addresses().await;
    app.admin_token().await;
    queue_mail(&app, "doomed", MailKind::ReportReceived, "dead@example.net").await;
    app.run_jobs().await;

    let rows = states(&app).await;
    assert_eq!(rows[0], ("mail:doomed".to_owned(), "dead".to_owned()));
    let told = app.mails_to(ADMIN);
    assert_eq!(told.len(), 1, "one mail for one death");
    let mail = &told[0];
    assert_eq!(mail.subject, "A mail job failed for good (Test Project)");
    let mut conn = app.state.db.conn().await.unwrap();
    let id: String =
        sqlx::query_scalar("SELECT id FROM jobs WHERE idempotency_key = 'mail:doomed'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert!(
        mail.text.contains(&format!(
            "- mail {id}: 550 5.1.1 <dead@example.net>: no such user"
        )),
        "{}",
        mail.text
    );
    assert!(
        !mail.text.contains("secret"),
        "only the first line: {}",
        mail.text
    );
    assert_eq!(
        link_in(&mail.text, "http://embargo.test/"),
        Some("http://embargo.test/admin/jobs".to_owned())
    );
}

#[tokio::test]
async fn a_mail_about_dead_jobs_that_dies_is_not_told_again() {
    let app = app_refusing_dead_addresses().await;
    app.account(
        "dead-admin@project.test",
        embargo::domain::account::Role::Admin,
    )
    .await;
    queue_mail(&app, "doomed", MailKind::ReportReceived, "dead@example.net").await;
    app.run_jobs().await;

    let rows = states(&app).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0], ("mail:doomed".to_owned(), "dead".to_owned()));
    assert!(rows[1].0.starts_with("mail:job_dead:"), "{rows:?}");
    assert_eq!(
        rows[1].1, "dead",
        "the admins' mail died too, and told nobody"
    );
}

#[tokio::test]
async fn a_job_whose_runner_stopped_on_its_last_attempt_is_told_to_the_admins() {
    let app = TestApp::with_config(|c| c.jobs.max_attempts = 1).await;
    app.admin_token().await;
    queue_mail(&app, "stranded", MailKind::ReportReceived, "r@example.net").await;
    // A runner claims it for a moment and is never heard of again.
    let now = embargo::db::now();
    let claimed = store::claim(&app.state.db, Lane::Mail, now, 1, "gone", 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    app.advance(jiff::SignedDuration::from_secs(5));
    app.run_jobs().await;

    assert_eq!(states(&app).await[0].1, "dead");
    let told = app.mails_to(ADMIN);
    assert_eq!(told.len(), 1);
    assert!(
        told[0]
            .text
            .contains("the runner holding it stopped, and its attempts are used up"),
        "{}",
        told[0].text
    );
    assert!(app.mails_to("r@example.net").is_empty());
}
