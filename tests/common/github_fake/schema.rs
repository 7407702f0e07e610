//! GitHub's OpenAPI 3.0 description as JSON Schema (draft 7), for the fake
//! and for the request tests.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{Value, json};

fn description() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let path = format!(
            "{}/tests/data/github/github-repository-advisories.openapi.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    })
}

/// GitHub's OpenAPI 3.0 schema `name` as a JSON Schema (draft 7): its
/// components become definitions, and `nullable` a `null` type.
pub fn github_schema(name: &str) -> Validator {
    let mut definitions = description()["components"]["schemas"].clone();
    to_json_schema(&mut definitions);
    let root = json!({
        "definitions": definitions,
        "$ref": format!("#/definitions/{name}"),
    });
    jsonschema::draft7::options()
        .build(&root)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// OpenAPI 3.0 to JSON Schema: `#/components/schemas/X` becomes
/// `#/definitions/X`, `nullable: true` adds `null` to the type (or enum,
/// or, without a type, beside the schema).
pub fn to_json_schema(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                *r = r.replace("#/components/schemas/", "#/definitions/");
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([t, "null"]));
                }
                if let Some(Value::Array(options)) = map.get_mut("enum") {
                    options.push(Value::Null);
                }
                // `nullable` beside `allOf` and no type (GitHub's nullable
                // users and repositories): null or the schema.
                if !map.contains_key("type") {
                    let mut inner = Value::Object(std::mem::take(map));
                    to_json_schema(&mut inner);
                    *v = json!({"anyOf": [{"type": "null"}, inner]});
                    return;
                }
            }
            map.values_mut().for_each(to_json_schema);
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

/// The validator of schema `name`, built once per test binary.
pub fn cached(name: &str) -> &'static Validator {
    static ALL: OnceLock<std::sync::Mutex<HashMap<String, &'static Validator>>> = OnceLock::new();
    let mut all = ALL.get_or_init(Default::default).lock().unwrap();
    all.entry(name.to_string())
        .or_insert_with(|| Box::leak(Box::new(github_schema(name))))
}

/// Where `doc` breaks schema `name`, one line each.
pub fn errors(name: &str, doc: &Value) -> Vec<String> {
    cached(name)
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}
