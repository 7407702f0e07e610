//! The GitHub mirror's rules: which repository an advisory names, what
//! state its GitHub advisory should be in, and which failures are worth
//! retrying. Pure; `app::github` does the I/O.

use super::advisory::AdvisoryState;

/// A repository `owner/name` as GitHub spells one: the owner 1-39 of
/// `[A-Za-z0-9-]`, the name 1-100 of `[A-Za-z0-9._-]` (not `.` or `..`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Repository(String);

impl Repository {
    /// Trimmed of [`super::email::EDGE`] and of one `.git` (a clone URL's
    /// end), as the API's schema for it says.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const WHY: &str = "must be a GitHub repository as owner/name, such as \"example/widget\"";
        let s = raw.trim_matches(super::email::EDGE);
        let (owner, name) = s.split_once('/').ok_or(WHY)?;
        let owner_ok = (1..=39).contains(&owner.len())
            && owner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !owner.starts_with('-')
            && !owner.ends_with('-')
            && !owner.contains("--");
        let name_ok = (1..=100).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        let name = name.strip_suffix(".git").unwrap_or(name);
        if owner_ok && name_ok && !["", ".", ".."].contains(&name) {
            Ok(Self(format!("{owner}/{name}")))
        } else {
            Err(WHY)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The states of a GitHub repository advisory that embargo sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GithubState {
    Draft,
    Published,
    Closed,
}

impl GithubState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Closed => "closed",
        }
    }
}

/// What the GitHub advisory of an advisory in `state` should be; `None`
/// where nothing is to be sent: a draft is the team's alone, and an
/// advisory withdrawn before it reached GitHub has nothing there to close.
pub fn wanted(state: AdvisoryState, on_github: bool) -> Option<GithubState> {
    match state {
        AdvisoryState::Draft => None,
        AdvisoryState::Embargoed => Some(GithubState::Draft),
        AdvisoryState::Published => Some(GithubState::Published),
        AdvisoryState::Withdrawn if on_github => Some(GithubState::Closed),
        AdvisoryState::Withdrawn => None,
    }
}

/// Whether a request that GitHub answered with `status` may succeed when
/// sent again unchanged: server errors, timeouts and rate limits may; a
/// refusal of the request or the token will not until someone acts.
pub fn worth_retrying(status: u16) -> bool {
    matches!(status, 408 | 429) || status >= 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_is_owner_slash_name() {
        assert_eq!(
            Repository::parse(" example/widget.rs ").unwrap().as_str(),
            "example/widget.rs"
        );
        assert_eq!(
            Repository::parse("example/widget.git").unwrap().as_str(),
            "example/widget"
        );
        for bad in [
            "",
            "widget",
            "example/",
            "/widget",
            "ex ample/widget",
            "example/wid/get",
            "-example/widget",
            "example/..",
            "@example/widget",
            "example/wid?get",
            "example/.git",
            "example/..git",
            "ex--ample/widget",
        ] {
            assert!(Repository::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Repository::parse(&format!("o/{}", "a".repeat(101))).is_err());
    }

    #[test]
    fn only_an_embargo_or_a_publication_reaches_github() {
        use AdvisoryState::*;
        assert_eq!(wanted(Draft, false), None);
        assert_eq!(wanted(Draft, true), None);
        assert_eq!(wanted(Embargoed, false), Some(GithubState::Draft));
        assert_eq!(wanted(Published, false), Some(GithubState::Published));
        assert_eq!(wanted(Withdrawn, true), Some(GithubState::Closed));
        assert_eq!(wanted(Withdrawn, false), None);
    }

    #[test]
    fn server_errors_and_rate_limits_are_retried_refusals_are_not() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(worth_retrying(status), "{status}");
        }
        for status in [400, 401, 403, 404, 422] {
            assert!(!worth_retrying(status), "{status}");
        }
    }
}
