//! Postfix delivers to `embargo ingest` through the README's `pipe(8)`
//! service, run as an unprivileged user as on a real server.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

use super::smtp::submit;
use super::{MAIL_USER, Postfix, deploy, embargo_toml};
use crate::common::process::{Env, free_port};

/// A Postfix with the README's pipe, and the data directory and database
/// `embargo ingest` uses, owned by the pipe's user.
struct Deployment {
    postfix: Postfix,
    env: Env,
    config: PathBuf,
    _config_dir: tempfile::TempDir,
}

impl Deployment {
    async fn start() -> Self {
        let env = Env::new().await;
        let bin = env!("CARGO_BIN_EXE_embargo");
        let config_dir = tempfile::tempdir().unwrap();
        let config = config_dir.path().join("embargo.toml");
        let data = env.dir.path().to_str().unwrap().to_owned();
        let master = deploy::substitute(
            deploy::master_cf(),
            &[
                ("user=embargo", &format!("user={}", MAIL_USER.0)),
                ("/usr/local/bin/embargo", bin),
                ("/etc/embargo/embargo.toml", config.to_str().unwrap()),
                ("/var/lib/embargo", &data),
            ],
        );
        let postfix = Postfix::start(deploy::transport_pipe(), &master);
        let deployment = Self {
            postfix,
            env,
            config,
            _config_dir: config_dir,
        };
        deployment.write_config(&deployment.env.database_url);
        // The pipe's user reads the configuration and owns the data.
        for dir in [
            deployment.config.parent().unwrap(),
            deployment.env.dir.path(),
        ] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        super::chown(deployment.env.dir.path(), MAIL_USER.0);
        // Migrations and the list key, as the pipe's user.
        let out = Command::new(bin)
            .arg("--config")
            .arg(&deployment.config)
            .args(["--data", &data, "audit", "verify"])
            .env_remove("EMBARGO_CONFIG")
            .uid(MAIL_USER.1)
            .gid(MAIL_USER.1)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        deployment
    }

    fn write_config(&self, database_url: &str) {
        let text = embargo_toml(database_url, self.postfix.port);
        std::fs::write(&self.config, text).unwrap();
    }

    async fn reports(&self) -> i64 {
        self.env.scalar("SELECT COUNT(*) FROM reports").await
    }
}

#[tokio::test]
async fn a_report_mailed_through_postfix_reaches_the_pipe_and_the_acknowledgement_comes_back_through_postfix()
 {
    if !super::enabled() {
        return;
    }
    let d = Deployment::start().await;
    let mail = super::report("pipe-1");
    let line = d
        .postfix
        .deliver("rita@example.net", &mail, "relay=embargo")
        .await;
    assert!(line.contains("status=sent"), "{line}\n{}", d.postfix.log());
    assert_eq!(d.reports().await, 1);
    d.postfix.wait_for_mail("rita").await;
    let reply_to = super::assert_acknowledgement(&d.postfix, "pipe-1");

    // Her reply to the plus-address goes the same way (`recipient_delimiter`).
    assert!(reply_to.starts_with("security+"), "{reply_to}");
    let reply = format!(
        "From: rita@example.net\r\nTo: {reply_to}\r\nSubject: Re: x\r\n\
         Message-ID: <pipe-2@example.net>\r\n\r\nMore details.\r\n"
    );
    submit(d.postfix.port, "rita@example.net", &[&reply_to], &reply).await;
    d.postfix
        .wait_for_log(&[&format!("to=<{reply_to}>"), "relay=embargo", "status=sent"])
        .await;
    assert_eq!(d.reports().await, 1);
    assert_eq!(d.env.scalar("SELECT COUNT(*) FROM messages").await, 1);
}

#[tokio::test]
async fn a_malformed_message_makes_the_pipe_exit_65_and_postfix_bounces_it_to_its_sender() {
    if !super::enabled() {
        return;
    }
    let d = Deployment::start().await;
    let mail = "To: security@example.org\r\nSubject: no sender\r\n\r\nbody\r\n";
    let line = d
        .postfix
        .deliver("mallory@example.net", mail, "relay=embargo")
        .await;
    assert!(line.contains("status=bounced"), "{line}");
    d.postfix.wait_for_mail("mallory").await;
    let dsn = super::assert_bounce(&d.postfix);
    assert!(dsn.contains("no usable From address"), "{dsn}");
    assert_eq!(d.reports().await, 0);
}

#[tokio::test]
async fn a_message_arriving_while_the_database_is_down_is_deferred_and_taken_once_it_is_back() {
    if !super::enabled() {
        return;
    }
    let d = Deployment::start().await;
    let sqlite = d.env.database_url.starts_with("sqlite:");
    let db_file = d.env.dir.path().join("embargo.db");
    // Down: SQLite's file unreadable to the service's user; PostgreSQL
    // refusing connections (nothing listens on the port).
    if sqlite {
        std::fs::set_permissions(&db_file, std::fs::Permissions::from_mode(0o000)).unwrap();
    } else {
        let closed = free_port();
        d.write_config(&format!(
            "postgres://embargo:embargo@127.0.0.1:{closed}/embargo"
        ));
    }
    let mail = super::report("pipe-later");
    let line = d
        .postfix
        .deliver("rita@example.net", &mail, "relay=embargo")
        .await;
    assert!(
        line.contains("status=deferred") && line.contains("temporary failure"),
        "{line}"
    );
    assert_eq!(d.reports().await, 0);
    assert!(d.postfix.maildir("rita").is_empty());

    if sqlite {
        std::fs::set_permissions(&db_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    } else {
        d.write_config(&d.env.database_url);
    }
    d.postfix
        .flush_until(&["to=<security@example.org>", "relay=embargo", "status=sent"])
        .await;
    assert_eq!(d.reports().await, 1);
    d.postfix.wait_for_mail("rita").await;
    super::assert_acknowledgement(&d.postfix, "pipe-later");
}
