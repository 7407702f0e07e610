//! Mirroring advisories to GitHub repository security advisories: the
//! repository an advisory is linked to, the sync queued with every change,
//! and "Request CVE". Nothing reaches GitHub before an advisory is linked
//! and `[github] token` is set, nor while it is a draft; a failure only
//! ever delays the mirror, never embargo's own publication.

pub mod client;
mod sync;

use serde_json::json;
use sqlx::AnyConnection;

pub use client::Client;
pub use sync::{after_lift, poll_cve_job, request_cve_job, sync_job};

use super::AppState;
use super::advisories::{AdvisoryError, invalid, load};
use crate::db::audit::{self, Actor};
use crate::db::github::{self as store, Linked, MirrorRow};
use crate::db::{self};
use crate::domain::advisory::{AdvisoryId, AdvisoryState};
use crate::domain::github::Repository;
use crate::jobs::{self, Job};

/// Queues a sync of `advisory` after a change, in the caller's
/// transaction: only when it is linked and GitHub is configured.
pub async fn changed(
    conn: &mut AnyConnection,
    state: &AppState,
    advisory: &AdvisoryId,
) -> anyhow::Result<()> {
    if state.github.is_none() {
        return Ok(());
    }
    let Some(generation) = store::next_generation(conn, advisory.as_str()).await? else {
        return Ok(());
    };
    let job = Job::GithubSync {
        advisory: advisory.to_string(),
        generation,
    };
    jobs::enqueue(conn, &state.config.jobs, &job, db::now()).await?;
    Ok(())
}

/// Links a new advisory to the configured default repository, if any.
pub async fn link_default(
    conn: &mut AnyConnection,
    state: &AppState,
    advisory: &AdvisoryId,
) -> anyhow::Result<()> {
    if let Some(repo) = state.config.github.default_repository() {
        store::link(conn, advisory.as_str(), Some(repo.as_str()), db::now()).await?;
    }
    Ok(())
}

/// Links `id` to `repository` (`owner/name`), or unlinks it (empty),
/// until its GitHub advisory exists; queues a sync.
pub async fn set_repository(
    state: &AppState,
    actor: &Actor,
    id: &str,
    repository: &str,
) -> Result<(), AdvisoryError> {
    let row = load(state, id).await?;
    if row.state == AdvisoryState::Withdrawn {
        return Err(AdvisoryError::Conflict(
            "the advisory is withdrawn: its GitHub link stays as it was".into(),
        ));
    }
    let repo = match repository.trim_matches(crate::domain::email::EDGE) {
        "" => None,
        r => Some(Repository::parse(r).map_err(|why| invalid("repository", why))?),
    };
    let mut tx = state.db.begin().await?;
    let previous = store::get(&mut tx, row.id.as_str())
        .await?
        .map(|m| m.repository);
    let linked = store::link(
        &mut tx,
        row.id.as_str(),
        repo.as_ref().map(Repository::as_str),
        db::now(),
    )
    .await?;
    if let Linked::OnGithub {
        repository,
        ghsa_id,
    } = linked
    {
        return Err(AdvisoryError::Conflict(format!(
            "the advisory is on GitHub already as {ghsa_id} in {repository}, and GitHub advisories cannot move"
        )));
    }
    audit::append(
        &mut tx,
        actor,
        "advisory.github_linked",
        row.id.as_str(),
        json!({ "repository": repo.as_ref().map(Repository::as_str), "previous": previous }),
    );
    changed(&mut tx, state, &row.id).await?;
    tx.commit().await?;
    state.wake_runner();
    Ok(())
}

/// "Request CVE": GitHub is asked in a job, and polled until it assigns
/// one, which then becomes an alias.
pub async fn request_cve(state: &AppState, actor: &Actor, id: &str) -> Result<(), AdvisoryError> {
    let row = load(state, id).await?;
    if state.github.is_none() {
        return Err(AdvisoryError::Conflict(
            "GitHub is not configured: set [github] token".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    let mirror = store::get(&mut tx, row.id.as_str()).await?;
    let refusal = match &mirror {
        _ if row.state == AdvisoryState::Withdrawn => Some("the advisory is withdrawn".to_owned()),
        None => Some("the advisory is not linked to a GitHub repository".to_owned()),
        Some(MirrorRow { ghsa_id: None, .. }) => Some(
            "the advisory is not on GitHub yet: it is mirrored once it is embargoed or published"
                .to_owned(),
        ),
        Some(MirrorRow {
            cve_id: Some(cve), ..
        }) => Some(format!("GitHub assigned {cve} already")),
        Some(_) => None,
    };
    if let Some(why) = refusal {
        return Err(AdvisoryError::Conflict(why));
    }
    let now = db::now();
    store::record_cve_requested(&mut tx, row.id.as_str(), now).await?;
    let job = Job::GithubRequestCve {
        advisory: row.id.to_string(),
        requested_at: now,
    };
    jobs::enqueue(&mut tx, &state.config.jobs, &job, now).await?;
    audit::append(
        &mut tx,
        actor,
        "advisory.cve_requested",
        row.id.as_str(),
        json!({}),
    );
    tx.commit().await?;
    state.wake_runner();
    Ok(())
}

/// The advisory's mirror as the page and the API show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Status {
    /// `[github] token` is set.
    pub configured: bool,
    /// `owner/name`; none: not linked.
    pub repository: Option<String>,
    pub ghsa_id: Option<String>,
    pub html_url: Option<String>,
    /// What embargo last made it: `draft`, `published` or `closed`.
    pub state: Option<String>,
    /// RFC 3339.
    pub synced_at: Option<String>,
    /// The last failure's first line, until a sync succeeds.
    pub last_error: Option<String>,
    /// RFC 3339: when the current run of failures began.
    pub failing_since: Option<String>,
    /// RFC 3339.
    pub cve_requested_at: Option<String>,
    /// The CVE GitHub assigned.
    pub cve_id: Option<String>,
}

/// The mirror status of `id`.
pub async fn status(state: &AppState, id: &AdvisoryId) -> anyhow::Result<Status> {
    let mut conn = state.db.conn().await?;
    let mirror = store::get(&mut conn, id.as_str()).await?;
    let at = |t: Option<i64>| {
        t.and_then(|t| jiff::Timestamp::from_microsecond(t).ok())
            .map(|t| t.to_string())
    };
    let m = mirror.as_ref();
    Ok(Status {
        configured: state.github.is_some(),
        repository: m.map(|m| m.repository.clone()),
        ghsa_id: m.and_then(|m| m.ghsa_id.clone()),
        html_url: m.and_then(|m| m.html_url.clone()),
        state: m.and_then(|m| m.synced_state.clone()),
        synced_at: at(m.and_then(|m| m.synced_at)),
        last_error: m.and_then(|m| m.last_error.clone()),
        failing_since: at(m.and_then(|m| m.failing_since)),
        cve_requested_at: at(m.and_then(|m| m.cve_requested_at)),
        cve_id: m.and_then(|m| m.cve_id.clone()),
    })
}
