//! HTML pages. Every state-changing form carries the CSRF token and every
//! action works without JavaScript.

pub mod account;
pub mod admins_admin;
pub mod advisories;
pub mod advisories_admin;
mod advisory_editor;
mod advisory_forms;
pub mod advisory_github;
pub mod advisory_new;
pub mod advisory_patches;
pub mod announcements_admin;
pub mod clear_text;
mod confirm;
pub mod embargo_form;
pub mod flash;
pub mod intake;
mod intake_files;
pub mod leaks;
pub mod leaks_list;
pub mod list_key;
pub mod liveness;
pub mod login;
pub mod member_advisories;
pub mod member_contacts_admin;
pub mod member_forms;
pub mod member_self;
pub mod members_admin;
pub mod membership;
pub mod passkeys;
pub mod policy_admin;
pub mod public;
pub mod second_factor;
pub mod sessions;
pub mod template_forms;
mod template_history;
pub mod templates_admin;
pub mod triage;

use axum::response::{IntoResponse, Redirect, Response};

pub use flash::Flash;

/// 303 to `to`, after a form post (post/redirect/get).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A form whose only field is its CSRF token (buttons that act).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    pub csrf: String,
}
