//! `[jobs]`: retries, lanes and leases of the job engine.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// Attempts before a job is marked dead.
    pub max_attempts: u32,
    /// First retry delay; it doubles with each attempt, capped at an hour.
    pub backoff_seconds: u64,
    /// How often an idle runner looks for due jobs.
    pub poll_milliseconds: u64,
    /// Jobs running at once in this process, per lane: embargo lifts and
    /// publication, mail, and background sweeps. Mail jobs mostly wait (for
    /// the database to commit, for one of `mail.smtp.connections`), so the
    /// mail lane runs many: a fan-out to the list is as fast as its jobs
    /// keep the CPU busy and share commits (README, fan-out: 512 took
    /// 1,000 deliveries in 0.244 s against 0.267 s with 256, and 10,000
    /// in 2.45 s against 2.71 s, in the same memory). A process killed
    /// mid fan-out may send up to this many messages twice.
    pub critical_workers: u32,
    pub mail_workers: u32,
    pub background_workers: u32,
    /// A claimed job's lease; runners renew it every third of this, so a
    /// crashed runner's jobs are taken again within it.
    pub lease_seconds: u64,
    /// Finished jobs are deleted this long after they finished.
    pub keep_done_days: u32,
    /// On SIGTERM, how long running jobs may take to finish.
    pub shutdown_seconds: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            backoff_seconds: 30,
            poll_milliseconds: 500,
            critical_workers: 2,
            mail_workers: 512,
            background_workers: 2,
            lease_seconds: 30,
            keep_done_days: 7,
            shutdown_seconds: 6,
        }
    }
}

impl JobsConfig {
    /// Workers of `lane`, at least one.
    pub fn workers(&self, lane: crate::domain::job::Lane) -> usize {
        use crate::domain::job::Lane;
        let n = match lane {
            Lane::Critical => self.critical_workers,
            Lane::Mail => self.mail_workers,
            Lane::Background => self.background_workers,
        };
        n.max(1) as usize
    }
}
