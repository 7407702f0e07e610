//! Announcing an embargoed advisory to the list: which advisories may be
//! announced, what each recipient gets, and how a delivery moves.

use super::advisory::AdvisoryState;

/// The outer Subject of an encrypted announcement: it travels in clear, so
/// it says nothing about the advisory (the real one is inside, RFC 9788).
pub const OUTER_SUBJECT: &str = "[embargoed] security announcement";

/// Only an embargoed advisory is announced: a draft is not ready for the
/// list and a published or withdrawn one is no longer the list's secret.
pub fn check_announceable(state: AdvisoryState) -> Result<(), NotAnnounceable> {
    match state {
        AdvisoryState::Embargoed => Ok(()),
        other => Err(NotAnnounceable(other)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("only an embargoed advisory can be announced; this one is {}: {}", .0.as_str(), reason(*.0))]
pub struct NotAnnounceable(pub AdvisoryState);

fn reason(state: AdvisoryState) -> &'static str {
    match state {
        AdvisoryState::Draft => "set an embargo first",
        AdvisoryState::Published => "it is public already",
        AdvisoryState::Withdrawn => "it was withdrawn",
        AdvisoryState::Embargoed => "",
    }
}

/// What an announcement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The advisory itself.
    Advisory,
    /// Its embargo moved: everyone who got it is told the new end.
    EmbargoChanged,
    /// Its embargo ended and it is public: everyone who got it is told.
    EmbargoLifted,
    /// A leak of it: the admins tell everyone who got it.
    LeakNotice,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Advisory => "advisory",
            Self::EmbargoChanged => "embargo_changed",
            Self::EmbargoLifted => "embargo_lifted",
            Self::LeakNotice => "leak_notice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "advisory" => Self::Advisory,
            "embargo_changed" => Self::EmbargoChanged,
            "embargo_lifted" => Self::EmbargoLifted,
            "leak_notice" => Self::LeakNotice,
            _ => return None,
        })
    }

    /// What a recipient gets: while the advisory is embargoed, as
    /// [`DeliveryKind::for_recipient`] says; once it is public, a clear
    /// message for everyone.
    pub fn delivery_kind(self, has_usable_key: bool, clear_text_allowed: bool) -> DeliveryKind {
        match self {
            Self::EmbargoLifted => DeliveryKind::Notice,
            Self::Advisory | Self::EmbargoChanged | Self::LeakNotice => {
                DeliveryKind::for_recipient(has_usable_key, clear_text_allowed)
            }
        }
    }
}

/// What a recipient gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKind {
    /// The advisory, signed and encrypted to the recipient's current key.
    Encrypted,
    /// A clear-text notice with a link to read it after logging in; nothing
    /// of the advisory.
    Notice,
    /// The advisory unencrypted, signed by the list key (PGP/MIME
    /// multipart/signed): only for a contact without a usable key whom an
    /// admin explicitly allowed clear text.
    Clear,
}

impl DeliveryKind {
    /// Nothing of an embargoed advisory goes out in clear unless an admin
    /// allowed it for that recipient: a usable key always wins, so an
    /// allowance never downgrades someone who can decrypt; without a key,
    /// the allowance decides between the advisory in clear and the notice.
    pub fn for_recipient(has_usable_key: bool, clear_text_allowed: bool) -> Self {
        match (has_usable_key, clear_text_allowed) {
            (true, _) => Self::Encrypted,
            (false, true) => Self::Clear,
            (false, false) => Self::Notice,
        }
    }

    /// Whether the message carries the advisory's content (encrypted or,
    /// where allowed, in clear), rather than a notice naming nothing.
    pub fn carries_content(self) -> bool {
        matches!(self, Self::Encrypted | Self::Clear)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Encrypted => "encrypted",
            Self::Notice => "notice",
            Self::Clear => "clear",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "encrypted" => Some(Self::Encrypted),
            "notice" => Some(Self::Notice),
            "clear" => Some(Self::Clear),
            _ => None,
        }
    }
}

/// Where one recipient's message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Queued,
    /// An attempt runs (or ran when the process died: the next attempt
    /// sends it again, with the same Message-ID).
    Sending,
    /// The SMTP server took it.
    Sent,
    /// A temporary failure; another attempt follows.
    Deferred,
    /// Accepted, then returned by a bounce.
    Bounced,
    /// A permanent failure, or the attempts ran out.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Deferred => "deferred",
            Self::Bounced => "bounced",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "sending" => Self::Sending,
            "sent" => Self::Sent,
            "deferred" => Self::Deferred,
            "bounced" => Self::Bounced,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    /// Whether an attempt may (still) send: a sent, bounced or failed
    /// delivery is never sent again.
    pub fn may_attempt(self) -> bool {
        matches!(self, Self::Queued | Self::Sending | Self::Deferred)
    }

    /// The state after an attempt that failed: `permanent` (a 5xx, a key
    /// that cannot be used) or the last attempt fails it; else it waits.
    pub fn after_failure(permanent: bool, final_attempt: bool) -> Self {
        if permanent || final_attempt {
            Self::Failed
        } else {
            Self::Deferred
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_embargoed_advisories_are_announced_and_the_refusal_says_why() {
        assert!(check_announceable(AdvisoryState::Embargoed).is_ok());
        let draft = check_announceable(AdvisoryState::Draft).unwrap_err();
        assert!(draft.to_string().contains("draft"), "{draft}");
        assert!(draft.to_string().contains("embargo first"));
        let public = check_announceable(AdvisoryState::Published).unwrap_err();
        assert!(public.to_string().contains("public already"), "{public}");
        assert!(check_announceable(AdvisoryState::Withdrawn).is_err());
    }

    #[test]
    fn without_a_usable_key_a_recipient_gets_only_the_notice() {
        assert_eq!(
            DeliveryKind::for_recipient(true, false),
            DeliveryKind::Encrypted
        );
        assert_eq!(
            DeliveryKind::for_recipient(false, false),
            DeliveryKind::Notice
        );
    }

    #[test]
    fn clear_text_goes_only_to_a_keyless_recipient_it_was_allowed_for() {
        assert_eq!(
            DeliveryKind::for_recipient(false, true),
            DeliveryKind::Clear
        );
        // A usable key always wins: the allowance never downgrades.
        assert_eq!(
            DeliveryKind::for_recipient(true, true),
            DeliveryKind::Encrypted
        );
        assert_eq!(
            Purpose::EmbargoChanged.delivery_kind(false, true),
            DeliveryKind::Clear
        );
        assert_eq!(
            Purpose::EmbargoLifted.delivery_kind(false, true),
            DeliveryKind::Notice
        );
        assert!(DeliveryKind::Clear.carries_content());
        assert!(DeliveryKind::Encrypted.carries_content());
        assert!(!DeliveryKind::Notice.carries_content());
        for k in [
            DeliveryKind::Encrypted,
            DeliveryKind::Notice,
            DeliveryKind::Clear,
        ] {
            assert_eq!(DeliveryKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(DeliveryKind::parse("plain"), None);
    }

    #[test]
    fn once_public_everyone_gets_it_in_clear_before_only_those_with_keys_encrypted() {
        assert_eq!(
            Purpose::EmbargoLifted.delivery_kind(true, false),
            DeliveryKind::Notice
        );
        assert_eq!(
            Purpose::EmbargoChanged.delivery_kind(true, false),
            DeliveryKind::Encrypted
        );
        assert_eq!(
            Purpose::EmbargoChanged.delivery_kind(false, false),
            DeliveryKind::Notice
        );
        for p in [
            Purpose::Advisory,
            Purpose::EmbargoChanged,
            Purpose::EmbargoLifted,
        ] {
            assert_eq!(Purpose::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn states_round_trip_and_finished_deliveries_are_not_sent_again() {
        for s in [
            DeliveryState::Queued,
            DeliveryState::Sending,
            DeliveryState::Sent,
            DeliveryState::Deferred,
            DeliveryState::Bounced,
            DeliveryState::Failed,
        ] {
            assert_eq!(DeliveryState::parse(s.as_str()), Some(s));
        }
        assert!(DeliveryState::Sending.may_attempt());
        assert!(!DeliveryState::Sent.may_attempt());
        assert!(!DeliveryState::Bounced.may_attempt());
        assert!(!DeliveryState::Failed.may_attempt());
    }

    #[test]
    fn a_failure_defers_until_it_is_permanent_or_the_last_attempt() {
        assert_eq!(
            DeliveryState::after_failure(false, false),
            DeliveryState::Deferred
        );
        assert_eq!(
            DeliveryState::after_failure(true, false),
            DeliveryState::Failed
        );
        assert_eq!(
            DeliveryState::after_failure(false, true),
            DeliveryState::Failed
        );
    }
}
