//! `Debug` for the settings that hold secrets (the SMTP password, a password
//! in the database URL), so a logged or printed configuration shows `***`
//! in their place.

use std::fmt;

use super::{Config, SmtpConfig};

const REDACTED: &str = "***";

/// `url` with any password replaced by `***`; a value that does not parse
/// as a URL is hidden whole, since it might be anything.
pub fn redact_url(url: &str) -> String {
    if url.is_empty() {
        return String::new();
    }
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() && u.set_password(Some(REDACTED)).is_err() {
                return REDACTED.to_owned();
            }
            // libpq also takes `?password=...` (and `sslpassword`).
            if u.query_pairs().any(|(k, _)| k.contains("password")) {
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if k.contains("password") {
                            REDACTED.to_owned()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                u.query_pairs_mut().clear().extend_pairs(pairs);
            }
            u.to_string()
        }
        Err(_) => REDACTED.to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .field("base_url", &self.base_url)
            .field("organization", &self.organization)
            .field("security_address", &self.security_address)
            .field("from_address", &self.from_address)
            .field("mail", &self.mail)
            .field("limits", &self.limits)
            .field("auth", &self.auth)
            .field("triage", &self.triage)
            .field("jobs", &self.jobs)
            .field("advisories", &self.advisories)
            .field("publication", &self.publication)
            .field("membership", &self.membership)
            .field("leaks", &self.leaks)
            .field("http", &self.http)
            .field("metrics", &self.metrics)
            .field("github", &self.github)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let password = if self.password.is_empty() {
            ""
        } else {
            REDACTED
        };
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &password)
            .field("timeout_seconds", &self.timeout_seconds)
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_smtp_password_and_the_database_password() {
        let mut c = Config {
            database_url: "postgres://embargo:db-pass-4711@db.example.org/embargo".into(),
            ..Config::default()
        };
        c.mail.smtp.username = "mailer".into();
        c.mail.smtp.password = "smtp-pass-0815".into();
        let shown = format!("{c:?} {c:#?} {:?}", c.mail.smtp);
        assert!(!shown.contains("db-pass-4711"), "{shown}");
        assert!(!shown.contains("smtp-pass-0815"), "{shown}");
        assert!(shown.contains("postgres://embargo:***@db.example.org/embargo"));
        assert!(shown.contains("mailer"));
    }

    #[test]
    fn a_database_url_that_does_not_parse_is_hidden_whole() {
        assert_eq!(redact_url("not a url with secret"), "***");
        let shown = redact_url("postgres://db.example.org/embargo?user=e&password=q-secret");
        assert!(!shown.contains("q-secret"), "{shown}");
        assert_eq!(redact_url(""), "");
        assert_eq!(
            redact_url("sqlite:///var/lib/embargo/embargo.db?mode=rwc"),
            "sqlite:///var/lib/embargo/embargo.db?mode=rwc"
        );
    }
}
