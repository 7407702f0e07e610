//! How jobs end, written down: outcomes recorded in batches, leases of
//! stopped runners taken back, and, in the same transaction, the admins
//! told of every job that died, since a dead job waits for their retry.

use serde_json::json;
use sqlx::AnyConnection;

use super::Job;
use crate::app::AppState;
use crate::app::mailer::{self, Mail};
use crate::db::jobs::{self as store, Claimed, DeadJob, Outcome};
use crate::db::{self, accounts};
use crate::domain::mail_kind::MailKind;

/// How much of a dead job's error the admins' mail quotes: its first line,
/// at most this many characters. The job list shows it all.
const ERROR_CHARS: usize = 200;

/// Records `outcomes` in one transaction with the mail about the jobs that
/// died; how many counted.
pub(super) async fn record(
    state: &AppState,
    outcomes: &[(Claimed, Outcome)],
) -> anyhow::Result<usize> {
    let mut tx = state.db.begin().await?;
    let finished = store::finish(&mut tx, outcomes).await?;
    tell_admins(&mut tx, state, &finished.dead).await?;
    tx.commit().await?;
    Ok(finished.counted)
}

/// Takes back the jobs of runners that stopped renewing their lease; a
/// delivery whose job died with them fails in the same transaction, so it
/// is not left `sending`. Answers how many jobs were taken back.
pub(super) async fn reap(state: &AppState) -> anyhow::Result<u64> {
    let mut tx = state.db.begin().await?;
    let reaped = store::reap_expired(&mut tx, db::now()).await?;
    let deliveries: Vec<String> = reaped
        .dead
        .iter()
        .filter_map(|d| match Job::from_stored(&d.kind, &d.payload) {
            Ok(Job::Deliver { delivery }) => Some(delivery),
            _ => None,
        })
        .collect();
    crate::app::announcements::gave_up(&mut tx, &deliveries).await?;
    tell_admins(&mut tx, state, &reaped.dead).await?;
    tx.commit().await?;
    Ok(reaped.requeued + reaped.dead.len() as u64)
}

/// Queues one mail to the admins naming the jobs in `dead`: kind, id and
/// the first line of the error, which names at most a recipient, never
/// what a mail said. A dead mail about dead jobs is left out, so a mail
/// server that refuses the admins does not feed itself.
async fn tell_admins(
    conn: &mut AnyConnection,
    state: &AppState,
    dead: &[DeadJob],
) -> anyhow::Result<()> {
    let told: Vec<&DeadJob> = dead.iter().filter(|d| !is_about_dead_jobs(d)).collect();
    let Some(first) = told.first() else {
        return Ok(());
    };
    let admins = accounts::admin_addresses(conn).await?;
    if admins.is_empty() {
        return Ok(());
    }
    let jobs: Vec<serde_json::Value> = told
        .iter()
        .map(|d| json!({ "id": d.id, "kind": d.kind, "error": first_line(&d.error) }))
        .collect();
    let context = json!({
        "count": jobs.len(), "jobs": jobs,
        "url": format!("{}/admin/jobs", state.config.base()),
    });
    // A job dies once per claim, and an admin's retry claims it anew.
    let key = format!("job_dead:{}:{}", first.id, db::now());
    let mail = Mail::new(key, MailKind::JobDeadForAdmins, context, admins);
    mailer::queue(conn, state, mail).await?;
    Ok(())
}

/// Whether `job` is itself a mail telling the admins of dead jobs.
fn is_about_dead_jobs(job: &DeadJob) -> bool {
    matches!(
        Job::from_stored(&job.kind, &job.payload),
        Ok(Job::Mail(m)) if MailKind::parse(&m.template) == Some(MailKind::JobDeadForAdmins)
    )
}

/// The first line of `error`, cut after [`ERROR_CHARS`] characters.
fn first_line(error: &str) -> String {
    let line = error.lines().next().unwrap_or_default();
    match line.char_indices().nth(ERROR_CHARS) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dead(kind: &str, payload: serde_json::Value) -> DeadJob {
        DeadJob {
            id: "job_1".into(),
            kind: kind.into(),
            payload: payload.to_string(),
            error: String::new(),
        }
    }

    #[test]
    fn only_the_first_line_of_an_error_is_quoted_cut_after_200_characters() {
        assert_eq!(
            first_line("SMTP: 550 no such user\nbody: secret"),
            "SMTP: 550 no such user"
        );
        let long = "é".repeat(300);
        assert_eq!(first_line(&long), format!("{}...", "é".repeat(200)));
        assert_eq!(first_line(""), "");
    }

    #[test]
    fn a_mail_about_dead_jobs_is_never_itself_reported() {
        let mail = |template: &str| {
            json!({
                "template": template, "template_version": "", "key": "k", "context": {},
                "message_id": "<m@x>", "from": "f", "to": ["a@x"],
            })
        };
        assert!(is_about_dead_jobs(&dead(
            "mail",
            mail("job_dead_for_admins")
        )));
        assert!(!is_about_dead_jobs(&dead("mail", mail("report_received"))));
        assert!(!is_about_dead_jobs(&dead(
            "deliver",
            json!({ "delivery": "dlv_1" })
        )));
    }
}
