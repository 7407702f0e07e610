//! Form plumbing the membership pages share: posted fields whose names
//! carry rows and keys (`contacts[0].email`, `criteria.user_base`, the
//! names the use cases' errors use), contact rows, and errors turned into
//! what the templates show: a message per field id and a summary in page
//! order.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::app::AppState;
use crate::app::membership::MembershipError;
use crate::domain::fields::FieldErrors;
use crate::domain::membership::ContactInput;
use crate::http::api::membership::membership_error;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// The key in `errors` naming the field id that gets `autofocus` (no
/// field is named so).
const FIRST_ERROR: &str = "_first";

/// Most rows of a posted list (the criteria) that are read.
const MAX_ROWS: usize = 100;

/// A posted form as its (name, value) pairs, in order.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of field `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        let found = self.0.iter().find(|(k, _)| k == name);
        found.map_or("", |(_, v)| v.as_str())
    }

    /// The fields named `{prefix}KEY`, by KEY.
    pub fn under(&self, prefix: &str) -> BTreeMap<String, String> {
        let named = self.0.iter().filter_map(|(k, v)| {
            let key = k.strip_prefix(prefix).filter(|k| !k.is_empty())?;
            Some((key.to_owned(), v.clone()))
        });
        named.collect()
    }

    /// How many rows of `list` were posted: one more than the highest
    /// index of a field named `{list}[i].…`.
    pub fn rows(&self, list: &str) -> usize {
        let index = |k: &str| -> Option<usize> {
            let rest = k.strip_prefix(list)?.strip_prefix('[')?;
            rest.split_once("].")?.0.parse().ok()
        };
        let highest = self.0.iter().filter_map(|(k, _)| index(k)).max();
        highest.map_or(0, |i| (i + 1).min(MAX_ROWS))
    }
}

/// The id of the input named `name`: `contacts[0].email` -> `contacts-0-email`.
pub fn field_id(name: &str) -> String {
    name.replace("].", "-")
        .replace(['[', '.'], "-")
        .replace(']', "")
}

/// A single error.
pub fn one(field: &str, message: &str) -> FieldErrors {
    let mut e = FieldErrors::new();
    e.add(field, message);
    e
}

/// Use-case errors a form shows at its fields (a state error under
/// `status`); the others are error pages.
pub fn form_errors(e: MembershipError) -> Result<FieldErrors, Error> {
    match e {
        MembershipError::Invalid(f) | MembershipError::Conflicts(f) => Ok(f),
        MembershipError::State(s) => Ok(one("status", &s.to_string())),
        other => Err(membership_error(other)),
    }
}

/// Renames errors about the i-th item of `list` (`{list}[i].…`) to the
/// form row it came from, `rows[i]`: rows left empty were not sent on.
pub fn remap(errors: FieldErrors, list: &str, rows: &[usize]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (k, v) in errors.iter() {
        let renamed = k
            .strip_prefix(list)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.split_once(']'))
            .and_then(|(i, rest)| {
                let row = rows.get(i.parse::<usize>().ok()?)?;
                Some(format!("{list}[{row}]{rest}"))
            });
        out.add(renamed.as_deref().unwrap_or(k), v);
    }
    out
}

/// The fields of a form in page order, with the labels the error summary
/// names them by.
#[derive(Debug, Default)]
pub struct Layout(Vec<(String, String)>);

impl Layout {
    pub fn add(&mut self, name: &str, label: &str) {
        self.0.push((name.to_owned(), label.to_owned()));
    }

    /// `other`'s fields after these.
    pub fn append(&mut self, other: Layout) {
        self.0.extend(other.0);
    }

    /// An organisation's own fields.
    pub fn organization() -> Self {
        let mut l = Self::default();
        l.add("organization", "Organisation");
        l.add("website", "Website");
        l.add("security_alias", "Security alias");
        l
    }

    /// `rows` contact rows, after an error about the contacts as a whole.
    pub fn contacts(&mut self, rows: usize) {
        self.add("contacts", "Contact people");
        for i in 0..rows {
            let n = i + 1;
            self.add(&format!("contacts[{i}].name"), &format!("Contact {n} name"));
            self.add(
                &format!("contacts[{i}].email"),
                &format!("Contact {n} e-mail"),
            );
            let key = format!("Contact {n} OpenPGP key");
            self.add(&format!("contacts[{i}].openpgp_key"), &key);
        }
    }

    /// `ctx` with `errors` (message by field id) and `summary` (one entry
    /// per error, in page order, linking to its field when it has one).
    pub fn with_errors(&self, mut ctx: Value, errors: &FieldErrors) -> Value {
        let by_id: Map<String, Value> = errors
            .iter()
            .map(|(k, v)| (field_id(k), json!(v)))
            .collect();
        let mut summary = Vec::new();
        for (name, label) in &self.0 {
            if let Some(m) = errors.get(name) {
                let text = match m.contains(label.as_str()) {
                    true => m.to_owned(),
                    false => format!("{label}: {m}"),
                };
                summary.push(json!({ "href": field_id(name), "text": text }));
            }
        }
        for (k, m) in errors.iter() {
            if !self.0.iter().any(|(n, _)| n == k) {
                summary.push(json!({ "href": null, "text": m }));
            }
        }
        let mut by_id = by_id;
        // The first wrong field in page order gets the focus.
        if let Some(first) = summary.iter().find_map(|s| s["href"].as_str()) {
            by_id.insert(FIRST_ERROR.to_owned(), json!(first));
        }
        ctx["errors"] = Value::Object(by_id);
        ctx["summary"] = json!(summary);
        ctx
    }
}

/// Renders page `name`; a context with errors answers 422.
pub fn respond(
    state: &AppState,
    page: &Page,
    name: &str,
    title: &str,
    ctx: Value,
) -> Result<Response, PageError> {
    let invalid = ctx["errors"].as_object().is_some_and(|e| !e.is_empty());
    let mut resp = page.render(state, name, title, ctx)?;
    if invalid {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// An organisation's own fields as typed.
pub fn organization_typed(form: &Fields) -> Value {
    json!({
        "organization": form.get("organization"), "website": form.get("website"),
        "security_alias": form.get("security_alias"),
    })
}

/// One contact row as typed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ContactRow {
    pub name: String,
    pub email: String,
    pub openpgp_key: String,
}

impl ContactRow {
    fn is_empty(&self) -> bool {
        [&self.name, &self.email, &self.openpgp_key]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

/// A form's contact rows (`contacts[i].name|email|openpgp_key`).
#[derive(Debug)]
pub struct ContactRows {
    pub typed: Vec<ContactRow>,
}

impl ContactRows {
    /// The first `rows` rows of `form`.
    pub fn from_form(form: &Fields, rows: usize) -> Self {
        let field = |i: usize, f: &str| form.get(&format!("contacts[{i}].{f}")).to_owned();
        let typed = (0..rows)
            .map(|i| ContactRow {
                name: field(i, "name"),
                email: field(i, "email"),
                openpgp_key: field(i, "openpgp_key"),
            })
            .collect();
        Self { typed }
    }

    /// The rows not left empty: their row numbers, and the contacts.
    pub fn given(&self) -> (Vec<usize>, Vec<ContactInput>) {
        let rows = self.typed.iter().enumerate().filter(|(_, c)| !c.is_empty());
        rows.map(|(i, c)| {
            let key = Some(c.openpgp_key.clone()).filter(|k| !k.trim().is_empty());
            let contact = ContactInput {
                name: c.name.clone(),
                email: c.email.clone(),
                openpgp_key: key,
            };
            (i, contact)
        })
        .unzip()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ids_are_plain() {
        assert_eq!(field_id("contacts[2].email"), "contacts-2-email");
        assert_eq!(field_id("criteria.user_base"), "criteria-user_base");
        assert_eq!(field_id("items[10].key"), "items-10-key");
    }

    #[test]
    fn errors_move_to_the_row_they_came_from() {
        let mut e = FieldErrors::new();
        e.add("contacts[1].email", "bad");
        e.add("contacts", "none");
        let e = remap(e, "contacts", &[0, 2]);
        assert_eq!(e.get("contacts[2].email"), Some("bad"));
        assert_eq!(e.get("contacts"), Some("none"));
    }

    #[test]
    fn posted_rows_are_counted_and_keys_collected() {
        let f = Fields(vec![
            ("items[0].key".into(), "a".into()),
            ("items[3].title".into(), "b".into()),
            ("criteria.x".into(), "1".into()),
        ]);
        assert_eq!(f.rows("items"), 4);
        assert_eq!(f.rows("contacts"), 0);
        assert_eq!(f.under("criteria.").get("x").map(String::as_str), Some("1"));
    }
}
