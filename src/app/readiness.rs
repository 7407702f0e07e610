//! Whether this process is ready for traffic (`/readyz`): the database
//! answers, its schema is exactly this binary's, and this process's job
//! runner is turning. Every check is cheap: no query grows with the data.

use std::time::Duration;

use serde::Serialize;

use super::AppState;
use crate::db::migrate::{self, Schema};
use crate::jobs::heartbeat::{self, RunnerLife};

/// How long each database step may take: a probe needs an answer, not a
/// hang until the pool gives up.
const DEADLINE: Duration = Duration::from_secs(2);

/// The answer, as `/readyz` shows it. Only fixed words: no error text,
/// which could name hosts or users of the database.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    /// `ready` or `not ready`.
    pub status: &'static str,
    pub checks: Checks,
}

#[derive(Debug, Clone, Serialize)]
pub struct Checks {
    /// `ok` or `unavailable`.
    pub database: &'static str,
    /// `ok`, `missing` (a migration this binary knows is not applied),
    /// `newer` (one it does not know is), or `unchecked`.
    pub migrations: &'static str,
    /// `ok`, `not running` or `stale`.
    pub job_runner: &'static str,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.status == "ready"
    }
}

pub async fn check(state: &AppState) -> Readiness {
    let (database, migrations) = database(state).await;
    let window = heartbeat::window(&state.config.jobs);
    let job_runner = match state.runner_heartbeat.life(state.clock.now(), window) {
        RunnerLife::Alive => "ok",
        RunnerLife::NotRunning => "not running",
        RunnerLife::Stale => "stale",
    };
    let ready = [database, migrations, job_runner]
        .iter()
        .all(|c| *c == "ok");
    Readiness {
        status: if ready { "ready" } else { "not ready" },
        checks: Checks {
            database,
            migrations,
            job_runner,
        },
    }
}

/// (database, migrations).
async fn database(state: &AppState) -> (&'static str, &'static str) {
    let conn = tokio::time::timeout(DEADLINE, async {
        let mut conn = state.db.conn().await?;
        sqlx::Connection::ping(&mut *conn).await?;
        Ok::<_, crate::db::DbError>(conn)
    })
    .await;
    let mut conn = match conn {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            return ("unavailable", "unchecked");
        }
        Err(_) => {
            tracing::warn!("readiness: database did not answer in time");
            return ("unavailable", "unchecked");
        }
    };
    let migrations = match tokio::time::timeout(DEADLINE, migrate::schema(&mut conn)).await {
        Ok(Ok(Schema::Current)) => "ok",
        Ok(Ok(Schema::Missing)) => "missing",
        Ok(Ok(Schema::Newer)) => "newer",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: reading applied migrations failed");
            "unchecked"
        }
        Err(_) => {
            tracing::warn!("readiness: reading applied migrations took too long");
            "unchecked"
        }
    };
    ("ok", migrations)
}
