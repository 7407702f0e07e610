//! Templates for pages and mail, embedded at build time. Names ending in
//! `.html.j2` are HTML-escaped automatically; text templates are not.

use std::collections::HashMap;

use minijinja::{Environment, ErrorKind};
use serde::Serialize;

use crate::mail::templates::{Compiled, format_datetime};
pub use crate::mail::templates::{RenderedMail, Sources};

pub mod qr;
pub mod when;

macro_rules! embedded {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../templates/", $path)))),*]
    };
}

/// Every template the binary carries.
const TEMPLATES: &[(&str, &str)] = embedded![
    "pages/base.html.j2",
    "pages/leak.html.j2",
    "pages/leak_form.html.j2",
    "pages/leak_fields.html.j2",
    "pages/home.html.j2",
    "pages/application_status.html.j2",
    "pages/member.html.j2",
    "pages/member_advisories.html.j2",
    "pages/member_advisory.html.j2",
    "pages/advisories.html.j2",
    "pages/advisory.html.j2",
    "pages/advisory_article.html.j2",
    "pages/error.html.j2",
    "pages/report_form.html.j2",
    "pages/track.html.j2",
    "pages/login.html.j2",
    "pages/login_passkey.html.j2",
    "pages/account_passkeys.html.j2",
    "pages/account_second_factor.html.j2",
    "pages/account_sessions.html.j2",
    "pages/account_totp.html.j2",
    "pages/recovery_codes.html.j2",
    "pages/setup.html.j2",
    "pages/inbox.html.j2",
    "pages/report_admin.html.j2",
    "pages/admin_advisories.html.j2",
    "pages/admin_advisory.html.j2",
    "pages/admin_advisory_new.html.j2",
    "pages/advisory_editor.html.j2",
    "pages/advisory_editor_fields.html.j2",
    "pages/advisory_editor_more.html.j2",
    "pages/admin_announce_confirm.html.j2",
    "pages/confirm.html.j2",
    "pages/admin_announcement.html.j2",
    "pages/jobs.html.j2",
    "pages/account.html.j2",
    "pages/membership_forms.html.j2",
    "pages/apply.html.j2",
    "pages/policy.html.j2",
    "pages/vouch.html.j2",
    "pages/admin_applications.html.j2",
    "pages/admin_application.html.j2",
    "pages/admin_members.html.j2",
    "pages/admin_criteria.html.j2",
    "pages/admin_member.html.j2",
    "pages/admin_policy.html.j2",
    "pages/admin_admins.html.j2",
    "pages/advisory_patches.html.j2",
    "pages/advisory_github.html.j2",
    "pages/admin_templates.html.j2",
    "pages/admin_template.html.j2",
    "pages/alias_ping_answered.html.j2",
    "pages/lists.html.j2",
    "pages/admin_leaks.html.j2",
    "pages/zone_select.html.j2",
    "mail/audit_head/subject.j2",
    "mail/audit_head/body.txt.j2",
    "mail/job_dead_for_admins/subject.j2",
    "mail/job_dead_for_admins/body.txt.j2",
    "mail/github_mirror_failed/subject.j2",
    "mail/github_mirror_failed/body.txt.j2",
    "mail/admin_setup/subject.j2",
    "mail/admin_setup/body.txt.j2",
    "mail/application_confirm_alias/subject.j2",
    "mail/application_confirm_alias/body.txt.j2",
    "mail/application_received/subject.j2",
    "mail/application_received/body.txt.j2",
    "mail/application_new_for_admins/subject.j2",
    "mail/application_new_for_admins/body.txt.j2",
    "mail/application_expired/subject.j2",
    "mail/application_expired/body.txt.j2",
    "mail/vouch_request/subject.j2",
    "mail/vouch_request/body.txt.j2",
    "mail/application_approved/subject.j2",
    "mail/application_approved/body.txt.j2",
    "mail/application_rejected/subject.j2",
    "mail/application_rejected/body.txt.j2",
    "mail/contact_setup/subject.j2",
    "mail/contact_setup/body.txt.j2",
    "mail/member_removed/subject.j2",
    "mail/member_removed/body.txt.j2",
    "mail/alias_ping/subject.j2",
    "mail/alias_ping/body.txt.j2",
    "mail/review_due/subject.j2",
    "mail/review_due/body.txt.j2",
    "mail/policy_updated/subject.j2",
    "mail/policy_updated/body.txt.j2",
    "mail/key_expiring/subject.j2",
    "mail/key_expiring/body.txt.j2",
    "mail/advisory_published/subject.j2",
    "mail/advisory_published/body.txt.j2",
    "mail/announcement/subject.j2",
    "mail/announcement/body.txt.j2",
    "mail/announcement_notice/subject.j2",
    "mail/announcement_notice/body.txt.j2",
    "mail/embargo_changed/subject.j2",
    "mail/embargo_changed/body.txt.j2",
    "mail/embargo_lifted/subject.j2",
    "mail/embargo_lifted/body.txt.j2",
    "mail/share_invitation/subject.j2",
    "mail/share_invitation/body.txt.j2",
    "mail/leak_notice/subject.j2",
    "mail/leak_notice/body.txt.j2",
    "mail/leak_reported/subject.j2",
    "mail/leak_reported/body.txt.j2",
    "mail/leak_removal_proposed/subject.j2",
    "mail/leak_removal_proposed/body.txt.j2",
    "mail/task_assigned/subject.j2",
    "mail/task_assigned/body.txt.j2",
    "mail/task_reminder/subject.j2",
    "mail/task_reminder/body.txt.j2",
    "mail/task_handover/subject.j2",
    "mail/task_handover/body.txt.j2",
    "mail/task_missed_for_admins/subject.j2",
    "mail/task_missed_for_admins/body.txt.j2",
    "mail/report_received/subject.j2",
    "mail/report_received/body.txt.j2",
    "mail/report_new_for_admins/subject.j2",
    "mail/report_new_for_admins/body.txt.j2",
    "mail/report_message_for_admins/subject.j2",
    "mail/report_message_for_admins/body.txt.j2",
    "mail/report_reply/subject.j2",
    "mail/report_reply/body.txt.j2",
    "mail/report_status_changed/subject.j2",
    "mail/report_status_changed/body.txt.j2",
];

/// The names of all mail templates (`report_received`, ...).
pub fn mail_template_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = TEMPLATES
        .iter()
        .filter_map(|(p, _)| p.strip_prefix("mail/")?.split('/').next())
        .collect();
    names.dedup();
    names
}

#[derive(Debug, thiserror::Error)]
#[error("template {name}: {source}")]
pub struct RenderError {
    name: String,
    #[source]
    source: minijinja::Error,
}

/// The built-in sources of mail template `name`.
pub fn builtin_sources(name: &str) -> Option<Sources> {
    let source = |part: &str| {
        let path = format!("mail/{name}/{part}");
        TEMPLATES
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, s)| (*s).to_owned())
    };
    Some(Sources {
        subject: source("subject.j2")?,
        text: source("body.txt.j2")?,
        html: source("body.html.j2"),
    })
}

pub struct Templates {
    env: Environment<'static>,
    /// The built-in mail templates, each compiled in its own sandbox as an
    /// edited one is.
    mails: HashMap<&'static str, Compiled>,
    /// Per mail template, a digest of its sources: the version a queued mail
    /// records, so what was queued can be told from what renders now.
    mail_versions: HashMap<&'static str, String>,
}

impl Templates {
    pub fn new() -> Result<Self, RenderError> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.add_filter("datetime", format_datetime);
        env.add_filter("when", when::when);
        env.add_filter("qr", qr::qr);
        env.add_function("zone_groups", when::zone_groups);
        for (name, source) in TEMPLATES.iter().filter(|(p, _)| p.starts_with("pages/")) {
            env.add_template(name, source)
                .map_err(|source| RenderError {
                    name: (*name).to_owned(),
                    source,
                })?;
        }
        let mut mails = HashMap::new();
        for name in mail_template_names() {
            let compiled = builtin_sources(name)
                .ok_or_else(|| {
                    minijinja::Error::new(ErrorKind::TemplateNotFound, "subject or body missing")
                })
                .and_then(|s| {
                    Compiled::new(&s)
                        .map_err(|e| minijinja::Error::new(ErrorKind::SyntaxError, e.to_string()))
                })
                .map_err(|source| RenderError {
                    name: name.to_owned(),
                    source,
                })?;
            mails.insert(name, compiled);
        }
        let mail_versions = mail_template_names()
            .into_iter()
            .map(|name| (name, digest_of_mail_template(name)))
            .collect();
        Ok(Self {
            env,
            mails,
            mail_versions,
        })
    }

    /// The version of mail template `name` (empty for an unknown name).
    pub fn mail_version(&self, name: &str) -> String {
        self.mail_versions.get(name).cloned().unwrap_or_default()
    }

    pub fn page(&self, name: &str, ctx: impl Serialize) -> Result<String, RenderError> {
        let full = format!("pages/{name}.html.j2");
        let err = |source| RenderError {
            name: full.clone(),
            source,
        };
        self.env
            .get_template(&full)
            .map_err(err)?
            .render(ctx)
            .map_err(err)
    }

    /// Renders built-in mail template `name`.
    pub fn mail(&self, name: &str, ctx: impl Serialize) -> Result<RenderedMail, RenderError> {
        let err = |kind, detail: String| RenderError {
            name: name.to_owned(),
            source: minijinja::Error::new(kind, detail),
        };
        let compiled = self
            .mails
            .get(name)
            .ok_or_else(|| err(ErrorKind::TemplateNotFound, "no such mail template".into()))?;
        compiled
            .render(&minijinja::Value::from_serialize(ctx))
            .map_err(|e| err(ErrorKind::InvalidOperation, e.to_string()))
    }
}

fn digest_of_mail_template(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let prefix = format!("mail/{name}/");
    let mut hash = Sha256::new();
    for (path, source) in TEMPLATES.iter().filter(|(p, _)| p.starts_with(&prefix)) {
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update(source.as_bytes());
        hash.update([0]);
    }
    crate::domain::secret::hex(&hash.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_mail_names_are_listed() {
        Templates::new().unwrap();
        let names = mail_template_names();
        assert!(names.contains(&"report_received"));
        assert!(names.contains(&"report_new_for_admins"));
    }

    #[test]
    fn each_mail_template_has_its_own_version() {
        let t = Templates::new().unwrap();
        let a = t.mail_version("report_received");
        assert_eq!(a.len(), 16);
        assert_ne!(a, t.mail_version("report_reply"));
        assert_eq!(t.mail_version("no_such_template"), "");
    }

    #[test]
    fn pages_escape_html() {
        let t = Templates::new().unwrap();
        let html = t
            .page("error", minijinja::context! { title => "x", message => "<script>alert(1)</script>", org => "o", user => () })
            .unwrap();
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>alert"));
    }
}
