//! Checking a template before it is saved: syntax, statements that reach
//! outside the template, unknown filters and variables, the variables the
//! mail exists for, and a render on the example data. Each error names the
//! part and the line.

use std::collections::HashMap;

use minijinja::Value;
use minijinja::machinery::{Token, WhitespaceConfig, tokenize};
use minijinja::syntax::SyntaxConfig;

use super::{BUILTIN_NAMES, Compiled, FILTERS, MAX_SOURCE, Part, RenderedMail, Sources};
use crate::domain::fields::FieldErrors;
use crate::domain::mail_kind::MailKind;

/// Statements that would reach other templates or switch off escaping.
const FORBIDDEN: &[&str] = &["include", "import", "from", "extends", "autoescape"];

/// The example context of `kind`: every variable with its example value.
pub fn example_context(kind: MailKind) -> Value {
    let map: serde_json::Map<String, serde_json::Value> = kind
        .all_variables()
        .map(|v| {
            let value = serde_json::from_str(v.example).unwrap_or(serde_json::Value::Null);
            (v.name.to_owned(), value)
        })
        .collect();
    Value::from_serialize(serde_json::Value::Object(map))
}

/// Checks `sources` for `kind`; on success answers the preview on the
/// example data. Errors are keyed by part (`subject`, `text`, `html`).
pub fn check(kind: MailKind, sources: &Sources) -> Result<RenderedMail, FieldErrors> {
    let mut errors = FieldErrors::new();
    let parts = [
        (Part::Subject, Some(&sources.subject)),
        (Part::Text, Some(&sources.text)),
        (Part::Html, sources.html.as_ref()),
    ];
    for (part, source) in parts {
        if let Some(source) = source
            && let Err(message) = scan(source)
        {
            errors.add(part.field(), &message);
        }
    }
    if sources.subject.trim().is_empty() {
        errors.add("subject", "required");
    }
    if sources.text.trim().is_empty() {
        errors.add("text", "required");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let compiled = Compiled::new(sources).map_err(|e| {
        let mut errors = FieldErrors::new();
        errors.add(e.part.field(), &e.message);
        errors
    })?;
    let allowed: Vec<&str> = kind.all_variables().map(|v| v.name).collect();
    for (part, source) in parts {
        let Some(source) = source else { continue };
        let mut unknown: Vec<String> = compiled
            .undeclared(part)
            .into_iter()
            .filter(|name| {
                !allowed.contains(&name.as_str()) && !BUILTIN_NAMES.contains(&name.as_str())
            })
            .collect();
        unknown.sort_by_key(|name| first_use(source, name));
        if let Some(name) = unknown.first() {
            let at = first_use(source, name)
                .map(|l| format!("line {l}: "))
                .unwrap_or_default();
            errors.add(part.field(), format!("{at}unknown variable `{name}`"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let used = compiled.undeclared(Part::Text);
    if let Some(missing) = kind.entry().required.iter().find(|r| !used.contains(**r)) {
        errors.add(
            "text",
            format!("missing required variable `{missing}`: the mail exists for it"),
        );
        return Err(errors);
    }
    compiled.render(&example_context(kind)).map_err(|e| {
        let mut errors = FieldErrors::new();
        errors.add(e.part.field(), &e.message);
        errors
    })
}

/// Refuses oversize sources, statements that reach outside, and unknown
/// filters. Syntax errors are left to the compiler, which names them.
fn scan(source: &str) -> Result<(), String> {
    if source.len() > MAX_SOURCE {
        return Err(format!("longer than {} KiB", MAX_SOURCE / 1024));
    }
    let mut previous: Option<Token<'_>> = None;
    for token in tokenize(source, false, SyntaxConfig, WhitespaceConfig::default()) {
        let Ok((token, span)) = token else {
            return Ok(());
        };
        if let Token::Ident(name) = token {
            let line = span.start_line;
            match previous {
                Some(Token::BlockStart) if FORBIDDEN.contains(&name) => {
                    return Err(format!(
                        "line {line}: `{name}` is not allowed in mail templates"
                    ));
                }
                Some(Token::Pipe) if !FILTERS.contains(&name) => {
                    return Err(format!("line {line}: unknown filter `{name}`"));
                }
                Some(Token::Ident("filter")) if !FILTERS.contains(&name) => {
                    return Err(format!("line {line}: unknown filter `{name}`"));
                }
                _ => {}
            }
        }
        previous = Some(token);
    }
    Ok(())
}

/// The line where `name` is first used as a name (not an attribute).
fn first_use(source: &str, name: &str) -> Option<u16> {
    let mut lines: HashMap<&str, u16> = HashMap::new();
    let mut previous: Option<Token<'_>> = None;
    for token in tokenize(source, false, SyntaxConfig, WhitespaceConfig::default()) {
        let Ok((token, span)) = token else { break };
        if let Token::Ident(ident) = token
            && !matches!(previous, Some(Token::Dot))
        {
            lines.entry(ident).or_insert(span.start_line);
        }
        previous = Some(token);
    }
    lines.get(name).copied()
}
