//! Tasks: an admin asks a member (the primary) to review a patch, test a
//! platform or draft text by a due instant, with another member as its
//! backup. The primary's contacts hear of it at once and a day before it is
//! due; at the due instant an undone task passes to the backup (see
//! `task_jobs`). A drafted disclosure mail or release notes text is taken
//! into the advisory by an admin, as an edit with its own revision.

use serde_json::{Value, json};

use super::ContributionError;
use crate::app::AppState;
use crate::app::mailer::{self, Mail};
use crate::db::audit::{self, Actor};
use crate::db::tasks::{self as store, Done, TaskRow};
use crate::db::{self, advisories, members};
use crate::domain::advisory::{AdvisoryId, AdvisoryState};
use crate::domain::contribution::{
    Holder, NewTask, TEXT_MAX, TaskInput, TaskKind, TaskState, draft, reminder_at,
};
use crate::domain::fields::{FieldErrors, optional_text};
use crate::domain::id::{AccountId, MemberId, TaskId};
use crate::domain::mail_kind::MailKind;
use crate::domain::membership::MemberStatus;
use crate::jobs::{self, Job};

/// The addresses of an active member's contacts; none for a member that
/// is not on the list (its contacts are cut off).
pub(super) async fn contact_addresses(
    conn: &mut sqlx::AnyConnection,
    member: &str,
) -> Result<Vec<String>, ContributionError> {
    let active = members::get(conn, member)
        .await?
        .is_some_and(|m| m.status == MemberStatus::Active);
    if !active {
        return Ok(Vec::new());
    }
    let contacts = members::contacts(conn, member).await?;
    Ok(contacts.into_iter().map(|c| c.email).collect())
}

/// What every task mail may say: ids, the kind, the due instant and
/// where to go; never the title or notes, which may be embargoed (these
/// mails go out unencrypted).
pub(super) fn mail_context(state: &AppState, t: &TaskRow, organization: &str) -> Value {
    let kind = TaskKind::parse(&t.kind).map_or("a task", TaskKind::describe);
    let due = jiff::Timestamp::from_microsecond(t.due_at)
        .map(crate::publish::rfc3339)
        .unwrap_or_default();
    let base = state.config.base();
    json!({
        "task_id": t.id, "kind": kind, "advisory_id": t.advisory_id, "due": due,
        "organization": organization, "primary_organization": t.primary_organization,
        "backup_organization": t.backup_organization,
        "url": format!("{base}/member/advisories/{}", t.advisory_id),
        "task_url": format!("{base}/api/v1/tasks/{}", t.id),
        "done_url": format!("{base}/api/v1/tasks/{}/done", t.id),
    })
}

/// Creates a task and schedules its reminder and its due instant, the way
/// an embargo's lift is scheduled: jobs written with the task.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    created_by: &AccountId,
    advisory: &str,
    input: &TaskInput<'_>,
) -> Result<TaskId, ContributionError> {
    let advisory = AdvisoryId::parse(advisory).map_err(|_| ContributionError::NotFound)?;
    let now = db::now();
    let task = NewTask::parse(input).map_err(ContributionError::Invalid)?;
    let mut errors = FieldErrors::new();
    if !task.is_due_after(now) {
        errors.add("due", "must lie in the future");
    }
    let mut tx = state.db.begin().await?;
    let row = advisories::get(&mut tx, &advisory)
        .await?
        .ok_or(ContributionError::NotFound)?;
    // Members work on what reached them; a draft or withdrawn record is
    // not theirs to see.
    if !matches!(
        row.state,
        AdvisoryState::Embargoed | AdvisoryState::Published
    ) {
        return Err(ContributionError::Conflict(format!(
            "tasks are for embargoed or published advisories; this one is {}",
            row.state.as_str()
        )));
    }
    for (field, id) in [("primary", &task.primary), ("backup", &task.backup)] {
        match members::get(&mut tx, id.as_str()).await? {
            Some(m) if m.status == MemberStatus::Active => {}
            Some(_) => errors.add(field, "is not on the list"),
            None => errors.add(field, "no such member"),
        }
    }
    errors.into_result().map_err(ContributionError::Conflicts)?;
    let id = TaskId::generate();
    store::insert(
        &mut tx,
        id.as_str(),
        advisory.as_str(),
        &task,
        created_by.as_str(),
        now,
    )
    .await?;
    let cfg = &state.config.jobs;
    let reminder = reminder_at(task.due, now);
    if let Some(at) = reminder {
        let remind = Job::TaskReminder {
            task: id.to_string(),
        };
        jobs::enqueue(&mut tx, cfg, &remind, at).await?;
    }
    let due = Job::TaskDue {
        task: id.to_string(),
    };
    jobs::enqueue(&mut tx, cfg, &due, task.due).await?;
    let stored = store::get(&mut tx, id.as_str())
        .await?
        .ok_or_else(|| anyhow::anyhow!("task {id} vanished in its own transaction"))?;
    let to = contact_addresses(&mut tx, task.primary.as_str()).await?;
    if !to.is_empty() {
        let mut context = mail_context(state, &stored, &stored.primary_organization);
        context["reminder"] = reminder.is_some().into();
        let mail = Mail::new(
            format!("task_assigned:{id}"),
            MailKind::TaskAssigned,
            context,
            to,
        );
        mailer::queue(&mut tx, state, mail).await?;
    }
    // Ids only: the title may be embargoed.
    audit::append(
        &mut tx,
        actor,
        "task.created",
        id.as_str(),
        json!({
            "advisory": advisory.as_str(), "kind": task.kind.as_str(),
            "primary": task.primary.as_str(), "backup": task.backup.as_str(), "due": task.due,
        }),
    );
    tx.commit().await?;
    Ok(id)
}

pub async fn get(state: &AppState, id: &str) -> Result<TaskRow, ContributionError> {
    let mut conn = state.db.conn().await?;
    store::get(&mut conn, id)
        .await?
        .ok_or(ContributionError::NotFound)
}

/// Every task on `advisory`; the caller shows each to who may see it.
pub async fn on_advisory(
    state: &AppState,
    advisory: &AdvisoryId,
) -> Result<Vec<TaskRow>, ContributionError> {
    let mut conn = state.db.conn().await?;
    Ok(store::for_advisory(&mut conn, advisory.as_str()).await?)
}

fn parse_state(t: &TaskRow) -> Result<(TaskKind, TaskState), ContributionError> {
    let kind = TaskKind::parse(&t.kind);
    let state = TaskState::parse(&t.state);
    kind.zip(state).ok_or_else(|| {
        anyhow::anyhow!("task {} has kind {} state {}", t.id, t.kind, t.state).into()
    })
}

/// Who reports a task done: a contact of the primary or backup (the caller
/// authorized it), or an admin (`member` None).
pub struct Worker<'a> {
    pub account: &'a AccountId,
    pub member: Option<&'a MemberId>,
}

/// Reports a task done, once, with notes and, for a drafting task, the
/// draft. A contact's member is credited; an admin's report credits the
/// member holding the task (the backup after a hand-over).
pub async fn done(
    state: &AppState,
    actor: &Actor,
    by: Worker<'_>,
    id: &str,
    notes: Option<&str>,
    text: Option<&str>,
) -> Result<(), ContributionError> {
    let mut tx = state.db.begin().await?;
    let task = store::get(&mut tx, id)
        .await?
        .ok_or(ContributionError::NotFound)?;
    let (kind, current) = parse_state(&task)?;
    current
        .finish()
        .map_err(|m| ContributionError::Conflict(m.into()))?;
    let mut errors = FieldErrors::new();
    let notes = optional_text(&mut errors, "notes", notes, TEXT_MAX).unwrap_or_default();
    errors.into_result().map_err(ContributionError::Invalid)?;
    let text = text.map(|t| draft(kind, t)).transpose();
    let text = text.map_err(ContributionError::Invalid)?;
    let member = match by.member {
        Some(m) => m.as_str(),
        None if current.holder() == Holder::Backup => task.backup.as_str(),
        None => task.primary.as_str(),
    };
    let record = Done {
        by: by.account.as_str(),
        member,
        notes: &notes,
        draft: text.as_deref(),
        now: db::now(),
    };
    if !store::mark_done(&mut tx, id, current.as_str(), &record).await? {
        return Err(ContributionError::Conflict(
            "the task changed meanwhile; reload and try again".into(),
        ));
    }
    audit::append(
        &mut tx,
        actor,
        "task.done",
        id,
        json!({ "advisory": task.advisory_id, "member": member, "draft": text.is_some() }),
    );
    tx.commit().await?;
    Ok(())
}

/// Attaches (or replaces) the draft of a drafting task.
pub async fn save_draft(
    state: &AppState,
    actor: &Actor,
    id: &str,
    text: &str,
) -> Result<(), ContributionError> {
    let mut tx = state.db.begin().await?;
    let task = store::get(&mut tx, id)
        .await?
        .ok_or(ContributionError::NotFound)?;
    let (kind, _) = parse_state(&task)?;
    if !kind.takes_draft() {
        // The task's kind, as stored, does not allow it.
        return Err(ContributionError::Conflict(
            "only a draft_disclosure_mail or draft_release_notes task takes a draft".into(),
        ));
    }
    let text = draft(kind, text).map_err(ContributionError::Invalid)?;
    store::set_draft(&mut tx, id, &text, db::now()).await?;
    audit::append(
        &mut tx,
        actor,
        "task.draft_saved",
        id,
        json!({ "advisory": task.advisory_id }),
    );
    tx.commit().await?;
    Ok(())
}

/// Takes a task's draft into its advisory as the new `details`: an edit
/// through the advisory's own edit use case, so the revision history keeps
/// the text it replaced. Answers the revision it made.
pub async fn apply_draft(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<i64, ContributionError> {
    let mut tx = state.db.begin().await?;
    let task = store::get(&mut tx, id)
        .await?
        .ok_or(ContributionError::NotFound)?;
    if task.draft.is_empty() {
        return Err(ContributionError::Conflict(
            "the task has no draft yet".into(),
        ));
    }
    let advisory = AdvisoryId::parse(&task.advisory_id).map_err(anyhow::Error::from)?;
    let row = advisories::get(&mut tx, &advisory)
        .await?
        .ok_or(ContributionError::NotFound)?;
    let mut patch = serde_json::Map::new();
    patch.insert("details".into(), Value::String(task.draft.clone()));
    // Ids only in the reason: it is kept in the history and audit log.
    let reason = format!("details taken from task {id} ({})", task.kind);
    let edited =
        crate::app::advisories::edit_in(&mut tx, state, actor, &row, &patch, &reason).await?;
    let now = db::now();
    if !store::mark_draft_applied(&mut tx, id, &task.draft, edited.revision, now).await? {
        return Err(ContributionError::Conflict(
            "the draft changed meanwhile; reload and try again".into(),
        ));
    }
    audit::append(
        &mut tx,
        actor,
        "task.draft_applied",
        id,
        json!({ "advisory": task.advisory_id, "revision": edited.revision }),
    );
    tx.commit().await?;
    Ok(edited.revision)
}
