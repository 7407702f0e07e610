//! The JSON API under `/api/v1`. Authenticated by `Authorization: Bearer`
//! tokens only; every route authorizes through `domain::authz`.

pub mod account;
pub mod advisories;
pub mod advisory_schemas;
pub mod announcements;
pub mod body_schemas;
pub mod clear_text;
pub mod cve;
pub mod errors;
pub mod github;
pub mod jobs;
pub mod leak_schemas;
pub mod leaks;
pub mod list_key;
pub mod liveness;
pub mod me;
pub mod membership;
pub mod membership_lists;
pub mod membership_schemas;
pub mod paging;
pub mod report_schemas;
pub mod reports;
pub mod request_schemas;
pub mod sessions;
pub mod shares;
pub mod task_schemas;
pub mod tasks;
pub mod templates;
pub mod test_report_schemas;
pub mod test_reports;
pub mod track;
pub mod whole;

use axum::Json;
use axum::response::{IntoResponse, Response};
use errors::ErrorResponses;
use request_schemas::RequestBodies;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

pub use super::body::{ApiJson, ApiJsonAs};

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "embargo API", description = "Coordinated vulnerability disclosure: reports, triage and accounts. Errors are `{\"error\": MESSAGE}`, or `{\"errors\": {FIELD: MESSAGE}}` with status 422."),
    modifiers(&BearerAuth, &ErrorResponses, &RequestBodies),
    paths(
        reports::create_report, reports::list_reports, reports::get_report, reports::reply_to_report,
        reports::change_report_status, reports::assign_report, reports::get_attachment,
        track::get_tracked_report, track::add_reporter_message, track::get_tracked_attachment,
        account::complete_setup, account::get_me, account::set_language, account::set_time_zone, account::list_tokens, account::create_token, account::revoke_token,
        sessions::list_sessions, sessions::sign_out_everywhere,
        jobs::list_jobs, jobs::retry_job,
        advisories::create_advisory, advisories::list_advisories, advisories::get_advisory, cve::get_advisory_cve, github::get_advisory_github, github::set_advisory_github, github::request_advisory_cve, advisories::edit_advisory,
        advisories::set_embargo, advisories::publish_advisory, advisories::withdraw_advisory, advisories::advisory_history, advisories::add_patch, advisories::get_patch,
        announcements::announce, announcements::get_announcement,
        shares::create_share, shares::list_shares, shares::revoke_share, shares::accept_share,
        membership::get_criteria, membership::update_criteria, membership::create_application, membership_lists::list_applications,
        membership::get_application, membership::application_status, membership::confirm_application, membership::vouch,
        membership::decide, membership::add_member, membership_lists::list_members, membership::remove_member,
        clear_text::allow_clear_text, clear_text::withdraw_clear_text,
        membership::get_policy, membership::publish_policy, membership::accept_policy,
        liveness::answer_ping, liveness::member_liveness, liveness::list_reviews, liveness::create_review,
        me::list_keys, me::upload_key, me::retire_key, me::my_member, me::add_contact, me::remove_contact, me::leave,
        list_key::get_list_key,
        leaks::report_leak, leaks::get_leak, leaks::write_retrospective, leaks::comment_on_leak,
        leaks::close_leak, leaks::withdraw_leak, leaks::member_leaks, leaks::trace_leak, leaks::notify_list,
        test_reports::create_test_report, test_reports::list_test_reports, test_reports::get_test_report_attachment,
        tasks::create_task, tasks::list_tasks, tasks::get_task, tasks::task_done, tasks::save_task_draft,
        tasks::apply_task_draft, tasks::member_record,
        templates::list_templates, templates::get_template, templates::save_template, templates::reset_template,
        templates::preview_template, templates::list_versions, templates::revert_template,
    ),
    tags((name = "reports"), (name = "reporter"), (name = "accounts"), (name = "jobs"), (name = "advisories"), (name = "membership"), (name = "list key"), (name = "leaks"), (name = "contributions", description = "Contributing back: test reports, tasks with a primary and a backup, each member's record"), (name = "templates", description = "The mail templates: every mail embargo sends, editable with preview, checks and history"))
)]
pub struct ApiDoc;

/// `axum::extract::Query` whose refusal (a field given twice, say) is a
/// JSON 400 like every other error of the API.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for ApiQuery<T>
{
    type Rejection = crate::http::error::ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(q)) => Ok(Self(q)),
            Err(e) => Err(crate::http::error::Error::BadRequest(e.body_text()).into()),
        }
    }
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}
