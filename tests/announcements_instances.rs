//! Two `serve` processes on one database share a fan-out: each recipient
//! gets exactly one message, and both processes send some of them. On
//! PostgreSQL when `EMBARGO_TEST_DATABASE_URL` is set (the deployment with
//! several instances), else on one SQLite file.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::announcements_crash::cleared_contacts;
use crate::common::process::{Env, http, serve_with, smtp_vars};
use crate::common::smtp_script::{Script, ScriptedSmtp};
use crate::serve_clock::{admin_token, embargoed_advisory, seconds_from_now};

const RECIPIENTS: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_a_fan_out_and_send_each_message_once() {
    // One SMTP server per instance, so each count says who sent what.
    let script = || Script {
        delay_ms: 20,
        ..Script::default()
    };
    let (smtp_a, smtp_b) = (
        ScriptedSmtp::start(script()).await,
        ScriptedSmtp::start(script()).await,
    );
    let env = Env::new().await;
    let vars = |port| {
        let mut v = smtp_vars(port);
        v.push(("EMBARGO_JOBS__MAIL_WORKERS".into(), "8".into()));
        v
    };
    let token = admin_token(&env);
    let a = serve_with(&env, &vars(smtp_a.port));
    let _b = serve_with(&env, &vars(smtp_b.port));
    cleared_contacts(&env, RECIPIENTS).await;
    let advisory = embargoed_advisory(&a, &token, seconds_from_now(3 * 86_400));
    let (status, body) = http(
        a.port,
        "POST",
        &format!("/api/v1/advisories/{advisory}/announcements"),
        Some(&token),
        &json!({}).to_string(),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");

    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let left = env
            .scalar("SELECT COUNT(*) FROM deliveries WHERE state <> 'sent'")
            .await;
        if left == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{left} deliveries never sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Each delivery keeps the server's reply as its answer.
    let other = env
        .scalar("SELECT COUNT(*) FROM deliveries WHERE answer <> '250 queued'")
        .await;
    assert_eq!(other, 0, "deliveries without the server's reply");

    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_instance = [0usize; 2];
    for (i, smtp) in [&smtp_a, &smtp_b].into_iter().enumerate() {
        for (rcpts, message) in smtp.received.lock().unwrap().iter() {
            if !message.contains("List-Id:") {
                continue; // mail to the admins
            }
            assert_eq!(rcpts.len(), 1, "one recipient per message");
            *per_recipient.entry(rcpts[0].clone()).or_default() += 1;
            by_instance[i] += 1;
        }
    }
    assert_eq!(per_recipient.len(), RECIPIENTS, "every recipient got one");
    let twice: Vec<_> = per_recipient.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert!(
        by_instance.iter().all(|n| *n > 0),
        "one instance sent everything ({by_instance:?}): nothing was shared"
    );
}
