//! Intake's group commit: reports submitted at once share a transaction.

use crate::common::TestApp;

/// Reports that arrive at the same moment are written together, several
/// to a transaction; each still gets its own tracking link, its two mails
/// and its audit event, and the chain stays whole.
#[tokio::test]
async fn reports_submitted_at_once_each_get_their_link_mails_and_audit_event() {
    use embargo::app::reports::{Origin, submit};
    use embargo::db::audit::Actor;
    use embargo::db::reports::Source;
    use embargo::domain::email::EmailAddress;
    use embargo::domain::report::NewReport;

    let app = TestApp::new().await;
    app.admin_token().await;
    let mut running = tokio::task::JoinSet::new();
    for i in 0..16 {
        let state = app.state.clone();
        running.spawn(async move {
            let report = NewReport {
                title: format!("Report {i} of a burst"),
                description: "details".into(),
                affected_versions: String::new(),
                unaffected_versions: String::new(),
                reporter_name: None,
                reporter_email: Some(EmailAddress::parse(&format!("r{i}@example.net")).unwrap()),
                github: None,
                credit_consent: false,
                language: None,
            };
            let submitted = submit(
                &state,
                &Actor::system(),
                &report,
                Source::Api,
                Origin::default(),
                &[],
            )
            .await
            .unwrap();
            (i, submitted)
        });
    }
    let submitted = running.join_all().await;
    let mut links: Vec<_> = submitted
        .iter()
        .map(|(_, s)| s.tracking_url.clone())
        .collect();
    links.sort();
    links.dedup();
    assert_eq!(links.len(), 16, "one link each");
    assert_eq!(app.count("reports").await, 16);
    let mut conn = app.state.db.conn().await.unwrap();
    let created: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'report.created'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    drop(conn);
    assert_eq!(created, 16);
    assert!(
        embargo::app::audit::verify(&app.state, None)
            .await
            .unwrap()
            .is_ok()
    );
    assert_eq!(
        app.run_jobs().await,
        32,
        "an acknowledgement and an admin notice each"
    );
    // Each reporter's mail names their own report and link, and threads
    // back to that report.
    for (i, s) in &submitted {
        let mails = app.mails_to(&format!("r{i}@example.net"));
        assert_eq!(mails.len(), 1);
        assert!(mails[0].text.contains(&s.tracking_url));
        assert!(mails[0].subject.contains(&format!("Report {i} of a burst")));
        let mut conn = app.state.db.conn().await.unwrap();
        let about: Option<String> =
            sqlx::query_scalar("SELECT report_id FROM sent_mail WHERE mail_message_id = $1")
                .bind(mails[0].message_id.trim_matches(|c| c == '<' || c == '>'))
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(about.as_deref(), Some(s.id.as_str()));
        let title: String = sqlx::query_scalar("SELECT title FROM reports WHERE id = $1")
            .bind(s.id.as_str())
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert!(!title.contains("burst"), "sealed in the table");
        let title = embargo::db::sealed::open_text("reports.title", s.id.as_str(), title).unwrap();
        assert_eq!(title, format!("Report {i} of a burst"));
    }
}
