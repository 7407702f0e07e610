//! OSV input nobody thought of: any JSON, leaning on the record's own
//! field names, is read as content or refused by its shape, and content
//! that reads is validated (accepted or refused field by field) and
//! scored without a panic.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::Value;

use super::Content;

fn key() -> impl Strategy<Value = String> {
    let osv = prop::sample::select(vec![
        "summary",
        "details",
        "affected",
        "package",
        "ecosystem",
        "name",
        "purl",
        "ranges",
        "type",
        "events",
        "introduced",
        "fixed",
        "last_affected",
        "limit",
        "versions",
        "severity",
        "score",
        "aliases",
        "credits",
        "contact",
        "github",
        "references",
        "url",
        "database_specific",
        "cwe_ids",
        "unaffected_versions",
        "repo",
    ]);
    prop_oneof![4 => osv.prop_map(str::to_owned), 1 => any::<String>()]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        prop::sample::select(vec![
            "SEMVER",
            "ECOSYSTEM",
            "GIT",
            "CVSS_V3",
            "CVSS_V4",
            "0",
            "1.2.3",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "Go",
            "crates.io",
            "CWE-79",
            "CVE-2026-1"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            btree_map(key(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_json_is_content_or_refused_and_content_validates_without_panic(value in json()) {
        if let Ok(mut content) = serde_json::from_value::<Content>(value) {
            let _ = content.scored();
            if let Err(errors) = content.validate() {
                prop_assert!(!errors.is_empty());
            }
        }
    }
}
