//! Two `serve` processes on one database share a fan-out: each recipient
//! gets exactly one message, and both processes send some of them; when one
//! is killed mid-way, the other finishes the fan-out and lifts the next
//! embargo, once. On PostgreSQL when `EMBARGO_TEST_DATABASE_URL` is set (the
//! deployment with several instances), else on one SQLite file.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::announcements_crash::cleared_contacts;
use crate::common::process::{Env, Server, http, serve_with, smtp_vars};
use crate::common::smtp_script::{Script, ScriptedSmtp};
use crate::serve_clock::{admin_token, embargoed_advisory, seconds_from_now};

const RECIPIENTS: usize = 400;
const MAIL_WORKERS: usize = 8;

/// One SMTP server per instance, so each count says who sent what.
async fn two_smtp_servers() -> (ScriptedSmtp, ScriptedSmtp) {
    let script = || Script {
        delay_ms: 20,
        ..Script::default()
    };
    (
        ScriptedSmtp::start(script()).await,
        ScriptedSmtp::start(script()).await,
    )
}

fn instance_vars(smtp_port: u16, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v = smtp_vars(smtp_port);
    v.push((
        "EMBARGO_JOBS__MAIL_WORKERS".into(),
        MAIL_WORKERS.to_string(),
    ));
    v.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    v
}

/// Announces `advisory` through `server`; the fan-out is queued.
fn announce(server: &Server, token: &str, advisory: &str) {
    let (status, body) = http(
        server.port,
        "POST",
        &format!("/api/v1/advisories/{advisory}/announcements"),
        Some(token),
        &json!({}).to_string(),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
}

async fn wait_all_sent(env: &Env, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let left = env
            .scalar("SELECT COUNT(*) FROM deliveries WHERE state <> 'sent'")
            .await;
        if left == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{left} deliveries never sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The list's messages each server took: recipient -> Message-IDs, and
/// how many each server took.
pub fn list_messages(servers: &[&ScriptedSmtp]) -> (BTreeMap<String, Vec<String>>, Vec<usize>) {
    let mut per_recipient: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut by_instance = vec![0usize; servers.len()];
    for (i, smtp) in servers.iter().enumerate() {
        for (rcpts, message) in smtp.received.lock().unwrap().iter() {
            if !message.contains("List-Id:") {
                continue; // mail to the admins
            }
            assert_eq!(rcpts.len(), 1, "one recipient per message");
            let id = message
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .unwrap_or_default()
                .to_owned();
            per_recipient.entry(rcpts[0].clone()).or_default().push(id);
            by_instance[i] += 1;
        }
    }
    (per_recipient, by_instance)
}

/// Checks every one of `recipients` got the list's message, each copy with
/// the same Message-ID; answers how many copies were extra.
pub fn resent_with_the_same_id(
    per_recipient: &BTreeMap<String, Vec<String>>,
    recipients: usize,
) -> usize {
    assert_eq!(
        per_recipient.len(),
        recipients,
        "every recipient got their message"
    );
    let mut twice = 0;
    for (who, ids) in per_recipient {
        assert!(
            ids.iter().all(|i| i == &ids[0]),
            "{who} got different Message-IDs: {ids:?}"
        );
        twice += ids.len() - 1;
    }
    twice
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_a_fan_out_and_send_each_message_once() {
    let (smtp_a, smtp_b) = two_smtp_servers().await;
    let env = Env::new().await;
    let token = admin_token(&env);
    let a = serve_with(&env, &instance_vars(smtp_a.port, &[]));
    let _b = serve_with(&env, &instance_vars(smtp_b.port, &[]));
    cleared_contacts(&env, RECIPIENTS).await;
    let advisory = embargoed_advisory(&a, &token, seconds_from_now(3 * 86_400));
    announce(&a, &token, &advisory);
    wait_all_sent(&env, Duration::from_secs(90)).await;

    // Each delivery keeps the server's reply as its answer.
    let other = env
        .scalar("SELECT COUNT(*) FROM deliveries WHERE answer <> '250 queued'")
        .await;
    assert_eq!(other, 0, "deliveries without the server's reply");

    let (per_recipient, by_instance) = list_messages(&[&smtp_a, &smtp_b]);
    assert_eq!(per_recipient.len(), RECIPIENTS, "every recipient got one");
    let twice: Vec<_> = per_recipient.iter().filter(|(_, n)| n.len() > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert!(
        by_instance.iter().all(|n| *n > 0),
        "one instance sent everything ({by_instance:?}): nothing was shared"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_instances_killed_mid_fan_out_leaves_the_rest_and_the_lift_to_the_other() {
    let (smtp_a, smtp_b) = two_smtp_servers().await;
    let env = Env::new().await;
    let token = admin_token(&env);
    // A killed runner's leases run out soon, so the test is short.
    let extra = [
        ("EMBARGO_JOBS__LEASE_SECONDS", "3"),
        (
            "EMBARGO_ADVISORIES__ANNOUNCE_ADDRESS",
            "announce@lists.project.test",
        ),
    ];
    let mut a = serve_with(&env, &instance_vars(smtp_a.port, &extra));
    let _b = serve_with(&env, &instance_vars(smtp_b.port, &extra));
    cleared_contacts(&env, RECIPIENTS).await;
    let announced = embargoed_advisory(&a, &token, seconds_from_now(3 * 86_400));
    // Lifts after the kill, with only the other instance left to do it.
    let lift_at = seconds_from_now(10);
    let lifting = embargoed_advisory(&a, &token, lift_at);
    announce(&a, &token, &announced);

    let deadline = Instant::now() + Duration::from_secs(30);
    while smtp_a.accepted() < RECIPIENTS / 10 {
        assert!(Instant::now() < deadline, "instance A did not take part");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    a.child.kill().unwrap(); // SIGKILL: no lease is given back
    a.child.wait().unwrap();
    assert!(
        jiff::Timestamp::now() < lift_at,
        "the kill came after the lift was due: the test proves nothing"
    );
    let sent_at_kill = smtp_a.accepted() + smtp_b.accepted();
    assert!(
        sent_at_kill < RECIPIENTS,
        "killed after the fan-out ended: the test proves nothing"
    );
    let b_at_kill = smtp_b.accepted();

    wait_all_sent(&env, Duration::from_secs(90)).await;
    let (per_recipient, _) = list_messages(&[&smtp_a, &smtp_b]);
    let twice = resent_with_the_same_id(&per_recipient, RECIPIENTS);
    // Sent twice only what A had in flight: one message per connection.
    assert!(
        twice <= MAIL_WORKERS,
        "{twice} messages sent twice (killed at {sent_at_kill} sent)"
    );
    assert!(smtp_b.accepted() > b_at_kill, "B did not carry on");

    // The lift, due after the kill, happened once, with its mail sent once.
    let deadline = Instant::now() + Duration::from_secs(30);
    let done_sql = format!(
        "SELECT COUNT(*) FROM jobs WHERE idempotency_key = 'mail:published:{lifting}' AND state = 'done'"
    );
    while env.scalar(&done_sql).await == 0 {
        assert!(Instant::now() < deadline, "the embargo was not lifted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let publications = format!("SELECT COUNT(*) FROM publications WHERE advisory_id = '{lifting}'");
    assert_eq!(env.scalar(&publications).await, 1, "published once");
    let published_mail = smtp_b
        .received
        .lock()
        .unwrap()
        .iter()
        .filter(|(rcpts, m)| {
            rcpts.iter().any(|r| r == "announce@lists.project.test") && m.contains(&lifting)
        })
        .count();
    assert_eq!(published_mail, 1, "one announcement of the lift, from B");
}
