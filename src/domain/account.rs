//! Accounts and their roles.

/// What kind of person an account belongs to (see DESIGN.md, "Who uses it").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
    Delegate,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Member, Role::Delegate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Delegate => "delegate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Password rules: long enough to resist guessing, short enough to hash cheaply.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < 12 {
        Err("must be at least 12 characters")
    } else if n > 256 {
        Err("must be at most 256 characters")
    } else {
        Ok(())
    }
}

/// Whether an account must sign in with a TOTP code: admins, when the
/// configuration asks it of them (`auth.require_totp_for_admins`); they can
/// read every report and embargoed advisory.
pub fn totp_required(role: Role, required_for_admins: bool) -> bool {
    required_for_admins && role == Role::Admin
}

/// Whether an account must have a second factor (TOTP or a passkey) before
/// it may do anything else, when the configuration asks it
/// (`auth.require_second_factor`). Every role can read embargoed material:
/// admins all of it, member contacts what the list gets, delegates what
/// was shared with them; so it is asked of every account.
pub fn second_factor_required(role: Role, required: bool) -> bool {
    match role {
        Role::Admin | Role::Member | Role::Delegate => required,
    }
}

/// Paths an account that must still set up a second factor may use: its
/// account page, the set-up of an app or a passkey, and logging out.
pub fn open_before_second_factor(path: &str) -> bool {
    matches!(
        path,
        "/account" | "/account/totp" | "/account/recovery-codes" | "/logout"
    ) || path.starts_with("/account/passkeys")
        || path.starts_with("/login")
        || path.starts_with("/static/")
}

/// Failed logins before an account is locked for a while.
pub const MAX_FAILED_LOGINS: i64 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn password_length_rules() {
        assert!(check_password("short").is_err());
        assert!(check_password("correct horse battery").is_ok());
        assert!(check_password(&"x".repeat(257)).is_err());
    }
}

/// Whether an account locked until `locked_until` is still locked at `now`
/// (microseconds).
pub fn is_locked(locked_until: Option<i64>, now: i64) -> bool {
    locked_until.is_some_and(|t| t > now)
}

/// Whether a TOTP code of time step `step` may be accepted after
/// `last_step`: each step once, and never an older one (a replayed code).
pub fn totp_step_is_fresh(step: i64, last_step: Option<i64>) -> bool {
    last_step.is_none_or(|last| step > last)
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn a_lock_ends_at_its_instant() {
        assert!(is_locked(Some(10), 9));
        assert!(!is_locked(Some(10), 10));
        assert!(!is_locked(None, 0));
    }

    #[test]
    fn totp_is_required_of_admins_only_when_configured() {
        assert!(totp_required(Role::Admin, true));
        assert!(!totp_required(Role::Admin, false));
        for role in [Role::Member, Role::Delegate] {
            assert!(!totp_required(role, true), "{role:?}");
        }
    }

    #[test]
    fn a_second_factor_is_required_of_every_role_when_configured() {
        for role in Role::ALL {
            assert!(second_factor_required(role, true), "{role:?}");
            assert!(!second_factor_required(role, false), "{role:?}");
        }
    }

    #[test]
    fn only_the_set_up_of_a_second_factor_is_open_before_it() {
        for open in [
            "/account",
            "/account/totp",
            "/account/passkeys/options",
            "/logout",
        ] {
            assert!(open_before_second_factor(open), "{open}");
        }
        for closed in [
            "/admin/reports",
            "/member/advisories",
            "/account/tokens",
            "/accountx",
            "/",
        ] {
            assert!(!open_before_second_factor(closed), "{closed}");
        }
    }

    #[test]
    fn a_totp_step_is_accepted_once_and_never_older() {
        assert!(totp_step_is_fresh(5, None));
        assert!(totp_step_is_fresh(6, Some(5)));
        assert!(!totp_step_is_fresh(5, Some(5)));
        assert!(!totp_step_is_fresh(4, Some(5)));
    }
}
