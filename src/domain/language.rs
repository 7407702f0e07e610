//! The language a mail is written in: a simple BCP 47 tag (`en`, `de`,
//! `pt-br`), lower case.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(String);

/// The language every built-in text is written in, and the fallback.
pub const ENGLISH: &str = "en";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a language tag such as `en`, `de` or `pt-br`")]
pub struct InvalidLanguage;

impl Language {
    /// A primary subtag of 2-3 letters, then up to three subtags of 2-8
    /// letters or digits.
    pub fn parse(tag: &str) -> Result<Self, InvalidLanguage> {
        let tag = tag
            .trim_matches(crate::domain::email::EDGE)
            .to_ascii_lowercase();
        let mut parts = tag.split('-');
        let primary = parts.next().unwrap_or_default();
        let primary_ok =
            (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
        let rest: Vec<&str> = parts.collect();
        let rest_ok = rest.len() <= 3
            && rest.iter().all(|p| {
                (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        match primary_ok && rest_ok {
            true => Ok(Self(tag)),
            false => Err(InvalidLanguage),
        }
    }

    pub fn english() -> Self {
        Self(ENGLISH.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_tags_parse_and_others_do_not() {
        assert_eq!(Language::parse("DE").unwrap().as_str(), "de");
        assert_eq!(Language::parse("pt-BR").unwrap().as_str(), "pt-br");
        for bad in ["", "e", "english", "de_DE", "de-", "../x", "de-x"] {
            assert!(Language::parse(bad).is_err(), "{bad}");
        }
    }
}
