//! The answers of the advisory routes (`advisories.rs`), typed for the
//! OpenAPI document. An advisory itself is built by
//! [`crate::http::view::advisory_json`], which the pages share: its schema
//! ([`AdvisoryView`]) names the members every advisory has and allows
//! others, as its OSV-shaped content may grow; the tests check the
//! answers against it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::body_schemas::{AffectedBody, CreditBody, DatabaseSpecificBody, ReferenceBody};
use crate::db::advisories::RevisionRow;
use crate::db::advisory_embargo::EmbargoChangeRow;
use crate::db::advisory_patches::PatchInfo;

/// An embargo as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmbargoView {
    /// When it ends: RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub until: String,
    /// The IANA time zone it was agreed in.
    pub time_zone: String,
    /// `until` in that zone, for people: `2026-12-01 14:00 CET (+01:00)`.
    pub in_time_zone: String,
}

/// The answer to setting or moving an embargo.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmbargoSet {
    pub embargo: EmbargoView,
    /// Policy rules bent but not broken, for people to read.
    pub warnings: Vec<String>,
}

/// A severity rating as CVSS names it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
#[allow(dead_code)]
pub enum Rating {
    None,
    Low,
    Medium,
    High,
    Critical,
}

/// Where an advisory stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum AdvisoryStateName {
    Draft,
    Embargoed,
    Published,
    Withdrawn,
}

/// One severity entry of an advisory, scored.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ScoredSeverityView {
    /// `CVSS_V3` or `CVSS_V4`.
    #[serde(rename = "type")]
    kind: String,
    /// The CVSS vector.
    score: String,
    base_score: f64,
    rating: Rating,
}

/// A withdrawal: when and why.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct WithdrawnView {
    #[schema(format = DateTime)]
    at: String,
    #[schema(required = true)]
    reason: Option<String>,
}

/// An advisory: its OSV-shaped content (`summary`, `details`,
/// `affected`, `severity`, `database_specific`, `aliases`, `credits`,
/// `references`) with `severity` scored, and what embargo keeps about it.
/// The content's members inside `affected`, `credits`, `references` and
/// `database_specific` are as `POST /api/v1/advisories` takes them; other
/// members may be added in later versions.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct AdvisoryView {
    /// `SA-2026-0001`.
    id: String,
    state: AdvisoryStateName,
    summary: String,
    /// Markdown.
    details: String,
    #[schema(value_type = Vec<AffectedBody>)]
    affected: Vec<Value>,
    severity: Vec<ScoredSeverityView>,
    #[schema(value_type = DatabaseSpecificBody)]
    database_specific: Value,
    aliases: Vec<String>,
    #[schema(value_type = Vec<CreditBody>)]
    credits: Vec<Value>,
    #[schema(value_type = Vec<ReferenceBody>)]
    references: Vec<Value>,
    /// The report it came from.
    #[schema(required = true)]
    report_id: Option<String>,
    /// The content's revision, from 1.
    revision: i64,
    /// Null unless an embargo is set.
    #[schema(required = true)]
    embargo: Option<EmbargoView>,
    /// When it was published: RFC 3339.
    #[schema(format = DateTime, required = true)]
    published: Option<String>,
    /// Null unless withdrawn.
    #[schema(required = true)]
    withdrawn: Option<WithdrawnView>,
    #[schema(format = DateTime)]
    created: String,
    #[schema(format = DateTime)]
    updated: String,
    #[serde(flatten)]
    more: BTreeMap<String, Value>,
}

/// A page of advisories.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct AdvisoryList {
    items: Vec<AdvisoryView>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
    /// `next_cursor` under its first name (pass it as `before`).
    #[schema(required = true)]
    next: Option<String>,
}

/// An advisory as `GET /api/v1/advisories/{id}` answers: with its patches.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct AdvisoryRead {
    #[serde(flatten)]
    advisory: AdvisoryView,
    patches: Vec<PatchInfo>,
}

/// An advisory after an edit, with the top-level fields that changed.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct AdvisoryEdited {
    #[serde(flatten)]
    advisory: AdvisoryView,
    /// The top-level fields the edit changed.
    changed: Vec<String>,
}

/// An advisory's history: content revisions and embargo changes, oldest
/// first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryHistory {
    pub revisions: Vec<RevisionRow>,
    pub embargo: Vec<EmbargoChangeRow>,
}

/// A patch, added.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatchAdded {
    pub id: String,
}
