//! The one authorization decision: (actor, action) -> allow or deny.
//! Every handler calls [`authorize`]; the route matrix test pins its answers.

use super::account::Role;
use super::advisory::{AdvisoryId, AdvisoryState};
use super::id::{AccountId, MemberId, ReportId};
use super::share::Delegate;

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    /// Holder of a report's tracking link: a capability for that report only.
    Reporter(ReportId),
    Account {
        id: AccountId,
        role: Role,
        /// For a member contact: their organisation and standing.
        contact: Option<Contact>,
        /// For a delegate: their shares and standing.
        delegate: Option<Delegate>,
    },
}

/// What decides a member contact's access: the facts, looked up per
/// request; the rule is [`Contact::cleared`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub member: MemberId,
    /// The organisation is on the list (not removed, not left).
    pub member_active: bool,
    /// The contact accepted the list policy's current version.
    pub accepted_current_policy: bool,
}

impl Contact {
    /// May see embargoed material: an active member's contact who accepted
    /// the current policy. A new policy version pauses access until it is
    /// accepted again.
    pub fn cleared(&self) -> bool {
        self.member_active && self.accepted_current_policy
    }
}

impl Actor {
    fn role(&self) -> Option<Role> {
        match self {
            Actor::Account { role, .. } => Some(*role),
            _ => None,
        }
    }

    /// The organisation a member contact acts for.
    pub fn member(&self) -> Option<&MemberId> {
        match self {
            Actor::Account {
                role: Role::Member,
                contact: Some(c),
                ..
            } => Some(&c.member),
            _ => None,
        }
    }

    /// A delegate whose share of `advisory` is live and accepted.
    fn delegate_may_read(&self, advisory: &AdvisoryId) -> bool {
        matches!(
            self,
            Actor::Account { role: Role::Delegate, delegate: Some(d), .. } if d.may_read(advisory)
        )
    }

    /// A contact of `member`; with `active`, only while it is on the list.
    fn is_contact_of(&self, member: &MemberId, active: bool) -> bool {
        matches!(
            self,
            Actor::Account { role: Role::Member, contact: Some(c), .. }
                if &c.member == member && (c.member_active || !active)
        )
    }

    /// A cleared contact of one of `members`.
    fn is_cleared_contact_of(&self, members: &[&MemberId]) -> bool {
        matches!(
            self,
            Actor::Account { role: Role::Member, contact: Some(c), .. }
                if c.cleared() && members.contains(&&c.member)
        )
    }

    fn is_cleared_member(&self) -> bool {
        matches!(
            self,
            Actor::Account { role: Role::Member, contact: Some(c), .. } if c.cleared()
        )
    }
}

/// What they want to do, with the resource it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Send a new report (web form, API, mail).
    SubmitReport,
    /// The list of all reports (admin inbox).
    ListReports,
    ReadReport(&'a ReportId),
    /// Add a message or attachment to a report's thread.
    ReplyToReport(&'a ReportId),
    /// Status changes and assignment.
    TriageReport(&'a ReportId),
    /// Accounts, jobs and other operator views.
    Administer,
    /// An account's own tokens and session.
    ManageOwnAccount,
    /// Create, edit, embargo, publish and withdraw advisories; see drafts.
    ManageAdvisories,
    /// Set an embargo that breaks an overridable policy rule (too long, too
    /// short notice), giving a reason; see [`super::embargo::admits`].
    OverrideEmbargoPolicy,
    /// Send an embargoed advisory to the list, and see who got it.
    Announce,
    /// Use the list's view of advisories at all (the distribution API).
    ReadEmbargoedAdvisory,
    /// Ask for one advisory of the list's view by id at all: admins,
    /// cleared members, and a delegate for the advisory shared with them.
    /// A refusal is 403 before anything is looked up.
    ReadAdvisoryById(&'a AdvisoryId),
    /// Read one advisory in the list's view, given its state: drafts and
    /// withdrawn records are the team's; an embargoed one goes to cleared
    /// contacts of the members in its audience (need-to-know) and to a
    /// delegate it was shared with; a published one to cleared members.
    /// A refusal here hides the advisory (404).
    ReadAdvisory {
        id: &'a AdvisoryId,
        state: AdvisoryState,
        /// The caller's member organisation is in the advisory's audience
        /// (chosen in one of its announcements); false for anyone who is
        /// not a member contact. Looked up per request for this advisory.
        in_audience: bool,
    },
    /// Share an advisory with a colleague on a need-to-know basis: a
    /// cleared member contact whose organisation is in its audience
    /// (`in_audience` as for [`Action::ReadAdvisory`]), while it is embargoed.
    ShareAdvisory {
        state: AdvisoryState,
        in_audience: bool,
    },
    /// List and revoke the shares a member gave: admins, and that active
    /// member's contacts.
    ManageShares(&'a MemberId),
    /// Accept the terms of a share: the delegate it was given to.
    AcceptShare(&'a AccountId),
    /// Published advisories, feeds and the like.
    ReadPublished,
    /// Apply to join the list; read the criteria, the policy and the
    /// directory of member organisations.
    Apply,
    /// Criteria edits, the application queue and decisions, members and
    /// their removal, policy versions.
    ManageMembership,
    /// Allow a member contact to receive embargoed advisories unencrypted,
    /// or withdraw that: the team's decision alone, never the contact's
    /// or their organisation's.
    AllowClearText,
    /// Vouch for applicants at all (a member contact).
    Vouch,
    /// Vouch for one application, which names this member as its voucher:
    /// only that active member's contacts. A refusal hides the application.
    VouchFor(&'a MemberId),
    /// Accept the list policy.
    AcceptPolicy,
    /// Answer a liveness ping to a member's security alias: the mailed
    /// link is the capability, whoever follows it.
    AnswerAliasPing,
    /// A member contact runs their own organisation: contacts, leaving.
    ManageOwnMember,
    /// Report a leak by this member: admins, and that active member's
    /// contacts (the policy asks whoever leaked to say so).
    ReportLeak(&'a MemberId),
    /// Read this member's leak records and their retrospectives, and
    /// comment on them: admins, and that member's contacts. Nobody else.
    ReadLeaks(&'a MemberId),
    /// Tell the list of a leak, trace a pasted copy, write and close
    /// retrospectives, withdraw a record.
    ManageLeaks,
    /// File a test report at all: a cleared member contact. Which advisory
    /// is [`Action::ReadAdvisory`]'s to say.
    ReportTest,
    /// Read one test report by `author`'s organisation, `shared` with the
    /// members or not: admins, the author's cleared contacts, and, when
    /// shared, any cleared contact. Nobody reads another member's
    /// admin-only report.
    ReadTestReport {
        author: &'a MemberId,
        shared: bool,
    },
    /// Read a task, report it done, attach its draft: admins, and cleared
    /// contacts of its primary or its backup member.
    WorkOnTask {
        primary: &'a MemberId,
        backup: &'a MemberId,
    },
    /// Read, edit, preview, revert and reset the mail templates.
    ManageTemplates,
    /// A member's contribution record (test reports, tasks, leaks):
    /// admins, and that member's contacts.
    ReadMemberRecord(&'a MemberId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Nobody is signed in: ask for credentials.
    Unauthenticated,
    Deny,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

pub fn authorize(actor: &Actor, action: Action<'_>) -> Decision {
    use Action::*;
    let role = actor.role();
    let is_admin = role == Some(Role::Admin);
    let member = role == Some(Role::Member);
    let cleared_member = actor.is_cleared_member();
    let allowed = match action {
        SubmitReport | ReadPublished | Apply | AnswerAliasPing => true,
        ListReports
        | TriageReport(_)
        | Administer
        | ManageAdvisories
        | ManageMembership
        | AllowClearText
        | OverrideEmbargoPolicy
        | Announce
        | ManageLeaks
        | ManageTemplates => is_admin,
        ReadEmbargoedAdvisory => is_admin || cleared_member,
        ReadAdvisoryById(id) => is_admin || cleared_member || actor.delegate_may_read(id),
        ReadAdvisory {
            id,
            state,
            in_audience,
        } => match state {
            // Need-to-know: being cleared is not enough, the organisation
            // must have been chosen when the advisory was announced.
            AdvisoryState::Embargoed => {
                is_admin || (cleared_member && in_audience) || actor.delegate_may_read(id)
            }
            AdvisoryState::Published => is_admin || cleared_member,
            AdvisoryState::Draft | AdvisoryState::Withdrawn => is_admin,
        },
        ShareAdvisory { state, in_audience } => {
            cleared_member && in_audience && state == AdvisoryState::Embargoed
        }
        ManageShares(sharer) => {
            is_admin
                || matches!(
                    actor,
                    Actor::Account { role: Role::Member, contact: Some(c), .. }
                        if &c.member == sharer && c.member_active
                )
        }
        AcceptShare(delegate) => {
            matches!(actor, Actor::Account { id, role: Role::Delegate, .. } if id == delegate)
        }
        Vouch | ManageOwnMember => member,
        ReportLeak(leaker) => is_admin || actor.is_contact_of(leaker, true),
        ReadLeaks(leaker) => is_admin || actor.is_contact_of(leaker, false),
        ReportTest => cleared_member,
        ReadTestReport { author, shared } => {
            is_admin || (cleared_member && (shared || actor.is_cleared_contact_of(&[author])))
        }
        WorkOnTask { primary, backup } => {
            is_admin || actor.is_cleared_contact_of(&[primary, backup])
        }
        ReadMemberRecord(member) => is_admin || actor.is_contact_of(member, false),
        VouchFor(voucher) => matches!(
            actor,
            Actor::Account { role: Role::Member, contact: Some(c), .. }
                if &c.member == voucher && c.member_active
        ),
        AcceptPolicy => member || role == Some(Role::Delegate),
        ReadReport(report) | ReplyToReport(report) => {
            is_admin || matches!(actor, Actor::Reporter(r) if r == report)
        }
        ManageOwnAccount => matches!(actor, Actor::Account { .. }),
    };
    match (allowed, actor) {
        (true, _) => Decision::Allow,
        (false, Actor::Anonymous) => Decision::Unauthenticated,
        (false, _) => Decision::Deny,
    }
}

#[cfg(test)]
mod contribution_tests;
#[cfg(test)]
mod delegation_tests;
#[cfg(test)]
mod tests;
