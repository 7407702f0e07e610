//! The catalogue against the templates the binary carries: every mail has
//! its texts, every text its mail, and every default text renders from the
//! catalogue's examples into a mail that says what it exists for.

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;
use crate::render::{Templates, mail_template_names};

/// The context a preview renders with: every variable's example.
fn example_context(kind: MailKind) -> serde_json::Map<String, Value> {
    kind.all_variables()
        .map(|v| {
            let value = serde_json::from_str(v.example)
                .unwrap_or_else(|e| panic!("{}.{}: example is not JSON: {e}", kind.name(), v.name));
            (v.name.to_owned(), value)
        })
        .collect()
}

/// What a text that uses a variable shows of its example: a number as
/// it is, else the strings it holds, however deep (a nested number may be
/// shown through a filter).
fn shown_of(value: &Value) -> Vec<String> {
    match value {
        Value::Number(n) => vec![n.to_string()],
        other => strings_in(other),
    }
}

fn strings_in(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings_in).collect(),
        Value::Object(fields) => fields.values().flat_map(strings_in).collect(),
        Value::Number(_) | Value::Bool(_) | Value::Null => Vec::new(),
    }
}

#[test]
fn names_are_unique_and_parse_back() {
    let names: BTreeSet<&str> = MailKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(names.len(), MailKind::ALL.len());
    for kind in MailKind::ALL {
        assert_eq!(MailKind::parse(kind.name()), Some(*kind));
    }
    assert_eq!(MailKind::parse("no_such_mail"), None);
}

#[test]
fn every_mail_has_an_embedded_subject_and_body_and_every_template_a_mail() {
    let embedded = mail_template_names();
    for kind in MailKind::ALL {
        assert!(
            embedded.contains(&kind.name()),
            "{} has no template",
            kind.name()
        );
    }
    for name in &embedded {
        assert!(
            MailKind::parse(name).is_some(),
            "template {name} is no MailKind"
        );
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/mail");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            MailKind::parse(&name).is_some(),
            "templates/mail/{name} is no MailKind"
        );
        assert!(
            embedded.contains(&name.as_str()),
            "templates/mail/{name} is not embedded"
        );
        for file in ["subject.j2", "body.txt.j2"] {
            assert!(
                path.join(file).is_file(),
                "templates/mail/{name}/{file} is missing"
            );
        }
    }
}

#[test]
fn every_example_is_json_and_no_variable_is_named_twice() {
    for kind in MailKind::ALL {
        let names: Vec<&str> = kind.all_variables().map(|v| v.name).collect();
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(
            unique.len(),
            names.len(),
            "{}: a variable named twice",
            kind.name()
        );
        assert_eq!(example_context(*kind).len(), names.len());
    }
}

#[test]
fn every_mail_has_a_purpose_and_requires_only_its_own_variables() {
    for kind in MailKind::ALL {
        let entry = kind.entry();
        assert!(
            entry.purpose.ends_with('.'),
            "{}: purpose is one sentence",
            kind.name()
        );
        assert!(
            !entry.required.is_empty(),
            "{}: requires nothing",
            kind.name()
        );
        for required in entry.required {
            assert!(
                entry.variables.iter().any(|v| v.name == *required),
                "{}: requires {required}, which it does not have",
                kind.name()
            );
        }
    }
}

#[test]
fn every_default_text_renders_from_the_examples_with_what_its_mail_exists_for() {
    let templates = Templates::new().unwrap();
    for kind in MailKind::ALL {
        let context = example_context(*kind);
        let mail = templates
            .mail(kind.name(), &context)
            .unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        assert!(!mail.subject.is_empty(), "{}: empty subject", kind.name());
        let all = format!("{}\n{}", mail.subject, mail.text);
        assert!(all.contains("Example Project"), "{}: no org", kind.name());
        for required in kind.entry().required {
            for shown in shown_of(&context[*required]) {
                assert!(
                    all.contains(&shown),
                    "{}: {required}'s example {shown:?} is not in\n{all}",
                    kind.name()
                );
            }
        }
    }
}

#[test]
fn the_announcements_example_wording_has_every_phrase_a_copy_varies() {
    let context = example_context(MailKind::Announcement);
    let example: BTreeSet<&String> = context["vary"].as_object().unwrap().keys().collect();
    let phrases = crate::domain::watermark::phrases("dlv_3kx8q2mw9re4tn7h");
    assert_eq!(example, phrases.keys().collect());
}

#[test]
fn the_announcement_starts_each_section_and_item_on_its_own_line() {
    let templates = Templates::new().unwrap();
    let context = example_context(MailKind::Announcement);
    let mail = templates
        .mail(MailKind::Announcement.name(), &context)
        .unwrap();
    let lines: Vec<&str> = mail.text.lines().collect();
    for line in [
        "Affected:",
        "- crates.io example-archive",
        "  SEMVER: introduced 0, fixed 2.4.1",
        "Credits:",
        "- Alice Example (finder)",
        "References:",
        "The patches are attached.",
    ] {
        assert!(
            lines.contains(&line),
            "{line:?} is no line of\n{}",
            mail.text
        );
    }
}
