//! Passkeys: what a person names one, the ceremonies that make and use
//! one, and how long a ceremony waits for the browser's answer.

/// How long a ceremony's challenge may be answered: long enough to find
/// and touch an authenticator, short enough that a stolen page is stale.
pub const CEREMONY_MINUTES: i64 = 5;

/// Passkeys one account may hold; each is listed on every sign-in's
/// second step, so the list stays short.
pub const MAX_PER_ACCOUNT: usize = 20;

/// The name a person gives a passkey ("laptop", "phone"), to tell them
/// apart on the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyName(String);

impl PasskeyName {
    /// 1 to 60 characters after trimming, no control characters.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let s = s.trim();
        if s.is_empty() {
            Err("is required: a name to recognise this passkey by")
        } else if s.chars().count() > 60 {
            Err("must be at most 60 characters")
        } else if s.chars().any(char::is_control) {
            Err("must not contain control characters")
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which ceremony a challenge belongs to: a challenge of one kind is never
/// accepted for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyKind {
    /// A signed-in account adds a passkey.
    Register,
    /// Anyone signs in with a passkey alone (a discoverable credential
    /// names its account).
    SignIn,
    /// Whoever gave an account's right password confirms with one of its
    /// passkeys.
    SecondFactor,
}

impl CeremonyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SignIn => "sign_in",
            Self::SecondFactor => "second_factor",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passkey_name_is_trimmed_short_and_printable() {
        assert_eq!(PasskeyName::parse("  laptop ").unwrap().as_str(), "laptop");
        assert!(PasskeyName::parse("   ").is_err());
        assert!(PasskeyName::parse(&"x".repeat(61)).is_err());
        assert!(PasskeyName::parse(&"é".repeat(60)).is_ok());
        assert!(PasskeyName::parse("a\u{7}b").is_err());
    }
}
