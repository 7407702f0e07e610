//! Mail templates: the catalogue, the current text, checked edits with
//! preview, every version, revert and reset. Admins only.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::ApiJson;
use super::paging::{KeyPageQuery, PageQuery, WHOLE_LIST};
use crate::app::AppState;
use crate::app::templates::{self as usecase, Change, TemplateError};
use crate::domain::authz::{Action, Actor};
use crate::domain::fields::{FieldErrors, present};
use crate::domain::language::Language;
use crate::domain::mail_kind::MailKind;
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;
use crate::mail::templates::Sources;

#[derive(Debug, Serialize, ToSchema)]
pub struct VariableView {
    name: &'static str,
    description: &'static str,
    example: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateSummary {
    name: &'static str,
    /// `reporter`, `admins`, `applicants`, `members` or `public`.
    audience: &'static str,
    purpose: &'static str,
    variables: Vec<VariableView>,
    /// Variables the text must use.
    required: Vec<&'static str>,
    /// The team's own text is current in at least one language.
    customized: bool,
    /// The languages with the team's own text.
    languages: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateList {
    items: Vec<TemplateSummary>,
    /// The `cursor` of the next page; null on the last.
    next_cursor: Option<String>,
}

/// A template as it reads for one language now.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    name: &'static str,
    /// The language asked for.
    lang: String,
    /// The language the text is in: `lang`, or English where `lang` has
    /// no text of its own.
    text_lang: String,
    subject: String,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
    /// The current version in `lang` (0: never edited there).
    version: i64,
    /// The team's own text in `lang`, not the built-in one.
    customized: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// Language (`en` unless given).
    #[param(pattern = "^[ \\t\\n\\r]*[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}[ \\t\\n\\r]*$")]
    lang: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    #[schema(format = "not-blank")]
    subject: String,
    #[schema(format = "not-blank")]
    text: String,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    html: Option<String>,
    /// Language of this version (default `en`).
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, format = "language-tag")]
    lang: Option<String>,
    /// Why, for the history.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    reason: Option<String>,
    /// The version the editor started from; a different current version
    /// answers 409 instead of overwriting someone's change.
    #[serde(default, deserialize_with = "super::whole::optional")]
    base_version: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    /// Leave out subject and text to preview the saved version; a part
    /// left out is the saved version's.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    subject: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    text: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    html: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, format = "language-tag")]
    lang: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    subject: String,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevertBody {
    #[serde(deserialize_with = "super::whole::number")]
    version: i64,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, format = "language-tag")]
    lang: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub lang: String,
    pub version: i64,
    /// `edit`, `revert` (to `reverted_to`) or `reset` (the built-in text).
    pub action: String,
    pub reverted_to: Option<i64>,
    /// Who: the account's address, or `cli`/`system`.
    pub actor: String,
    pub reason: String,
    pub created_at: i64,
    /// The newest version of its language.
    pub current: bool,
    /// Absent for a version that means the built-in text.
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl VersionView {
    /// `row`, made by the account at `email` (if it was one); `current`
    /// when it is the newest of its language.
    pub fn of(row: crate::db::templates::VersionRow, email: Option<String>, current: bool) -> Self {
        Self {
            actor: email.unwrap_or_else(|| row.actor.clone()),
            current,
            lang: row.lang,
            version: row.version,
            action: row.action,
            reverted_to: row.reverted_to,
            reason: row.reason,
            created_at: row.created_at,
            subject: row.subject,
            text: row.text,
            html: row.html,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    items: Vec<VersionView>,
    /// The `cursor` of the next page; null on the last.
    next_cursor: Option<String>,
}

/// The template named `name`, once the caller may manage templates.
pub fn kind_of(actor: &Actor, name: &str) -> Result<MailKind, Error> {
    Error::unless_allowed(actor, Action::ManageTemplates)?;
    MailKind::parse(name).ok_or(Error::NotFound)
}

/// `lang`, defaulting to English; a bad tag is the field's error.
pub fn language(lang: Option<&str>) -> Result<Language, Error> {
    match lang {
        None => Ok(Language::english()),
        Some(l) => Language::parse(l).map_err(|e| {
            let mut errors = FieldErrors::new();
            errors.add("lang", e.to_string());
            Error::Invalid(errors)
        }),
    }
}

pub fn template_error(e: TemplateError) -> Error {
    match e {
        TemplateError::NotFound => Error::NotFound,
        TemplateError::Invalid(f) => Error::Invalid(f),
        TemplateError::Conflict(m) => Error::Conflict(m),
        TemplateError::Other(e) => Error::Internal(e),
    }
}

/// A non-empty HTML part, or none.
pub fn html_part(html: Option<String>) -> Option<String> {
    html.filter(|h| !h.trim().is_empty())
}

#[utoipa::path(get, path = "/api/v1/templates", tag = "templates", security(("bearer" = [])), params(KeyPageQuery),
    responses((status = 200, body = TemplateList), (status = 401), (status = 403)))]
pub async fn list_templates(
    State(state): State<AppState>,
    caller: ApiCaller,
    super::ApiQuery(p): super::ApiQuery<KeyPageQuery>,
) -> Result<Json<TemplateList>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageTemplates)?;
    let customized = usecase::customized(&state).await.map_err(template_error)?;
    let items = MailKind::ALL
        .iter()
        .map(|kind| {
            let entry = kind.entry();
            let languages = customized.get(kind.name()).cloned().unwrap_or_default();
            TemplateSummary {
                name: kind.name(),
                audience: entry.audience.as_str(),
                purpose: entry.purpose,
                variables: kind
                    .all_variables()
                    .map(|v| VariableView {
                        name: v.name,
                        description: v.description,
                        example: serde_json::from_str(v.example).unwrap_or(Value::Null),
                    })
                    .collect(),
                required: entry.required.to_vec(),
                customized: !languages.is_empty(),
                languages,
            }
        })
        .collect();
    let (items, next_cursor) = p.page(items, |t: &TemplateSummary| t.name)?;
    Ok(Json(TemplateList { items, next_cursor }))
}

pub async fn view(
    state: &AppState,
    kind: MailKind,
    lang: &Language,
) -> Result<TemplateView, Error> {
    let current = usecase::current(state, kind, lang)
        .await
        .map_err(template_error)?;
    Ok(TemplateView {
        name: kind.name(),
        lang: lang.as_str().to_owned(),
        text_lang: current.lang,
        subject: current.sources.subject,
        text: current.sources.text,
        html: current.sources.html,
        version: current.version,
        customized: current.customized,
    })
}

#[utoipa::path(get, path = "/api/v1/templates/{name}", tag = "templates", params(("name" = String, Path), LangQuery),
    security(("bearer" = [])),
    responses((status = 200, body = TemplateView), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn get_template(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    super::ApiQuery(q): super::ApiQuery<LangQuery>,
) -> Result<Json<TemplateView>, ApiError> {
    let kind = kind_of(&caller.actor, &name)?;
    let lang = language(q.lang.as_deref())?;
    Ok(Json(view(&state, kind, &lang).await?))
}

#[utoipa::path(put, path = "/api/v1/templates/{name}", tag = "templates", request_body = SaveBody,
    params(("name" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TemplateView, description = "Saved as the next version; the next mail queued uses it"),
        (status = 401), (status = 403), (status = 404),
        (status = 409, description = "Another version was saved since `base_version`"),
        (status = 422, description = "`{\"errors\": {\"text\": \"line 3: unknown variable `tracking_link`\"}}`; nothing saved")))]
pub async fn save_template(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<SaveBody>,
) -> Result<Json<TemplateView>, ApiError> {
    let kind = kind_of(&caller.actor, &name)?;
    let lang = language(body.lang.as_deref())?;
    let sources = Sources {
        subject: body.subject,
        text: body.text,
        html: html_part(body.html),
    };
    let change = Change {
        lang: &lang,
        reason: body.reason.as_deref().unwrap_or_default(),
        base_version: body.base_version,
    };
    usecase::save(&state, &caller.audit(), kind, &sources, change)
        .await
        .map_err(template_error)?;
    Ok(Json(view(&state, kind, &lang).await?))
}

#[utoipa::path(delete, path = "/api/v1/templates/{name}", tag = "templates", params(("name" = String, Path), LangQuery),
    security(("bearer" = [])),
    responses((status = 200, body = TemplateView, description = "The built-in text is current again (a new version says so)"),
        (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn reset_template(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    super::ApiQuery(q): super::ApiQuery<LangQuery>,
) -> Result<Json<TemplateView>, ApiError> {
    let kind = kind_of(&caller.actor, &name)?;
    let lang = language(q.lang.as_deref())?;
    let change = Change {
        lang: &lang,
        reason: "",
        base_version: None,
    };
    usecase::reset(&state, &caller.audit(), kind, change)
        .await
        .map_err(template_error)?;
    Ok(Json(view(&state, kind, &lang).await?))
}

#[utoipa::path(post, path = "/api/v1/templates/{name}/preview", tag = "templates", request_body = PreviewBody,
    params(("name" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Preview, description = "The draft rendered on the template's example data; nothing saved"),
        (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn preview_template(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<PreviewBody>,
) -> Result<Json<Preview>, ApiError> {
    let kind = kind_of(&caller.actor, &name)?;
    let lang = language(body.lang.as_deref())?;
    let sources = match (body.subject, body.text) {
        (None, None) => {
            usecase::current(&state, kind, &lang)
                .await
                .map_err(template_error)?
                .sources
        }
        (subject, text) => {
            // A part left out is the saved version's.
            let saved = match subject.is_none() || text.is_none() {
                true => Some(
                    usecase::current(&state, kind, &lang)
                        .await
                        .map_err(template_error)?
                        .sources,
                ),
                false => None,
            };
            let saved_part = |part: fn(&Sources) -> &String| {
                saved.as_ref().map(part).cloned().unwrap_or_default()
            };
            Sources {
                subject: subject.unwrap_or_else(|| saved_part(|s| &s.subject)),
                text: text.unwrap_or_else(|| saved_part(|s| &s.text)),
                html: html_part(body.html),
            }
        }
    };
    let out = crate::mail::templates::check::check(kind, &sources).map_err(Error::Invalid)?;
    Ok(Json(Preview {
        subject: out.subject,
        text: out.text,
        html: out.html,
    }))
}

#[utoipa::path(get, path = "/api/v1/templates/{name}/versions", tag = "templates",
    params(("name" = String, Path), PageQuery), security(("bearer" = [])),
    responses((status = 200, body = VersionList, description = "Every version, by language, newest first"),
        (status = 401), (status = 403), (status = 404)))]
pub async fn list_versions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<VersionList>, ApiError> {
    let kind = kind_of(&caller.actor, &name)?;
    let size = super::paging::size(p.limit, WHOLE_LIST)?;
    // The cursor names the last version shown: `VERSION.LANG`.
    let after = crate::http::paging::before(&p.cursor)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let (rows, next) = crate::db::templates::history_page(
        &mut conn,
        kind.name(),
        after.as_ref().map(|c| (c.id.as_str(), c.at)),
        size,
    )
    .await
    .map_err(Error::from)?;
    let items = rows
        .into_iter()
        .map(|(row, email, current)| VersionView::of(row, email, current))
        .collect();
    let next_cursor = next.map(|(lang, version)| {
        crate::db::cursor::Cursor {
            at: version,
            id: lang,
        }
        .to_string()
    });
    Ok(Json(VersionList { items, next_cursor }))
}

#[utoipa::path(post, path = "/api/v1/templates/{name}/revert", tag = "templates", request_body = RevertBody,
    params(("name" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TemplateView, description = "The old version's text is current again, as a new version"),
        (status = 401), (status = 403), (status = 404, description = "No such template or version"),
        (status = 422, description = "The old text no longer passes the checks")))]
pub async fn revert_template(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<RevertBody>,
) -> Result<Json<TemplateView>, ApiError> {
    let kind = kind_of(&caller.actor, &name)?;
    let lang = language(body.lang.as_deref())?;
    let change = Change {
        lang: &lang,
        reason: body.reason.as_deref().unwrap_or_default(),
        base_version: None,
    };
    usecase::revert(&state, &caller.audit(), kind, body.version, change)
        .await
        .map_err(template_error)?;
    Ok(Json(view(&state, kind, &lang).await?))
}
