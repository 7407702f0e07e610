//! Contributing back: test reports filed by cleared contacts on the
//! embargoed advisory (announced to the matrix member only, so another
//! organisation's contact gets 404 for it as for a made-up id); tasks naming the matrix member as
//! primary and a member of no column as backup, so another organisation's
//! contact sees nothing of them; each member's record.

use serde_json::{Value, json};

use super::membership::member_with_contact;
use crate::common::TestApp;

#[rustfmt::skip]
pub const ROWS: &[super::Row] = {
    use axum::http::Method;
    use super::Expect::{Hidden, Is};
    &[
    //                                                                   anonymous reporter cleared unaccepted other org removed delegate admin
    (Method::POST,   "/api/v1/advisories/{id}/test-reports",            [Is(401), Is(401), Is(201), Is(403), Hidden,  Is(401), Is(403), Is(403)]),
    (Method::GET,    "/api/v1/advisories/{id}/test-reports",            [Is(401), Is(401), Is(200), Is(403), Hidden,  Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/advisories/{id}/test-reports/{report}/attachments/{n}",
                                                                        [Is(401), Is(401), Is(200), Is(403), Hidden,  Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/tasks",                   [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(201)]),
    (Method::GET,    "/api/v1/advisories/{id}/tasks",                   [Is(401), Is(401), Is(200), Is(403), Hidden,  Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/tasks/{id}",                              [Is(401), Is(401), Is(200), Hidden,  Hidden,  Is(401), Hidden,  Is(200)]),
    (Method::POST,   "/api/v1/tasks/{id}/done",                         [Is(401), Is(401), Is(200), Hidden,  Hidden,  Is(401), Hidden,  Is(200)]),
    (Method::PUT,    "/api/v1/tasks/{id}/draft",                        [Is(401), Is(401), Is(200), Hidden,  Hidden,  Is(401), Hidden,  Is(200)]),
    (Method::POST,   "/api/v1/tasks/{id}/draft/apply",                  [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/members/{id}/record",                     [Is(401), Is(401), Is(200), Is(200), Hidden,  Is(401), Hidden,  Is(200)]),
    ]
};

/// The matrix member (primary of every task), a backup member none of the
/// columns belongs to, and the embargoed advisory they work on.
pub struct Contributions {
    member: String,
    backup: String,
    advisory: String,
}

impl Contributions {
    pub async fn new(app: &TestApp, admin: Option<&str>, member: &str, advisory: &str) -> Self {
        let backup = member_with_contact(app, "Matrix Backup", "backup@matrix-backup.test").await;
        let c = Self {
            member: member.to_owned(),
            backup,
            advisory: advisory.to_owned(),
        };
        // One task on the advisory, so its list is not empty.
        c.fresh_task(app, admin, false).await;
        c
    }

    async fn fresh_task(&self, app: &TestApp, admin: Option<&str>, drafted: bool) -> String {
        let path = format!("/api/v1/advisories/{}/tasks", self.advisory);
        let body = self.body("/api/v1/advisories/{id}/tasks");
        let resp = app.post(&path, admin, body.expect("task body")).await;
        assert_eq!(resp.status.as_u16(), 201, "{}", resp.text());
        let id = resp.json()["id"].as_str().expect("task id").to_owned();
        if drafted {
            let path = format!("/api/v1/tasks/{id}/draft");
            let body = self.body("/api/v1/tasks/{id}/draft");
            let resp = app.api(axum::http::Method::PUT, &path, admin, body).await;
            assert_eq!(resp.status.as_u16(), 200, "{}", resp.text());
        }
        id
    }

    /// An admin-only test report by the cleared column, with one attachment.
    async fn fresh_report(&self, app: &TestApp, cleared: Option<&str>) -> String {
        let path = format!("/api/v1/advisories/{}/test-reports", self.advisory);
        let body = json!({
            "result": "problems", "tested": "matrix", "visibility": "admins",
            "attachments": [{ "filename": "m.log", "content_base64": "aGVsbG8=" }],
        });
        let resp = app.post(&path, cleared, body).await;
        assert_eq!(resp.status.as_u16(), 201, "{}", resp.text());
        resp.json()["id"].as_str().expect("report id").to_owned()
    }

    /// The concrete path for one of this module's templates: every task
    /// route gets a fresh task (done is once), drafted for applying.
    pub async fn path(
        &self,
        app: &TestApp,
        template: &str,
        admin: Option<&str>,
        cleared: Option<&str>,
    ) -> Option<String> {
        let path = match template {
            "/api/v1/advisories/{id}/test-reports" | "/api/v1/advisories/{id}/tasks" => {
                template.replace("{id}", &self.advisory)
            }
            "/api/v1/advisories/{id}/test-reports/{report}/attachments/{n}" => template
                .replace("{id}", &self.advisory)
                .replace("{report}", &self.fresh_report(app, cleared).await)
                .replace("{n}", "0"),
            "/api/v1/tasks/{id}" | "/api/v1/tasks/{id}/done" | "/api/v1/tasks/{id}/draft" => {
                template.replace("{id}", &self.fresh_task(app, admin, false).await)
            }
            "/api/v1/tasks/{id}/draft/apply" => {
                template.replace("{id}", &self.fresh_task(app, admin, true).await)
            }
            "/api/v1/members/{id}/record" => template.replace("{id}", &self.member),
            _ => return None,
        };
        Some(path)
    }

    /// A body an allowed caller succeeds with.
    pub fn body(&self, template: &str) -> Option<Value> {
        let in_two_days = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(48))
            .expect("time");
        Some(match template {
            "/api/v1/advisories/{id}/test-reports" => {
                json!({ "result": "works", "tested": "matrix 1.0" })
            }
            "/api/v1/advisories/{id}/tasks" => json!({
                "kind": "draft_disclosure_mail", "title": "matrix task", "primary": self.member,
                "backup": self.backup, "due": in_two_days.to_string(),
            }),
            "/api/v1/tasks/{id}/done" => json!({ "notes": "matrix" }),
            "/api/v1/tasks/{id}/draft" => json!({ "draft": "matrix draft" }),
            "/api/v1/tasks/{id}/draft/apply" => json!({}),
            _ => return None,
        })
    }
}
