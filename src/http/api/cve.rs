//! The CVE record of an advisory, for admins of a team that is its own CNA:
//! filled in ahead of the lift, as the public `{id}.cve.json` is after it.

use axum::Json;
use axum::extract::{Path, State};
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::advisories::{advisory_error, may_ask_for};
use crate::app::{AppState, advisories as usecase, publication};
use crate::domain::authz::Action;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;
use crate::publish::cve;

/// Whether a CVE record is published or rejected.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
#[allow(dead_code)]
pub enum CveState {
    Published,
    Rejected,
}

/// A CVE record's metadata: the members embargo always writes; the dates
/// (`datePublished`, `dateUpdated`, `dateRejected`) where they apply.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct CveMetadata {
    /// `CVE-2026-12345`.
    cve_id: String,
    /// `publication.cve_org_id`.
    assigner_org_id: String,
    state: CveState,
    #[serde(flatten)]
    more: BTreeMap<String, Value>,
}

/// A CVE Record Format 5.1 record
/// (<https://cveproject.github.io/cve-schema/schema/docs/>): the members
/// named here are always there; the `cna` container and the metadata's
/// dates follow that format's own schema, so other members are allowed
/// in them here.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct CveRecord {
    /// `CVE_RECORD`.
    #[schema(pattern = "^CVE_RECORD$")]
    data_type: String,
    /// `5.1`.
    data_version: String,
    cve_metadata: CveMetadata,
    /// `{"cna": {...}}`: the CNA container.
    #[schema(value_type = Object)]
    containers: Value,
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}/cve", tag = "advisories", security(("bearer" = [])),
    responses((status = 200, body = CveRecord, description = "A CVE Record Format 5.1 record (open: the format's schema holds the rest): `PUBLISHED` with the `cna` container (affected products and versions, description, CWE problem types, CVSS 3.x and 4.0 metrics, references, credits; a published advisory adds `datePublic` and the timeline), or `REJECTED` for a withdrawn advisory"),
        (status = 401), (status = 403, description = "Not an admin"), (status = 404, description = "No such advisory"),
        (status = 409, description = "No record: `publication.cve_org_id` is not set, or no alias of the advisory is a CVE id")))]
pub async fn get_advisory_cve(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    may_ask_for(&caller.actor, &id)?;
    let row = usecase::load(&state, &id).await.map_err(advisory_error)?;
    crate::app::record(&state, &caller.audit(), "advisory.read", row.id.as_str()).await;
    let site = state.config.site();
    let record = match publication::find(&state, row.id.as_str()).await? {
        Some(public) => cve::render(&public, &site),
        None => {
            let (content, scored) = usecase::content_of(&row).map_err(advisory_error)?;
            let modified = jiff::Timestamp::from_microsecond(row.updated_at)
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            cve::render_draft(&row.id, &content, &scored, modified, &site)
        }
    };
    record
        .map(Json)
        .map_err(|why| Error::Conflict(why.to_string()).into())
}
