//! Template sources nobody thought of, as an admin might paste them into
//! the editor: each is accepted with a preview or refused part by part,
//! never a panic or a preview that runs without end (fuel bounds it).

use proptest::collection::vec;
use proptest::prelude::*;

use super::Sources;
use super::check::check;
use crate::domain::mail_kind::MailKind;

/// Source text built from template syntax and the words it holds.
fn source() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        " for x in ",
        " endfor ",
        " if ",
        " else ",
        " endif ",
        " set ",
        " = ",
        " macro m() ",
        " endmacro ",
        "m()",
        " include ",
        " extends ",
        " import ",
        "\"pages/base.html.j2\"",
        "range(1000000)",
        "range(9)",
        "org",
        "url",
        "x",
        "x.y",
        "loop.index",
        "|",
        "upper",
        "length",
        "join(\",\")",
        "safe",
        "e",
        "~",
        "(",
        ")",
        "[",
        "]",
        "*",
        "**",
        "9999999",
        "\n",
        " ",
        "é",
        "\u{202e}",
        "<script>",
        "&",
        "\"",
        "'",
        "self",
        "super()",
        "namespace()",
        "debug()",
    ]);
    prop_oneof![vec(token, 0..40).prop_map(|t| t.concat()), any::<String>(),]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_source_is_previewed_or_refused_by_part(
        kind in prop::sample::select(MailKind::ALL.to_vec()),
        subject in source(),
        text in source(),
        html in prop::option::of(source()),
    ) {
        let sources = Sources { subject, text, html };
        if let Err(errors) = check(kind, &sources) {
            prop_assert!(!errors.is_empty());
            for (part, _) in errors.iter() {
                prop_assert!(matches!(part, "subject" | "text" | "html"), "{}", part);
            }
        }
    }
}
