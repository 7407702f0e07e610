//! The security.txt people see: fetched from `BASE_URL/.well-known/
//! security.txt`, since that may be `serve`'s (always valid for 180 days)
//! or a static export's, which runs out unless exported again.

use std::time::Duration;

use crate::config::Config;
use crate::domain::doctor::{EXPIRES_WARN_DAYS, Expiry, Finding, Status, security_txt_expiry};

const CHECK: &str = "security.txt";
const DEADLINE: Duration = Duration::from_secs(10);
/// More than any security.txt needs; the rest is not read.
const MAX_RESPONSE: usize = 64 * 1024;

pub async fn check(config: &Config) -> Finding {
    let url = format!("{}/.well-known/security.txt", config.base());
    let fetched = tokio::time::timeout(DEADLINE, fetch(&url)).await;
    let (status, body) = match fetched {
        Ok(Ok(answer)) => answer,
        // The cause alone (refused, no such host, a TLS error): reqwest's
        // own layers above it say nothing more.
        Ok(Err(e)) => return unreachable(&url, &e.root_cause().to_string()),
        Err(_) => return unreachable(&url, "no answer within 10 s"),
    };
    if status != 200 {
        return Finding::new(
            Status::Fail,
            CHECK,
            format!("{url} answered {status}"),
            "serve /.well-known/security.txt from embargo serve (or an export's copy) at base_url",
        );
    }
    let now = crate::clock::timestamp();
    let export =
        "run `embargo export --format html DIR` again and publish it, or let serve answer it";
    match security_txt_expiry(&body, now) {
        Expiry::Fine { days } => Finding::ok(CHECK, format!("{url} expires in {days} days")),
        Expiry::Soon { days } => Finding::new(
            Status::Warn,
            CHECK,
            format!("{url} expires in {days} days (less than {EXPIRES_WARN_DAYS})"),
            export,
        ),
        Expiry::Expired => Finding::new(
            Status::Fail,
            CHECK,
            format!("{url} has expired: reporters may ignore it (RFC 9116)"),
            export,
        ),
        Expiry::Unreadable => Finding::new(
            Status::Fail,
            CHECK,
            format!("{url} has no readable Expires field"),
            "serve embargo's security.txt at base_url",
        ),
    }
}

/// Not reachable is a warning: doctor may run before `serve` is started.
fn unreachable(url: &str, why: &str) -> Finding {
    Finding::new(
        Status::Warn,
        CHECK,
        format!("could not fetch {url}: {why}"),
        "start `embargo serve` (or check the reverse proxy), then run doctor again",
    )
}

/// One GET: status and at most [`MAX_RESPONSE`] bytes of the body.
async fn fetch(url: &str) -> anyhow::Result<(u16, String)> {
    let client = reqwest::Client::builder()
        .user_agent("embargo-doctor")
        // No redirect is followed: one is reported as its status, since
        // RFC 9116 (section 3) asks researchers to doubt a redirected
        // security.txt, so the file should be served at base_url itself.
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "text/plain")
        .send()
        .await
        .map_err(reason)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(reason)? {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_RESPONSE {
            body.truncate(MAX_RESPONSE);
            break;
        }
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// reqwest's error without the URL, which the finding names already.
fn reason(e: reqwest::Error) -> anyhow::Error {
    anyhow::Error::new(e.without_url())
}
