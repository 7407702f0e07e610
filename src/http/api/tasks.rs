//! Tasks with a primary and a backup member, their drafts, and each
//! member's record of contributing back.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::ApiJson;
use super::paging::{PageQuery, WHOLE_LIST, next_cursor};
use super::task_schemas::{
    AppliedWord, DraftApplied, RecordView, TaskList, TaskStatus, TaskStatusWord, TaskView,
};
use super::test_reports::{Created, contribution_error, readable_advisory};
use crate::app::AppState;
use crate::app::contributions::record::of_member;
use crate::app::contributions::tasks::{self as usecase, Worker};
use crate::db::tasks::TaskRow;
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::contribution::TaskInput;
use crate::domain::fields::present;
use crate::domain::id::MemberId;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    /// `review_patch`, `test_platform`, `draft_disclosure_mail`,
    /// `draft_release_notes` or `other`.
    #[schema(
        pattern = "^[ \\t\\n\\r]*(review_patch|test_platform|draft_disclosure_mail|draft_release_notes|other)[ \\t\\n\\r]*$"
    )]
    kind: String,
    #[schema(max_length = 200, format = "not-blank")]
    title: String,
    /// The member asked first: an active member (409 otherwise).
    #[schema(pattern = "^[ \\t\\n\\r]*mem_[a-km-np-z2-9]{16}[ \\t\\n\\r]*$")]
    primary: String,
    /// Another active member, who takes over if it is not done by `due`.
    #[schema(pattern = "^[ \\t\\n\\r]*mem_[a-km-np-z2-9]{16}[ \\t\\n\\r]*$")]
    backup: String,
    /// RFC 3339 instant with an offset; one already past is 409.
    #[schema(format = "rfc3339-instant")]
    due: String,
}

/// Whether `actor` may work on `task` ([`Action::WorkOnTask`]).
fn may_work_on(actor: &Actor, task: &TaskRow) -> bool {
    match (
        MemberId::parse(&task.primary),
        MemberId::parse(&task.backup),
    ) {
        (Ok(primary), Ok(backup)) => authorize(
            actor,
            Action::WorkOnTask {
                primary: &primary,
                backup: &backup,
            },
        )
        .is_allowed(),
        _ => false,
    }
}

/// The task, if the caller may work on it (404 as for a made-up id if not).
async fn workable(state: &AppState, actor: &Actor, id: &str) -> Result<TaskRow, Error> {
    if matches!(actor, Actor::Anonymous) {
        return Err(Error::Unauthenticated);
    }
    let task = usecase::get(state, id).await.map_err(contribution_error)?;
    if !may_work_on(actor, &task) {
        return Err(Error::NotFound);
    }
    Ok(task)
}

#[utoipa::path(post, path = "/api/v1/advisories/{id}/tasks", tag = "contributions", request_body = TaskBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Advisory id")),
    responses((status = 201, body = Created, description = "Created: the primary's contacts get a mail (ids and the due instant only); a reminder is scheduled a day before `due` and the hand-over to the backup at `due`"),
        (status = 401), (status = 403), (status = 404),
        (status = 409, description = "The advisory is a draft or withdrawn"),
        (status = 422, description = "Primary and backup must be two different members on the list; `due` in the future")))]
pub async fn create_task(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TaskBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    let Actor::Account { id: account, .. } = &caller.actor else {
        return Err(Error::Unauthenticated.into());
    };
    let input = TaskInput {
        kind: &body.kind,
        title: &body.title,
        primary: &body.primary,
        backup: &body.backup,
        due: &body.due,
    };
    let task = usecase::create(&state, &caller.audit(), account, &id, &input)
        .await
        .map_err(contribution_error)?;
    Ok((StatusCode::CREATED, Json(Created::new(task.as_str()))))
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}/tasks", tag = "contributions", security(("bearer" = [])),
    params(("id" = String, Path, description = "Advisory id"), PageQuery),
    responses((status = 200, body = TaskList, description = "By due instant: all for admins, for a member contact the tasks naming its organisation as primary or backup"),
        (status = 401), (status = 403), (status = 404)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<TaskList>, ApiError> {
    let window = p.window(WHOLE_LIST)?;
    let advisory = readable_advisory(&state, &caller.actor, &id).await?;
    // The query narrows to the caller's organisation's; the one rule
    // still decides each task shown.
    let scope = match authorize(&caller.actor, Action::ManageAdvisories).is_allowed() {
        true => None,
        false => match caller.actor.member() {
            Some(m) => Some(m),
            None => {
                return Ok(Json(TaskList {
                    items: Vec::new(),
                    next_cursor: None,
                }));
            }
        },
    };
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let page = crate::db::tasks::page_for_advisory(
        &mut conn,
        advisory.id.as_str(),
        scope.map(MemberId::as_str),
        &window,
    )
    .await
    .map_err(Error::from)?;
    drop(conn);
    let shown: Vec<&TaskRow> = page
        .items
        .iter()
        .filter(|t| may_work_on(&caller.actor, t))
        .collect();
    let ids: Vec<&str> = shown.iter().map(|t| t.id.as_str()).collect();
    crate::app::record_list(
        &state,
        &caller.audit(),
        "task.list_read",
        advisory.id.as_str(),
        &ids,
    )
    .await;
    Ok(Json(TaskList {
        items: shown.into_iter().map(TaskView::of).collect(),
        next_cursor: next_cursor(&page),
    }))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "contributions", security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskView, description = "The task, as in the advisory's list"), (status = 401),
        (status = 404, description = "No such task, or not one naming the caller's organisation")))]
pub async fn get_task(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<TaskView>, ApiError> {
    let task = workable(&state, &caller.actor, &id).await?;
    crate::app::record(&state, &caller.audit(), "task.read", &task.id).await;
    Ok(Json(TaskView::of(&task)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneBody {
    /// What was done, and found.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    notes: Option<String>,
    /// For a `draft_disclosure_mail` or `draft_release_notes` task: the text.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    draft: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/done", tag = "contributions", request_body = DoneBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskStatus, description = "`done`: credited to the caller's organisation (for an admin, to the member holding the task)"),
        (status = 401), (status = 404, description = "No such task, or not one naming the caller's organisation"),
        (status = 409, description = "Done already"), (status = 422)))]
pub async fn task_done(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DoneBody>,
) -> Result<Json<TaskStatus>, ApiError> {
    let task = workable(&state, &caller.actor, &id).await?;
    let Actor::Account {
        id: account,
        contact,
        ..
    } = &caller.actor
    else {
        return Err(Error::Unauthenticated.into());
    };
    // Admins have no organisation: theirs credits the task's holder.
    let by = Worker {
        account,
        member: contact.as_ref().map(|c| &c.member),
    };
    let (notes, draft) = (body.notes.as_deref(), body.draft.as_deref());
    usecase::done(&state, &caller.audit(), by, &task.id, notes, draft)
        .await
        .map_err(contribution_error)?;
    Ok(Json(TaskStatus {
        status: TaskStatusWord::Done,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    draft: String,
}

#[utoipa::path(put, path = "/api/v1/tasks/{id}/draft", tag = "contributions", request_body = DraftBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskStatus, description = "`saved`: the draft replaced"), (status = 401),
        (status = 404, description = "No such task, or not one naming the caller's organisation"),
        (status = 422, description = "Empty, too long, or not a drafting task")))]
pub async fn save_task_draft(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DraftBody>,
) -> Result<Json<TaskStatus>, ApiError> {
    let task = workable(&state, &caller.actor, &id).await?;
    usecase::save_draft(&state, &caller.audit(), &task.id, &body.draft)
        .await
        .map_err(contribution_error)?;
    Ok(Json(TaskStatus {
        status: TaskStatusWord::Saved,
    }))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/draft/apply", tag = "contributions", security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = DraftApplied, description = "The draft is the advisory's `details` now, as an edit in its history"),
        (status = 401), (status = 403), (status = 404),
        (status = 409, description = "No draft yet, or the advisory is withdrawn or changed meanwhile"), (status = 422)))]
pub async fn apply_task_draft(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<DraftApplied>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageAdvisories)?;
    let revision = usecase::apply_draft(&state, &caller.audit(), &id)
        .await
        .map_err(contribution_error)?;
    Ok(Json(DraftApplied {
        status: AppliedWord::Applied,
        revision,
    }))
}

#[utoipa::path(get, path = "/api/v1/members/{id}/record", tag = "contributions", security(("bearer" = [])),
    params(("id" = String, Path, description = "Member id")),
    responses((status = 200, body = RecordView, description = "Leaks not withdrawn, all time; tasks missed as primary; the last activity is the latest test report or task done"),
        (status = 401), (status = 404, description = "No such member, or not the caller's")))]
pub async fn member_record(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<RecordView>, ApiError> {
    let member = Error::member_in_path(&caller.actor, &id, |m| Action::ReadMemberRecord(m))?;
    let record = of_member(&state, member.as_str())
        .await
        .map_err(contribution_error)?;
    Ok(Json(RecordView::of(&record)))
}
