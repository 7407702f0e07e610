//! `serve` stops promptly on SIGTERM, also with a mail backlog stuck on an
//! SMTP server that never answers.

use std::time::{Duration, Instant};

use crate::common::process::{Env, serve_with, smtp_vars};
use crate::common::smtp_script::{Script, ScriptedSmtp};

/// 2,000 queued mails, written as the job engine stores them.
const BACKLOG: &str = "INSERT INTO jobs (id, kind, lane, payload, idempotency_key, state, run_at, max_attempts, created_at, updated_at) \
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
    SELECT 'job_bulk' || CAST(i AS TEXT), 'mail', 'mail', \
    '{\"key\":\"bulk:' || CAST(i AS TEXT) || '\",\"template\":\"report_received\",\"template_version\":\"\",\"context\":{},\"message_id\":\"<' || CAST(i AS TEXT) || '@project.test>\",\"from\":\"security@project.test\",\"to\":[\"r@example.net\"],\"reply_to\":null,\"in_reply_to\":null}', \
    'mail:bulk:' || CAST(i AS TEXT), 'queued', 0, 8, 0, 0 FROM n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_exits_within_10_s_of_sigterm_with_a_backlog_on_a_silent_smtp_server() {
    let smtp = ScriptedSmtp::start(Script {
        silent: true,
        ..Script::default()
    })
    .await;
    let env = Env::new().await;
    let mut vars = smtp_vars(smtp.port);
    vars.push(("EMBARGO_MAIL__SMTP__TIMEOUT_SECONDS".into(), "60".into()));
    let mut server = serve_with(&env, &vars);
    env.exec(BACKLOG).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while smtp.connections() == 0 {
        assert!(Instant::now() < deadline, "no delivery was attempted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.terminate();
    let status = server.exit_within(Duration::from_secs(10)).await;
    assert!(status.success(), "a clean exit: {status:?}");
    // Nothing is lost: what was not claimed stays queued, and what was
    // claimed (at most the mail lane's workers) is taken again once its
    // lease runs out.
    let queued = env
        .scalar("SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND id LIKE 'job_bulk%'")
        .await;
    let running = env
        .scalar("SELECT COUNT(*) FROM jobs WHERE state = 'running' AND id LIKE 'job_bulk%'")
        .await;
    let workers = embargo::config::JobsConfig::default().mail_workers as i64;
    assert_eq!(
        queued + running,
        2000,
        "every mail is left to send ({queued} queued, {running} running)"
    );
    assert!(
        queued >= 2000 - workers,
        "the backlog stays queued for the next start ({queued})"
    );
}
