//! The mirror's jobs: bring an advisory's GitHub advisory in line with it
//! (create the draft, update it, publish, close), ask GitHub for a CVE and
//! wait for it. One sync at a time per advisory, so a draft is made once.
//!
//! At least once: if the process dies between GitHub making the draft and
//! embargo recording it, the next sync makes a second draft (the first
//! stays private to the repository's security managers).

use serde_json::{Value, json};

use super::client::{Client, GithubError, Remote};
use crate::app::AppState;
use crate::app::advisories::{self, content_of};
use crate::app::mailer::{self, Mail};
use crate::db::advisories as advisory_store;
use crate::db::audit::Actor;
use crate::db::github::{self as store, MirrorRow};
use crate::db::{self};
use crate::domain::advisory::{AdvisoryId, AdvisoryState};
use crate::domain::github::{GithubState, Repository, wanted};
use crate::domain::mail_kind::MailKind;
use crate::domain::secret::sha256_hex;
use crate::jobs::{self, Job, Permanent};
use crate::publish::github::advisory_request;

/// Another sync of the advisory holds it; this one tries again later.
#[derive(Debug, thiserror::Error)]
#[error("another sync of this advisory with GitHub is running")]
struct Busy;

/// The `github_sync` job: acts unless a newer sync was queued since.
pub async fn sync_job(state: &AppState, advisory: &str, generation: i64) -> anyhow::Result<()> {
    let Some(client) = state.github.clone() else {
        return Ok(());
    };
    let mut conn = state.db.conn().await?;
    match store::get(&mut conn, advisory).await? {
        Some(m) if m.generation <= generation => {}
        _ => return Ok(()),
    }
    drop(conn);
    sync(state, &client, advisory).await
}

/// Right after a lift, in its job: the GitHub advisory is published at
/// the same instant. A failure is the queued sync's to retry.
pub async fn after_lift(state: &AppState, advisory: &str) {
    let Some(client) = state.github.clone() else {
        return;
    };
    if let Err(e) = sync(state, &client, advisory).await {
        tracing::warn!(
            advisory.id = advisory,
            "publishing on GitHub at the lift failed; the mirror's job retries: {}",
            brief_of(&e)
        );
    }
}

async fn sync(state: &AppState, client: &Client, advisory: &str) -> anyhow::Result<()> {
    let now = db::now();
    // Long enough for the requests one sync makes, each bounded.
    let lease = db::seconds(state.config.github.timeout_seconds as i64 * 3 + 30);
    let mut conn = state.db.conn().await?;
    if !store::try_lock(&mut conn, advisory, now, now + lease).await? {
        return Err(Busy.into());
    }
    drop(conn);
    let result = sync_locked(state, client, advisory).await;
    let mut conn = state.db.conn().await?;
    store::unlock(&mut conn, advisory).await?;
    drop(conn);
    match result {
        Ok(()) => Ok(()),
        Err(e) => Err(failed(state, advisory, e).await),
    }
}

async fn sync_locked(state: &AppState, client: &Client, advisory: &str) -> anyhow::Result<()> {
    let id = AdvisoryId::parse(advisory)?;
    let mut conn = state.db.conn().await?;
    let (Some(row), Some(mirror)) = (
        advisory_store::get(&mut conn, &id).await?,
        store::get(&mut conn, advisory).await?,
    ) else {
        return Ok(());
    };
    drop(conn);
    let repo = repository(&mirror)?;
    let Some(target) = wanted(row.state, mirror.ghsa_id.is_some()) else {
        return Ok(());
    };
    let (content, scored) = content_of(&row).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut body = advisory_request(&content, &scored);
    let digest = sha256_hex(format!("{}\n{body}", target.as_str()).as_bytes());
    if mirror.ghsa_id.is_some() && mirror.synced_digest.as_deref() == Some(digest.as_str()) {
        return Ok(());
    }
    let remote = match &mirror.ghsa_id {
        None => {
            let created = client.create(&repo, &body).await?;
            let mut conn = state.db.conn().await?;
            store::record_created(
                &mut conn,
                advisory,
                &created.ghsa_id,
                &created.html_url,
                db::now(),
            )
            .await?;
            drop(conn);
            tracing::info!(advisory.id = advisory, ghsa = %created.ghsa_id, "GitHub draft advisory created");
            match target {
                GithubState::Draft => created,
                _ => {
                    client
                        .update(
                            &repo,
                            &created.ghsa_id,
                            &json!({ "state": target.as_str() }),
                        )
                        .await?
                }
            }
        }
        Some(ghsa) => {
            let update = match target {
                // A withdrawn advisory's text stays as GitHub has it.
                GithubState::Closed => json!({ "state": "closed" }),
                _ => {
                    // Never clear a CVE GitHub assigned before it is an alias.
                    if body["cve_id"].is_null()
                        && let Some(fields) = body.as_object_mut()
                    {
                        fields.remove("cve_id");
                    }
                    body["state"] = json!(target.as_str());
                    body
                }
            };
            client.update(&repo, ghsa, &update).await?
        }
    };
    let mut conn = state.db.conn().await?;
    store::record_synced(&mut conn, advisory, &digest, target.as_str(), db::now()).await?;
    drop(conn);
    tracing::info!(advisory.id = advisory, ghsa = %remote.ghsa_id, state = target.as_str(), "GitHub advisory in sync");
    if let Some(cve) = &remote.cve_id {
        adopt_cve(state, &id, cve).await?;
    }
    Ok(())
}

fn brief_of(e: &anyhow::Error) -> String {
    e.downcast_ref::<GithubError>()
        .map_or_else(|| e.to_string(), GithubError::brief)
}

fn repository(mirror: &MirrorRow) -> anyhow::Result<Repository> {
    Repository::parse(&mirror.repository).map_err(|why| {
        Permanent(format!(
            "the linked repository {:?} {why}",
            mirror.repository
        ))
        .into()
    })
}

/// Records a failed sync (or CVE request) on the advisory and, at the
/// first of a run, tells the admins; answers the error the job returns:
/// [`Permanent`] where sending it again cannot help.
async fn failed(state: &AppState, advisory: &str, e: anyhow::Error) -> anyhow::Error {
    if e.is::<Busy>() {
        return e;
    }
    let retrying = e
        .downcast_ref::<GithubError>()
        .is_none_or(GithubError::retryable)
        && !jobs::is_permanent(&e);
    // The page shows the whole error; logs and mail the brief one.
    let (message, brief) = (e.to_string(), brief_of(&e));
    if let Err(record) = record_failure(state, advisory, &message, &brief, retrying).await {
        tracing::error!(advisory.id = advisory, error = %record, "recording a GitHub failure failed");
    }
    tracing::warn!(advisory.id = advisory, error = %brief, retrying, "GitHub mirror failed");
    // The job list and its dead-job mail get the brief one too.
    if retrying {
        anyhow::anyhow!(brief)
    } else {
        Permanent(brief).into()
    }
}

async fn record_failure(
    state: &AppState,
    advisory: &str,
    message: &str,
    brief: &str,
    retrying: bool,
) -> anyhow::Result<()> {
    let now = db::now();
    let mut tx = state.db.begin().await?;
    let first = store::record_failure(&mut tx, advisory, message, now).await?;
    if first {
        tell_admins(&mut tx, state, advisory, brief, retrying, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn tell_admins(
    tx: &mut db::Tx,
    state: &AppState,
    advisory: &str,
    message: &str,
    retrying: bool,
    now: i64,
) -> anyhow::Result<()> {
    let admins = crate::db::accounts::admin_addresses(tx).await?;
    if admins.is_empty() {
        return Ok(());
    }
    let repository = store::get(tx, advisory).await?.map(|m| m.repository);
    let context = json!({
        "advisory": advisory, "repository": repository, "error": message, "retrying": retrying,
        "url": format!("{}/admin/advisories/{advisory}", state.config.base()),
    });
    let key = format!("github_failed:{advisory}:{now}");
    mailer::queue(
        tx,
        state,
        Mail::new(key, MailKind::GithubMirrorFailed, context, admins),
    )
    .await?;
    Ok(())
}

/// A CVE request still waiting: the client, the repository and the GHSA
/// id, while the advisory is on GitHub without a CVE and the request made
/// at `requested_at` is the latest.
async fn waiting_for_cve(
    state: &AppState,
    advisory: &str,
    requested_at: i64,
) -> anyhow::Result<Option<(Client, Repository, String)>> {
    let Some(client) = state.github.clone() else {
        return Ok(None);
    };
    let mut conn = state.db.conn().await?;
    let Some(mirror) = store::get(&mut conn, advisory).await? else {
        return Ok(None);
    };
    match (&mirror.ghsa_id, &mirror.cve_id, mirror.cve_requested_at) {
        (Some(ghsa), None, Some(asked)) if asked == requested_at => {
            Ok(Some((client, repository(&mirror)?, ghsa.clone())))
        }
        _ => Ok(None),
    }
}

/// The `github_request_cve` job: asks GitHub once, then polls.
pub async fn request_cve_job(
    state: &AppState,
    advisory: &str,
    requested_at: i64,
) -> anyhow::Result<()> {
    let Some((client, repo, ghsa)) = waiting_for_cve(state, advisory, requested_at).await? else {
        return Ok(());
    };
    match client.request_cve(&repo, &ghsa).await {
        Ok(()) => {}
        // 422: it has one already; the poll reads it.
        Err(GithubError::Status { status: 422, .. }) => {}
        Err(e) => return Err(failed(state, advisory, e.into()).await),
    }
    tracing::info!(advisory.id = advisory, ghsa = %ghsa, "CVE requested from GitHub");
    let mut tx = state.db.begin().await?;
    queue_poll(&mut tx, state, advisory, requested_at, 1).await?;
    tx.commit().await?;
    Ok(())
}

async fn queue_poll(
    tx: &mut db::Tx,
    state: &AppState,
    advisory: &str,
    requested_at: i64,
    poll: i64,
) -> anyhow::Result<()> {
    let job = Job::GithubPollCve {
        advisory: advisory.to_owned(),
        requested_at,
        poll,
    };
    let at = db::now() + db::seconds(state.config.github.cve_poll_minutes as i64 * 60);
    jobs::enqueue(tx, &state.config.jobs, &job, at).await?;
    Ok(())
}

/// The `github_poll_cve` job: reads the GitHub advisory; its CVE becomes
/// an alias, or the next poll is queued until the configured days are up.
pub async fn poll_cve_job(
    state: &AppState,
    advisory: &str,
    requested_at: i64,
    poll: i64,
) -> anyhow::Result<()> {
    let Some((client, repo, ghsa)) = waiting_for_cve(state, advisory, requested_at).await? else {
        return Ok(());
    };
    let remote: Remote = match client.get(&repo, &ghsa).await {
        Ok(r) => r,
        Err(e) => return Err(failed(state, advisory, e.into()).await),
    };
    if let Some(cve) = &remote.cve_id {
        return adopt_cve(state, &AdvisoryId::parse(advisory)?, cve).await;
    }
    let c = &state.config.github;
    let polls = (c.cve_poll_days * 24 * 60 / c.cve_poll_minutes).max(1) as i64;
    let mut tx = state.db.begin().await?;
    if poll < polls {
        queue_poll(&mut tx, state, advisory, requested_at, poll + 1).await?;
    } else {
        let message = format!(
            "GitHub assigned no CVE within {} days of the request",
            c.cve_poll_days
        );
        if store::record_failure(&mut tx, advisory, &message, db::now()).await? {
            tell_admins(&mut tx, state, advisory, &message, false, db::now()).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The CVE GitHub assigned becomes an alias of the advisory (an edit by
/// embargo itself, in its history), unless it is one already.
async fn adopt_cve(state: &AppState, id: &AdvisoryId, cve: &str) -> anyhow::Result<()> {
    let mut conn = state.db.conn().await?;
    let Some(row) = advisory_store::get(&mut conn, id).await? else {
        return Ok(());
    };
    store::record_cve(&mut conn, id.as_str(), cve, db::now()).await?;
    drop(conn);
    let mut aliases: Vec<Value> = serde_json::from_str::<Value>(&row.content)?["aliases"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let known = aliases
        .iter()
        .any(|a| a.as_str().is_some_and(|a| a.eq_ignore_ascii_case(cve)));
    if known || row.state == AdvisoryState::Withdrawn {
        return Ok(());
    }
    aliases.push(json!(cve));
    let mut patch = serde_json::Map::new();
    patch.insert("aliases".into(), Value::Array(aliases));
    let reason = format!("{cve} assigned by GitHub");
    advisories::edit(state, &Actor::system(), id.as_str(), &patch, &reason)
        .await
        .map_err(|e| anyhow::anyhow!("adding {cve} as an alias: {e}"))?;
    tracing::info!(advisory.id = %id, cve, "CVE assigned by GitHub added as an alias");
    Ok(())
}
