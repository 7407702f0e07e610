//! The route table. Routes are registered through [`Routes`], which also
//! records them, so the authorization matrix test can insist that every route
//! has a row.

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use tower_http::trace::TraceLayer;

use super::{api, pages};
use crate::app::AppState;

struct Routes {
    router: Router<AppState>,
    list: Vec<(Method, &'static str)>,
}

impl Routes {
    fn add(mut self, method: Method, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, route);
        self.list.push((method, path));
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::GET, path, get(h))
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::POST, path, post(h))
    }

    fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::DELETE, path, delete(h))
    }

    fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::PATCH, path, patch(h))
    }

    fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::PUT, path, put(h))
    }
}

#[rustfmt::skip]
fn routes() -> Routes {
    Routes {
        router: Router::new(),
        list: Vec::new(),
    }
    // Operations and public pages.
    .get("/healthz", pages::public::healthz)
    .get("/readyz", pages::public::readyz)
    // 404 unless `[metrics] token` is set; then only with that token.
    .get("/metrics", super::metrics::public_scrape)
    .get("/static/style.css", pages::public::stylesheet)
    .get("/static/passkeys.js", pages::public::passkeys_script)
    .get("/", pages::public::home)
    .get("/advisories", pages::advisories::index)
    .get("/advisories/{file}", pages::advisories::show)
    .get("/advisories/{file}/patches/{patch}", pages::advisories::public_patch)
    .get("/feed.atom", pages::advisories::feed)
    .get("/.well-known/security.txt", pages::advisories::security_txt)
    .get("/.well-known/csaf/provider-metadata.json", pages::advisories::csaf_provider_metadata)
    .get("/.well-known/csaf/white/index.txt", pages::advisories::csaf_index)
    .get("/.well-known/csaf/white/changes.csv", pages::advisories::csaf_changes)
    .get("/.well-known/csaf/white/{year}/{file}", pages::advisories::csaf_document)
    // The list's public OpenPGP key.
    .get("/list-key.asc", pages::list_key::armored_key)
    .get("/.well-known/openpgpkey/hu/{hash}", pages::list_key::wkd_key)
    .get("/.well-known/openpgpkey/policy", pages::list_key::wkd_policy)
    .get("/applications/confirm/{token}", pages::membership::confirm_application)
    .get("/applications/status/{token}", pages::membership::application_status)
    .get("/apply", pages::membership::apply_form)
    .post("/apply", pages::membership::apply)
    .get("/policy", pages::membership::policy)
    .post("/policy/accept", pages::membership::accept_policy)
    // A member contact's vouch for an applicant that named their member.
    .get("/applications/{id}/vouch", pages::membership::vouch_page)
    .post("/applications/{id}/vouch", pages::membership::vouch)
    .get("/report", pages::intake::report_form)
    .post("/report", pages::intake::create_report)
    // The reporter's capability link.
    .get("/track/{token}", pages::intake::track_report)
    .post("/track/{token}/messages", pages::intake::add_reporter_message)
    .get("/track/{token}/attachments/{attachment}", pages::intake::reporter_attachment)
    // Accounts.
    .get("/login", pages::login::login_form)
    .post("/login", pages::login::login)
    .post("/logout", pages::login::logout)
    // Passkeys: a challenge, then the browser's answer as a form.
    .post("/login/passkey/options", pages::passkeys::sign_in_options)
    .post("/login/passkey", pages::passkeys::sign_in)
    .post("/login/second-factor", pages::passkeys::second_factor)
    .get("/setup/{token}", pages::account::setup_form)
    .post("/setup/{token}", pages::account::complete_setup)
    .get("/account", pages::account::account_page)
    .post("/account/tokens", pages::account::create_token)
    .post("/account/language", pages::account::set_language)
    .post("/account/time-zone", pages::account::set_time_zone)
    .post("/account/tokens/{id}/revoke", pages::account::revoke_token)
    .post("/account/keys", pages::account::upload_key)
    .post("/account/keys/{id}/retire", pages::account::retire_key)
    .post("/account/passkeys/options", pages::passkeys::registration_options)
    .post("/account/passkeys", pages::passkeys::add_passkey)
    .post("/account/passkeys/{id}/remove", pages::passkeys::remove_passkey)
    // An authenticator app after set-up, and its recovery codes.
    .get("/account/totp", pages::second_factor::totp_form)
    .post("/account/totp", pages::second_factor::add_totp)
    .post("/account/recovery-codes", pages::second_factor::new_recovery_codes)
    // One's sessions and tokens, all ended at once.
    .post("/account/sign-out-everywhere", pages::sessions::sign_out_everywhere)
    .get("/member", pages::member_self::show)
    .post("/member/contacts", pages::member_self::add_contact)
    .post("/member/contacts/{id}/remove", pages::member_self::remove_contact)
    .post("/member/leave", pages::member_self::leave)
    .post("/member/leaks", pages::leaks::member_report)
    .get("/member/leaks/{id}", pages::leaks::member_show)
    .post("/member/leaks/{id}/comments", pages::leaks::member_comment)
    // The list's view of embargoed advisories.
    .get("/member/advisories", pages::member_advisories::list)
    .get("/member/advisories/{id}", pages::member_advisories::show)
    .get("/member/advisories/{id}/patches/{patch}", pages::member_advisories::patch)
    // Triage.
    .get("/admin/reports", pages::triage::inbox)
    .get("/admin/reports/{id}", pages::triage::show_report)
    .post("/admin/reports/{id}/reply", pages::triage::reply_to_report)
    .post("/admin/reports/{id}/status", pages::triage::change_report_status)
    .post("/admin/reports/{id}/assign", pages::triage::assign_report)
    .get("/admin/reports/{id}/attachments/{attachment}", pages::triage::report_attachment)
    .get("/admin/jobs", pages::triage::list_jobs)
    .post("/admin/jobs/{id}/retry", pages::triage::retry_job)
    .get("/admin/advisories", pages::advisories_admin::list)
    .get("/admin/advisories/new", pages::advisory_new::new_form)
    .post("/admin/advisories", pages::advisory_new::create)
    .get("/admin/advisories/{id}", pages::advisories_admin::show)
    .post("/admin/advisories/{id}/edit", pages::advisories_admin::edit)
    .post("/admin/advisories/{id}/embargo", pages::embargo_form::set_embargo)
    .post("/admin/advisories/{id}/publish", pages::advisories_admin::publish)
    .post("/admin/advisories/{id}/withdraw", pages::advisories_admin::withdraw)
    .post("/admin/advisories/{id}/github", pages::advisory_github::link)
    .post("/admin/advisories/{id}/github/cve", pages::advisory_github::request_cve)
    .post("/admin/advisories/{id}/patches", pages::advisory_patches::upload_patch)
    .get("/admin/advisories/{id}/patches/{patch}", pages::advisory_patches::admin_patch)
    // Announcing to the list, through a confirmation, and who got it.
    .post("/admin/advisories/{id}/announcements/confirm", pages::announcements_admin::confirm_announcement)
    .post("/admin/advisories/{id}/announcements", pages::announcements_admin::announce)
    .post("/admin/advisories/{id}/leaks", pages::leaks::admin_report)
    .get("/admin/leaks", pages::leaks_list::list)
    .get("/admin/leaks/{id}", pages::leaks::admin_show)
    .post("/admin/leaks/{id}", pages::leaks::decide)
    .post("/admin/leaks/{id}/comments", pages::leaks::admin_comment)
    .get("/admin/announcements/{id}", pages::announcements_admin::show_announcement)
    // The membership process.
    .get("/admin/applications", pages::members_admin::applications)
    .get("/admin/applications/{id}", pages::members_admin::application)
    .post("/admin/applications/{id}/decision", pages::members_admin::decide)
    .get("/admin/members", pages::members_admin::members)
    .post("/admin/members", pages::members_admin::add_member)
    .post("/admin/members/{id}/removal", pages::members_admin::remove_member)
    .get("/admin/criteria", pages::members_admin::criteria)
    .post("/admin/criteria", pages::members_admin::update_criteria)
    .get("/admin/policy", pages::policy_admin::policy)
    .post("/admin/policy", pages::policy_admin::publish_policy)
    // Admins invite admins; the invited set up through a mailed link.
    .get("/admin/admins", pages::admins_admin::admins)
    .post("/admin/admins", pages::admins_admin::invite_admin)
    // Liveness of members' security aliases, and member reviews.
    .get("/liveness/{token}", pages::liveness::answer_ping)
    .get("/admin/members/{id}", pages::liveness::member_page)
    .post("/admin/members/{id}/review", pages::liveness::review)
    // Clear text for one contact: allowed with a reason, or withdrawn.
    .post("/admin/members/{id}/contacts/{contact}/clear-text", pages::clear_text::allow_clear_text)
    .post("/admin/members/{id}/contacts/{contact}/clear-text/withdraw", pages::clear_text::withdraw_clear_text)
    // A new set-up link for a contact who has not set up.
    .post("/admin/members/{id}/contacts/{contact}/setup-link", pages::member_contacts_admin::resend_setup_link)
    // Mail templates.
    .get("/admin/templates", pages::templates_admin::list_templates)
    .get("/admin/templates/{name}", pages::templates_admin::show_template)
    .post("/admin/templates/{name}", pages::template_forms::edit_template)
    .post("/admin/templates/{name}/revert", pages::template_forms::revert_template)
    .post("/admin/templates/{name}/reset", pages::template_forms::reset_template)
    // JSON API.
    .get("/api/openapi.json", api::openapi_json)
    .post("/api/v1/reports", api::reports::create_report)
    .get("/api/v1/reports", api::reports::list_reports)
    .get("/api/v1/reports/{id}", api::reports::get_report)
    .post("/api/v1/reports/{id}/messages", api::reports::reply_to_report)
    .post("/api/v1/reports/{id}/status", api::reports::change_report_status)
    .post("/api/v1/reports/{id}/assignee", api::reports::assign_report)
    .get("/api/v1/reports/{id}/attachments/{attachment}", api::reports::get_attachment)
    .get("/api/v1/track/{token}", api::track::get_tracked_report)
    .post("/api/v1/track/{token}/messages", api::track::add_reporter_message)
    .get("/api/v1/track/{token}/attachments/{attachment}", api::track::get_tracked_attachment)
    .post("/api/v1/setup/{token}", api::account::complete_setup)
    .get("/api/v1/me", api::account::get_me)
    .put("/api/v1/me/language", api::account::set_language)
    .put("/api/v1/me/time-zone", api::account::set_time_zone)
    .get("/api/v1/me/keys", api::me::list_keys)
    .post("/api/v1/me/keys", api::me::upload_key)
    .delete("/api/v1/me/keys/{id}", api::me::retire_key)
    .get("/api/v1/me/member", api::me::my_member)
    .post("/api/v1/me/member/contacts", api::me::add_contact)
    .delete("/api/v1/me/member/contacts/{id}", api::me::remove_contact)
    .post("/api/v1/me/member/leave", api::me::leave)
    .get("/api/v1/tokens", api::account::list_tokens)
    .get("/api/v1/me/sessions", api::sessions::list_sessions)
    .post("/api/v1/me/sign-out-everywhere", api::sessions::sign_out_everywhere)
    .post("/api/v1/tokens", api::account::create_token)
    .delete("/api/v1/tokens/{id}", api::account::revoke_token)
    .post("/api/v1/advisories", api::advisories::create_advisory)
    .get("/api/v1/advisories", api::advisories::list_advisories)
    .get("/api/v1/advisories/{id}", api::advisories::get_advisory)
    .get("/api/v1/advisories/{id}/cve", api::cve::get_advisory_cve)
    .get("/api/v1/advisories/{id}/github", api::github::get_advisory_github)
    .put("/api/v1/advisories/{id}/github", api::github::set_advisory_github)
    .post("/api/v1/advisories/{id}/github/cve", api::github::request_advisory_cve)
    .patch("/api/v1/advisories/{id}", api::advisories::edit_advisory)
    .post("/api/v1/advisories/{id}/embargo", api::advisories::set_embargo)
    .post("/api/v1/advisories/{id}/publish", api::advisories::publish_advisory)
    .post("/api/v1/advisories/{id}/withdraw", api::advisories::withdraw_advisory)
    .get("/api/v1/advisories/{id}/history", api::advisories::advisory_history)
    .post("/api/v1/advisories/{id}/patches", api::advisories::add_patch)
    .get("/api/v1/advisories/{id}/patches/{patch}", api::advisories::get_patch)
    .post("/api/v1/advisories/{id}/announcements", api::announcements::announce)
    .get("/api/v1/announcements/{id}", api::announcements::get_announcement)
    .post("/api/v1/advisories/{id}/shares", api::shares::create_share)
    .get("/api/v1/advisories/{id}/shares", api::shares::list_shares)
    .delete("/api/v1/shares/{id}", api::shares::revoke_share)
    .post("/api/v1/shares/{id}/accept", api::shares::accept_share)
    .post("/api/v1/leaks", api::leaks::report_leak)
    .post("/api/v1/leaks/trace", api::leaks::trace_leak)
    .get("/api/v1/leaks/{id}", api::leaks::get_leak)
    .put("/api/v1/leaks/{id}/retrospective", api::leaks::write_retrospective)
    .post("/api/v1/leaks/{id}/comments", api::leaks::comment_on_leak)
    .post("/api/v1/leaks/{id}/notice", api::leaks::notify_list)
    .post("/api/v1/leaks/{id}/close", api::leaks::close_leak)
    .post("/api/v1/leaks/{id}/withdraw", api::leaks::withdraw_leak)
    .get("/api/v1/members/{id}/leaks", api::leaks::member_leaks)
    .get("/api/v1/templates", api::templates::list_templates)
    .get("/api/v1/templates/{name}", api::templates::get_template)
    .put("/api/v1/templates/{name}", api::templates::save_template)
    .delete("/api/v1/templates/{name}", api::templates::reset_template)
    .post("/api/v1/templates/{name}/preview", api::templates::preview_template)
    .get("/api/v1/templates/{name}/versions", api::templates::list_versions)
    .post("/api/v1/templates/{name}/revert", api::templates::revert_template)
    .post("/api/v1/advisories/{id}/test-reports", api::test_reports::create_test_report)
    .get("/api/v1/advisories/{id}/test-reports", api::test_reports::list_test_reports)
    .get("/api/v1/advisories/{id}/test-reports/{report}/attachments/{n}", api::test_reports::get_test_report_attachment)
    .post("/api/v1/advisories/{id}/tasks", api::tasks::create_task)
    .get("/api/v1/advisories/{id}/tasks", api::tasks::list_tasks)
    .get("/api/v1/tasks/{id}", api::tasks::get_task)
    .post("/api/v1/tasks/{id}/done", api::tasks::task_done)
    .put("/api/v1/tasks/{id}/draft", api::tasks::save_task_draft)
    .post("/api/v1/tasks/{id}/draft/apply", api::tasks::apply_task_draft)
    .get("/api/v1/members/{id}/record", api::tasks::member_record)
    .get("/api/v1/criteria", api::membership::get_criteria)
    .put("/api/v1/criteria", api::membership::update_criteria)
    .post("/api/v1/applications", api::membership::create_application)
    .get("/api/v1/applications", api::membership_lists::list_applications)
    .get("/api/v1/applications/status/{token}", api::membership::application_status)
    .post("/api/v1/applications/confirm/{token}", api::membership::confirm_application)
    .get("/api/v1/applications/{id}", api::membership::get_application)
    .post("/api/v1/applications/{id}/vouches", api::membership::vouch)
    .post("/api/v1/applications/{id}/decision", api::membership::decide)
    .post("/api/v1/members", api::membership::add_member)
    .get("/api/v1/members", api::membership_lists::list_members)
    .post("/api/v1/members/{id}/removal", api::membership::remove_member)
    .put("/api/v1/members/{id}/contacts/{contact}/clear-text", api::clear_text::allow_clear_text)
    .delete("/api/v1/members/{id}/contacts/{contact}/clear-text", api::clear_text::withdraw_clear_text)
    .get("/api/v1/policy", api::membership::get_policy)
    .post("/api/v1/policy", api::membership::publish_policy)
    .post("/api/v1/policy/accept", api::membership::accept_policy)
    .post("/api/v1/liveness/{token}", api::liveness::answer_ping)
    .get("/api/v1/members/{id}/liveness", api::liveness::member_liveness)
    .get("/api/v1/members/{id}/reviews", api::liveness::list_reviews)
    .post("/api/v1/members/{id}/reviews", api::liveness::create_review)
    .get("/api/v1/list-key", api::list_key::get_list_key)
    .get("/api/v1/jobs", api::jobs::list_jobs)
    .post("/api/v1/jobs/{id}/retry", api::jobs::retry_job)
}

/// Every (method, path) the service answers, for the authorization matrix.
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes().list
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.limits.max_body_bytes;
    let ours: std::sync::Arc<str> = super::guard::origin_of(state.config.base())
        .unwrap_or_default()
        .into();
    let clock = state.clock.clone();
    routes()
        .router
        .fallback(pages::public::not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(
            ours,
            super::guard::same_origin_forms,
        ))
        // Inside the headers' layer, so a re-rendered error page has them.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            super::error_pages::with_layout,
        ))
        .layer(middleware::from_fn_with_state(
            state.config.secure_cookies(),
            security_headers,
        ))
        .layer(middleware::from_fn(return_after_login))
        .layer(middleware::from_fn(no_store_unless_public))
        // Everything a request does reads this state's clock.
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let clock = clock.clone();
            async move { clock.scope(next.run(req)).await }
        }))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // The route template only: paths carry capability tokens.
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), route = %route)
        }))
        // Outermost, so a request's time includes every layer's.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            super::metrics::track,
        ))
        .with_state(state)
}

/// A page that sends an anonymous visitor to log in says where they were
/// going (`/login?next=/admin/reports`), so the login returns them there.
/// Only for GET: a form's target cannot be returned to.
async fn return_after_login(req: Request, next: Next) -> Response {
    let wanted = match req.method() == axum::http::Method::GET {
        true => req.uri().path_and_query().map(|p| p.as_str().to_owned()),
        false => None,
    };
    let mut resp = next.run(req).await;
    let to_login = resp.status() == axum::http::StatusCode::SEE_OTHER
        && resp
            .headers()
            .get(header::LOCATION)
            .is_some_and(|l| l == "/login");
    if let Some(path) = wanted.filter(|_| to_login) {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &path)
            .finish();
        if let Ok(v) = HeaderValue::from_str(&format!("/login?{query}")) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
    }
    resp
}

/// Browser hardening on every answer; `https` when `base_url` is https,
/// which adds HSTS: a browser that came once never again asks in clear,
/// where a network attacker could strip TLS before the first redirect.
async fn security_headers(
    axum::extract::State(https): axum::extract::State<bool>,
    req: Request,
    next: Next,
) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Capability links live in URLs: a referrer is only ever the origin.
    // (Not no-referrer: with it, browsers send `Origin: null` on our own
    // form posts, and the origin check in guard.rs needs the real one.)
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        // Scripts and fetches only from this origin: the one script is
        // /static/passkeys.js; no inline script runs.
        HeaderValue::from_static("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    resp
}

/// Publications anyone may read and any cache may keep.
fn is_public_publication(path: &str) -> bool {
    path == "/advisories"
        || path.starts_with("/advisories/")
        || path == "/feed.atom"
        || path == "/list-key.asc"
        || path.starts_with("/.well-known/")
        || path.starts_with("/static/")
        || path == "/api/openapi.json"
}

/// Everything but the public publications may be private (a report, a
/// tracking view, an embargoed advisory, an account): no cache, shared or
/// the browser's, may keep it.
async fn no_store_unless_public(req: Request, next: Next) -> Response {
    let public = is_public_publication(req.uri().path());
    let mut resp = next.run(req).await;
    if !public {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}
