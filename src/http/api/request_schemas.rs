//! What every request body refuses, written into its schema: text holding
//! a NUL character (PostgreSQL cannot store it; see `body.rs`). Members
//! an operation does not name are ignored, so objects stay open. Fields
//! marked with one of embargo's own formats ([`pattern_of`]) get the rule
//! the server applies written out as a pattern. `iana-time-zone` stays a
//! named format: its 600 names as an enum break client generators (Python
//! names `Etc/GMT+0` and `Etc/GMT-0` alike).

use std::collections::BTreeSet;

use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, Object, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{OpenApi, RefOr};

/// A string without a NUL character.
pub const NO_NUL: &str = "^[^\\u0000]*$";

/// Text with more than white space in it, and no NUL: the rule of
/// `format = "not-blank"`. White space is what the server trims
/// (`str::trim`: Unicode's White_Space), named one by one: a pattern's
/// `\s` is another set (ECMA-262's leaves out U+0085 and takes U+FEFF).
const NOT_BLANK: &str = "^[^\\u0000]*[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\u0000][^\\u0000]*$";

/// Spaces, tabs and line ends around a value: the server trims exactly
/// these from addresses, handles and language tags.
const EDGE: &str = "[ \\t\\n\\r]*";

/// A character an address never holds (`EmailAddress::parse`): white
/// space, controls and the specials of RFC 5322; `@` and `.` are added
/// where they may not stand.
const NOT_IN_ADDRESS: &str = "\\s\\u0000-\\u001f\\u007f-\\u009f<>()\\[\\],;:\\\\\"";

/// The rule behind each of embargo's own string formats, as the server
/// checks it: `mailbox` (`domain::email::EmailAddress`), `github-handle`
/// (`GithubHandle`), `language-tag` (`domain::language::Language`),
/// `web-url` and `base64` (not empty), each
/// with the spaces the server trims around it; `NAME-or-empty` also takes
/// `""` or spaces alone (none). The server trims nothing around
/// `osv-alias` (`domain::advisory::validate::is_alias`: a CVE id, or
/// another id not starting with `CVE`), `cwe-id` and `not-blank` (text
/// with more than white space in it).
pub fn pattern_of(format: &str) -> Option<String> {
    let exact = match format {
        "osv-alias" => Some("^(CVE-[0-9]{4}-[0-9]{4,91}|(?!CVE)[A-Za-z0-9_.:-]{1,100})$"),
        "cwe-id" => Some("^CWE-[0-9]{1,6}$"),
        "not-blank" => Some(NOT_BLANK),
        _ => None,
    };
    if let Some(pattern) = exact {
        return Some(pattern.to_owned());
    }
    let na = NOT_IN_ADDRESS;
    let (name, or_empty) = match format.strip_suffix("-or-empty") {
        Some(name) => (name, true),
        None => (format, false),
    };
    let core = match name {
        "mailbox" => format!("[^{na}@]{{1,64}}@[^{na}@.]+(\\.[^{na}@.]+)+"),
        "github-handle" => {
            format!("@?(?=[A-Za-z0-9-]{{1,39}}{EDGE}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*")
        }
        "language-tag" => "[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}".to_owned(),
        // `domain::membership::is_web_url`.
        "web-url" => "https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?([/?#][!-~]{0,230})?".to_owned(),
        // RFC 4648 with padding and zero bits after the last character, as
        // base64's STANDARD engine decodes it.
        "base64" => "([A-Za-z0-9+/]{4})*([A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/]{4})".to_owned(),
        _ => return None,
    };
    let optional = if or_empty { "?" } else { "" };
    Some(format!("^{EDGE}({core}){optional}{EDGE}$"))
}

/// Keeps NUL out of the request bodies' text.
pub struct RequestBodies;

impl utoipa::Modify for RequestBodies {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut named = BTreeSet::new();
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                let Some(body) = op.request_body.as_mut() else {
                    continue;
                };
                for content in body.content.values_mut() {
                    if let Some(schema) = content.schema.as_mut() {
                        tighten(schema, &mut named);
                    }
                }
            }
        }
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        // Components name others: follow them until none is new.
        let mut done = BTreeSet::new();
        while let Some(name) = named.iter().find(|n| !done.contains(*n)).cloned() {
            done.insert(name.clone());
            if let Some(schema) = components.schemas.get_mut(&name) {
                tighten(schema, &mut named);
            }
        }
    }
}

fn tighten(schema: &mut RefOr<Schema>, named: &mut BTreeSet<String>) {
    let schema = match schema {
        RefOr::Ref(r) => {
            if let Some(name) = r.ref_location.strip_prefix("#/components/schemas/") {
                named.insert(name.to_owned());
            }
            return;
        }
        RefOr::T(schema) => schema,
    };
    match schema {
        Schema::Object(o) => tighten_object(o, named),
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                tighten(items, named);
            }
        }
        Schema::OneOf(s) => s.items.iter_mut().for_each(|s| tighten(s, named)),
        Schema::AnyOf(s) => s.items.iter_mut().for_each(|s| tighten(s, named)),
        Schema::AllOf(s) => s.items.iter_mut().for_each(|s| tighten(s, named)),
        _ => {}
    }
}

fn has(t: &SchemaType, wanted: Type) -> bool {
    match t {
        SchemaType::Type(t) => *t == wanted,
        SchemaType::Array(ts) => ts.contains(&wanted),
        SchemaType::AnyValue => false,
    }
}

fn tighten_object(o: &mut Object, named: &mut BTreeSet<String>) {
    if let Some(SchemaFormat::Custom(format)) = &o.format
        && let Some(pattern) = pattern_of(format)
    {
        o.pattern = Some(pattern);
    }
    if has(&o.schema_type, Type::String) && o.enum_values.is_none() && o.pattern.is_none() {
        o.pattern = Some(NO_NUL.into());
    }
    if !has(&o.schema_type, Type::Object) && o.properties.is_empty() {
        return;
    }
    o.properties.values_mut().for_each(|p| tighten(p, named));
    // Other members are ignored, whatever they hold: a map's keys are read.
    if let Some(AdditionalProperties::RefOr(extra)) = o.additional_properties.as_deref_mut() {
        tighten(extra, named);
        // utoipa names a map's keys strings; they are text like any other.
        match o.property_names.as_deref_mut() {
            None => {
                o.property_names = Some(Box::new(Schema::Object(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(NO_NUL))
                        .build(),
                )));
            }
            Some(Schema::Object(names))
                if has(&names.schema_type, Type::String)
                    && names.pattern.is_none()
                    && names.enum_values.is_none() =>
            {
                names.pattern = Some(NO_NUL.into());
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pattern_of;
    use crate::domain::advisory::Content;
    use proptest::prelude::*;
    use serde_json::json;

    fn matches(format: &str, s: &str) -> bool {
        let pattern = pattern_of(format).unwrap();
        jsonschema::is_valid(&json!({ "type": "string", "pattern": pattern }), &json!(s))
    }

    /// Whether the server takes `s` as an alias, and `CWE-…` as a CWE id
    /// (leaving aside whether the catalogue has it).
    fn server_takes(field: &str, s: &str) -> bool {
        let mut content = Content {
            summary: "s".into(),
            ..Content::default()
        };
        let at = match field {
            "aliases" => {
                content.aliases = vec![s.into()];
                "aliases[0]"
            }
            _ => {
                content.database_specific.cwe_ids = vec![s.into()];
                "database_specific.cwe_ids[0]"
            }
        };
        match content.validate() {
            Ok(_) => true,
            Err(e) => e
                .get(at)
                .is_none_or(|m| m.starts_with("is not in the CWE catalogue")),
        }
    }

    fn candidates() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![
                "",
                "CVE",
                "CVE-",
                "CVE-2026-",
                "CV",
                "C",
                "GHSA-",
                "CWE-",
            ]),
            "[A-Za-z0-9_.:?/ -]{0,10}",
            "[0-9]{0,8}",
        )
            .prop_map(|(prefix, middle, digits)| format!("{prefix}{middle}{digits}"))
    }

    proptest! {
        #[test]
        fn the_alias_pattern_is_the_servers_rule(s in candidates()) {
            prop_assert_eq!(matches("osv-alias", &s), server_takes("aliases", &s), "{:?}", s);
        }

        #[test]
        fn the_cwe_pattern_is_the_servers_rule(s in candidates()) {
            prop_assert_eq!(matches("cwe-id", &s), server_takes("cwe", &s), "{:?}", s);
        }
    }

    /// Every character `str::trim` removes, and a few it keeps.
    const SPACES_AND_NOT: &str = "\t\n\u{b}\u{c}\r \u{85}\u{a0}\u{1680}\u{2000}\u{2005}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff}\u{200b}\u{1}x";

    proptest! {
        #[test]
        fn not_blank_is_what_the_server_does_not_trim_to_nothing(
            picks in prop::collection::vec(0..SPACES_AND_NOT.chars().count(), 0..4)
        ) {
            let chars: Vec<char> = SPACES_AND_NOT.chars().collect();
            let s: String = picks.into_iter().map(|i| chars[i]).collect();
            prop_assert_eq!(matches("not-blank", &s), !s.trim().is_empty(), "{:?}", s);
        }
    }

    #[test]
    fn every_space_the_server_trims_is_blank_and_nothing_else_is() {
        for c in SPACES_AND_NOT.chars() {
            let s = c.to_string();
            assert_eq!(matches("not-blank", &s), !c.is_whitespace(), "{c:?}");
        }
        // Every character Unicode counts as white space is in the pattern.
        for c in (0..=0x3000u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
        {
            assert!(!matches("not-blank", &c.to_string()), "{c:?}");
        }
    }

    #[test]
    fn long_aliases_and_cve_ids_meet_the_same_bound() {
        for s in [
            format!("CVE-2026-{}", "1".repeat(91)),
            format!("CVE-2026-{}", "1".repeat(92)),
            "G".repeat(100),
            "G".repeat(101),
        ] {
            assert_eq!(matches("osv-alias", &s), server_takes("aliases", &s), "{s}");
        }
    }
}
