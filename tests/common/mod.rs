//! `TestApp`: the real router on a fresh database, driven in process, with
//! mail captured in memory.

#![allow(dead_code)]

pub mod authenticator;
pub mod github_fake;
pub mod process;
mod signed_in;
pub mod smtp_script;
pub mod smtp_sink;

pub use signed_in::{Browser, CSRF};

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use embargo::app::AppState;
use embargo::config::{Config, Paths};
use embargo::db::Db;
use embargo::domain::account::Role;
use embargo::domain::email::EmailAddress;
use embargo::mail::{OutgoingMail, Transport};
use http_body_util::BodyExt;
use rand::Rng;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, Executor};
use tower::ServiceExt;

/// A database for one test: a new PostgreSQL database when
/// EMBARGO_TEST_DATABASE_URL is set, else a SQLite file in `dir`.
pub async fn fresh_database(dir: &std::path::Path) -> TestDatabase {
    match create_postgres_database().await {
        Some(db) => db,
        None => TestDatabase {
            url: format!("sqlite://{}?mode=rwc", dir.join("embargo.db").display()),
            postgres: None,
        },
    }
}

/// A new, empty PostgreSQL database when EMBARGO_TEST_DATABASE_URL is set
/// (for tests that need PostgreSQL beside SQLite); `None` otherwise. It
/// stays when the test ends (`.ci/run` drops it at its next start).
pub async fn fresh_postgres_url() -> Option<String> {
    let mut db = create_postgres_database().await?;
    db.postgres = None;
    Some(db.url.clone())
}

/// A test's database. A PostgreSQL one is dropped with this value unless
/// the test failed (kept to look into): a run of the suite makes over 500,
/// several GB that would otherwise stay until `.ci/run` next starts.
pub struct TestDatabase {
    pub url: String,
    /// The server's URL and the database's name.
    postgres: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((base, name)) = self.postgres.take() else {
            return;
        };
        if std::thread::panicking() {
            return;
        }
        // Its own thread and runtime: this may drop inside the test's runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut conn = sqlx::AnyConnection::connect(&base)
                    .await
                    .map_err(|e| e.to_string())?;
                // FORCE: the app's pool may still hold connections.
                conn.execute(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await
                .map(drop)
                .map_err(|e| e.to_string())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop the test database: {e}");
        }
    }
}

async fn create_postgres_database() -> Option<TestDatabase> {
    match std::env::var("EMBARGO_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            sqlx::any::install_default_drivers();
            let name: String = {
                let mut rng = rand::rng();
                (0..16)
                    .map(|_| (b'a' + rng.random_range(0..26u8)) as char)
                    .collect()
            };
            let name = format!("embargo_test_{name}");
            let mut conn = sqlx::AnyConnection::connect(&base)
                .await
                .expect("connect to EMBARGO_TEST_DATABASE_URL");
            conn.execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create test database");
            let mut url = url::Url::parse(&base).expect("EMBARGO_TEST_DATABASE_URL is a URL");
            url.set_path(&name);
            Some(TestDatabase {
                url: url.to_string(),
                postgres: Some((base, name)),
            })
        }
        _ => None,
    }
}

/// The data key of every in-process test deployment (base64 of 32 bytes).
pub const TEST_DATA_KEY: &str = "dGVzdC1kYXRhLWtleS1vZi1lbWJhcmdvLXRlc3RzISE=";

pub fn test_config() -> Config {
    let mut c = Config {
        base_url: "http://embargo.test".into(),
        organization: "Test Project".into(),
        security_address: "security@project.test".into(),
        from_address: "security@project.test".into(),
        ..Config::default()
    };
    c.jobs.backoff_seconds = 0;
    c
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub sent: Arc<Mutex<Vec<OutgoingMail>>>,
    pub dir: tempfile::TempDir,
    /// Last, so the app's pool closes before its database is dropped.
    database: Option<TestDatabase>,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(f: impl FnOnce(&mut Config)) -> Self {
        let (transport, sent) = Transport::memory();
        Self::with_transport(f, transport, sent).await
    }

    pub async fn with_transport(
        f: impl FnOnce(&mut Config),
        transport: Transport,
        sent: Arc<Mutex<Vec<OutgoingMail>>>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = fresh_database(dir.path()).await;
        let mut app = Self::on(dir, &database.url, f, transport, sent).await;
        app.database = Some(database);
        app
    }

    /// An app on SQLite (the data directory's default database) whatever
    /// EMBARGO_TEST_DATABASE_URL says.
    pub async fn on_sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("embargo.db").display()
        );
        let (transport, sent) = Transport::memory();
        Self::on(dir, &url, |_| {}, transport, sent).await
    }

    async fn on(
        dir: tempfile::TempDir,
        url: &str,
        f: impl FnOnce(&mut Config),
        transport: Transport,
        sent: Arc<Mutex<Vec<OutgoingMail>>>,
    ) -> Self {
        let mut config = test_config();
        f(&mut config);
        let db = Db::connect(url).await.expect("database");
        let paths = Paths {
            data: dir.path().to_owned(),
        };
        // One data key for every deployment of this process: the keyring
        // is the process's (see `db::sealed`).
        embargo::app::data_key::create_private_once(
            &dir.path().join(embargo::app::data_key::FILE),
            format!("{TEST_DATA_KEY}\n").as_bytes(),
        )
        .expect("data key");
        let state = AppState::new(config, paths, db, transport).expect("state");
        let router = embargo::http::router(state.clone());
        Self {
            state,
            router,
            sent,
            dir,
            database: None,
        }
    }

    /// An app whose mail goes to the SMTP server at `host:port` (no TLS),
    /// with `f` applied to the configuration, mail settings included.
    pub async fn over_smtp(host: &str, port: u16, f: impl FnOnce(&mut Config)) -> Self {
        let mut config = test_config();
        config.mail.transport = embargo::config::MailTransportKind::Smtp;
        config.mail.smtp.host = host.to_owned();
        config.mail.smtp.port = port;
        config.mail.smtp.security = embargo::config::SmtpSecurity::None;
        f(&mut config);
        let transport =
            Transport::from_config(&config.mail, std::path::PathBuf::new()).expect("transport");
        Self::with_transport(|c| *c = config, transport, Arc::new(Mutex::new(Vec::new()))).await
    }

    pub async fn request(&self, req: Request<Body>) -> Response {
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Response {
            status,
            headers,
            body,
        }
    }

    /// A JSON API call; `token` becomes a Bearer header.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.request(req.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.api(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.api(Method::POST, path, token, Some(body)).await
    }

    /// Creates an account with a password set up, and an API token for it.
    pub async fn account(&self, email: &str, role: Role) -> (String, String) {
        let email = EmailAddress::parse(email).expect("email");
        let actor = embargo::db::audit::Actor::cli();
        embargo::app::auth::add_account(&self.state, &actor, &email, role)
            .await
            .expect("account");
        let mut conn = self.state.db.conn().await.expect("conn");
        let account = embargo::db::accounts::by_email(&mut conn, email.as_str())
            .await
            .expect("query")
            .expect("exists");
        // One argon2 hash for every test account: hashing is slow in a
        // debug build, and a hash with a shared salt verifies all the same.
        static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let hash = HASH.get_or_init(|| {
            embargo::app::auth::hash_password("correct horse battery staple").expect("hash")
        });
        embargo::db::accounts::set_password(&mut conn, &account.id, hash, None)
            .await
            .expect("password");
        drop(conn);
        let (_, token) = embargo::app::auth::create_token(&self.state, &actor, &account.id, "test")
            .await
            .expect("token");
        (account.id.to_string(), token.expose().to_owned())
    }

    /// An API token of `email`'s account; a member account (with the
    /// password [`TestApp::account`] sets) is made when there is none.
    pub async fn account_token(&self, email: &str) -> String {
        let mut conn = self.state.db.conn().await.expect("conn");
        let found = embargo::db::accounts::by_email(&mut conn, email)
            .await
            .expect("query");
        drop(conn);
        let Some(account) = found else {
            return self.account(email, Role::Member).await.1;
        };
        let actor = embargo::db::audit::Actor::cli();
        let (_, token) = embargo::app::auth::create_token(&self.state, &actor, &account.id, "test")
            .await
            .expect("token");
        token.expose().to_owned()
    }

    /// Follows the last set-up link mailed to `email` (running jobs first)
    /// and sets a password; an API token of the account.
    pub async fn set_up_from_mail(&self, email: &str) -> String {
        self.run_jobs().await;
        let mail = self.mails_to(email).pop().expect("set-up mail");
        let link = link_in(&mail.text, "http://embargo.test/setup/").expect("set-up link");
        let setup = self
            .post(
                &format!("/api/v1{}", path_of(&link)),
                None,
                serde_json::json!({ "password": "a long enough password" }),
            )
            .await;
        assert_eq!(setup.status, StatusCode::OK, "{}", setup.text());
        self.account_token(email).await
    }

    pub async fn admin_token(&self) -> String {
        self.account("admin@project.test", Role::Admin).await.1
    }

    /// Moves the service's clock forward: what would happen after `by`
    /// happens now, for requests, jobs and [`TestApp::at`] alike.
    pub fn advance(&self, by: jiff::SignedDuration) {
        self.state.clock.advance(by);
    }

    /// The service's current instant (microseconds).
    pub fn now(&self) -> i64 {
        self.state.clock.now()
    }

    /// Runs a use case called directly (not through a request or job) on
    /// the service's clock.
    pub async fn at<F: std::future::Future>(&self, f: F) -> F::Output {
        self.state.clock.scope(f).await
    }

    /// Runs every due job, as the runner in `serve` would.
    pub async fn run_jobs(&self) -> usize {
        embargo::jobs::run_due(&self.state).await.expect("jobs")
    }

    /// Mail delivered so far.
    pub fn mails(&self) -> Vec<OutgoingMail> {
        self.sent.lock().expect("lock").clone()
    }

    pub fn mails_to(&self, address: &str) -> Vec<OutgoingMail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }

    /// Submits a report by API and returns (id, tracking url).
    pub async fn report(&self, title: &str, email: Option<&str>) -> (String, String) {
        let mut body = serde_json::json!({ "title": title, "description": "details of the bug" });
        if let Some(email) = email {
            // Left out when anonymous: the API refuses `null` for it.
            body["reporter_email"] = email.into();
        }
        let resp = self.post("/api/v1/reports", None, body).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
        let v = resp.json();
        (
            v["id"].as_str().expect("id").to_owned(),
            v["tracking_url"].as_str().expect("url").to_owned(),
        )
    }

    pub async fn count(&self, table: &str) -> i64 {
        let mut conn = self.state.db.conn().await.expect("conn");
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut *conn)
            .await
            .expect("count")
    }
}

/// The path part of a link in a mail or response (`http://host/x/y` -> `/x/y`).
pub fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).expect("url");
    u.path().to_owned()
}

/// The first link in `text` that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> Option<String> {
    text.split_whitespace()
        .find(|w| w.starts_with(prefix))
        .map(|w| w.trim_end_matches(['.', ',', ')', '>']).to_owned())
}
