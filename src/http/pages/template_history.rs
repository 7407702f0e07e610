//! The version history the template page shows: per language, newest
//! first, each version with who made it, when, why and what it did, and
//! its change from the version before it (the built-in text before the
//! first) as a unified diff, line by line for the page to mark up.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::app::templates::sources_of;
use crate::db::templates::VersionRow;
use crate::http::api::templates::VersionView;
use crate::mail::templates::Sources;

/// One line of a diff.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `add`, `del`, `same`, or `hunk` for a `@@ … @@` header.
    pub kind: &'static str,
    /// The line with its `+`, `-` or space, without its line break.
    pub text: String,
}

/// One version as the history lists it: as the API shows it, with its
/// diff from the version before it.
#[derive(Debug, Serialize)]
pub struct VersionItem {
    #[serde(flatten)]
    version: VersionView,
    /// The version the diff starts from; `None`: the built-in text.
    previous: Option<i64>,
    diff: Vec<DiffLine>,
}

/// The versions of one language, newest first.
#[derive(Debug, Serialize)]
pub struct LanguageHistory {
    lang: String,
    versions: Vec<VersionItem>,
}

/// A version's parts as one text, the way the diff compares them.
fn document(sources: &Sources) -> String {
    // A subject is one line; its file's line break is not part of it.
    let mut doc = format!(
        "Subject: {}\n\n{}",
        sources.subject.trim_end(),
        sources.text
    );
    if let Some(html) = &sources.html {
        if !doc.ends_with('\n') {
            doc.push('\n');
        }
        doc.push_str("\n[HTML part]\n");
        doc.push_str(html);
    }
    if !doc.ends_with('\n') {
        doc.push('\n');
    }
    doc
}

/// The unified diff from `old` to `new` (three lines of context); empty
/// when they are the same.
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    for hunk in diff.unified_diff().iter_hunks() {
        lines.push(DiffLine {
            kind: "hunk",
            text: hunk.header().to_string(),
        });
        for change in hunk.iter_changes() {
            let (kind, sign) = match change.tag() {
                ChangeTag::Delete => ("del", '-'),
                ChangeTag::Insert => ("add", '+'),
                ChangeTag::Equal => ("same", ' '),
            };
            let line = change.value().trim_end_matches(['\n', '\r']);
            lines.push(DiffLine {
                kind,
                text: format!("{sign}{line}"),
            });
        }
    }
    lines
}

/// `rows` (every version, by language, newest first, as
/// `db::templates::history` answers them) grouped by language, each
/// compared with the one before it; a version of the built-in text reads
/// as `builtin`.
pub fn by_language(
    rows: Vec<(VersionRow, Option<String>)>,
    builtin: &Sources,
) -> Vec<LanguageHistory> {
    let text = |row: &VersionRow| document(&sources_of(row).unwrap_or_else(|| builtin.clone()));
    let mut out: Vec<LanguageHistory> = Vec::new();
    for (i, (row, email)) in rows.iter().enumerate() {
        let before = rows
            .get(i + 1)
            .map(|(r, _)| r)
            .filter(|r| r.lang == row.lang);
        let old = before.map_or_else(|| document(builtin), text);
        let current = out.last().is_none_or(|h| h.lang != row.lang);
        let item = VersionItem {
            version: VersionView::of(row.clone(), email.clone(), current),
            previous: before.map(|r| r.version),
            diff: diff(&old, &text(row)),
        };
        match out.last_mut() {
            Some(h) if h.lang == row.lang => h.versions.push(item),
            _ => out.push(LanguageHistory {
                lang: row.lang.clone(),
                versions: vec![item],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: &'static str, text: &str) -> DiffLine {
        DiffLine {
            kind,
            text: text.to_owned(),
        }
    }

    #[test]
    fn a_changed_line_is_removed_and_added_within_its_hunk() {
        let lines = diff("a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(
            lines,
            [
                line("hunk", "@@ -1,3 +1,3 @@"),
                line("same", " a"),
                line("del", "-b"),
                line("add", "+B"),
                line("same", " c"),
            ]
        );
        assert!(diff("same\n", "same\n").is_empty());
    }

    #[test]
    fn each_version_is_compared_with_the_one_before_it_in_its_language() {
        let builtin = Sources {
            subject: "S".into(),
            text: "built in\n".into(),
            html: None,
        };
        let row = |lang: &str, version: i64, text: Option<&str>| VersionRow {
            name: "report_received".into(),
            lang: lang.into(),
            version,
            subject: text.map(|_| "S".into()),
            text: text.map(Into::into),
            html: None,
            action: if text.is_some() { "edit" } else { "reset" }.into(),
            reverted_to: None,
            reason: String::new(),
            actor: "cli".into(),
            created_at: 0,
        };
        let rows = vec![
            (row("de", 1, Some("deutsch\n")), None),
            (row("en", 2, None), Some("a@example.org".into())),
            (row("en", 1, Some("ours\n")), None),
        ];
        let history = by_language(rows, &builtin);
        assert_eq!(history.len(), 2);
        let en = &history[1].versions;
        assert_eq!(
            (
                en[0].previous,
                en[0].version.current,
                en[0].version.actor.as_str()
            ),
            (Some(1), true, "a@example.org")
        );
        assert!(en[0].diff.contains(&line("add", "+built in")));
        assert_eq!((en[1].previous, en[1].version.current), (None, false));
        assert!(en[1].diff.contains(&line("del", "-built in")));
        assert!(
            history[0].versions[0]
                .diff
                .contains(&line("add", "+deutsch"))
        );
    }
}
