//! What `embargo doctor` concludes from what it measured: the rules that
//! turn a URL, a clock difference, a file mode or a date into ok, warn or
//! fail. Pure, so every threshold is tested here.

use std::fmt;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // FAIL in capitals, so it stands out in a column of ok.
        f.pad(match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        })
    }
}

/// One check's line: what was checked, what was found and, unless it is
/// fine, how to fix it. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub status: Status,
    /// Short and fixed, such as `base_url` or `smtp`.
    pub check: &'static str,
    pub detail: String,
    /// A command or a setting; empty when there is nothing to do.
    pub fix: String,
}

impl Finding {
    pub fn ok(check: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Status::Ok, check, detail, "")
    }

    pub fn new(
        status: Status,
        check: &'static str,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            status,
            check,
            detail: detail.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<4}  {:<16}  {}", self.status, self.check, self.detail)?;
        if !self.fix.is_empty() {
            write!(f, "; fix: {}", self.fix)?;
        }
        Ok(())
    }
}

/// Exit status of a run: 1 when anything failed, else 0 (warnings pass).
pub fn exit_code(findings: &[Finding]) -> u8 {
    u8::from(findings.iter().any(|f| f.status == Status::Fail))
}

/// Plain http is a warning on loopback (a trial, or a proxy on the same
/// machine that the world does not reach this way) and a failure anywhere
/// else: session cookies and set-up links would cross the network in clear.
pub fn base_url_status(scheme: &str, host: &str) -> Status {
    if scheme == "https" {
        Status::Ok
    } else if is_loopback(host) {
        Status::Warn
    } else {
        Status::Fail
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Seconds of clock difference still ok, and the most still only a warning.
pub const SKEW_OK_SECONDS: f64 = 5.0;
pub const SKEW_WARN_SECONDS: f64 = 60.0;

/// Embargo lifts and token expiry compare instants written by different
/// machines: a few seconds apart is noise, a minute apart is a lift that
/// comes visibly early or late.
pub fn skew_status(seconds: f64) -> Status {
    let s = seconds.abs();
    if s <= SKEW_OK_SECONDS {
        Status::Ok
    } else if s <= SKEW_WARN_SECONDS {
        Status::Warn
    } else {
        Status::Fail
    }
}

/// The oldest PostgreSQL major version embargo supports.
pub const POSTGRES_MINIMUM: i64 = 13;

/// `server_version_num` (such as 150004 for 15.4) against the minimum.
pub fn postgres_status(version_num: i64) -> Status {
    if version_num / 10_000 >= POSTGRES_MINIMUM {
        Status::Ok
    } else {
        Status::Fail
    }
}

/// A security.txt expiring within this many days gets a warning.
pub const EXPIRES_WARN_DAYS: i64 = 30;

/// How a security.txt's `Expires` stands on `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// More than [`EXPIRES_WARN_DAYS`] left.
    Fine {
        days: i64,
    },
    /// Within [`EXPIRES_WARN_DAYS`].
    Soon {
        days: i64,
    },
    Expired,
    /// No `Expires` field, or one that is not RFC 3339.
    Unreadable,
}

impl Expiry {
    pub fn status(self) -> Status {
        match self {
            Expiry::Fine { .. } => Status::Ok,
            Expiry::Soon { .. } => Status::Warn,
            // RFC 9116: an expired file must be treated as stale, so
            // reporters may ignore it.
            Expiry::Expired | Expiry::Unreadable => Status::Fail,
        }
    }
}

/// Reads the `Expires:` field of a security.txt (RFC 9116 section 2.5.5)
/// and compares it with `now`.
pub fn security_txt_expiry(body: &str, now: jiff::Timestamp) -> Expiry {
    let field = body.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("expires")
            .then(|| value.trim())
    });
    let Some(expires) = field.and_then(|v| v.parse::<jiff::Timestamp>().ok()) else {
        return Expiry::Unreadable;
    };
    if expires <= now {
        return Expiry::Expired;
    }
    let days = expires.duration_since(now).as_secs() / 86_400;
    if days < EXPIRES_WARN_DAYS {
        Expiry::Soon { days }
    } else {
        Expiry::Fine { days }
    }
}

/// What GitHub's answer to listing a repository's advisories says about
/// the `[github] token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GithubAccess {
    Granted,
    /// 401: the token is wrong, expired or revoked.
    TokenRefused,
    /// 403 or 404: the token is fine but may not see the repository's
    /// advisories (GitHub hides a repository it does not show as 404).
    RepositoryUnreachable,
    /// Any other answer, or none: GitHub may be down, or doctor offline,
    /// which says nothing about the token.
    Unknown,
}

impl GithubAccess {
    /// From the HTTP status, `None` when no answer came.
    pub fn from_status(status: Option<u16>) -> Self {
        match status {
            Some(200..=299) => Self::Granted,
            Some(401) => Self::TokenRefused,
            Some(403 | 404) => Self::RepositoryUnreachable,
            _ => Self::Unknown,
        }
    }

    pub fn status(self) -> Status {
        match self {
            Self::Granted => Status::Ok,
            // Every sync would fail the same way: the mirror is broken.
            Self::TokenRefused | Self::RepositoryUnreachable => Status::Fail,
            Self::Unknown => Status::Warn,
        }
    }
}

/// What is wrong with a private file's or directory's mode: group or
/// others may touch it, or (a directory) its owner cannot enter it.
pub fn private_mode_problem(mode: u32, is_dir: bool) -> Option<String> {
    let mode = mode & 0o777;
    let want = if is_dir { 0o700 } else { 0o600 };
    // The owner must read a file; a directory they must also enter and
    // write (rotation, the cookie key's first write).
    let needed = if is_dir { 0o700 } else { 0o400 };
    if mode & 0o077 != 0 {
        Some(format!(
            "mode {mode:o}, open to group or others (want {want:o})"
        ))
    } else if mode & needed != needed {
        Some(format!(
            "mode {mode:o}, not {want:o}: the owner cannot use it"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn https_is_ok_plain_http_warns_on_loopback_and_fails_elsewhere() {
        assert_eq!(base_url_status("https", "sec.example.org"), Status::Ok);
        assert_eq!(base_url_status("https", "127.0.0.1"), Status::Ok);
        for host in [
            "127.0.0.1",
            "127.0.0.2",
            "[::1]",
            "localhost",
            "app.localhost",
        ] {
            assert_eq!(base_url_status("http", host), Status::Warn, "{host}");
        }
        for host in [
            "sec.example.org",
            "192.0.2.1",
            "[2001:db8::1]",
            "localhost.example.org",
        ] {
            assert_eq!(base_url_status("http", host), Status::Fail, "{host}");
        }
    }

    #[test]
    fn a_few_seconds_of_skew_pass_a_minute_warns_more_fails() {
        assert_eq!(skew_status(0.0), Status::Ok);
        assert_eq!(skew_status(-5.0), Status::Ok);
        assert_eq!(skew_status(5.1), Status::Warn);
        assert_eq!(skew_status(-60.0), Status::Warn);
        assert_eq!(skew_status(60.5), Status::Fail);
        assert_eq!(skew_status(-3600.0), Status::Fail);
    }

    #[test]
    fn postgres_below_13_fails() {
        assert_eq!(postgres_status(150_004), Status::Ok);
        assert_eq!(postgres_status(130_000), Status::Ok);
        assert_eq!(postgres_status(120_019), Status::Fail);
        assert_eq!(postgres_status(90_624), Status::Fail);
    }

    #[test]
    fn security_txt_expiring_within_30_days_warns_and_expired_fails() {
        let now = at("2026-11-30T12:00:00Z");
        let body = |e: &str| format!("Contact: mailto:s@example.org\nExpires: {e}\n");
        assert_eq!(
            security_txt_expiry(&body("2027-05-29T12:00:00Z"), now),
            Expiry::Fine { days: 180 }
        );
        assert_eq!(
            security_txt_expiry(&body("2026-12-30T12:00:00Z"), now),
            Expiry::Fine { days: 30 }
        );
        let soon = security_txt_expiry(&body("2026-12-30T11:59:59Z"), now);
        assert_eq!(soon, Expiry::Soon { days: 29 });
        assert_eq!(soon.status(), Status::Warn);
        let expired = security_txt_expiry(&body("2026-11-30T12:00:00Z"), now);
        assert_eq!(expired, Expiry::Expired);
        assert_eq!(expired.status(), Status::Fail);
        assert_eq!(
            security_txt_expiry("Contact: mailto:s@example.org\n", now),
            Expiry::Unreadable
        );
        assert_eq!(
            security_txt_expiry(&body("next year"), now),
            Expiry::Unreadable
        );
        // Field names are case-insensitive.
        assert_eq!(
            security_txt_expiry("expires: 2027-05-29T12:00:00Z\r\n", now),
            Expiry::Fine { days: 180 }
        );
    }

    #[test]
    fn private_files_are_0600_and_directories_0700() {
        assert_eq!(private_mode_problem(0o100600, false), None);
        assert_eq!(private_mode_problem(0o400, false), None);
        assert_eq!(private_mode_problem(0o40700, true), None);
        let open = private_mode_problem(0o755, true).unwrap();
        assert!(open.contains("755") && open.contains("700"), "{open}");
        assert!(private_mode_problem(0o640, false).is_some());
        assert!(private_mode_problem(0o600, true).unwrap().contains("owner"));
    }

    #[test]
    fn github_refusals_fail_and_outages_only_warn() {
        let access = |s| GithubAccess::from_status(s);
        assert_eq!(access(Some(200)), GithubAccess::Granted);
        assert_eq!(access(Some(200)).status(), Status::Ok);
        assert_eq!(access(Some(401)), GithubAccess::TokenRefused);
        assert_eq!(access(Some(401)).status(), Status::Fail);
        for s in [403, 404] {
            assert_eq!(access(Some(s)), GithubAccess::RepositoryUnreachable);
            assert_eq!(access(Some(s)).status(), Status::Fail);
        }
        for s in [Some(301), Some(422), Some(429), Some(500), Some(503), None] {
            assert_eq!(access(s), GithubAccess::Unknown, "{s:?}");
            assert_eq!(access(s).status(), Status::Warn, "{s:?}");
        }
    }

    #[test]
    fn the_run_fails_only_when_a_check_failed() {
        let ok = Finding::ok("a", "fine");
        let warn = Finding::new(Status::Warn, "b", "meh", "do x");
        let fail = Finding::new(Status::Fail, "c", "bad", "do y");
        assert_eq!(exit_code(&[ok.clone(), warn.clone()]), 0);
        assert_eq!(exit_code(&[ok, warn, fail.clone()]), 1);
        assert_eq!(fail.to_string(), "FAIL  c                 bad; fix: do y");
    }
}
