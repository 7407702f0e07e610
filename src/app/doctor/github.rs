//! The GitHub mirror's token: with `[github] repository` set, one read of
//! that repository's advisories says whether the token is accepted and
//! reaches them. Nothing is written to GitHub; the token is never printed.

use crate::app::github::Client;
use crate::app::github::client::GithubError;
use crate::config::Config;
use crate::domain::doctor::{Finding, GithubAccess, Status};

const CHECK: &str = "github";
const PERMISSION: &str = "\"Repository security advisories: read and write\"";

pub async fn check(config: &Config) -> Finding {
    let github = &config.github;
    let Some(token) = github.token() else {
        return Finding::ok(CHECK, "off: no token set (nothing is sent to GitHub)");
    };
    let Some(repo) = github.default_repository() else {
        return Finding::ok(
            CHECK,
            "token set; no default repository to check (advisories are linked one by one)",
        );
    };
    let client = match Client::from_config(github) {
        Ok(Some(client)) => client,
        Ok(None) => return Finding::ok(CHECK, "off: no token set (nothing is sent to GitHub)"),
        Err(e) => return unknown(&format!("no HTTP client: {e}")),
    };
    let answer = client.check_access(&repo).await;
    let status = match &answer {
        Ok(()) => Some(200),
        Err(GithubError::Status { status, .. }) => Some(*status),
        Err(GithubError::Transport { .. }) => None,
    };
    let why = answer.err().map(|e| e.to_string()).unwrap_or_default();
    // GitHub's messages never echo a token, but doctor's output must not
    // depend on that.
    let why = why.replace(token, "***");
    let access = GithubAccess::from_status(status);
    let repo = repo.as_str();
    match access {
        GithubAccess::Granted => Finding::ok(
            CHECK,
            format!("token may read the security advisories of {repo}"),
        ),
        GithubAccess::TokenRefused => Finding::new(
            access.status(),
            CHECK,
            format!("GitHub refused the token ({why})"),
            format!("set github.token to a valid token with {PERMISSION} on {repo}"),
        ),
        GithubAccess::RepositoryUnreachable => Finding::new(
            access.status(),
            CHECK,
            format!("the token cannot reach the security advisories of {repo} ({why})"),
            format!(
                "check github.repository, and give the token access to {repo} with {PERMISSION}"
            ),
        ),
        GithubAccess::Unknown => unknown(&why),
    }
}

/// No verdict on the token: GitHub may be down, or doctor run offline.
fn unknown(why: &str) -> Finding {
    Finding::new(
        Status::Warn,
        CHECK,
        format!("could not check the token: {why}"),
        "run doctor again where GitHub answers (meanwhile the mirror only waits and retries)",
    )
}
