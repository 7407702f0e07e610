//! Advisories for admins: create, read, edit, embargo, publish, withdraw.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::advisory_schemas::{
    AdvisoryEdited, AdvisoryHistory, AdvisoryList, AdvisoryRead, AdvisoryView, EmbargoSet,
    EmbargoView, PatchAdded,
};
use super::body_schemas::{AdvisoryBody, AdvisoryEditBody};
use super::paging::{DEFAULT_PAGE, PageQuery, next_cursor};
use super::test_reports::Created;
use super::{ApiJson, ApiJsonAs};
use crate::app::AppState;
use crate::app::advisories::{self as usecase, AdvisoryError, EmbargoRequest};
use crate::db::advisories::{self as store, AdvisoryRow};
use crate::domain::advisory::{AdvisoryId, AdvisoryState};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;
use crate::http::view::advisory_json;

/// Whether `actor` may ask for advisory `id` at all (403 if not), before
/// anything is looked up: a delegate learns nothing of other ids.
pub fn may_ask_for(actor: &crate::domain::authz::Actor, id: &str) -> Result<(), Error> {
    match AdvisoryId::parse(id) {
        Ok(id) => Error::unless_allowed(actor, Action::ReadAdvisoryById(&id)),
        Err(_) => Error::unless_allowed(actor, Action::ReadEmbargoedAdvisory),
    }
}

/// Refuses an advisory the caller may not read as though it did not exist
/// (404), by the one rule, with the audience fact looked up for this
/// advisory; returns the fact for a decision that follows.
pub async fn hidden_unless_readable(
    state: &AppState,
    actor: &crate::domain::authz::Actor,
    row: &AdvisoryRow,
) -> Result<bool, Error> {
    let in_audience = crate::app::audience::in_audience(state, actor, &row.id)
        .await
        .map_err(Error::Internal)?;
    let action = Action::ReadAdvisory {
        id: &row.id,
        state: row.state,
        in_audience,
    };
    Error::hidden_unless_allowed(actor, action)?;
    Ok(in_audience)
}

/// Maps use-case errors to API errors: what the advisory's state or the
/// team's embargo policy does not allow is 409, naming the rule.
pub fn advisory_error(e: AdvisoryError) -> Error {
    match e {
        AdvisoryError::Invalid(f) => Error::Invalid(f),
        AdvisoryError::Conflicts(f) => Error::Conflicts(f),
        AdvisoryError::State(s) => {
            let mut f = FieldErrors::new();
            f.add("state", s.to_string());
            Error::Conflicts(f)
        }
        AdvisoryError::Policy { violations, .. } => {
            let mut f = FieldErrors::new();
            let rules: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
            let overridable = violations.iter().all(|v| v.overridable());
            let hint = if overridable {
                "; to proceed anyway, give override_reason"
            } else {
                ""
            };
            f.add("until", format!("{}{hint}", rules.join("; ")));
            Error::Conflicts(f)
        }
        AdvisoryError::NotFound => Error::NotFound,
        AdvisoryError::Stale => Error::Conflict(e.to_string()),
        AdvisoryError::Conflict(why) => Error::Conflict(why),
        AdvisoryError::Other(e) => Error::Internal(e),
    }
}

#[utoipa::path(post, path = "/api/v1/advisories", tag = "advisories", security(("bearer" = [])),
    request_body(content = AdvisoryBody, description = "OSV-shaped content; `report_id` names the report it comes from"),
    responses((status = 201, body = Created), (status = 401), (status = 403), (status = 422)))]
pub async fn create_advisory(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJsonAs(mut body, _): ApiJsonAs<AdvisoryBody>,
) -> Result<Response, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    let report_id = body.as_object_mut().and_then(|o| o.remove("report_id"));
    let report_id = match &report_id {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            let mut f = FieldErrors::new();
            f.add("report_id", "must be a report id");
            return Err(Error::Invalid(f).into());
        }
    };
    let content = usecase::parse_content(body).map_err(advisory_error)?;
    let id = usecase::create(&state, &caller.audit(), content, report_id)
        .await
        .map_err(advisory_error)?;
    Ok((StatusCode::CREATED, Json(Created::new(id.as_str()))).into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// draft, embargoed, published or withdrawn.
    #[param(pattern = "^(draft|embargoed|published|withdrawn)?$")]
    state: String,
    /// The `next` of the previous page: the page of older advisories after
    /// it. Empty: the newest page. The same as `cursor`, its first name;
    /// ignored when `cursor` is given.
    #[param(pattern = "^(-?[0-9]{1,18}\\.[0-9A-Za-z_.-]{1,100})?$")]
    before: String,
}

#[utoipa::path(get, path = "/api/v1/advisories", tag = "advisories", params(ListQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = AdvisoryList, description = "One page, newest created first; `next_cursor` is the cursor to pass as `cursor` for the next page, null on the last; `next` is the same, under its first name"), (status = 400), (status = 401), (status = 403, description = "Admins only; a member contact finds the embargoed advisories announced to their organisation at `/member/advisories`")))]
pub async fn list_advisories(
    State(state): State<AppState>,
    caller: ApiCaller,
    super::ApiQuery(q): super::ApiQuery<ListQuery>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    let filter = match q.state.trim() {
        "" => None,
        s => Some(AdvisoryState::parse(s).map_err(|e| Error::BadRequest(e.to_string()))?),
    };
    let window = p.window_or_before(&q.before, DEFAULT_PAGE)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let list = crate::db::advisory_lists::Filter {
        state: filter,
        ..Default::default()
    };
    let page = crate::db::advisory_lists::find(&mut conn, &list, &window)
        .await
        .map_err(Error::from)?;
    let next = next_cursor(&page);
    drop(conn);
    let rows = page.items;
    let shown: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    crate::app::record_list(
        &state,
        &caller.audit(),
        "advisory.list_read",
        "advisories",
        &shown,
    )
    .await;
    let items = rows
        .iter()
        .map(advisory_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(
        json!({ "items": items, "next_cursor": next, "next": next }),
    ))
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}", tag = "advisories", security(("bearer" = [])),
    responses((status = 200, body = AdvisoryRead, description = "The OSV-shaped content plus `\"id\"`, `\"state\"`, `\"embargo\": {\"until\", \"time_zone\", \"in_time_zone\"}` and, per severity entry, `\"base_score\"` and `\"rating\"`; open: members may be added (`additionalProperties`). Admins read every advisory; a cleared member contact (active member, current policy accepted) an embargoed one only when it was announced to their organisation (need-to-know), and published ones; a delegate the embargoed advisory shared with them"),
        (status = 401), (status = 403, description = "Not an admin, a cleared member contact, or a delegate of this advisory; nothing was looked up"),
        (status = 404, description = "No such advisory, or one the caller may not read: a draft or withdrawn one, or an embargoed one not announced to the caller's organisation, alike")))]
pub async fn get_advisory(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    may_ask_for(&caller.actor, &id)?;
    let row = usecase::load(&state, &id).await.map_err(advisory_error)?;
    hidden_unless_readable(&state, &caller.actor, &row).await?;
    crate::app::record(&state, &caller.audit(), "advisory.read", row.id.as_str()).await;
    let mut out = advisory_json(&row)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    out["patches"] = json!(
        store::patches(&mut conn, &row.id)
            .await
            .map_err(Error::from)?
    );
    Ok(Json(out))
}

#[utoipa::path(patch, path = "/api/v1/advisories/{id}", tag = "advisories", security(("bearer" = [])),
    request_body(content = AdvisoryEditBody, description = "Any of the OSV-shaped top-level fields to replace, whole, plus `reason`"),
    responses((status = 200, body = AdvisoryEdited, description = "The advisory, with `changed`: the fields the edit changed"), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn edit_advisory(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJsonAs(mut body, _): ApiJsonAs<AdvisoryEditBody>,
) -> Result<Json<Value>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    let Some(patch) = body.as_object_mut() else {
        return Err(Error::BadRequest("expected a JSON object".into()).into());
    };
    let reason = match patch.remove("reason") {
        Some(Value::String(s)) => s,
        None => String::new(),
        Some(_) => {
            let mut f = FieldErrors::new();
            f.add("reason", "must be text");
            return Err(Error::Invalid(f).into());
        }
    };
    let changed = usecase::edit(&state, &caller.audit(), &id, patch, &reason)
        .await
        .map_err(advisory_error)?;
    let row = usecase::load(&state, &id).await.map_err(advisory_error)?;
    let mut out = advisory_json(&row)?;
    out["changed"] = json!(changed);
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EmbargoBody {
    /// RFC 3339 with offset, or a local time (`2026-12-01T14:00`) in
    /// `time_zone` that the zone does not skip or repeat.
    #[schema(format = "embargo-until")]
    until: String,
    /// The IANA time zone the embargo was agreed in, a name of the bundled
    /// time zone database spelled as there (`Europe/Berlin`, `UTC`).
    #[schema(format = "iana-time-zone")]
    time_zone: String,
    /// Why it is set or moved; kept in the history.
    #[serde(default)]
    #[schema(required = true, format = "not-blank")]
    reason: String,
    /// Sets a policy rule aside (too long, too short notice); recorded.
    #[serde(default)]
    override_reason: String,
}

#[utoipa::path(post, path = "/api/v1/advisories/{id}/embargo", tag = "advisories", request_body = EmbargoBody, security(("bearer" = [])),
    responses((status = 200, body = EmbargoSet), (status = 401), (status = 403), (status = 404), (status = 409, description = "the advisory's state does not allow it, or a policy rule is broken (named)"), (status = 422)))]
pub async fn set_embargo(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EmbargoBody>,
) -> Result<Json<EmbargoSet>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    if !body.override_reason.trim().is_empty() {
        Error::unless_allowed(&caller.actor, Action::OverrideEmbargoPolicy)?;
    }
    let req = EmbargoRequest {
        until: &body.until,
        time_zone: &body.time_zone,
        reason: &body.reason,
        override_reason: &body.override_reason,
    };
    let (embargo, warnings) = usecase::set_embargo(&state, &caller.audit(), &id, req)
        .await
        .map_err(advisory_error)?;
    Ok(Json(EmbargoSet {
        embargo: EmbargoView {
            until: crate::publish::rfc3339(embargo.until),
            in_time_zone: embargo.in_agreed_zone(),
            time_zone: embargo.time_zone,
        },
        warnings: warnings.iter().map(|w| w.message().to_owned()).collect(),
    }))
}

/// Why an advisory is published early or withdrawn: required, as it is
/// kept (and shown publicly for a withdrawn published one).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReasonBody {
    #[serde(default)]
    #[schema(required = true, format = "not-blank")]
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/advisories/{id}/publish", tag = "advisories", request_body = ReasonBody, security(("bearer" = [])),
    responses((status = 200, body = AdvisoryView, description = "The advisory, published"), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn publish_advisory(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<Value>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    usecase::publish_now(&state, &caller.audit(), &id, &body.reason)
        .await
        .map_err(advisory_error)?;
    let row = usecase::load(&state, &id).await.map_err(advisory_error)?;
    Ok(Json(advisory_json(&row)?))
}

#[utoipa::path(post, path = "/api/v1/advisories/{id}/withdraw", tag = "advisories", request_body = ReasonBody, security(("bearer" = [])),
    responses((status = 200, body = AdvisoryView, description = "The advisory, withdrawn"), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn withdraw_advisory(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<Value>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    usecase::withdraw(&state, &caller.audit(), &id, &body.reason)
        .await
        .map_err(advisory_error)?;
    let row = usecase::load(&state, &id).await.map_err(advisory_error)?;
    Ok(Json(advisory_json(&row)?))
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}/history", tag = "advisories", security(("bearer" = [])),
    responses((status = 200, body = AdvisoryHistory), (status = 401), (status = 403), (status = 404)))]
pub async fn advisory_history(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<AdvisoryHistory>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    let id = AdvisoryId::parse(&id).map_err(|_| Error::NotFound)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    store::get(&mut conn, &id)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    let revisions = store::revisions(&mut conn, &id)
        .await
        .map_err(Error::from)?;
    let embargo = store::embargo_history(&mut conn, &id)
        .await
        .map_err(Error::from)?;
    Ok(Json(AdvisoryHistory { revisions, embargo }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchBody {
    #[schema(format = "not-blank")]
    filename: String,
    #[serde(default, deserialize_with = "crate::domain::fields::present")]
    #[schema(nullable = false)]
    content_type: Option<String>,
    /// The patch, base64-encoded (RFC 4648 with padding), not empty.
    #[schema(format = "base64")]
    content_base64: String,
}

#[utoipa::path(post, path = "/api/v1/advisories/{id}/patches", tag = "advisories", request_body = PatchBody, security(("bearer" = [])),
    responses((status = 201, body = PatchAdded), (status = 401), (status = 403), (status = 404), (status = 413), (status = 422)))]
pub async fn add_patch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PatchBody>,
) -> Result<Response, ApiError> {
    use base64::Engine;
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    let content = base64::engine::general_purpose::STANDARD
        .decode(body.content_base64.trim_matches(crate::domain::email::EDGE))
        .map_err(|_| {
            let mut f = FieldErrors::new();
            f.add("content_base64", "is not valid base64");
            Error::Invalid(f)
        })?;
    if content.len() > state.config.limits.max_attachment_bytes {
        return Err(Error::TooLarge.into());
    }
    let patch = crate::db::reports::NewAttachment {
        filename: body.filename.trim().chars().take(255).collect(),
        content_type: body.content_type.unwrap_or_else(|| "text/x-diff".into()),
        content,
    };
    let pid = usecase::add_patch(&state, &caller.audit(), &id, &patch)
        .await
        .map_err(advisory_error)?;
    Ok((StatusCode::CREATED, Json(PatchAdded { id: pid })).into_response())
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}/patches/{patch}", tag = "advisories", security(("bearer" = [])),
    responses((status = 200, content_type = "application/octet-stream", description = "The patch, to whoever may read the advisory (as for `GET /api/v1/advisories/{id}`)"),
        (status = 401), (status = 403), (status = 404, description = "No such patch or advisory, or an advisory the caller may not read")))]
pub async fn get_patch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, patch)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    may_ask_for(&caller.actor, &id)?;
    let row = usecase::load(&state, &id).await.map_err(advisory_error)?;
    hidden_unless_readable(&state, &caller.actor, &row).await?;
    crate::app::record(
        &state,
        &caller.audit(),
        "advisory.patch_read",
        row.id.as_str(),
    )
    .await;
    Ok(patch_download(&state, &row.id, &patch).await?)
}

/// A patch as a download a browser will not render.
pub async fn patch_download(
    state: &AppState,
    advisory: &AdvisoryId,
    patch: &str,
) -> Result<Response, Error> {
    let mut conn = state.db.conn().await?;
    let (info, content) = store::patch_content(&mut conn, advisory, patch)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(crate::http::view::download(&info.filename, content))
}
