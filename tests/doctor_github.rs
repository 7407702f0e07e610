//! `embargo doctor`'s `github` check, run as an operator would against the
//! fake of GitHub's advisory endpoints: a token that reads the repository's
//! advisories passes, a refused one or an unreachable repository fails,
//! an outage only warns, and the token is never printed.

use std::process::Output;

use crate::common::github_fake::{Fault, GithubFake, TOKEN};
use crate::common::process::{Env, serve_with};
use crate::doctor::{doctor, line, set_up_first_admin, status, stdout, var};

const REPO: &str = "acme/widget";
const WRONG: &str = "ghp_notTheRightToken0000000000000000000";

fn github_vars(fake: &GithubFake, token: &str, repo: Option<&str>) -> Vec<(String, String)> {
    let mut vars = vec![
        var("EMBARGO_GITHUB__TOKEN", token),
        var("EMBARGO_GITHUB__API_URL", fake.url.as_str()),
    ];
    vars.extend(repo.map(|r| var("EMBARGO_GITHUB__REPOSITORY", r)));
    vars
}

/// Everything doctor printed, to both streams.
fn printed(out: &Output) -> String {
    format!("{}{}", stdout(out), String::from_utf8_lossy(&out.stderr))
}

#[track_caller]
fn asked_once_for(fake: &GithubFake, repo: &str) {
    let requests = fake.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[0].path,
        format!("/repos/{repo}/security-advisories?per_page=1")
    );
}

#[tokio::test]
async fn a_token_that_reads_the_advisories_passes_and_a_refused_one_fails_the_run() {
    let fake = GithubFake::start(&[REPO]).await;
    let env = Env::new().await;
    let server = serve_with::<&str, &str>(&env, &[]);
    set_up_first_admin(&server);

    let out = doctor(&env, &github_vars(&fake, TOKEN, Some(REPO))).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let granted = line(&text, "github");
    assert!(
        granted.starts_with("ok")
            && granted.contains("token may read the security advisories of acme/widget"),
        "{text}"
    );
    asked_once_for(&fake, REPO);
    fake.assert_no_violations();
    assert!(!printed(&out).contains(TOKEN), "doctor printed the token");

    let fake = GithubFake::start(&[REPO]).await;
    let out = doctor(&env, &github_vars(&fake, WRONG, Some(REPO))).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let refused = line(&text, "github");
    assert!(
        refused.starts_with("FAIL") && refused.contains("GitHub refused the token"),
        "{text}"
    );
    assert!(
        refused.contains("Repository security advisories: read and write"),
        "{text}"
    );
    let failed: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(failed, [refused], "the one failure is GitHub's");
    asked_once_for(&fake, REPO);
    assert!(!printed(&out).contains(WRONG), "doctor printed the token");
}

#[tokio::test]
async fn a_repository_the_token_cannot_reach_fails_naming_it() {
    let fake = GithubFake::start(&[REPO]).await;
    let env = Env::new().await;
    let out = doctor(&env, &github_vars(&fake, TOKEN, Some("acme/gadget"))).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let unreachable = line(&text, "github");
    assert!(
        unreachable.starts_with("FAIL")
            && unreachable
                .contains("the token cannot reach the security advisories of acme/gadget"),
        "{text}"
    );
    assert!(unreachable.contains("github.repository"), "{text}");
    asked_once_for(&fake, "acme/gadget");
    assert!(!printed(&out).contains(TOKEN), "doctor printed the token");
}

#[tokio::test]
async fn a_github_outage_only_warns() {
    let fake = GithubFake::start(&[REPO]).await;
    fake.fail_next(1, Fault::Status(502));
    let env = Env::new().await;
    let out = doctor(&env, &github_vars(&fake, TOKEN, Some(REPO))).await;
    let text = stdout(&out);
    let outage = line(&text, "github");
    assert!(
        outage.starts_with("warn") && outage.contains("502"),
        "{text}"
    );
    assert!(!printed(&out).contains(TOKEN), "doctor printed the token");
}

#[tokio::test]
async fn nothing_is_sent_to_github_without_a_token_or_a_default_repository() {
    let fake = GithubFake::start(&[REPO]).await;
    let env = Env::new().await;
    let vars = [
        var("EMBARGO_GITHUB__API_URL", fake.url.as_str()),
        var("EMBARGO_GITHUB__REPOSITORY", REPO),
    ];
    let text = stdout(&doctor(&env, &vars).await);
    assert_eq!(status(&text, "github"), "ok", "{text}");
    assert!(
        line(&text, "github").contains("off: no token set (nothing is sent to GitHub)"),
        "{text}"
    );

    let out = doctor(&env, &github_vars(&fake, TOKEN, None)).await;
    let text = stdout(&out);
    let unlinked = line(&text, "github");
    assert!(
        unlinked.starts_with("ok") && unlinked.contains("no default repository to check"),
        "{text}"
    );
    assert!(!printed(&out).contains(TOKEN), "doctor printed the token");
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}
