//! E-mail addresses and GitHub handles, parsed once at the edge.

use std::fmt;

/// What is trimmed from around an address, a handle or a language tag:
/// the API's schemas (`http::api::request_schemas`) allow exactly these.
pub const EDGE: [char; 4] = [' ', '\t', '\n', '\r'];

/// A syntactically plausible single mailbox address (`local@domain`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct InvalidValue(pub &'static str);

impl EmailAddress {
    /// At most 254 characters as given, then trimmed of [`EDGE`].
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.chars().count() > 254 {
            return Err(InvalidValue("is too long"));
        }
        let s = raw.trim_matches(EDGE);
        let (local, domain) = s.rsplit_once('@').ok_or(InvalidValue(
            "must be an e-mail address like name@example.org",
        ))?;
        let bad = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c);
        if local.is_empty()
            || local.chars().count() > 64
            || local.chars().any(|c| bad(c) || c == '@')
            || domain.is_empty()
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || domain.chars().any(|c| bad(c) || c == '@')
        {
            return Err(InvalidValue(
                "must be an e-mail address like name@example.org",
            ));
        }
        // Domains compare case-insensitively; the local part is kept as given.
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// The address with `+tag` added to the local part (`security+tag@domain`).
    pub fn with_tag(&self, tag: &str) -> String {
        match self.0.rsplit_once('@') {
            Some((local, domain)) => format!("{local}+{tag}@{domain}"),
            None => self.0.clone(),
        }
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A GitHub user name: 1-39 of `[A-Za-z0-9-]`, no leading, trailing or double hyphen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct GithubHandle(String);

impl GithubHandle {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim_matches(EDGE);
        let s = s.strip_prefix('@').unwrap_or(s);
        let ok = !s.is_empty()
            && s.len() <= 39
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidValue(
                "must be a GitHub user name: letters, digits and single hyphens, at most 39",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_accepts_common_and_lowercases_domain() {
        let e = EmailAddress::parse(" Alice.B+x@Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "Alice.B+x@example.org");
        assert_eq!(e.with_tag("t0k"), "Alice.B+x+t0k@example.org");
    }

    #[test]
    fn email_rejects_garbage() {
        for bad in [
            "",
            "a",
            "a@b",
            "@x.org",
            "a@.org",
            "a b@x.org",
            "a@x..org",
            "<a@x.org>",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn github_handle_rules() {
        assert_eq!(
            GithubHandle::parse("@octo-cat").unwrap().as_str(),
            "octo-cat"
        );
        for bad in ["", "-a", "a-", "a--b", "a_b", &"x".repeat(40)] {
            assert!(GithubHandle::parse(bad).is_err(), "{bad}");
        }
    }
}
