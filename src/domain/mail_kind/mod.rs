//! Every mail embargo can send, and what its template may use: the
//! catalogue the template editor validates against and previews with.
//!
//! The entries live in one file per audience or family of mails
//! (`reporter`, `applicants`, `members`, `tasks`, `announcements`,
//! `admins`). Each example is what the code puts in the context, so that
//! a preview reads like a real mail; none holds a real secret.

mod admins;
mod announcements;
mod applicants;
mod members;
mod reporter;
mod tasks;

/// Who a mail goes to; groups the template list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Reporter,
    Admins,
    Applicants,
    Members,
    Public,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reporter => "reporter",
            Self::Admins => "admins",
            Self::Applicants => "applicants",
            Self::Members => "members",
            Self::Public => "public",
        }
    }
}

/// One variable a template may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    pub name: &'static str,
    pub description: &'static str,
    /// Example value as JSON text, for previews.
    pub example: &'static str,
}

/// What the catalogue says about one mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub audience: Audience,
    /// One sentence: when the mail is sent and to whom.
    pub purpose: &'static str,
    /// The variables of this mail (the globals come on top).
    pub variables: &'static [Variable],
    /// Variables the text must use: the link or fact the mail exists for.
    pub required: &'static [&'static str],
}

/// Variables every mail template may use.
pub const GLOBALS: &[Variable] = &[
    Variable {
        name: "org",
        description: "the organisation's name (`organization`)",
        example: r#""Example Project""#,
    },
    Variable {
        name: "base_url",
        description: "where embargo is served, without a trailing slash",
        example: r#""https://security.example.org""#,
    },
    Variable {
        name: "security_address",
        description: "the security team's address",
        example: r#""security@example.org""#,
    },
];

macro_rules! kinds {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// A mail embargo can send; its name is the template's name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MailKind { $($variant),* }

        impl MailKind {
            /// Every mail the code can queue.
            pub const ALL: &'static [MailKind] = &[$(MailKind::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(MailKind::$variant => $name),* }
            }

            pub fn parse(name: &str) -> Option<Self> {
                match name { $($name => Some(MailKind::$variant),)* _ => None }
            }
        }
    };
}

kinds! {
    ReportReceived => "report_received",
    ReportReply => "report_reply",
    ReportStatusChanged => "report_status_changed",
    ReportNewForAdmins => "report_new_for_admins",
    ReportMessageForAdmins => "report_message_for_admins",
    ApplicationConfirmAlias => "application_confirm_alias",
    ApplicationReceived => "application_received",
    ApplicationNewForAdmins => "application_new_for_admins",
    ApplicationApproved => "application_approved",
    ApplicationRejected => "application_rejected",
    ApplicationExpired => "application_expired",
    VouchRequest => "vouch_request",
    ContactSetup => "contact_setup",
    MemberRemoved => "member_removed",
    AliasPing => "alias_ping",
    ReviewDue => "review_due",
    PolicyUpdated => "policy_updated",
    KeyExpiring => "key_expiring",
    AdvisoryPublished => "advisory_published",
    Announcement => "announcement",
    AnnouncementNotice => "announcement_notice",
    EmbargoChanged => "embargo_changed",
    EmbargoLifted => "embargo_lifted",
    ShareInvitation => "share_invitation",
    LeakNotice => "leak_notice",
    LeakReported => "leak_reported",
    LeakRemovalProposed => "leak_removal_proposed",
    TaskAssigned => "task_assigned",
    TaskReminder => "task_reminder",
    TaskHandover => "task_handover",
    TaskMissedForAdmins => "task_missed_for_admins",
    AuditHead => "audit_head",
    JobDeadForAdmins => "job_dead_for_admins",
    GithubMirrorFailed => "github_mirror_failed",
    AdminSetup => "admin_setup",
}

impl MailKind {
    /// What the catalogue says about this mail.
    pub fn entry(self) -> Entry {
        match self {
            Self::ReportReceived => reporter::REPORT_RECEIVED,
            Self::ReportReply => reporter::REPORT_REPLY,
            Self::ReportStatusChanged => reporter::REPORT_STATUS_CHANGED,
            Self::ReportNewForAdmins => admins::REPORT_NEW_FOR_ADMINS,
            Self::ReportMessageForAdmins => admins::REPORT_MESSAGE_FOR_ADMINS,
            Self::ApplicationConfirmAlias => applicants::APPLICATION_CONFIRM_ALIAS,
            Self::ApplicationReceived => applicants::APPLICATION_RECEIVED,
            Self::ApplicationNewForAdmins => admins::APPLICATION_NEW_FOR_ADMINS,
            Self::ApplicationApproved => applicants::APPLICATION_APPROVED,
            Self::ApplicationRejected => applicants::APPLICATION_REJECTED,
            Self::ApplicationExpired => applicants::APPLICATION_EXPIRED,
            Self::VouchRequest => members::VOUCH_REQUEST,
            Self::ContactSetup => members::CONTACT_SETUP,
            Self::MemberRemoved => members::MEMBER_REMOVED,
            Self::AliasPing => members::ALIAS_PING,
            Self::ReviewDue => admins::REVIEW_DUE,
            Self::PolicyUpdated => members::POLICY_UPDATED,
            Self::KeyExpiring => members::KEY_EXPIRING,
            Self::AdvisoryPublished => announcements::ADVISORY_PUBLISHED,
            Self::Announcement => announcements::ANNOUNCEMENT,
            Self::AnnouncementNotice => announcements::ANNOUNCEMENT_NOTICE,
            Self::EmbargoChanged => announcements::EMBARGO_CHANGED,
            Self::EmbargoLifted => announcements::EMBARGO_LIFTED,
            Self::ShareInvitation => members::SHARE_INVITATION,
            Self::LeakNotice => announcements::LEAK_NOTICE,
            Self::LeakReported => admins::LEAK_REPORTED,
            Self::LeakRemovalProposed => admins::LEAK_REMOVAL_PROPOSED,
            Self::TaskAssigned => tasks::TASK_ASSIGNED,
            Self::TaskReminder => tasks::TASK_REMINDER,
            Self::TaskHandover => tasks::TASK_HANDOVER,
            Self::TaskMissedForAdmins => tasks::TASK_MISSED_FOR_ADMINS,
            Self::AuditHead => admins::AUDIT_HEAD,
            Self::JobDeadForAdmins => admins::JOB_DEAD_FOR_ADMINS,
            Self::GithubMirrorFailed => admins::GITHUB_MIRROR_FAILED,
            Self::AdminSetup => admins::ADMIN_SETUP,
        }
    }

    /// Every variable this mail's template may use, globals included.
    pub fn all_variables(self) -> impl Iterator<Item = &'static Variable> {
        self.entry().variables.iter().chain(GLOBALS)
    }
}

#[cfg(test)]
mod tests;
