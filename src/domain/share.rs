//! Need-to-know shares: a cleared member contact lets one colleague (a
//! delegate) read one embargoed advisory. What decides a delegate's access.

use super::advisory::AdvisoryId;

/// A delegate's standing, looked up per request: the policy version they
/// accepted and their shares not revoked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delegate {
    pub accepted_current_policy: bool,
    pub shares: Vec<Share>,
}

/// One share given to the delegate (revoked ones are not loaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub advisory: AdvisoryId,
    /// The delegate accepted the share's terms.
    pub terms_accepted: bool,
    /// The member who shared is still on the list.
    pub sharer_active: bool,
}

impl Delegate {
    /// May read `advisory` while it is embargoed: the current policy and the
    /// share's terms accepted, the sharing member still on the list.
    /// Revocation and publication end it (the caller checks the state).
    pub fn may_read(&self, advisory: &AdvisoryId) -> bool {
        self.accepted_current_policy
            && self
                .shares
                .iter()
                .any(|s| &s.advisory == advisory && s.terms_accepted && s.sharer_active)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> AdvisoryId {
        AdvisoryId::parse(s).unwrap()
    }

    fn delegate(policy: bool, terms: bool, sharer_active: bool) -> Delegate {
        Delegate {
            accepted_current_policy: policy,
            shares: vec![Share {
                advisory: id("SA-2026-0001"),
                terms_accepted: terms,
                sharer_active,
            }],
        }
    }

    #[test]
    fn a_delegate_reads_the_shared_advisory_only_after_accepting_policy_and_terms() {
        assert!(delegate(true, true, true).may_read(&id("SA-2026-0001")));
        assert!(!delegate(false, true, true).may_read(&id("SA-2026-0001")));
        assert!(!delegate(true, false, true).may_read(&id("SA-2026-0001")));
    }

    #[test]
    fn nothing_else_and_nothing_once_the_sharing_member_is_gone() {
        assert!(!delegate(true, true, true).may_read(&id("SA-2026-0002")));
        assert!(!delegate(true, true, false).may_read(&id("SA-2026-0001")));
        assert!(!Delegate::default().may_read(&id("SA-2026-0001")));
    }
}
