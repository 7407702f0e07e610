//! The admin advisory forms (new and edit): what the structured editor and
//! its JSON textarea send, turned into content, errors back onto fields,
//! and the preview of the public page.

use axum::response::Response;
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::advisory_editor::content::Origins;
use super::advisory_editor::errors::to_fields;
use super::advisory_editor::view::{Frame, view};
use super::advisory_editor::{Action as Button, Draft, Submission};
use super::see_other;
use crate::app::AppState;
use crate::app::advisories::{self as usecase, AdvisoryError};
use crate::db::advisories::AdvisoryRow;
use crate::domain::advisory::{AdvisoryId, AdvisoryState, Content, ScoredSeverity, Severity};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::http::api::advisories::advisory_error;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::publish::Public;

use super::advisories_admin::*;

pub(super) fn one(field: &str, message: impl Into<String>) -> FieldErrors {
    let mut e = FieldErrors::new();
    e.add(field, message);
    e
}

/// Use-case errors a form shows next to its fields, its `reason` under
/// `reason_id` (forms sharing a page need distinct ids); the rest are
/// error pages.
pub(super) fn form_errors(e: AdvisoryError, reason_id: &str) -> Result<FieldErrors, Error> {
    let errors = match e {
        AdvisoryError::Invalid(f) | AdvisoryError::Conflicts(f) => f,
        AdvisoryError::State(s) => one("state", s.to_string()),
        AdvisoryError::Policy { violations, .. } => {
            let rules: Vec<String> = violations.iter().map(ToString::to_string).collect();
            let overridable = violations.iter().all(|v| v.overridable());
            let hint = if overridable { OVERRIDE_HINT } else { "" };
            one("until", format!("{}{hint}", rules.join("; ")))
        }
        other => return Err(advisory_error(other)),
    };
    let mut out = FieldErrors::new();
    for (k, v) in errors.iter() {
        out.add(if k == "reason" { reason_id } else { k }, v);
    }
    Ok(out)
}

/// Errors of the JSON textarea: summary, details, report and reason keep
/// their fields; everything from the textarea is gathered on `osv`.
pub(super) fn content_errors(errors: FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    let mut osv = Vec::new();
    for (k, v) in errors.iter() {
        match k {
            "body" => osv.push(v.to_owned()),
            "summary" | "details" | "report_id" | "edit_reason" | "state" | "osv" => out.add(k, v),
            path => osv.push(format!("{path}: {v}")),
        }
    }
    if !osv.is_empty() {
        out.add("osv", osv.join("; "));
    }
    out
}

/// Errors of the structured fields, filed under the fields that caused them.
pub(super) fn editor_errors(
    e: AdvisoryError,
    reason_id: &str,
    draft: &Draft,
    (content, origins): &(Content, Origins),
) -> Result<FieldErrors, Error> {
    Ok(to_fields(
        &form_errors(e, reason_id)?,
        draft,
        content,
        origins,
    ))
}

/// The content the JSON form describes, as OSV-shaped JSON: summary and
/// details from their fields, the rest from the textarea (a field left
/// out there is empty).
pub(super) fn form_content(sub: &Submission) -> Result<Value, AdvisoryError> {
    let invalid = |m: String| AdvisoryError::Invalid(one("osv", m));
    let text = sub.osv.as_deref().unwrap_or_default().trim();
    let parsed = match text {
        "" => json!({}),
        _ => serde_json::from_str(text).map_err(|e| invalid(format!("is not valid JSON: {e}")))?,
    };
    let Value::Object(mut fields) = parsed else {
        return Err(invalid(NOT_AN_OBJECT.into()));
    };
    let structured = |k: &&String| STRUCTURED.split(' ').any(|s| s == k.as_str());
    if let Some(k) = fields.keys().find(|k| !structured(k)) {
        let allowed = STRUCTURED.replace(' ', ", ");
        return Err(invalid(format!(
            "has an unknown field {k:?}; it may hold {allowed}"
        )));
    }
    fields.insert("summary".into(), json!(sub.draft.summary.trim()));
    fields.insert("details".into(), json!(sub.draft.details));
    Ok(Value::Object(fields))
}

/// The JSON form's content, parsed (not yet validated).
pub(super) fn json_content(sub: &Submission) -> Result<Content, AdvisoryError> {
    form_content(sub).and_then(usecase::parse_content)
}

/// The structured fields of `content` as the textarea shows them.
pub(super) fn structured_json(content: &Content) -> String {
    let content = serde_json::to_value(content).unwrap_or_default();
    let fields = STRUCTURED
        .split(' ')
        .map(|k| (k.to_owned(), content[k].clone()));
    let fields: Map<String, Value> = fields.collect();
    serde_json::to_string_pretty(&fields).unwrap_or_default()
}

/// `new`'s severities in `old`'s order when they are the same entries, so
/// that saving an unchanged form changes nothing (the editor lists CVSS 3
/// before 4.0).
pub(super) fn keep_order(new: &mut Vec<Severity>, old: &[Severity]) {
    let mut sorted_new = new.clone();
    let mut sorted_old = old.to_vec();
    let key = |s: &Severity| (s.kind.clone(), s.score.clone());
    sorted_new.sort_by_key(key);
    sorted_old.sort_by_key(key);
    if sorted_new == sorted_old {
        *new = old.to_vec();
    }
}

/// How the form shows again: the JSON textarea as typed after a JSON
/// submission, else as the structured fields now describe it.
pub(super) struct Shown<'a> {
    pub sub: &'a Submission,
    pub errors: &'a FieldErrors,
    pub preview: Option<Value>,
}

/// The editor's template context for a posted form.
pub(super) fn posted_view(advisory: Option<&str>, published: bool, shown: Shown<'_>) -> Value {
    let sub = shown.sub;
    let json = sub.action == Button::Json;
    let osv = match (&sub.osv, json) {
        (Some(typed), true) => typed.clone(),
        _ => structured_json(&sub.draft.to_content().0),
    };
    view(
        &sub.draft,
        Frame {
            advisory,
            osv,
            report_id: &sub.report_id,
            reason: &sub.reason,
            errors: shown.errors,
            preview: shown.preview,
            json_open: json,
            published,
        },
    )
}

/// The public page's context for `content` as it would be published:
/// `id` (of a new advisory, a placeholder), now as publication time unless
/// it was published before.
pub(super) fn preview(
    state: &AppState,
    id: &AdvisoryId,
    content: Content,
    scored: Vec<ScoredSeverity>,
    published_at: Option<Timestamp>,
    patches: Vec<Value>,
) -> Value {
    let now = crate::clock::timestamp();
    let public = Public {
        id: id.clone(),
        content,
        scored,
        published_at: published_at.unwrap_or(now),
        modified_at: now,
        withdrawn: None,
        published_early: false,
        revisions: Vec::new(),
    };
    let mut ctx = crate::publish::page::advisory_context(&state.config.site(), &public);
    ctx["patches"] = Value::Array(patches);
    ctx
}

/// The edit form showing the stored `content` of `row`.
pub(super) fn stored_view(row: &AdvisoryRow, content: &Content) -> Value {
    let none = FieldErrors::new();
    view(
        &Draft::from_content(content),
        Frame {
            advisory: Some(row.id.as_str()),
            osv: structured_json(content),
            report_id: "",
            reason: "",
            errors: &none,
            preview: None,
            json_open: false,
            published: row.state == AdvisoryState::Published,
        },
    )
}

/// `POST /admin/advisories/{id}/edit`: the content saved (from the
/// structured fields or the JSON), or the advisory page again with the
/// form as typed: a row more or less, a preview, or its errors.
pub(super) async fn edit_advisory(
    state: &AppState,
    page: &Page,
    id: &str,
    pairs: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let mut sub = Submission::from_pairs(pairs);
    allowed(page, Action::ManageAdvisories, Some(&sub.csrf))?;
    let row = usecase::load(state, id).await.map_err(advisory_error)?;
    let reason = sub.reason.trim().to_owned();
    let (mut errors, mut shown_preview) = (FieldErrors::new(), None);
    match sub.action.clone() {
        rows if rows.edits_rows() => sub.draft.apply(&rows),
        Button::Preview => {
            let made = sub.draft.to_content();
            let mut checked = made.0.clone();
            match checked.validate() {
                Ok(scored) => {
                    let mut conn = state.db.conn().await?;
                    let patches = crate::db::advisories::patches(&mut conn, &row.id).await?;
                    drop(conn);
                    let patches = crate::publish::page::patches_context(&row.id, &patches);
                    let published = row
                        .published_at
                        .and_then(|m| Timestamp::from_microsecond(m).ok());
                    let ctx = preview(state, &row.id, checked, scored, published, patches);
                    shown_preview = Some(ctx);
                }
                Err(e) => errors = to_fields(&e, &sub.draft, &made.0, &made.1),
            }
        }
        Button::Json => {
            // Content and reason are checked together, so one submission shows all.
            let checked = json_content(&sub).and_then(|c| {
                c.clone().validate().map_err(AdvisoryError::Invalid)?;
                Ok(c)
            });
            let saved = match checked {
                Ok(c) if !reason.is_empty() => save(state, page, id, &c, &reason).await,
                checked => Err(with_reason(checked.err(), &reason)),
            };
            match saved {
                Ok(()) => return Ok(see_other(&format!("/admin/advisories/{id}"))),
                Err(e) => errors = content_errors(form_errors(e, "edit_reason")?),
            }
        }
        _ => {
            let made = sub.draft.to_content();
            let mut content = made.0.clone();
            let saved = match content.clone().validate() {
                Ok(_) if !reason.is_empty() => {
                    let (stored, _) = usecase::content_of(&row).map_err(advisory_error)?;
                    keep_order(&mut content.severity, &stored.severity);
                    save(state, page, id, &content, &reason).await
                }
                checked => Err(with_reason(
                    checked.err().map(AdvisoryError::Invalid),
                    &reason,
                )),
            };
            match saved {
                Ok(()) => return Ok(see_other(&format!("/admin/advisories/{id}"))),
                Err(e) => errors = editor_errors(e, "edit_reason", &sub.draft, &made)?,
            }
        }
    }
    let published = row.state == AdvisoryState::Published;
    let shown = Shown {
        sub: &sub,
        errors: &errors,
        preview: shown_preview,
    };
    let editor = posted_view(Some(row.id.as_str()), published, shown);
    refused((state, page, id), errors, ("edit", editor)).await
}

/// `e`'s field errors (if any) and, without a reason, that one too.
fn with_reason(e: Option<AdvisoryError>, reason: &str) -> AdvisoryError {
    let mut errors = match e {
        Some(AdvisoryError::Invalid(f)) => f,
        Some(other) => return other,
        None => FieldErrors::new(),
    };
    if reason.is_empty() {
        errors.add("reason", REASON_REQUIRED);
    }
    AdvisoryError::Invalid(errors)
}

/// Replaces every content field with `content`'s.
async fn save(
    state: &AppState,
    page: &Page,
    id: &str,
    content: &Content,
    reason: &str,
) -> Result<(), AdvisoryError> {
    let patch = serde_json::to_value(content).map_err(anyhow::Error::from)?;
    let patch = patch.as_object().cloned().unwrap_or_default();
    usecase::edit(state, &page.audit(), id, &patch, reason)
        .await
        .map(|_| ())
}
