//! The admin advisory forms: content from form fields, and errors back onto them.

use crate::app::advisories::{self as usecase, AdvisoryError};
use crate::domain::advisory::Content;
use crate::domain::fields::FieldErrors;
use crate::http::api::advisories::advisory_error;
use crate::http::error::Error;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

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
        AdvisoryError::Invalid(f) => f,
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

/// Content errors on the content forms: summary, details and report keep
/// their fields; everything from the JSON textarea is gathered on `osv`.
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

/// The new and edit forms.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ContentForm {
    #[serde(skip_serializing)]
    pub csrf: String,
    pub summary: String,
    pub details: String,
    /// The structured fields as a JSON object.
    pub osv: String,
    pub report_id: String,
    pub reason: String,
}

/// The content a form describes, as OSV-shaped JSON: summary and details
/// from their fields, the structured ones from the textarea (a field left
/// out there is empty).
pub(super) fn form_content(form: &ContentForm) -> Result<Value, AdvisoryError> {
    let invalid = |m: String| AdvisoryError::Invalid(one("osv", m));
    let text = form.osv.trim();
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
    fields.insert("summary".into(), json!(form.summary.trim()));
    fields.insert("details".into(), json!(form.details));
    Ok(Value::Object(fields))
}

/// The form's content, parsed and validated (errors keyed as by the use cases).
pub(super) fn checked_content(form: &ContentForm) -> Result<Content, FieldErrors> {
    let parsed = form_content(form).and_then(usecase::parse_content);
    let content = parsed.map_err(|e| match e {
        AdvisoryError::Invalid(f) => f,
        other => one("osv", other.to_string()),
    })?;
    content.clone().validate()?;
    Ok(content)
}

/// The structured fields of `content` as the textarea shows them.
pub(super) fn structured_json(content: &Value) -> String {
    let fields = STRUCTURED
        .split(' ')
        .map(|k| (k.to_owned(), content[k].clone()));
    let fields: Map<String, Value> = fields.collect();
    serde_json::to_string_pretty(&fields).unwrap_or_default()
}
