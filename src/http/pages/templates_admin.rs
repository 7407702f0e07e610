//! The admin pages of the mail templates: the list of every mail by whom it
//! goes to, and one template's page with the editor, the preview beside it,
//! the variables it may use, and every version with its diff. The forms
//! that change a template are in `template_forms`; the use cases are
//! `app::templates`.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::member_forms::{self as forms, Layout};
use super::membership::allow;
use super::template_forms::EditForm;
use super::template_history;
use crate::app::AppState;
use crate::app::templates as usecase;
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::language::Language;
use crate::domain::mail_kind::{Audience, MailKind};
use crate::http::api::templates::{language, template_error};
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::mail::templates::RenderedMail;
use crate::mail::templates::check::check;

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

/// The mail template named `name`, once the page's caller may manage
/// templates; 404 for a name the catalogue does not have.
pub(super) fn template(page: &Page, name: &str) -> Result<MailKind, Error> {
    allow(page, Action::ManageTemplates)?;
    MailKind::parse(name).ok_or(Error::NotFound)
}

/// The page of `kind` in `lang`.
pub(super) fn page_path(kind: MailKind, lang: &Language) -> String {
    format!("/admin/templates/{}?lang={lang}", kind.name())
}

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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TemplateQuery {
    lang: String,
    /// The confirmations a change redirects with: the new version.
    saved: String,
    reverted: String,
    reset: String,
}

impl TemplateQuery {
    fn notice(&self) -> Option<String> {
        let number = |s: &str| s.parse::<i64>().ok();
        if let Some(n) = number(&self.saved) {
            return Some(format!("Saved as version {n}; the next mail uses it."));
        }
        if let Some(n) = number(&self.reverted) {
            return Some(format!(
                "Reverted: version {n} has the old text again; the next mail uses it."
            ));
        }
        number(&self.reset).map(|n| {
            format!("Back to the built-in text (version {n} says so); the next mail uses it.")
        })
    }
}

/// `GET /admin/templates/{name}?lang=xx`: the editor with the current text.
pub async fn show_template(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
    Query(q): Query<TemplateQuery>,
) -> Result<Response, PageError> {
    let kind = template(&page, &name)?;
    let lang = language(Some(q.lang.as_str()).filter(|l| !l.trim().is_empty()))?;
    let shown = Shown {
        notice: q.notice(),
        ..Shown::default()
    };
    render_template(&state, &page, kind, &lang, shown).await
}

/// What the page shows besides the stored state.
#[derive(Debug, Default)]
pub(super) struct Shown {
    /// The editor as typed; `None`: the current text.
    pub typed: Option<EditForm>,
    /// The draft's preview, when the form asked for one and it passed.
    pub draft: Option<RenderedMail>,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

/// A mail as the preview shows it.
fn preview(mail: &RenderedMail) -> Value {
    json!({ "subject": mail.subject, "text": mail.text, "html": mail.html })
}

/// The page of `kind` opened for `lang`; a page with errors answers 422.
pub(super) async fn render_template(
    state: &AppState,
    page: &Page,
    kind: MailKind,
    lang: &Language,
    shown: Shown,
) -> Result<Response, PageError> {
    let current = usecase::current(state, kind, lang)
        .await
        .map_err(template_error)?;
    let mut conn = state.db.conn().await?;
    let rows = crate::db::templates::history(&mut conn, kind.name()).await?;
    drop(conn);
    let builtin = crate::render::builtin_sources(kind.name())
        .ok_or_else(|| anyhow::anyhow!("no built-in text for {}", kind.name()))?;
    let history = template_history::by_language(rows, &builtin);
    let customized = usecase::customized(state).await.map_err(template_error)?;
    let languages = customized.get(kind.name()).cloned().unwrap_or_default();
    let (draft, preview, preview_error) = match (&shown.typed, &shown.draft) {
        (Some(_), Some(mail)) => (true, Some(preview(mail)), None),
        (Some(_), None) => (true, None, None),
        (None, _) => match check(kind, &current.sources) {
            Ok(mail) => (false, Some(preview(&mail)), None),
            Err(errors) => (false, None, Some(errors.to_string())),
        },
    };
    let form = shown
        .typed
        .unwrap_or_else(|| EditForm::opened(&current, lang));
    let entry = kind.entry();
    let variables: Vec<Value> = kind
        .all_variables()
        .map(|v| json!({ "name": v.name, "description": v.description, "example": v.example }))
        .collect();
    let ctx = json!({
        "template": { "name": kind.name(), "audience": entry.audience.as_str(), "purpose": entry.purpose,
                      "required": entry.required, "variables": variables },
        "lang": lang.as_str(), "text_lang": current.lang, "version": current.version,
        "customized": current.customized, "languages": languages,
        "form": form, "draft": draft, "preview": preview, "preview_error": preview_error,
        "history": history, "notice": shown.notice, "wide": true,
    });
    let mut layout = Layout::default();
    for (name, label) in [
        ("subject", "Subject"),
        ("text", "Text"),
        ("html", "HTML part"),
        ("lang", "Language"),
        ("reason", "Why"),
        ("reset", "Reset"),
        ("history", "Versions"),
    ] {
        layout.add(name, label);
    }
    let ctx = layout.with_errors(ctx, &shown.errors);
    let title = format!("Mail template {}", kind.name());
    forms::respond(state, page, "admin_template", &title, ctx)
}
