//! The answers of the leak routes (`leaks.rs`), typed for the OpenAPI
//! document and built by the handlers.

use serde::Serialize;
use utoipa::ToSchema;

use crate::app::leak_trace::Candidate;
use crate::db::leaks::{ActionRow, CommentRow, LeakRow};

/// Where a leak record stands (the state column's values).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum LeakStateName {
    Open,
    Closed,
    /// No longer counts as a strike.
    Withdrawn,
}

/// Where a follow-up action stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ActionStateName {
    Open,
    Done,
    /// Dropped, with a `reason`.
    Dropped,
}

/// A leak record.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeakRecord {
    id: String,
    advisory_id: String,
    member_id: String,
    organization: String,
    /// Who reported it, as the audit log names them.
    reported_by: String,
    what: String,
    to_whom: String,
    /// When it leaked, as reported (free text; may be empty).
    when: String,
    how_found: String,
    containment: String,
    /// Microseconds since the epoch.
    created_at: i64,
    #[schema(value_type = LeakStateName)]
    state: String,
    /// Who closed or withdrew it; null while open.
    #[schema(required = true)]
    decided_by: Option<String>,
    /// Microseconds since the epoch; null while open.
    #[schema(required = true)]
    decided_at: Option<i64>,
    /// Empty unless withdrawn.
    withdrawn_reason: String,
}

impl LeakRecord {
    pub fn of(l: &LeakRow) -> Self {
        Self {
            id: l.id.clone(),
            advisory_id: l.advisory_id.clone(),
            member_id: l.member_id.clone(),
            organization: l.organization.clone(),
            reported_by: l.reported_by.clone(),
            what: l.what.clone(),
            to_whom: l.to_whom.clone(),
            when: l.when.clone(),
            how_found: l.how_found.clone(),
            containment: l.containment.clone(),
            created_at: l.created_at,
            state: l.state.clone(),
            decided_by: l.decided_by.clone(),
            decided_at: l.decided_at,
            withdrawn_reason: l.withdrawn_reason.clone(),
        }
    }
}

/// A follow-up action of a retrospective.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionView {
    what: String,
    owner: String,
    /// As given; may be empty.
    due: String,
    #[schema(value_type = ActionStateName)]
    state: String,
    /// Why it was dropped; may be empty.
    reason: String,
}

impl ActionView {
    pub fn of(a: &ActionRow) -> Self {
        Self {
            what: a.what.clone(),
            owner: a.owner.clone(),
            due: a.due.clone(),
            state: a.state.clone(),
            reason: a.reason.clone(),
        }
    }
}

/// A leak's retrospective.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetrospectiveView {
    pub findings: String,
    pub root_cause: String,
    /// Microseconds since the epoch.
    pub written_at: i64,
    /// In the order given.
    pub actions: Vec<ActionView>,
}

/// A leak record with its retrospective and comments.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeakRead {
    #[serde(flatten)]
    pub leak: LeakRecord,
    /// Null before it is written.
    #[schema(required = true)]
    pub retrospective: Option<RetrospectiveView>,
    /// Oldest first.
    pub comments: Vec<CommentRow>,
}

/// What a change to a leak did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LeakStatusWord {
    /// The retrospective was replaced.
    Saved,
    Closed,
    Withdrawn,
}

/// The answer to a change of a leak.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeakStatus {
    pub status: LeakStatusWord,
}

/// A page of a member's leaks, newest first, with its strikes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberLeakList {
    pub items: Vec<LeakRecord>,
    /// Leaks within `leaks.window_days`, not withdrawn.
    pub strikes: i64,
    /// The strikes reached `leaks.removal_threshold`.
    pub removal_proposed: bool,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// The recipients a paste most likely came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceAnswer {
    /// Best first, at most 10; empty when the paste holds neither a
    /// tracking id nor a varied phrase.
    pub candidates: Vec<Candidate>,
}

/// A notice to the list, queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeSent {
    /// One delivery each.
    pub recipients: usize,
}
