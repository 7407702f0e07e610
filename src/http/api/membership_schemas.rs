//! The answers of the membership routes (`membership.rs`,
//! `membership_lists.rs`), typed for the OpenAPI document and built by the
//! handlers (and by the pages that show the same).

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::applications::{Application, ApplicationStatusName, Vouch};
use crate::db::members::{ContactRow, Member};
use crate::domain::membership::{ApplicationStatus, Criterion};

/// One criterion an applicant answers.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct CriterionView {
    /// Stable key, such as `security_alias`: the key of its answer.
    key: String,
    title: String,
    description: String,
}

/// A page of the current criteria, by key.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriteriaList {
    /// The criteria's version: an application answers one.
    pub version: i64,
    #[schema(value_type = Vec<CriterionView>)]
    pub items: Vec<Criterion>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A new version (of the criteria, or of the policy).
#[derive(Debug, Serialize, ToSchema)]
pub struct Versioned {
    pub version: i64,
}

/// An application, filed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Applied {
    pub id: String,
    /// The applicant's private link to follow it; shown only now.
    pub status_url: String,
}

/// The member who is to vouch for an application.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoucherRef {
    pub id: String,
    pub organization: String,
}

/// An application as the team reviews it: the application, its vouches,
/// its voucher and how long the alias took to confirm.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub application: Application,
    /// Null until the alias confirmed.
    #[schema(required = true)]
    pub seconds_to_confirm: Option<i64>,
    pub vouches: Vec<Vouch>,
    /// Null when the member named is gone.
    #[schema(required = true)]
    pub voucher: Option<VoucherRef>,
}

impl ApplicationView {
    pub fn new(
        application: &Application,
        vouches: Vec<Vouch>,
        voucher: Option<VoucherRef>,
    ) -> Self {
        Self {
            seconds_to_confirm: application
                .confirmed_at
                .map(|c| (c - application.created_at) / 1_000_000),
            application: application.clone(),
            vouches,
            voucher,
        }
    }
}

/// A page of applications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationView>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// An application as the applicant follows it; instants in microseconds
/// since the epoch.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicantView {
    pub id: String,
    pub organization: String,
    #[schema(value_type = ApplicationStatusName)]
    pub status: ApplicationStatus,
    pub created_at: i64,
    #[schema(required = true)]
    pub confirmed_at: Option<i64>,
    /// Unconfirmed, it expires then.
    pub expires_at: i64,
    #[schema(required = true)]
    pub decided_at: Option<i64>,
    /// Null until decided.
    #[schema(required = true)]
    pub decision_reason: Option<String>,
}

impl ApplicantView {
    pub fn of(app: &Application) -> Self {
        Self {
            id: app.id.clone(),
            organization: app.organization.clone(),
            status: app.status,
            created_at: app.created_at,
            confirmed_at: app.confirmed_at,
            expires_at: app.expires_at,
            decided_at: app.decided_at,
            decision_reason: app.decided_at.map(|_| app.decision_reason.clone()),
        }
    }
}

/// An application's status after a step.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationStep {
    #[schema(value_type = ApplicationStatusName)]
    pub status: ApplicationStatus,
}

/// A vouch (or a refusal), recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct Vouched {
    /// False: declined.
    pub vouched: bool,
}

/// What a decision made of an application.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decided {
    Approved,
    Rejected,
}

/// The answer to a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decision {
    pub status: Decided,
    /// The new member; null when rejected.
    #[schema(required = true)]
    pub member_id: Option<String>,
}

/// A member, added.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberAdded {
    pub id: String,
}

/// A member's status after its removal.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RemovedStatus {
    Removed,
}

/// The answer to a removal.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberRemoved {
    pub status: RemovedStatus,
}

/// The current list policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyView {
    pub version: i64,
    /// Markdown.
    pub text: String,
    /// RFC 3339.
    #[schema(format = DateTime, required = true)]
    pub published_at: Option<String>,
}

/// A policy version, accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyAccepted {
    /// The version accepted.
    pub accepted: i64,
}

/// A member with its contacts, as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberWithContacts {
    #[serde(flatten)]
    pub member: Member,
    pub contacts: Vec<ContactRow>,
}

/// A member as the directory shows it: only the name to pick a voucher by.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectoryEntryView {
    pub id: String,
    pub organization: String,
}

impl DirectoryEntryView {
    /// `m` as [`crate::domain::membership::MemberView::Directory`] shows
    /// it (by the domain's [`crate::domain::membership::DirectoryEntry`]).
    pub fn of(m: &Member) -> Self {
        let e = super::membership::directory_entry(m);
        Self {
            id: e.id.to_owned(),
            organization: e.organization.to_owned(),
        }
    }
}

/// One member of the list: in full with contacts for admins, as a
/// directory entry for everyone else.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum MemberListItem {
    Full(MemberWithContacts),
    Directory(DirectoryEntryView),
}

/// A page of members, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberListItem>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}
