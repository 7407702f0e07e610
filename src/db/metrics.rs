//! The counts `/metrics` reads at scrape time: one grouped query per
//! series, each answered from an index (`jobs_by_lane_state_kind`,
//! `jobs_claim`, `deliveries_by_state`, `reports_by_status`,
//! `applications_by_status`), so a scrape costs the same with 100 or
//! 100,000 rows behind it, give or take an index scan.

use sqlx::{AnyConnection, Row};

use super::DbError;
use crate::domain::job::Lane;

/// What the database holds, grouped; label values as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// (kind, lane, state, count).
    pub jobs: Vec<(String, String, String, i64)>,
    /// (lane, earliest `run_at` of a queued job due at the read's instant).
    pub oldest_due: Vec<(String, i64)>,
    /// (state, count) of announcement deliveries.
    pub deliveries: Vec<(String, i64)>,
    /// (status, count).
    pub reports: Vec<(String, i64)>,
    /// (status, count).
    pub applications: Vec<(String, i64)>,
}

async fn pairs(conn: &mut AnyConnection, sql: &'static str) -> Result<Vec<(String, i64)>, DbError> {
    let rows = sqlx::query(sql).fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Every count, as of `now` (microseconds) for the due jobs.
pub async fn read(conn: &mut AnyConnection, now: i64) -> Result<Counts, DbError> {
    let rows =
        sqlx::query("SELECT kind, lane, state, COUNT(*) FROM jobs GROUP BY lane, state, kind")
            .fetch_all(&mut *conn)
            .await?;
    let jobs = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<_, DbError>>()?;
    // One look-up per lane in the claim index, whatever the jobs' number.
    let mut oldest_due = Vec::new();
    for lane in Lane::ALL {
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(run_at) FROM jobs WHERE lane = $1 AND state = 'queued' AND run_at <= $2",
        )
        .bind(lane.as_str())
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        if let Some(due) = due {
            oldest_due.push((lane.as_str().to_owned(), due));
        }
    }
    oldest_due.sort();
    Ok(Counts {
        jobs,
        oldest_due,
        deliveries: pairs(
            conn,
            "SELECT state, COUNT(*) FROM deliveries GROUP BY state",
        )
        .await?,
        reports: pairs(conn, "SELECT status, COUNT(*) FROM reports GROUP BY status").await?,
        applications: pairs(
            conn,
            "SELECT status, COUNT(*) FROM applications GROUP BY status",
        )
        .await?,
    })
}
