//! The answers of the task and member record routes (`tasks.rs`), typed
//! for the OpenAPI document and built by the handlers.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::member_record::MemberRecord;
use crate::db::tasks::TaskRow;

/// What a task asks for.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum TaskKindName {
    ReviewPatch,
    TestPlatform,
    DraftDisclosureMail,
    DraftReleaseNotes,
    Other,
}

/// Where a task stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum TaskStateName {
    /// With the primary.
    Open,
    /// Passed to the backup at `due`.
    HandedOver,
    Done,
}

/// A task with a primary and a backup member; instants in microseconds
/// since the epoch but `due`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    id: String,
    advisory_id: String,
    #[schema(value_type = TaskKindName)]
    kind: String,
    title: String,
    /// The primary member's id.
    primary: String,
    primary_organization: String,
    /// The backup member's id.
    backup: String,
    backup_organization: String,
    /// `due_at` in RFC 3339.
    #[schema(format = DateTime, required = true)]
    due: Option<String>,
    due_at: i64,
    #[schema(value_type = TaskStateName)]
    state: String,
    created_at: i64,
    /// The due instant passed with the task undone.
    missed: bool,
    #[schema(required = true)]
    missed_at: Option<i64>,
    #[schema(required = true)]
    done_at: Option<i64>,
    /// The member credited with it.
    #[schema(required = true)]
    done_member: Option<String>,
    /// What was done, and found.
    notes: String,
    /// A drafting task's text.
    draft: String,
    #[schema(required = true)]
    draft_at: Option<i64>,
    #[schema(required = true)]
    draft_applied_at: Option<i64>,
    /// The advisory's revision the draft became.
    #[schema(required = true)]
    draft_applied_revision: Option<i64>,
}

impl TaskView {
    pub fn of(t: &TaskRow) -> Self {
        let due = jiff::Timestamp::from_microsecond(t.due_at)
            .map(crate::publish::rfc3339)
            .ok();
        Self {
            id: t.id.clone(),
            advisory_id: t.advisory_id.clone(),
            kind: t.kind.clone(),
            title: t.title.clone(),
            primary: t.primary.clone(),
            primary_organization: t.primary_organization.clone(),
            backup: t.backup.clone(),
            backup_organization: t.backup_organization.clone(),
            due,
            due_at: t.due_at,
            state: t.state.clone(),
            created_at: t.created_at,
            missed: t.missed_at.is_some(),
            missed_at: t.missed_at,
            done_at: t.done_at,
            done_member: t.done_member.clone(),
            notes: t.notes.clone(),
            draft: t.draft.clone(),
            draft_at: t.draft_at,
            draft_applied_at: t.draft_applied_at,
            draft_applied_revision: t.draft_applied_revision,
        }
    }
}

/// A page of an advisory's tasks, by due instant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskList {
    pub items: Vec<TaskView>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// What a change to a task did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatusWord {
    Done,
    /// The draft was replaced.
    Saved,
}

/// The answer to a change of a task.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskStatus {
    pub status: TaskStatusWord,
}

/// The draft, applied.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AppliedWord {
    Applied,
}

/// The answer to applying a draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftApplied {
    pub status: AppliedWord,
    /// The advisory's revision the draft became.
    pub revision: i64,
}

/// A member's record of contributions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordView {
    test_reports: i64,
    /// Tasks done by the member's contacts (or credited to it by an admin).
    tasks_done: i64,
    /// Tasks whose due instant passed undone while the member was primary.
    tasks_missed: i64,
    /// Leak records, withdrawn ones left out.
    leaks: i64,
    /// RFC 3339: the latest test report or task done; null: none yet.
    #[schema(format = DateTime, required = true)]
    last_activity: Option<String>,
}

impl RecordView {
    pub fn of(r: &MemberRecord) -> Self {
        let last = r
            .last_activity
            .and_then(|m| jiff::Timestamp::from_microsecond(m).ok())
            .map(crate::publish::rfc3339);
        Self {
            test_reports: r.test_reports,
            tasks_done: r.tasks_done,
            tasks_missed: r.tasks_missed,
            leaks: r.leaks,
            last_activity: last,
        }
    }
}
