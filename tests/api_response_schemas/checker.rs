//! Holds a success answer to the schema the served OpenAPI document gives
//! for its operation and status: `$ref`s resolve within the document, and
//! an object schema that names its properties and allows no others takes
//! none the schema does not name (`unevaluatedProperties: false` is added),
//! so a field the handler sends but the document lacks fails as well as a
//! documented field missing or of another type.

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Response, TestApp};

pub struct Checker {
    doc: Value,
    /// (method, path template, status) of every answer checked.
    pub checked: Mutex<BTreeSet<(String, String, u16)>>,
}

impl Checker {
    pub async fn new(app: &TestApp) -> Self {
        let doc = app.get("/api/openapi.json", None).await;
        assert_eq!(doc.status, StatusCode::OK);
        Self {
            doc: doc.json(),
            checked: Mutex::new(BTreeSet::new()),
        }
    }

    /// The JSON schema of `method template`'s `status` answer, with the
    /// document's components beside it.
    pub fn schema(&self, method: &Method, template: &str, status: u16) -> Value {
        let op = &self.doc["paths"][template][method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not documented");
        let response = &op["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{method} {template}: {status} is not documented"
        );
        let schema = response["content"]["application/json"]["schema"].clone();
        assert!(
            schema.is_object(),
            "{method} {template}: the {status} answer has no JSON schema: {response}"
        );
        let mut components = self.doc["components"]["schemas"].clone();
        let in_all_of = referenced_from_all_of(&self.doc);
        if let Value::Object(map) = &mut components {
            for (name, s) in map.iter_mut() {
                strict(s, in_all_of.contains(name));
            }
        }
        let mut schema = schema;
        strict(&mut schema, false);
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": { "schemas": components },
        })
    }

    /// Asserts `resp` is a `status` answer to `method template` whose body
    /// matches the document; the body.
    pub fn check(
        &self,
        method: Method,
        template: &str,
        status: StatusCode,
        resp: &Response,
    ) -> Value {
        assert_eq!(resp.status, status, "{method} {template}: {}", resp.text());
        let body = resp.json();
        let errors = self.errors(&method, template, status, &body);
        assert!(
            errors.is_empty(),
            "{method} {template} {status}: the answer does not match the document:\n{}\n\nanswer: {body:#}",
            errors.join("\n")
        );
        self.checked.lock().unwrap().insert((
            method.as_str().to_owned(),
            template.to_owned(),
            status.as_u16(),
        ));
        body
    }

    /// Where `body` departs from the document's schema for the answer.
    pub fn errors(
        &self,
        method: &Method,
        template: &str,
        status: StatusCode,
        body: &Value,
    ) -> Vec<String> {
        let schema = self.schema(method, template, status.as_u16());
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{method} {template}: the schema does not build: {e}"));
        validator
            .iter_errors(body)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }
}

/// Names of the component schemas some `allOf` refers to directly: each
/// is one part of a larger object, so it must let the other parts'
/// properties through.
fn referenced_from_all_of(doc: &Value) -> HashSet<String> {
    let mut names = HashSet::new();
    walk(doc, &mut |v| {
        if let Some(parts) = v.get("allOf").and_then(Value::as_array) {
            for p in parts {
                let r = p.get("$ref").and_then(Value::as_str).unwrap_or_default();
                if let Some(name) = r.strip_prefix("#/components/schemas/") {
                    names.insert(name.to_owned());
                }
            }
        }
    });
    names
}

fn walk(v: &Value, f: &mut impl FnMut(&Value)) {
    f(v);
    match v {
        Value::Object(map) => map.values().for_each(|c| walk(c, f)),
        Value::Array(items) => items.iter().for_each(|c| walk(c, f)),
        _ => {}
    }
}

/// Adds `unevaluatedProperties: false` to every object schema in `s`
/// that names its properties and says nothing of others, but not to one
/// that is a part of an `allOf` (`part`): the `allOf` gets it instead.
fn strict(s: &mut Value, part: bool) {
    let Value::Object(map) = s else { return };
    let closed = !part
        && (map.contains_key("properties") || map.contains_key("allOf"))
        && !map.contains_key("additionalProperties")
        && !map.contains_key("unevaluatedProperties");
    if closed {
        map.insert("unevaluatedProperties".into(), Value::Bool(false));
    }
    for (key, child) in map.iter_mut() {
        match (key.as_str(), child) {
            ("allOf", Value::Array(parts)) => parts.iter_mut().for_each(|p| strict(p, true)),
            ("properties", Value::Object(props)) => {
                props.values_mut().for_each(|p| strict(p, false))
            }
            ("items" | "additionalProperties", c) => strict(c, false),
            ("oneOf" | "anyOf", Value::Array(alts)) => {
                alts.iter_mut().for_each(|a| strict(a, false))
            }
            _ => {}
        }
    }
}
