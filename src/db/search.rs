//! Searching lists: a substring of what was typed, matched without regard
//! to case by `LIKE`, on SQLite and PostgreSQL alike.

/// Longest search text taken; the rest is cut off.
pub const MAX_CHARS: usize = 200;

/// The `LIKE` pattern for `typed` (trimmed; `None` when empty): `%text%`
/// with `\`, `%` and `_` escaped, so they match themselves.
pub fn pattern(typed: &str) -> Option<String> {
    let typed: String = typed.trim().chars().take(MAX_CHARS).collect();
    if typed.is_empty() {
        return None;
    }
    let escaped = typed
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

/// What was typed, trimmed, cut to [`MAX_CHARS`] and lowercased, to find
/// in sealed text once opened ([`matches`]); `None` when empty.
pub fn needle(typed: &str) -> Option<String> {
    let typed: String = typed.trim().chars().take(MAX_CHARS).collect();
    (!typed.is_empty()).then(|| typed.to_lowercase())
}

/// Whether any of `fields` holds `needle` (from [`needle`]), without
/// regard to case.
pub fn matches<'a>(needle: &str, fields: impl IntoIterator<Item = &'a str>) -> bool {
    fields
        .into_iter()
        .any(|f| f.to_lowercase().contains(needle))
}

/// [`needle`] for text inside JSON (an advisory's content): as
/// serde_json writes a string, so a typed `"` finds a stored `\"`.
pub fn json_needle(typed: &str) -> Option<String> {
    let typed = needle(typed)?;
    let quoted = serde_json::to_string(&typed).ok()?;
    Some(quoted[1..quoted.len() - 1].to_owned())
}

/// `($n IS NULL OR LOWER(col) LIKE LOWER($n) ESCAPE '\' OR ...)` over
/// `columns`, with the pattern bound at `$n`.
pub fn any_of(n: usize, columns: &[&str]) -> String {
    let likes: Vec<String> = columns
        .iter()
        .map(|c| format!("LOWER({c}) LIKE LOWER(${n}) ESCAPE '\\'"))
        .collect();
    format!("(${n} IS NULL OR {})", likes.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_typed_match_themselves() {
        assert_eq!(pattern("  "), None);
        assert_eq!(pattern(" 50%_off\\ "), Some("%50\\%\\_off\\\\%".into()));
        assert_eq!(json_needle("Say \"hi\""), Some("say \\\"hi\\\"".into()));
        assert_eq!(
            pattern(&"x".repeat(500)).map(|p| p.len()),
            Some(MAX_CHARS + 2)
        );
    }

    #[test]
    fn opened_text_is_matched_as_a_substring_without_regard_to_case() {
        let n = needle("  Über 50%  ").unwrap();
        assert!(matches(&n, ["", "price: ÜBER 50% off"]));
        assert!(!matches(&n, ["über 5"]));
        assert_eq!(needle(" "), None);
    }

    #[test]
    fn each_column_is_matched_lowercased() {
        assert_eq!(
            any_of(2, &["title", "body"]),
            "($2 IS NULL OR LOWER(title) LIKE LOWER($2) ESCAPE '\\' OR LOWER(body) LIKE LOWER($2) ESCAPE '\\')"
        );
    }
}
