//! `embargo doctor`: looks at a deployment (the configuration, the data
//! directory, the database, the SMTP server, the published security.txt,
//! the GitHub token) and says what is wrong and how to fix it. It changes
//! nothing: the database is opened read-only and never migrated, no file
//! is created, the SMTP check stops before DATA, and GitHub is only read.
//!
//! The rules that turn a measurement into ok, warn or FAIL are in
//! [`crate::domain::doctor`].

mod database;
mod files;
mod github;
mod security_txt;
mod smtp;

use crate::config::{Config, Paths};
use crate::domain::doctor::{Finding, Status, base_url_status};

/// Every check, in the order they are printed.
pub async fn run(config: &Config, paths: &Paths) -> Vec<Finding> {
    let mut findings = vec![base_url(config)];
    findings.extend(database::check(config, paths).await);
    findings.push(smtp::check(config).await);
    findings.extend(files::check(paths));
    findings.push(security_txt::check(config).await);
    findings.push(github::check(config).await);
    findings
}

fn base_url(config: &Config) -> Finding {
    const CHECK: &str = "base_url";
    let base = config.base();
    let url = match url::Url::parse(base) {
        Ok(url) => url,
        Err(e) => {
            return Finding::new(
                Status::Fail,
                CHECK,
                format!("{base} is not a URL: {e}"),
                "set base_url = \"https://...\"",
            );
        }
    };
    let host = url.host_str().unwrap_or_default();
    let unset = if config.base_url.is_empty() {
        " (base_url unset)"
    } else {
        ""
    };
    match base_url_status(url.scheme(), host) {
        Status::Ok => Finding::ok(CHECK, base),
        Status::Warn => Finding::new(
            Status::Warn,
            CHECK,
            format!("{base} is plain http on loopback{unset}; fine for a trial, not for people"),
            "put a TLS reverse proxy in front and set base_url = \"https://YOUR-HOST\"",
        ),
        Status::Fail => Finding::new(
            Status::Fail,
            CHECK,
            format!("{base} is plain http: cookies and set-up links cross the network in clear"),
            "put a TLS reverse proxy in front and set base_url = \"https://YOUR-HOST\"",
        ),
    }
}
