//! The two jobs of a task, scheduled when it is created: the reminder a
//! day before it is due, and the due instant itself. Each reads the task's
//! current state, so a task done in time sends nothing; each mail's key
//! names the task, so a job run twice mails once.

use serde_json::json;

use super::tasks::{contact_addresses, mail_context};
use crate::app::AppState;
use crate::app::mailer::{self, Mail};
use crate::db::audit::{self, Actor};
use crate::db::{self, accounts, tasks as store};
use crate::domain::contribution::TaskState;
use crate::domain::mail_kind::MailKind;

/// The `task_reminder` job: reminds the primary's contacts of an open task.
pub async fn task_reminder(state: &AppState, id: &str) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(task) = store::get(&mut tx, id).await? else {
        return Ok(());
    };
    if TaskState::parse(&task.state) != Some(TaskState::Open) {
        return Ok(());
    }
    let to = contact_addresses(&mut tx, &task.primary).await?;
    if !to.is_empty() {
        let context = mail_context(state, &task, &task.primary_organization);
        let mail = Mail::new(
            format!("task_reminder:{id}"),
            MailKind::TaskReminder,
            context,
            to,
        );
        mailer::queue(&mut tx, state, mail).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The `task_due` job: an open task passes to the backup, whose contacts
/// are asked to take it over; the admins are told. Missed by the primary.
pub async fn task_due(state: &AppState, id: &str) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(task) = store::get(&mut tx, id).await? else {
        return Ok(());
    };
    if TaskState::parse(&task.state) != Some(TaskState::Open)
        || !store::hand_over(&mut tx, id, db::now()).await?
    {
        return Ok(());
    }
    let backup = contact_addresses(&mut tx, &task.backup).await?;
    let reached = !backup.is_empty();
    if reached {
        let context = mail_context(state, &task, &task.backup_organization);
        let mail = Mail::new(
            format!("task_handover:{id}"),
            MailKind::TaskHandover,
            context,
            backup,
        );
        mailer::queue(&mut tx, state, mail).await?;
    }
    let admins = accounts::admin_addresses(&mut tx).await?;
    if !admins.is_empty() {
        let mut context = mail_context(state, &task, &task.primary_organization);
        context["backup_reached"] = reached.into();
        context["admin_url"] = format!(
            "{}/admin/advisories/{}",
            state.config.base(),
            task.advisory_id
        )
        .into();
        let mail = Mail::new(
            format!("task_missed:{id}"),
            MailKind::TaskMissedForAdmins,
            context,
            admins,
        );
        mailer::queue(&mut tx, state, mail).await?;
    }
    audit::append(
        &mut tx,
        &Actor::system(),
        "task.handed_over",
        id,
        json!({
            "advisory": task.advisory_id, "primary": task.primary, "backup": task.backup,
            "backup_reached": reached,
        }),
    );
    tx.commit().await?;
    tracing::info!(task.id = %id, advisory.id = %task.advisory_id, "task missed, handed over to the backup");
    Ok(())
}
