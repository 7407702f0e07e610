//! Postfix delivers to `serve` over LMTP by the README's transport entry.

use sqlx::{AnyConnection, AssertSqlSafe, Connection, Executor};

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
    let line = d
        .postfix
        .deliver("rita@example.net", &mail, "relay=127.0.0.1")
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
    let line = d
        .postfix
        .deliver("mallory@example.net", mail, "relay=127.0.0.1")
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

/// The database taken away from a running `serve`: SQLite locked by
/// another writer past serve's busy timeout (10 s; its open file cannot
/// vanish), PostgreSQL closing serve's connections and refusing new ones.
enum Outage {
    Sqlite(AnyConnection),
    Postgres(AnyConnection, String),
}

impl Outage {
    async fn start(env: &Env) -> Self {
        sqlx::any::install_default_drivers();
        if env.database_url.starts_with("sqlite:") {
            let mut conn = AnyConnection::connect(&env.database_url).await.unwrap();
            conn.execute("BEGIN EXCLUSIVE").await.unwrap();
            return Self::Sqlite(conn);
        }
        let url = url::Url::parse(&env.database_url).unwrap();
        let name = url.path().trim_start_matches('/').to_owned();
        let base = std::env::var("EMBARGO_TEST_DATABASE_URL").unwrap();
        let mut conn = AnyConnection::connect(&base).await.unwrap();
        for sql in [
            format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ),
        ] {
            conn.execute(AssertSqlSafe(sql)).await.unwrap();
        }
        Self::Postgres(conn, name)
    }

    async fn end(self) {
        match self {
            Self::Sqlite(mut conn) => {
                conn.execute("ROLLBACK").await.unwrap();
                conn.close().await.unwrap();
            }
            Self::Postgres(mut conn, name) => {
                let sql = format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true");
                conn.execute(AssertSqlSafe(sql)).await.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn while_the_database_is_down_lmtp_answers_451_and_postfix_defers_the_message_until_it_is_back()
 {
    if !super::enabled() {
        return;
    }
    let d = Deployment::start().await;
    let outage = Outage::start(&d.env).await;
    let mail = super::report("lmtp-later");
    let line = d
        .postfix
        .deliver("rita@example.net", &mail, "relay=127.0.0.1")
        .await;
    assert!(
        line.contains("status=deferred") && line.contains("said: 451"),
        "{line}"
    );
    outage.end().await;
    assert_eq!(d.reports().await, 0);
    assert!(d.postfix.maildir("rita").is_empty());

    d.postfix
        .flush_until(&[
            "to=<security@example.org>",
            "relay=127.0.0.1",
            "status=sent",
        ])
        .await;
    assert_eq!(d.reports().await, 1);
    d.postfix.wait_for_mail("rita").await;
    super::assert_acknowledgement(&d.postfix, "lmtp-later");
}
