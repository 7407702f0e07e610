//! Typed configuration: built-in defaults, then one TOML file, then
//! `EMBARGO_*` environment variables (`__` separates nested keys). Loaded once.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

mod github;
mod http;
mod jobs;
mod lists;
mod lmtp;
mod metrics;
mod paths;
mod redact;
pub use redact::redact_url;

pub use github::GithubConfig;
pub use http::{Cidr, HttpConfig};
pub use jobs::JobsConfig;
pub use lists::{AdvisoriesConfig, LeaksConfig, MembershipConfig, PublicationConfig};
pub use lmtp::LmtpConfig;
pub use metrics::MetricsConfig;
pub use paths::Paths;

/// `Debug` is written by hand in `redact.rs`: the database URL may carry a
/// password.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `sqlite://...` or `postgres://...`; empty means `DATA/embargo.db`.
    pub database_url: String,
    /// `full` (default): every SQLite commit is on disk before it is
    /// acknowledged; `normal`: faster, may lose the last commits on power loss.
    pub sqlite_synchronous: crate::db::SqliteSync,
    /// The address people reach this service at; links in mail start with it.
    /// Empty: `serve` uses `http://LISTEN` and records it in the data
    /// directory, so other commands print links that work.
    pub base_url: String,
    /// The organisation's name, shown on pages and in mail.
    pub organization: String,
    /// The language of mail to people who chose none, and to admins
    /// (`en`, `de`, `pt-br`, ...); a template without a version in it
    /// falls back to English.
    pub organization_language: String,
    /// The organisation's time zone (an IANA name): pages show instants in
    /// it to people who chose none, and a first embargo is offered in it.
    pub organization_time_zone: String,
    /// Where reports arrive by mail; replies go to `local+TOKEN@domain`.
    pub security_address: String,
    /// Sender of outgoing mail.
    pub from_address: String,
    pub mail: MailConfig,
    pub limits: Limits,
    pub auth: AuthConfig,
    pub triage: TriageConfig,
    pub jobs: JobsConfig,
    pub advisories: AdvisoriesConfig,
    pub publication: PublicationConfig,
    pub membership: MembershipConfig,
    pub leaks: LeaksConfig,
    pub http: HttpConfig,
    pub metrics: MetricsConfig,
    pub github: GithubConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// `file` (default: `.eml` files under `DATA/outbox`) or `smtp`.
    pub transport: MailTransportKind,
    pub smtp: SmtpConfig,
    /// Mail in over LMTP from the local MTA, beside `embargo ingest`.
    pub lmtp: LmtpConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    File,
    Smtp,
}

/// `Debug` is written by hand in `redact.rs`: it never shows the password.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `starttls` (required), `tls` (implicit, usually port 465) or `none`
    /// (only for a relay on the same machine).
    pub security: SmtpSecurity,
    pub username: String,
    pub password: String,
    /// Deadline for one whole SMTP exchange (connect, greeting, one
    /// message); a server that never answers fails the attempt, not the
    /// runner.
    pub timeout_seconds: u64,
    /// Connections kept open and reused, at most.
    pub connections: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body the HTTP server reads.
    pub max_body_bytes: usize,
    /// Largest single attachment kept (web uploads and mail).
    pub max_attachment_bytes: usize,
    /// Largest inbound mail `embargo ingest` and LMTP accept.
    pub max_mail_bytes: usize,
    /// New reports per client address per hour (form and API together).
    pub reports_per_hour: u32,
    /// Login attempts per client address per 15 minutes.
    pub logins_per_15_minutes: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Admins must set up TOTP before they can sign in.
    pub require_totp_for_admins: bool,
    /// Every account must have a second factor (TOTP or a passkey): one
    /// without is sent to set one up before anything else, and its API
    /// tokens are refused (403) until it has.
    pub require_second_factor: bool,
    pub session_hours: u32,
    /// Minutes an account stays locked after too many failed logins.
    pub lockout_minutes: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TriageConfig {
    /// Days until a new report counts as overdue for a first response.
    pub first_response_days: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: String::new(),
            sqlite_synchronous: crate::db::SqliteSync::Full,
            base_url: String::new(),
            organization: "Example Project".into(),
            organization_language: "en".into(),
            organization_time_zone: "UTC".into(),
            security_address: "security@example.org".into(),
            from_address: "security@example.org".into(),
            mail: MailConfig::default(),
            limits: Limits::default(),
            auth: AuthConfig::default(),
            triage: TriageConfig::default(),
            jobs: JobsConfig::default(),
            advisories: AdvisoriesConfig::default(),
            publication: PublicationConfig::default(),
            membership: MembershipConfig::default(),
            leaks: LeaksConfig::default(),
            http: HttpConfig::default(),
            metrics: MetricsConfig::default(),
            github: GithubConfig::default(),
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            transport: MailTransportKind::File,
            smtp: SmtpConfig::default(),
            lmtp: LmtpConfig::default(),
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: String::new(),
            password: String::new(),
            timeout_seconds: 30,
            connections: 8,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 12 * 1024 * 1024,
            max_attachment_bytes: 10 * 1024 * 1024,
            max_mail_bytes: 25 * 1024 * 1024,
            reports_per_hour: 20,
            logins_per_15_minutes: 30,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            require_totp_for_admins: false,
            require_second_factor: false,
            session_hours: 12,
            lockout_minutes: 15,
        }
    }
}

impl Default for TriageConfig {
    fn default() -> Self {
        Self {
            first_response_days: 3,
        }
    }
}

const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080";
/// Where `serve` records the URL it derived from `--listen`.
const BASE_URL_FILE: &str = "base_url";

/// `EMBARGO_*` variables that are options of the CLI or the tests, not settings.
fn is_setting(key: &str) -> bool {
    let key = key.to_ascii_uppercase();
    !matches!(
        key.as_str(),
        "CONFIG" | "DATA" | "DATA_KEY" | "LOG" | "LOG_FORMAT" | "COPY_TO"
    ) && !key.starts_with("TEST_")
}

impl Config {
    /// Loads defaults, then `file` (when given), then `EMBARGO_*` variables,
    /// and checks the values. Errors name the setting at fault.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                anyhow::bail!("configuration file {} does not exist", path.display());
            }
            fig = fig.merge(Toml::file_exact(path));
        }
        fig = fig.merge(
            Env::prefixed("EMBARGO_")
                .filter(|k| is_setting(k.as_str()))
                .split("__"),
        );
        let config: Config = fig
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        if !self.base_url.is_empty() {
            let base = url::Url::parse(&self.base_url)
                .map_err(|e| anyhow::anyhow!("invalid configuration: base_url: {e}"))?;
            if !matches!(base.scheme(), "http" | "https") {
                anyhow::bail!(
                    "invalid configuration: base_url must start with http:// or https://"
                );
            }
        }
        for (name, value) in [
            ("security_address", &self.security_address),
            ("from_address", &self.from_address),
        ] {
            crate::domain::email::EmailAddress::parse(value)
                .map_err(|e| anyhow::anyhow!("invalid configuration: {name}: {e}"))?;
        }
        crate::domain::time::ZoneName::parse(&self.organization_time_zone)
            .map_err(|e| anyhow::anyhow!("invalid configuration: organization_time_zone: {e}"))?;
        if !self.database_url.is_empty()
            && !self.database_url.starts_with("sqlite:")
            && !self.database_url.starts_with("postgres://")
            && !self.database_url.starts_with("postgresql://")
        {
            anyhow::bail!(
                "invalid configuration: database_url must start with sqlite: or postgres://"
            );
        }
        if self.mail.transport == MailTransportKind::Smtp && self.mail.smtp.host.is_empty() {
            anyhow::bail!(
                "invalid configuration: mail.smtp.host is required when mail.transport = \"smtp\""
            );
        }
        self.mail
            .lmtp
            .check()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        if !crate::domain::advisory::is_prefix(&self.advisories.id_prefix) {
            anyhow::bail!(
                "invalid configuration: advisories.id_prefix must be upper-case letters, digits and inner hyphens, such as OCI"
            );
        }
        for day in &self.advisories.holidays {
            day.parse::<jiff::civil::Date>().map_err(|_| {
                anyhow::anyhow!(
                    "invalid configuration: advisories.holidays: {day:?} is not YYYY-MM-DD"
                )
            })?;
        }
        if !self.advisories.announce_address.is_empty() {
            crate::domain::email::EmailAddress::parse(&self.advisories.announce_address).map_err(
                |e| anyhow::anyhow!("invalid configuration: advisories.announce_address: {e}"),
            )?;
        }
        if !matches!(
            self.publication.csaf_category.as_str(),
            "vendor" | "coordinator" | "other" | "discoverer" | "translator" | "user"
        ) {
            anyhow::bail!(
                "invalid configuration: publication.csaf_category must be vendor or coordinator (or another CSAF category)"
            );
        }
        let p = &self.publication;
        if !p.cve_org_id.is_empty() && !crate::publish::cve::is_org_id(&p.cve_org_id) {
            anyhow::bail!(
                "invalid configuration: publication.cve_org_id must be the CNA's organisation UUID (a version 4 UUID such as b3476cb9-2e3d-41a6-98d0-0f47421a65b6)"
            );
        }
        let short = p.cve_short_name.chars().count();
        if !p.cve_short_name.is_empty()
            && (!(2..=32).contains(&short) || p.cve_short_name.chars().any(char::is_whitespace))
        {
            anyhow::bail!(
                "invalid configuration: publication.cve_short_name must be 2 to 32 characters without spaces"
            );
        }
        self.github
            .check()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        crate::domain::membership::check_criteria(&self.membership.criteria)
            .map_err(|e| anyhow::anyhow!("invalid configuration: membership.criteria: {e}"))?;
        if self.membership.confirm_within_days == 0 {
            anyhow::bail!(
                "invalid configuration: membership.confirm_within_days must be at least 1"
            );
        }
        let m = &self.membership;
        for (name, value) in [
            ("ping_every_days", m.ping_every_days),
            ("ping_answer_days", m.ping_answer_days),
            ("review_every_days", m.review_every_days),
        ] {
            if value == 0 {
                anyhow::bail!("invalid configuration: membership.{name} must be at least 1");
            }
        }
        if m.ping_answer_days > m.ping_every_days {
            anyhow::bail!(
                "invalid configuration: membership.ping_answer_days must not exceed membership.ping_every_days"
            );
        }
        if self.leaks.window_days == 0 || self.leaks.removal_threshold == 0 {
            anyhow::bail!(
                "invalid configuration: leaks.window_days and leaks.removal_threshold must be at least 1"
            );
        }
        if self.jobs.max_attempts == 0 {
            anyhow::bail!("invalid configuration: jobs.max_attempts must be at least 1");
        }
        self.http
            .check()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        self.metrics
            .check()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        Ok(())
    }

    /// The base URL without a trailing slash.
    pub fn base(&self) -> &str {
        match self.base_url.trim_end_matches('/') {
            "" => DEFAULT_BASE_URL,
            b => b,
        }
    }

    /// Fills an unset `base_url`: from `listen` when serving (and records
    /// it), otherwise from what the last `serve` recorded.
    pub fn resolve_base_url(&mut self, paths: &Paths, listen: Option<std::net::SocketAddr>) {
        if !self.base_url.is_empty() {
            return;
        }
        let file = paths.data.join(BASE_URL_FILE);
        match listen {
            Some(addr) => {
                self.base_url = format!("http://{addr}");
                if paths.create_data_dir().is_ok() {
                    let _ = std::fs::write(&file, &self.base_url);
                }
            }
            None => {
                if let Ok(recorded) = std::fs::read_to_string(&file) {
                    let recorded = recorded.trim();
                    if url::Url::parse(recorded).is_ok() {
                        self.base_url = recorded.to_owned();
                    }
                }
            }
        }
    }

    /// Cookies get `Secure` when the service is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.base().starts_with("https://")
    }

    /// The database URL, defaulting to a SQLite file in `data_dir`.
    pub fn database_url(&self, data_dir: &Path) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("embargo.db").display()
            )
        } else {
            self.database_url.clone()
        }
    }
}
