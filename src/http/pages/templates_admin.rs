//! The admin pages of the mail templates: the list of every mail by whom it
//! goes to. The use cases are `app::templates`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::membership::allow;
use crate::app::AppState;
use crate::app::templates as usecase;
use crate::domain::authz::Action;
use crate::domain::mail_kind::{Audience, MailKind};
use crate::http::api::templates::template_error;
use crate::http::error::PageError;
use crate::http::extract::Page;

/// The list's groups, in the order the page shows them.
const GROUPS: &[(Audience, &str)] = &[
    (Audience::Reporter, "To the reporter"),
    (Audience::Admins, "To the team's admins"),
    (
        Audience::Applicants,
        "To organisations applying to the list",
    ),
    (Audience::Members, "To the list's members"),
    (Audience::Public, "To the public"),
];

/// Every template, grouped by audience, with its purpose and the languages
/// the team has its own text in.
pub async fn list_templates(
    State(state): State<AppState>,
    page: Page,
) -> Result<Response, PageError> {
    allow(&page, Action::ManageTemplates)?;
    let customized = usecase::customized(&state).await.map_err(template_error)?;
    let groups: Vec<Value> = GROUPS
        .iter()
        .filter_map(|(audience, heading)| {
            let templates: Vec<Value> = MailKind::ALL
                .iter()
                .filter(|k| k.entry().audience == *audience)
                .map(|k| {
                    let languages = customized.get(k.name()).cloned().unwrap_or_default();
                    json!({ "name": k.name(), "purpose": k.entry().purpose, "languages": languages })
                })
                .collect();
            let shown = !templates.is_empty();
            shown.then(|| json!({ "audience": audience.as_str(), "heading": heading, "templates": templates }))
        })
        .collect();
    page.render(
        &state,
        "admin_templates",
        "Mail templates",
        json!({ "groups": groups }),
    )
}
