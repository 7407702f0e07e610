//! Postfix delivers to `serve` over LMTP by the README's transport entry.

use super::smtp::submit;
use super::{Postfix, deploy, embargo_toml};
use crate::common::process::{Env, Server, free_port, serve_with};

/// A Postfix routing the security address over LMTP to `serve`, which
/// sends its mail back out through that Postfix.
struct Deployment {
    postfix: Postfix,
    env: Env,
    _serve: Server,
}

impl Deployment {
    async fn start() -> Self {
        let env = Env::new().await;
        let lmtp = free_port();
        let transport =
            deploy::substitute(deploy::transport_lmtp(), &[("2424", &lmtp.to_string())]);
        let postfix = Postfix::start(&transport, "");
        let config = env.dir.path().join("embargo.toml");
        let text = format!(
            "{}[mail.lmtp]\nlisten = \"127.0.0.1:{lmtp}\"\n",
            embargo_toml(&env.database_url, postfix.port)
        );
        std::fs::write(&config, text).unwrap();
        let serve = serve_with(&env, &[("EMBARGO_CONFIG", config.to_str().unwrap())]);
        Self {
            postfix,
            env,
            _serve: serve,
        }
    }

    async fn reports(&self) -> i64 {
        self.env.scalar("SELECT COUNT(*) FROM reports").await
    }
}

#[tokio::test]
async fn a_report_mailed_through_postfix_reaches_serve_over_lmtp_and_the_acknowledgement_comes_back_through_postfix()
 {
    if !super::enabled() {
        return;
    }
    let d = Deployment::start().await;
    let mail = super::report("lmtp-1");
    submit(
        d.postfix.port,
        "rita@example.net",
        &["security@example.org"],
        &mail,
    )
    .await;
    let line = d
        .postfix
        .wait_for_log(&["to=<security@example.org>", "relay=127.0.0.1"])
        .await;
    assert!(
        line.contains("status=sent (250"),
        "{line}\n{}",
        d.postfix.log()
    );
    assert_eq!(d.reports().await, 1);
    d.postfix.wait_for_mail("rita").await;
    super::assert_acknowledgement(&d.postfix, "lmtp-1");
}

#[tokio::test]
async fn a_malformed_message_gets_554_over_lmtp_and_postfix_bounces_it_to_its_sender() {
    if !super::enabled() {
        return;
    }
    let d = Deployment::start().await;
    let mail = "To: security@example.org\r\nSubject: no sender\r\n\r\nbody\r\n";
    submit(
        d.postfix.port,
        "mallory@example.net",
        &["security@example.org"],
        mail,
    )
    .await;
    let line = d
        .postfix
        .wait_for_log(&["to=<security@example.org>", "relay=127.0.0.1"])
        .await;
    assert!(
        line.contains("status=bounced") && line.contains("said: 554"),
        "{line}"
    );
    d.postfix.wait_for_mail("mallory").await;
    let dsn = super::assert_bounce(&d.postfix);
    assert!(dsn.contains("554"), "{dsn}");
    assert_eq!(d.reports().await, 0);
}
