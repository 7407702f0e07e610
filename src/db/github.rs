//! The GitHub mirror's rows (`github_mirrors`): an advisory's repository,
//! its GitHub advisory once made, and how the last sync went.

use sqlx::{AnyConnection, Row};

use super::DbError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorRow {
    pub advisory_id: String,
    pub repository: String,
    pub ghsa_id: Option<String>,
    pub html_url: Option<String>,
    pub generation: i64,
    pub synced_digest: Option<String>,
    pub synced_state: Option<String>,
    pub synced_at: Option<i64>,
    pub last_error: Option<String>,
    pub failing_since: Option<i64>,
    pub cve_requested_at: Option<i64>,
    pub cve_id: Option<String>,
}

const COLUMNS: &str = "advisory_id, repository, ghsa_id, html_url, generation, synced_digest, \
    synced_state, synced_at, last_error, failing_since, cve_requested_at, cve_id";

fn row(r: &sqlx::any::AnyRow) -> Result<MirrorRow, DbError> {
    Ok(MirrorRow {
        advisory_id: r.try_get("advisory_id")?,
        repository: r.try_get("repository")?,
        ghsa_id: r.try_get("ghsa_id")?,
        html_url: r.try_get("html_url")?,
        generation: r.try_get("generation")?,
        synced_digest: r.try_get("synced_digest")?,
        synced_state: r.try_get("synced_state")?,
        synced_at: r.try_get("synced_at")?,
        last_error: r.try_get("last_error")?,
        failing_since: r.try_get("failing_since")?,
        cve_requested_at: r.try_get("cve_requested_at")?,
        cve_id: r.try_get("cve_id")?,
    })
}

pub async fn get(conn: &mut AnyConnection, advisory: &str) -> Result<Option<MirrorRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM github_mirrors WHERE advisory_id = $1");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(advisory)
        .fetch_optional(conn)
        .await?;
    found.as_ref().map(row).transpose()
}

/// How linking went.
#[derive(Debug, PartialEq, Eq)]
pub enum Linked {
    /// The repository is the advisory's now (or was already).
    Done,
    /// The advisory's GitHub advisory exists in this repository already:
    /// GitHub cannot move it.
    OnGithub { repository: String, ghsa_id: String },
}

/// Links `advisory` to `repository`, or unlinks it (`None`), unless its
/// GitHub advisory exists already.
pub async fn link(
    conn: &mut AnyConnection,
    advisory: &str,
    repository: Option<&str>,
    now: i64,
) -> Result<Linked, DbError> {
    if let Some(current) = get(conn, advisory).await?
        && let Some(ghsa_id) = current.ghsa_id
    {
        if Some(current.repository.as_str()) == repository {
            return Ok(Linked::Done);
        }
        return Ok(Linked::OnGithub {
            repository: current.repository,
            ghsa_id,
        });
    }
    let changed = match repository {
        None => {
            sqlx::query("DELETE FROM github_mirrors WHERE advisory_id = $1 AND ghsa_id IS NULL")
                .bind(advisory)
                .execute(&mut *conn)
                .await?
        }
        Some(repo) => {
            sqlx::query(
                "INSERT INTO github_mirrors (advisory_id, repository, created_at, updated_at) \
                 VALUES ($1, $2, $3, $3) \
                 ON CONFLICT (advisory_id) DO UPDATE SET repository = excluded.repository, \
                 updated_at = excluded.updated_at WHERE github_mirrors.ghsa_id IS NULL",
            )
            .bind(advisory)
            .bind(repo)
            .bind(now)
            .execute(&mut *conn)
            .await?
        }
    };
    // Zero rows: a sync made the GitHub advisory between the read and here.
    if changed.rows_affected() == 0
        && repository.is_some()
        && let Some(MirrorRow {
            repository,
            ghsa_id: Some(ghsa_id),
            ..
        }) = get(conn, advisory).await?
    {
        return Ok(Linked::OnGithub {
            repository,
            ghsa_id,
        });
    }
    Ok(Linked::Done)
}

/// A new generation for a linked advisory (a sync is due); `None` when
/// it is not linked.
pub async fn next_generation(
    conn: &mut AnyConnection,
    advisory: &str,
) -> Result<Option<i64>, DbError> {
    let found = sqlx::query(
        "UPDATE github_mirrors SET generation = generation + 1 WHERE advisory_id = $1 \
         RETURNING generation",
    )
    .bind(advisory)
    .fetch_optional(conn)
    .await?;
    found.map(|r| r.try_get("generation")).transpose()
}

/// Takes the advisory's sync until `until` unless another holds it.
pub async fn try_lock(
    conn: &mut AnyConnection,
    advisory: &str,
    now: i64,
    until: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE github_mirrors SET busy_until = $3 \
         WHERE advisory_id = $1 AND (busy_until IS NULL OR busy_until < $2)",
    )
    .bind(advisory)
    .bind(now)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn unlock(conn: &mut AnyConnection, advisory: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE github_mirrors SET busy_until = NULL WHERE advisory_id = $1")
        .bind(advisory)
        .execute(conn)
        .await?;
    Ok(())
}

/// The GitHub advisory GitHub made for `advisory`.
pub async fn record_created(
    conn: &mut AnyConnection,
    advisory: &str,
    ghsa_id: &str,
    html_url: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE github_mirrors SET ghsa_id = $2, html_url = $3, synced_state = 'draft', \
         updated_at = $4 WHERE advisory_id = $1",
    )
    .bind(advisory)
    .bind(ghsa_id)
    .bind(html_url)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// GitHub holds what `digest` names, in `state`; failures are over.
pub async fn record_synced(
    conn: &mut AnyConnection,
    advisory: &str,
    digest: &str,
    state: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE github_mirrors SET synced_digest = $2, synced_state = $3, synced_at = $4, \
         last_error = NULL, failing_since = NULL, updated_at = $4 WHERE advisory_id = $1",
    )
    .bind(advisory)
    .bind(digest)
    .bind(state)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A failed sync; true when it is the first of a run of failures.
pub async fn record_failure(
    conn: &mut AnyConnection,
    advisory: &str,
    error: &str,
    now: i64,
) -> Result<bool, DbError> {
    let first = sqlx::query(
        "UPDATE github_mirrors SET last_error = $2, failing_since = $3, updated_at = $3 \
         WHERE advisory_id = $1 AND failing_since IS NULL",
    )
    .bind(advisory)
    .bind(error)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if first.rows_affected() == 1 {
        return Ok(true);
    }
    sqlx::query(
        "UPDATE github_mirrors SET last_error = $2, updated_at = $3 WHERE advisory_id = $1",
    )
    .bind(advisory)
    .bind(error)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(false)
}

/// A CVE was asked for: the request the polls belong to.
pub async fn record_cve_requested(
    conn: &mut AnyConnection,
    advisory: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE github_mirrors SET cve_requested_at = $2, updated_at = $2 WHERE advisory_id = $1",
    )
    .bind(advisory)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The CVE GitHub assigned.
pub async fn record_cve(
    conn: &mut AnyConnection,
    advisory: &str,
    cve: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE github_mirrors SET cve_id = $2, updated_at = $3 WHERE advisory_id = $1")
        .bind(advisory)
        .bind(cve)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
