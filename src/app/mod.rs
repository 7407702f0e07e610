//! The running application: shared state and the use cases that tie
//! `domain`, `db` and `mail` together in one transaction each.

pub mod admins;
pub mod advisories;
mod advisory_embargo;
pub mod advisory_patches;
pub mod announcements;
pub mod audience;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod contributions;
pub mod cookie_key;
pub mod data_key;
pub mod db_copy;
pub mod doctor;
pub mod github;
pub mod import;
pub mod ingest;
pub mod intake;
pub mod jobs;
pub mod keys;
pub mod leak_trace;
pub mod leaks;
pub mod list_key;
pub mod liveness;
pub mod lmtp;
mod login;
pub mod mailer;
pub mod member_self;
pub mod membership;
pub mod metrics;
pub mod passkey_login;
pub mod passkeys;
pub mod public_documents;
pub mod publication;
pub mod ratelimit;
pub mod read_log;
pub mod readiness;
pub mod recovery;
pub mod reports;
pub mod sessions;
pub mod shares;
pub mod templates;
mod triage;

use std::sync::Arc;

use crate::config::{Config, Paths};
use crate::db::Db;
use crate::mail::Transport;
use crate::mail::list_key::ListKey;
use crate::render::Templates;

/// Everything a handler, job or command needs; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub paths: Paths,
    pub db: Db,
    pub templates: Templates,
    pub transport: Transport,
    pub report_limiter: ratelimit::RateLimiter,
    pub login_limiter: ratelimit::RateLimiter,
    /// The time every request and job of this state runs on; tests move it.
    pub clock: crate::clock::Clock,
    /// Audit events of reads, written behind the request.
    pub read_log: read_log::ReadLog,
    /// The list's OpenPGP key, loaded (or made) and unlocked at start-up.
    pub list_key: ListKey,
    /// Reports waiting to be written together.
    pub intake: intake::Intake,
    /// What the deliveries of announcements share in this process.
    pub fanout: announcements::Fanout,
    /// Changed when this process committed jobs due now: the runner's
    /// lanes claim them at once instead of at their next poll.
    pub job_wake: tokio::sync::watch::Sender<()>,
    /// The team's template versions, compiled once.
    pub template_cache: templates::Cache,
    /// Signs the message a page shows once after a form.
    pub cookie_key: cookie_key::CookieKey,
    /// This process's job runner's sign of life (`/readyz`).
    pub runner_heartbeat: crate::jobs::Heartbeat,
    /// What `/metrics` shows of this process.
    pub metrics: metrics::Metrics,
    /// GitHub's API, when `[github] token` is set.
    pub github: Option<github::Client>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// The state on `db`, with the list key of `paths` (made there if there
    /// is none yet: a few milliseconds, on the caller's thread).
    pub fn new(config: Config, paths: Paths, db: Db, transport: Transport) -> anyhow::Result<Self> {
        // First: the list key's files are sealed with it.
        anyhow::Context::context(data_key::load(&paths.data), "loading the data key")?;
        let list_key = load_list_key(&config, &paths)?;
        Self::with_list_key(config, paths, db, transport, list_key)
    }

    fn with_list_key(
        config: Config,
        paths: Paths,
        db: Db,
        transport: Transport,
        list_key: ListKey,
    ) -> anyhow::Result<Self> {
        let templates = Templates::new()?;
        let cookie_key = cookie_key::CookieKey::load_or_create(&paths.data);
        let github = github::Client::from_config(&config.github)?;
        let report_limiter = ratelimit::RateLimiter::new(
            config.limits.reports_per_hour,
            std::time::Duration::from_secs(3600),
        );
        let login_limiter = ratelimit::RateLimiter::new(
            config.limits.logins_per_15_minutes,
            std::time::Duration::from_secs(900),
        );
        Ok(Self(Arc::new(Inner {
            config,
            paths,
            read_log: read_log::ReadLog::new(db.clone()),
            fanout: announcements::Fanout::new(db.clone()),
            intake: intake::Intake::default(),
            db,
            templates,
            transport,
            report_limiter,
            login_limiter,
            clock: crate::clock::Clock::system(),
            list_key,
            job_wake: tokio::sync::watch::Sender::new(()),
            template_cache: templates::Cache::default(),
            cookie_key,
            runner_heartbeat: crate::jobs::Heartbeat::default(),
            metrics: metrics::Metrics::new(),
            github,
        })))
    }

    /// Tells this process's job runner that jobs due now were committed.
    pub fn wake_runner(&self) {
        self.job_wake.send_replace(());
    }

    /// Opens the configured database under `paths.data` (creating it) and
    /// the configured mail transport.
    pub async fn open(config: Config, paths: Paths) -> anyhow::Result<Self> {
        use anyhow::Context;
        // The data holds embargoed reports and the list's secret key: no
        // other local user may read it.
        paths
            .create_data_dir()
            .with_context(|| format!("creating data directory {}", paths.data.display()))?;
        let url = config.database_url(&paths.data);
        if config.database_url.is_empty() {
            // SQLite gives its -wal and -shm files the database file's mode.
            backup::create_private_file(&paths.data.join("embargo.db"))?;
        }
        let db = Db::connect_with(&url, config.sqlite_synchronous)
            .await
            .context("opening the database")?;
        let transport = Transport::from_config(&config.mail, paths.outbox())?;
        // Before the list key, whose files are sealed with it.
        data_key::load(&paths.data).context("loading the data key")?;
        let key_source = data_key::source_name(&paths.data);
        let mut conn = db.conn().await?;
        crate::db::reseal::check_keys(&mut conn).await.with_context(|| {
            format!(
                "the data key ({key_source}) does not open this database: start with the key of the deployment it came from"
            )
        })?;
        drop(conn);
        let list_key = {
            let (config, paths) = (config.clone(), paths.clone());
            tokio::task::spawn_blocking(move || load_list_key(&config, &paths)).await??
        };
        let state = Self::with_list_key(config, paths, db, transport, list_key)?;
        Ok(state)
    }
}

/// Loads the list key from `paths`, making it on first start.
fn load_list_key(config: &Config, paths: &Paths) -> anyhow::Result<ListKey> {
    let user_id = crate::mail::list_key::user_id(&config.organization, &config.security_address);
    ListKey::load_or_create(&paths.list_key(), &user_id).map_err(|e| {
        let sealed = matches!(e, crate::mail::list_key::ListKeyError::Sealed { .. });
        let e = anyhow::Error::new(e).context("loading the list's OpenPGP key");
        if sealed {
            e.context(format!(
                "the data key ({}) does not open the list key: start with the key of the deployment it came from",
                data_key::source_name(&paths.data)
            ))
        } else {
            e
        }
    })
}

/// Most ids one list-read event names; the event also keeps the count.
const LIST_READ_MAX_IDS: usize = 1000;

/// Records that `actor` was shown a list of private records (`action`
/// such as `report.list_read`), naming what was shown: one event per list,
/// not one per row.
pub async fn record_list(
    state: &AppState,
    actor: &crate::db::audit::Actor,
    action: &str,
    subject: &str,
    shown: &[&str],
) {
    let names = &shown[..shown.len().min(LIST_READ_MAX_IDS)];
    let detail = serde_json::json!({ "count": shown.len(), "shown": names });
    let event = crate::db::audit::Pending::new(actor, action, subject, detail);
    state.read_log.record(event).await;
}

/// Records a read of private content ([`read_log`]: behind the request).
pub async fn record(
    state: &AppState,
    actor: &crate::db::audit::Actor,
    action: &str,
    subject: &str,
) {
    record_detail(state, actor, action, subject, serde_json::json!({})).await;
}

/// [`record`] with a detail naming what of the subject was read (which
/// patch of an advisory).
pub async fn record_detail(
    state: &AppState,
    actor: &crate::db::audit::Actor,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) {
    let event = crate::db::audit::Pending::new(actor, action, subject, detail);
    state.read_log.record(event).await;
}
