//! The job engine: typed jobs, written in the transaction of the change that
//! causes them, carried out by per-lane workers under a renewed lease.
//!
//! What is exactly once: state changes and publication (each job's work is
//! a conditional update). What is at least once: a mail the SMTP server
//! accepted just before a crash or a lost lease is sent again, with the same
//! Message-ID (derived from the job's idempotency key), so receivers can tell.

pub mod heartbeat;
mod outcome;
pub mod runner;
pub mod send_mail;

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::config::JobsConfig;
use crate::db::jobs::{self as store, NewJob};
use crate::domain::job::Lane;
use crate::mail::OutgoingMail;

pub use heartbeat::Heartbeat;
pub use runner::{Runner, run_due};
pub use send_mail::QueuedMail;

/// Every kind of job and what it needs. Stored as `kind` plus the variant's
/// fields as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Job {
    /// One mail, rendered when the job runs.
    Mail(QueuedMail),
    /// One mail rendered when it was queued (jobs written before 0006).
    SendMail(OutgoingMail),
    /// Publish an advisory if the embargo that ends at `until` still stands.
    LiftEmbargo { advisory: String, until: i64 },
    /// Expire an application whose alias never confirmed.
    ExpireApplication { application: String },
    /// The daily membership sweep (pings, reviews); `date` names the day.
    LivenessSweep {
        #[serde(default)]
        date: String,
    },
    /// Mail the admins the audit log's head; `date` names the day.
    MailAuditHead { date: String },
    /// Remind a contact that their key expires in `days`.
    KeyExpiryReminder { key: String, days: i64 },
    /// Send one recipient their copy of an announcement.
    Deliver { delivery: String },
    /// Remind the primary of a task still open a day before it is due.
    TaskReminder { task: String },
    /// At a task's due instant: if it is not done, hand it to the backup.
    TaskDue { task: String },
    /// Bring the advisory's GitHub advisory in line, unless a sync of a
    /// later `generation` was queued since.
    GithubSync { advisory: String, generation: i64 },
    /// Ask GitHub to assign a CVE (the request made at `requested_at`).
    GithubRequestCve { advisory: String, requested_at: i64 },
    /// Ask GitHub whether the CVE is assigned; `poll` counts from 1.
    GithubPollCve {
        advisory: String,
        requested_at: i64,
        poll: i64,
    },
}

impl Job {
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Mail(_) => "mail",
            Job::SendMail(_) => "send_mail",
            Job::LiftEmbargo { .. } => "lift_embargo",
            Job::ExpireApplication { .. } => "expire_application",
            Job::LivenessSweep { .. } => "liveness_sweep",
            Job::KeyExpiryReminder { .. } => "key_expiry_reminder",
            Job::MailAuditHead { .. } => "mail_audit_head",
            Job::Deliver { .. } => "deliver",
            Job::TaskReminder { .. } => "task_reminder",
            Job::TaskDue { .. } => "task_due",
            Job::GithubSync { .. } => "github_sync",
            Job::GithubRequestCve { .. } => "github_request_cve",
            Job::GithubPollCve { .. } => "github_poll_cve",
        }
    }

    pub fn lane(&self) -> Lane {
        match self {
            Job::Mail(_) | Job::SendMail(_) | Job::Deliver { .. } => Lane::Mail,
            Job::LiftEmbargo { .. } => Lane::Critical,
            Job::ExpireApplication { .. }
            | Job::LivenessSweep { .. }
            | Job::KeyExpiryReminder { .. }
            | Job::MailAuditHead { .. }
            | Job::TaskReminder { .. }
            | Job::TaskDue { .. }
            | Job::GithubSync { .. }
            | Job::GithubRequestCve { .. }
            | Job::GithubPollCve { .. } => Lane::Background,
        }
    }

    /// What the job is about; unique in the database, so a second enqueue
    /// of the same work is a no-op.
    pub fn idempotency_key(&self) -> String {
        match self {
            // Namespaced, so a mail about a job's subject never collides
            // with the job itself.
            Job::Mail(m) => format!("mail:{}", m.key),
            Job::SendMail(m) => format!("mail:{}", m.message_id),
            Job::LiftEmbargo { advisory, until } => format!("lift:{advisory}:{until}"),
            Job::ExpireApplication { application } => format!("expire:{application}"),
            Job::LivenessSweep { date } => format!("liveness_sweep:{date}"),
            Job::KeyExpiryReminder { key, days } => format!("key_expiry:{key}:{days}"),
            Job::MailAuditHead { date } => format!("audit_head:{date}"),
            Job::Deliver { delivery } => format!("deliver:{delivery}"),
            Job::TaskReminder { task } => format!("task_reminder:{task}"),
            Job::TaskDue { task } => format!("task_due:{task}"),
            Job::GithubSync {
                advisory,
                generation,
            } => format!("github_sync:{advisory}:{generation}"),
            Job::GithubRequestCve {
                advisory,
                requested_at,
            } => format!("github_cve:{advisory}:{requested_at}"),
            Job::GithubPollCve {
                advisory,
                requested_at,
                poll,
            } => format!("github_cve_poll:{advisory}:{requested_at}:{poll}"),
        }
    }

    /// Attempts before the job is dead. A lift keeps trying longer: giving
    /// up would leave an advisory embargoed past its instant; so do GitHub's
    /// calls, to outlast an outage of hours.
    fn max_attempts(&self, config: &JobsConfig) -> u32 {
        let github = matches!(
            self,
            Job::GithubSync { .. } | Job::GithubRequestCve { .. } | Job::GithubPollCve { .. }
        );
        if github || self.lane() == Lane::Critical {
            config.max_attempts.max(20)
        } else {
            config.max_attempts
        }
    }

    /// The job stored as (`kind`, payload JSON).
    fn payload(&self) -> serde_json::Result<serde_json::Value> {
        let mut tagged = serde_json::to_value(self)?;
        Ok(tagged
            .get_mut("payload")
            .map(serde_json::Value::take)
            .unwrap_or_else(|| serde_json::json!({})))
    }

    /// The job a stored (`kind`, payload) holds.
    pub fn from_stored(kind: &str, payload: &str) -> serde_json::Result<Self> {
        let payload: serde_json::Value = serde_json::from_str(payload)?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload }))
    }
}

/// Writes `job` to run at `run_at` (microseconds), in the caller's
/// transaction; false when a job with its key exists already.
pub async fn enqueue(
    conn: &mut AnyConnection,
    config: &JobsConfig,
    job: &Job,
    run_at: i64,
) -> anyhow::Result<bool> {
    let key = job.idempotency_key();
    Ok(store::enqueue(
        conn,
        NewJob {
            kind: job.kind(),
            lane: job.lane(),
            payload: job.payload()?,
            idempotency_key: &key,
            run_at,
            max_attempts: job.max_attempts(config),
        },
    )
    .await?)
}

/// Writes many jobs to run at `run_at` in few statements (a fan-out), in
/// the caller's transaction; the number written (existing keys skipped).
pub async fn enqueue_many(
    conn: &mut AnyConnection,
    config: &JobsConfig,
    jobs: &[Job],
    run_at: i64,
) -> anyhow::Result<u64> {
    Ok(store::insert_sealed(conn, &seal_many(config, jobs, run_at)?).await?)
}

/// [`enqueue_many`]'s work before the writing: payloads serialised and
/// sealed, for [`store::insert_sealed`] in a transaction that then only
/// binds them.
pub fn seal_many(
    config: &JobsConfig,
    jobs: &[Job],
    run_at: i64,
) -> anyhow::Result<Vec<store::SealedJob>> {
    let keys: Vec<String> = jobs.iter().map(Job::idempotency_key).collect();
    let rows = jobs
        .iter()
        .zip(&keys)
        .map(|(job, key)| {
            Ok(NewJob {
                kind: job.kind(),
                lane: job.lane(),
                payload: job.payload()?,
                idempotency_key: key,
                run_at,
                max_attempts: job.max_attempts(config),
            })
        })
        .collect::<serde_json::Result<Vec<_>>>()?;
    Ok(store::seal_many(&rows)?)
}

/// The UTC day of `micros` (`2026-11-29`), as daily jobs' keys name it.
pub fn day_of(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A failure that retrying cannot mend (an SMTP 5xx, a template that does
/// not render): the job is dead at once, visible to admins.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Permanent(pub String);

/// True when `err` or anything it wraps is [`Permanent`].
pub fn is_permanent(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<Permanent>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_survives_the_round_trip_through_its_stored_form() {
        let jobs = [
            Job::LiftEmbargo {
                advisory: "SA-2026-0001".into(),
                until: 42,
            },
            Job::LivenessSweep {
                date: "2026-11-29".into(),
            },
            Job::KeyExpiryReminder {
                key: "key_1".into(),
                days: 7,
            },
            Job::TaskReminder {
                task: "tsk_1".into(),
            },
            Job::TaskDue {
                task: "tsk_1".into(),
            },
            Job::GithubSync {
                advisory: "SA-2026-0001".into(),
                generation: 3,
            },
            Job::GithubPollCve {
                advisory: "SA-2026-0001".into(),
                requested_at: 42,
                poll: 2,
            },
        ];
        for job in jobs {
            let stored = job.payload().unwrap().to_string();
            assert_eq!(Job::from_stored(job.kind(), &stored).unwrap(), job);
        }
    }

    #[test]
    fn a_sweep_written_before_it_had_a_date_still_reads() {
        let job = Job::from_stored("liveness_sweep", "{}").unwrap();
        assert_eq!(job.lane(), Lane::Background);
    }

    #[test]
    fn keys_name_what_the_job_is_about() {
        let job = Job::KeyExpiryReminder {
            key: "key_1".into(),
            days: 30,
        };
        assert_eq!(job.idempotency_key(), "key_expiry:key_1:30");
        assert_eq!(
            Job::LiftEmbargo {
                advisory: "A".into(),
                until: 1
            }
            .lane(),
            Lane::Critical
        );
    }

    #[test]
    fn lifts_and_github_calls_outlast_an_outage_with_20_attempts() {
        let config = JobsConfig::default();
        let sync = Job::GithubSync {
            advisory: "SA-2026-0001".into(),
            generation: 1,
        };
        let lift = Job::LiftEmbargo {
            advisory: "SA-2026-0001".into(),
            until: 1,
        };
        let mail = Job::TaskDue {
            task: "tsk_1".into(),
        };
        assert_eq!(sync.max_attempts(&config), config.max_attempts.max(20));
        assert_eq!(lift.max_attempts(&config), 20.max(config.max_attempts));
        assert_eq!(mail.max_attempts(&config), config.max_attempts);
        assert!(
            config.max_attempts < 20,
            "the longer retry is the exception"
        );
    }

    #[test]
    fn permanence_is_found_through_context() {
        let err = anyhow::Error::new(Permanent("550 no such user".into())).context("SMTP");
        assert!(is_permanent(&err));
        assert!(!is_permanent(&anyhow::anyhow!("451 try later")));
    }
}
