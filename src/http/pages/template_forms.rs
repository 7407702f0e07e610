//! The forms of a mail template's page: the editor (its Preview button
//! renders the draft and saves nothing, its Save button saves a checked
//! version), a revert to an older version, and a reset to the built-in
//! text. Each redirects back to the page with a confirmation, or shows the
//! page again with the refusal at the top and what was typed kept.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::member_forms::one;
use super::see_other;
use super::templates_admin::{Shown, page_path, render_template, template};
use crate::app::AppState;
use crate::app::templates::{self as usecase, Change, Current, TemplateError};
use crate::domain::fields::FieldErrors;
use crate::domain::language::Language;
use crate::domain::mail_kind::MailKind;
use crate::http::api::templates::{html_part, language, template_error};
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::mail::templates::Sources;
use crate::mail::templates::check::check;

/// The editor as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EditForm {
    #[serde(skip_serializing)]
    csrf: String,
    subject: String,
    text: String,
    html: String,
    lang: String,
    reason: String,
    /// The version of `base_lang` the editor was opened with: saving over
    /// another is refused instead of overwriting someone's change.
    base_version: String,
    base_lang: String,
    /// Which button: `preview` or `save`.
    #[serde(skip_serializing)]
    action: String,
}

impl EditForm {
    /// The editor opened on `current`, the text readers of `lang` get now.
    pub fn opened(current: &Current, lang: &Language) -> Self {
        Self {
            subject: current.sources.subject.clone(),
            text: current.sources.text.clone(),
            html: current.sources.html.clone().unwrap_or_default(),
            lang: lang.to_string(),
            base_version: current.version.to_string(),
            base_lang: lang.to_string(),
            ..Self::default()
        }
    }

    /// The parts as typed, with the line breaks browsers send (CRLF) as
    /// the templates write them.
    fn sources(&self) -> Sources {
        let lf = |s: &str| s.replace("\r\n", "\n");
        Sources {
            subject: lf(&self.subject),
            text: lf(&self.text),
            html: html_part(Some(lf(&self.html))),
        }
    }

    /// The language the editor was opened for (English if none is said).
    fn opened_lang(&self) -> Language {
        Language::parse(&self.base_lang).unwrap_or_else(|_| Language::english())
    }

    /// The version to save over: only for the language the editor was
    /// opened for, since a version number is per language.
    fn base(&self, lang: &Language) -> Result<Option<i64>, Error> {
        let base = self.base_version.trim();
        if base.is_empty() || *lang != self.opened_lang() {
            return Ok(None);
        }
        let bad = |_| Error::BadRequest("base_version must be a version number".into());
        base.parse().map(Some).map_err(bad)
    }
}

/// The page again with `form` as typed.
async fn again(
    (state, page, kind): (&AppState, &Page, MailKind),
    form: EditForm,
    shown: Shown,
) -> Result<Response, PageError> {
    let lang = form.opened_lang();
    let shown = Shown {
        typed: Some(form),
        ..shown
    };
    render_template(state, page, kind, &lang, shown).await
}

/// `POST /admin/templates/{name}`: Preview renders the draft on the
/// example data; Save checks it and saves it as the next version.
pub async fn edit_template(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
    Form(form): Form<EditForm>,
) -> Result<Response, PageError> {
    let kind = template(&page, &name)?;
    page.check_csrf(&form.csrf)?;
    let at = (&state, &page, kind);
    let typed = Some(form.lang.trim()).filter(|l| !l.is_empty());
    let lang = match language(typed) {
        Ok(lang) => lang,
        Err(Error::Invalid(errors)) => return again(at, form, invalid(errors)).await,
        Err(e) => return Err(e.into()),
    };
    let sources = form.sources();
    if form.action != "save" {
        // Preview, also for a form sent without a button (Enter in a field).
        let shown = match check(kind, &sources) {
            Ok(mail) => Shown {
                draft: Some(mail),
                ..Shown::default()
            },
            Err(errors) => invalid(errors),
        };
        return again(at, form, shown).await;
    }
    let change = Change {
        lang: &lang,
        reason: &form.reason,
        base_version: form.base(&lang)?,
    };
    match usecase::save(&state, &page.audit(), kind, &sources, change).await {
        Ok(n) => Ok(see_other(&format!("{}&saved={n}", page_path(kind, &lang)))),
        Err(TemplateError::Invalid(errors)) => again(at, form, invalid(errors)).await,
        Err(TemplateError::Conflict(_)) => {
            let now = usecase::current(&state, kind, &lang)
                .await
                .map_err(template_error)?
                .version;
            let message = format!(
                "Someone saved version {now} of this template after you opened it, so yours was not saved. \
                 Your text is kept below: compare it with version {now} under Versions, then save again to replace it."
            );
            // Saving again is then a choice made knowing of version `now`.
            let form = EditForm {
                base_version: now.to_string(),
                base_lang: lang.to_string(),
                ..form
            };
            let shown = Shown {
                draft: check(kind, &sources).ok(),
                errors: one("base_version", &message),
                ..Shown::default()
            };
            conflict(again(at, form, shown).await)
        }
        Err(e) => Err(template_error(e).into()),
    }
}

fn invalid(errors: FieldErrors) -> Shown {
    Shown {
        errors,
        ..Shown::default()
    }
}

/// A page shown for a change made meanwhile answers 409.
fn conflict(resp: Result<Response, PageError>) -> Result<Response, PageError> {
    let mut resp = resp?;
    *resp.status_mut() = StatusCode::CONFLICT;
    Ok(resp)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevertForm {
    csrf: String,
    version: String,
    lang: String,
}

/// `POST /admin/templates/{name}/revert`: an older version's text becomes
/// current again, as a new version.
pub async fn revert_template(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
    Form(form): Form<RevertForm>,
) -> Result<Response, PageError> {
    let kind = template(&page, &name)?;
    page.check_csrf(&form.csrf)?;
    let lang = language(Some(form.lang.as_str()))?;
    let Ok(number) = form.version.trim().parse::<i64>() else {
        return Err(Error::BadRequest("version must be a version number".into()).into());
    };
    let change = Change {
        lang: &lang,
        reason: "",
        base_version: None,
    };
    let (refused, meanwhile) = match usecase::revert(&state, &page.audit(), kind, number, change)
        .await
    {
        Ok(n) => {
            return Ok(see_other(&format!(
                "{}&reverted={n}",
                page_path(kind, &lang)
            )));
        }
        // The catalogue changed since that version was saved.
        Err(TemplateError::Invalid(errors)) => (
            format!(
                "Version {number} no longer passes the checks, so it was not made current: {errors}"
            ),
            false,
        ),
        Err(TemplateError::Conflict(m)) => (m, true),
        Err(e) => return Err(template_error(e).into()),
    };
    let shown = invalid(one("history", &refused));
    let resp = render_template(&state, &page, kind, &lang, shown).await;
    if meanwhile { conflict(resp) } else { resp }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    csrf: String,
    lang: String,
}

/// `POST /admin/templates/{name}/reset`: the built-in text becomes current
/// again in one language (a new version says so).
pub async fn reset_template(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, PageError> {
    let kind = template(&page, &name)?;
    page.check_csrf(&form.csrf)?;
    let lang = language(Some(form.lang.as_str()))?;
    let change = Change {
        lang: &lang,
        reason: "",
        base_version: None,
    };
    match usecase::reset(&state, &page.audit(), kind, change).await {
        Ok(n) => Ok(see_other(&format!("{}&reset={n}", page_path(kind, &lang)))),
        Err(TemplateError::Conflict(m)) => {
            let shown = invalid(one("reset", &m));
            conflict(render_template(&state, &page, kind, &lang, shown).await)
        }
        Err(e) => Err(template_error(e).into()),
    }
}
