//! The few calls of GitHub's REST API the mirror makes
//! (`/repos/{owner}/{repo}/security-advisories`), with the headers GitHub
//! asks for. Errors name the call and GitHub's message, never the token or
//! what was sent.

use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde_json::Value;

use crate::config::GithubConfig;
use crate::domain::github::{Repository, worth_retrying};
use crate::domain::secret::Secret;

/// The REST API version embargo was written against.
const API_VERSION: &str = "2022-11-28";

/// A GitHub advisory as far as embargo reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub ghsa_id: String,
    pub html_url: String,
    pub state: String,
    pub cve_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// GitHub answered, and not with success.
    #[error("GitHub answered {status} to {call}: {message}")]
    Status {
        call: &'static str,
        status: u16,
        message: String,
    },
    /// No answer: connection, TLS, timeout, or an answer that is not JSON.
    #[error("{call}: {message}")]
    Transport { call: &'static str, message: String },
}

impl GithubError {
    /// The error for logs and mail, which may leave the team unencrypted:
    /// without GitHub's own words for a refused body, which can quote the
    /// advisory's fields back.
    pub fn brief(&self) -> String {
        match self {
            Self::Status {
                call, status: 422, ..
            } => format!("GitHub answered 422 (validation failed) to {call}"),
            other => other.to_string(),
        }
    }

    /// Whether sending the same request again may succeed.
    pub fn retryable(&self) -> bool {
        match self {
            Self::Status { status, .. } => worth_retrying(*status),
            Self::Transport { .. } => true,
        }
    }
}

/// The API client; cheap to clone.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    api: String,
    token: Secret,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The client `config` describes; `None` while no token is set.
    pub fn from_config(config: &GithubConfig) -> anyhow::Result<Option<Self>> {
        let Some(token) = config.token() else {
            return Ok(None);
        };
        let http = reqwest::Client::builder()
            .user_agent(concat!("embargo/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(config.timeout_seconds))
            .connect_timeout(Duration::from_secs(config.timeout_seconds.min(10)))
            // An advisory goes to the configured host only.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Some(Self {
            http,
            api: config.api_url.trim_end_matches('/').to_owned(),
            token: Secret::from_presented(token),
        }))
    }

    fn advisories_url(&self, repo: &Repository) -> String {
        format!("{}/repos/{}/security-advisories", self.api, repo.as_str())
    }

    /// `POST .../security-advisories`: a new draft.
    pub async fn create(&self, repo: &Repository, body: &Value) -> Result<Remote, GithubError> {
        const CALL: &str = "creating the GitHub advisory";
        let url = self.advisories_url(repo);
        remote(CALL, self.send(CALL, Method::POST, &url, Some(body)).await?)
    }

    /// `PATCH .../security-advisories/{ghsa_id}`.
    pub async fn update(
        &self,
        repo: &Repository,
        ghsa_id: &str,
        body: &Value,
    ) -> Result<Remote, GithubError> {
        const CALL: &str = "updating the GitHub advisory";
        let url = format!("{}/{ghsa_id}", self.advisories_url(repo));
        remote(
            CALL,
            self.send(CALL, Method::PATCH, &url, Some(body)).await?,
        )
    }

    /// `GET .../security-advisories/{ghsa_id}`.
    pub async fn get(&self, repo: &Repository, ghsa_id: &str) -> Result<Remote, GithubError> {
        const CALL: &str = "reading the GitHub advisory";
        let url = format!("{}/{ghsa_id}", self.advisories_url(repo));
        remote(CALL, self.send(CALL, Method::GET, &url, None).await?)
    }

    /// `POST .../security-advisories/{ghsa_id}/cve`: GitHub assigns one later.
    pub async fn request_cve(&self, repo: &Repository, ghsa_id: &str) -> Result<(), GithubError> {
        const CALL: &str = "requesting a CVE from GitHub";
        let url = format!("{}/{ghsa_id}/cve", self.advisories_url(repo));
        self.send(CALL, Method::POST, &url, None).await.map(drop)
    }

    async fn send(
        &self,
        call: &'static str,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Value, GithubError> {
        let transport = |e: reqwest::Error| GithubError::Transport {
            call,
            // Without the URL: it names the repository, which is fine, but
            // reqwest's text can carry more than we want in a log.
            message: describe(&e),
        };
        let mut request = self
            .http
            .request(method, url)
            .header(header::ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
            .bearer_auth(self.token.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let text = response.text().await.map_err(transport)?;
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(GithubError::Status {
                call,
                status: status.as_u16(),
                message: error_message(status, &json),
            });
        }
        Ok(json)
    }

    /// `GET .../security-advisories?per_page=1`: whether the token may read
    /// `repo`'s advisories (`embargo doctor`); changes nothing on GitHub.
    pub async fn check_access(&self, repo: &Repository) -> Result<(), GithubError> {
        const CALL: &str = "listing the GitHub advisories";
        let url = format!("{}?per_page=1", self.advisories_url(repo));
        match self.send(CALL, Method::GET, &url, None).await? {
            Value::Array(_) => Ok(()),
            _ => Err(GithubError::Transport {
                call: CALL,
                message: "GitHub's answer is not a list of advisories".into(),
            }),
        }
    }
}

/// GitHub's `message` and the messages of its `errors`, or the status's name.
fn error_message(status: StatusCode, json: &Value) -> String {
    let mut parts: Vec<String> = json["message"]
        .as_str()
        .map(str::to_owned)
        .into_iter()
        .collect();
    if let Some(errors) = json["errors"].as_array() {
        parts.extend(errors.iter().filter_map(|e| {
            e["message"]
                .as_str()
                .or_else(|| e.as_str())
                .map(str::to_owned)
        }));
    }
    if parts.is_empty() {
        return status.canonical_reason().unwrap_or("error").to_owned();
    }
    let text = parts.join("; ");
    // Only the start: a long answer has no place in a log line or a mail.
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "GitHub did not answer in time".into()
    } else if e.is_connect() {
        "could not connect to GitHub".into()
    } else if e.is_decode() || e.is_body() {
        "GitHub's answer could not be read".into()
    } else {
        "the request to GitHub failed".into()
    }
}

fn remote(call: &'static str, json: Value) -> Result<Remote, GithubError> {
    let text = |key: &str| json[key].as_str().map(str::to_owned);
    match (text("ghsa_id"), text("state")) {
        (Some(ghsa_id), Some(state)) => Ok(Remote {
            html_url: text("html_url").unwrap_or_default(),
            cve_id: text("cve_id").filter(|c| !c.is_empty()),
            ghsa_id,
            state,
        }),
        _ => Err(GithubError::Transport {
            call,
            message: "GitHub's answer has no ghsa_id or state".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_errors_are_read_from_its_error_body() {
        let body = serde_json::json!({
            "message": "Validation Failed",
            "errors": [{"resource": "RepositoryAdvisory", "code": "invalid", "message": "summary is too long"}, "cwe_ids is invalid"],
        });
        assert_eq!(
            error_message(StatusCode::UNPROCESSABLE_ENTITY, &body),
            "Validation Failed; summary is too long; cwe_ids is invalid"
        );
        assert_eq!(
            error_message(StatusCode::BAD_GATEWAY, &Value::Null),
            "Bad Gateway"
        );
        let long = serde_json::json!({"message": "x".repeat(1000)});
        assert_eq!(error_message(StatusCode::BAD_REQUEST, &long).len(), 303);
    }

    #[test]
    fn refusals_are_not_retried_outages_are() {
        let status = |status| GithubError::Status {
            call: "c",
            status,
            message: String::new(),
        };
        assert!(status(502).retryable());
        assert!(status(429).retryable());
        assert!(!status(422).retryable());
        assert!(!status(401).retryable());
        assert!(
            GithubError::Transport {
                call: "c",
                message: String::new()
            }
            .retryable()
        );
    }

    #[test]
    fn an_answer_without_an_advisory_is_an_error() {
        assert!(remote("c", serde_json::json!({})).is_err());
        let ok = remote("c", serde_json::json!({"ghsa_id": "GHSA-xxxx-xxxx-xxxx", "state": "draft", "cve_id": null, "html_url": "u"})).unwrap();
        assert_eq!(ok.cve_id, None);
        assert_eq!(ok.state, "draft");
    }
}
