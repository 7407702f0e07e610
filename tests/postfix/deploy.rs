//! The README's Postfix configuration, kept in `deploy/postfix/`: the tests
//! configure Postfix from these files, and the README shows them verbatim.

pub fn master_cf() -> &'static str {
    include_str!("../../deploy/postfix/master.cf.embargo")
}

pub fn main_cf() -> &'static str {
    include_str!("../../deploy/postfix/main.cf.embargo")
}

pub fn transport_pipe() -> &'static str {
    include_str!("../../deploy/postfix/transport")
}

pub fn transport_lmtp() -> &'static str {
    include_str!("../../deploy/postfix/transport.lmtp")
}

/// `text` with each `(from, to)` replaced, each `from` present exactly
/// once: a snippet that changed fails here rather than going untested.
pub fn substitute(text: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in pairs {
        assert_eq!(out.matches(from).count(), 1, "{from:?} once in {text:?}");
        out = out.replace(from, to);
    }
    out
}

#[test]
fn the_readme_shows_the_postfix_configuration_the_tests_use() {
    let readme = include_str!("../../README.md");
    for snippet in [master_cf(), main_cf(), transport_pipe(), transport_lmtp()] {
        let block = format!("```\n{snippet}```\n");
        assert!(readme.contains(&block), "README lacks:\n{block}");
    }
}
