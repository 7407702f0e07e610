//! The SMTP transport against a real SMTP server.

use crate::common::TestApp;
use crate::common::smtp_sink::Sink;

#[tokio::test]
async fn acknowledgements_are_delivered_over_smtp() {
    let sink = Sink::start().await;
    let (host, port) = sink.host_port();
    let app = TestApp::over_smtp(&host, port, |_| {}).await;
    // A unique address, as the external sink may hold other runs' mail.
    let rcpt = format!(
        "smtp-{}@example.net",
        embargo::domain::id::ReportId::generate()
            .as_str()
            .replace('_', "-")
    );
    let (_, tracking) = app.report("Over SMTP", Some(&rcpt)).await;
    assert_eq!(app.run_jobs().await, 1);

    let mut found = None;
    for _ in 0..50 {
        found = sink.messages().into_iter().find(|m| m.contains(&rcpt));
        if found.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let raw = found.expect("the SMTP server received the acknowledgement");
    let parsed = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap();
    assert_eq!(parsed.subject(), Some("Report received: Over SMTP"));
    assert!(parsed.body_text(0).unwrap().contains(&tracking));
    let rows: Vec<String> = {
        let mut conn = app.state.db.conn().await.unwrap();
        sqlx::query_scalar("SELECT state FROM jobs")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    };
    assert_eq!(rows, vec!["done".to_owned()]);
}

#[tokio::test]
async fn an_unreachable_smtp_server_leaves_the_mail_queued_for_retry() {
    // Bind then drop a listener: the port is closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::over_smtp("127.0.0.1", port, |c| {
        c.mail.smtp.timeout_seconds = 5;
        c.jobs.backoff_seconds = 60;
    })
    .await;
    app.report("Bug", Some("r@example.net")).await;
    assert_eq!(app.run_jobs().await, 1);
    let mut conn = app.state.db.conn().await.unwrap();
    let (state, error): (String, String) = sqlx::query_as("SELECT state, last_error FROM jobs")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(state, "queued");
    assert!(error.contains("SMTP"), "{error}");
}
