//! A fan-out killed with SIGKILL and started again loses nobody: every
//! recipient ends with their message, a resend carries the same
//! Message-ID, and only messages in flight at the kill are sent twice.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::announcements_instances::{list_messages, resent_with_the_same_id};
use crate::common::process::{Env, http, serve_with, smtp_vars};
use crate::common::smtp_script::{Script, ScriptedSmtp};
use crate::serve_clock::{admin_token, embargoed_advisory, seconds_from_now};

const RECIPIENTS: usize = 300;

/// `n` members, each with one contact who accepted the policy.
pub async fn cleared_contacts(env: &Env, n: usize) {
    let now = jiff::Timestamp::now().as_microsecond();
    env.exec(&format!(
        "INSERT INTO policy_versions (version, text, actor, published_at) VALUES (1, 'Policy', 'system', {now})"
    ))
    .await;
    let mut sql = String::new();
    for i in 0..n {
        let member = embargo::domain::id::MemberId::generate();
        let account = embargo::domain::id::AccountId::generate();
        let (m, a) = (member.as_str(), account.as_str());
        sql.push_str(&format!(
            "INSERT INTO members (id, organization, website, security_alias, status, joined_at) \
             VALUES ('{m}', 'Org {i}', 'https://o{i}.example', 'sec@o{i}.example', 'active', {now});\n\
             INSERT INTO accounts (id, email, role, created_at) VALUES ('{a}', 'c{i}@o{i}.example', 'member', {now});\n\
             INSERT INTO member_contacts (account_id, member_id, name, added_at) VALUES ('{a}', '{m}', 'C {i}', {now});\n\
             INSERT INTO policy_acceptances (account_id, version, accepted_at, how) VALUES ('{a}', 1, {now}, 'attested');\n"
        ));
    }
    env.exec(&sql).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_out_killed_mid_way_and_restarted_reaches_every_recipient() {
    let smtp = ScriptedSmtp::start(Script {
        delay_ms: 20,
        ..Script::default()
    })
    .await;
    let env = Env::new().await;
    let mut vars = smtp_vars(smtp.port);
    // A killed runner's leases run out soon, so the test is short.
    vars.push(("EMBARGO_JOBS__LEASE_SECONDS".into(), "3".into()));
    vars.push(("EMBARGO_JOBS__MAIL_WORKERS".into(), "8".into()));
    let token = admin_token(&env);
    let mut first = serve_with(&env, &vars);
    cleared_contacts(&env, RECIPIENTS).await;
    let advisory = embargoed_advisory(&first, &token, seconds_from_now(3 * 86_400));
    let (status, body) = http(
        first.port,
        "POST",
        &format!("/api/v1/advisories/{advisory}/announcements"),
        Some(&token),
        &json!({}).to_string(),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let announced: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(announced["recipients"], RECIPIENTS);

    let deadline = Instant::now() + Duration::from_secs(30);
    while smtp.accepted() < RECIPIENTS / 5 {
        assert!(Instant::now() < deadline, "the fan-out did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.child.kill().unwrap(); // SIGKILL
    first.child.wait().unwrap();
    let at_kill = smtp.accepted();
    assert!(
        at_kill < RECIPIENTS,
        "killed after the fan-out ended: the test proves nothing"
    );

    let _second = serve_with(&env, &vars);
    let deadline = Instant::now() + Duration::from_secs(60);
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

    let (per_recipient, _) = list_messages(&[&smtp]);
    let twice = resent_with_the_same_id(&per_recipient, RECIPIENTS);
    // In flight at the kill: at most one message per SMTP connection.
    assert!(
        twice <= 8,
        "{twice} messages sent twice (killed at {at_kill})"
    );
}
