//! `[github]`: mirroring advisories to GitHub repository security
//! advisories. Off until a token is set; `Debug` never shows the token.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::github::Repository;

/// GitHub's own REST API.
pub const GITHUB_API: &str = "https://api.github.com";

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GithubConfig {
    /// A token that may write the repositories' security advisories (a
    /// fine-grained token with "Repository security advisories: write").
    /// Unset (default): nothing is sent to GitHub.
    pub token: Option<String>,
    /// The REST API's root: GitHub's, or a GitHub Enterprise Server's
    /// `https://HOST/api/v3`.
    pub api_url: String,
    /// The repository (`owner/name`) a new advisory is linked to; each
    /// advisory's own can be changed until it reaches GitHub.
    pub repository: Option<String>,
    /// Seconds one request to GitHub may take.
    pub timeout_seconds: u64,
    /// Minutes between asking GitHub whether a requested CVE is assigned.
    pub cve_poll_minutes: u64,
    /// Days to keep asking before telling the admins it never came.
    pub cve_poll_days: u64,
}

impl Default for GithubConfig {
    fn default() -> Self {
        Self {
            token: None,
            api_url: GITHUB_API.into(),
            repository: None,
            timeout_seconds: 20,
            cve_poll_minutes: 60,
            cve_poll_days: 14,
        }
    }
}

impl GithubConfig {
    /// The token, when the mirror is on.
    pub fn token(&self) -> Option<&str> {
        self.token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// The default repository, once [`GithubConfig::check`] passed.
    pub fn default_repository(&self) -> Option<Repository> {
        self.repository
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .and_then(|r| Repository::parse(r).ok())
    }

    pub fn check(&self) -> Result<(), String> {
        let api = url::Url::parse(&self.api_url)
            .map_err(|e| format!("github.api_url: {:?} is not a URL: {e}", self.api_url))?;
        if !matches!(api.scheme(), "http" | "https") || api.query().is_some() {
            return Err(format!(
                "github.api_url: {:?} must be an http(s) address without a query, such as {GITHUB_API:?}",
                self.api_url
            ));
        }
        if let Some(t) = &self.token
            && (t.trim().is_empty()
                || t.trim()
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(
                "github.token: must be one word (leave it out to send nothing to GitHub)".into(),
            );
        }
        if let Some(r) = self.repository.as_deref().filter(|r| !r.trim().is_empty()) {
            Repository::parse(r).map_err(|why| format!("github.repository: {r:?} {why}"))?;
        }
        if self.timeout_seconds == 0 || self.cve_poll_minutes == 0 || self.cve_poll_days == 0 {
            return Err(
                "github.timeout_seconds, cve_poll_minutes and cve_poll_days must be at least 1"
                    .into(),
            );
        }
        Ok(())
    }
}

impl fmt::Debug for GithubConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubConfig")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("api_url", &self.api_url)
            .field("repository", &self.repository)
            .field("timeout_seconds", &self.timeout_seconds)
            .field("cve_poll_minutes", &self.cve_poll_minutes)
            .field("cve_poll_days", &self.cve_poll_days)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_shows_in_debug() {
        let config = GithubConfig {
            token: Some("ghp_secret123".into()),
            ..GithubConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("ghp_secret123"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn off_by_default_and_bad_values_are_named() {
        let config = GithubConfig::default();
        assert_eq!(config.token(), None);
        assert!(config.check().is_ok());
        let bad = |c: GithubConfig| c.check().unwrap_err();
        assert!(
            bad(GithubConfig {
                api_url: "ftp://x".into(),
                ..GithubConfig::default()
            })
            .contains("github.api_url")
        );
        assert!(
            bad(GithubConfig {
                repository: Some("nope".into()),
                ..GithubConfig::default()
            })
            .contains("github.repository")
        );
        assert!(
            bad(GithubConfig {
                token: Some("a b".into()),
                ..GithubConfig::default()
            })
            .contains("github.token")
        );
        let linked = GithubConfig {
            repository: Some("example/widget".into()),
            ..GithubConfig::default()
        };
        assert_eq!(
            linked.default_repository().unwrap().as_str(),
            "example/widget"
        );
    }
}
