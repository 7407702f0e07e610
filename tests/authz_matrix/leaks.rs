//! Leaks: reported by the matrix member's contacts (about their own
//! organisation) and admins; read and commented on by that member's
//! contacts and the admins; reviewed, closed and withdrawn by admins.
//! Another organisation's contact sees nothing of them, and cannot name
//! an advisory that was not announced to it (422, as for an unknown id).

use serde_json::{Value, json};

use crate::common::TestApp;

#[rustfmt::skip]
pub const ROWS: &[super::Row] = {
    use axum::http::Method;
    use super::Expect::{Hidden, Is, Login};
    &[
    //                                                                   anonymous reporter cleared unaccepted other org removed delegate admin
    (Method::POST,   "/api/v1/leaks",                                   [Is(401), Is(401), Is(201), Is(201), Is(403), Is(401), Is(403), Is(201)]),
    (Method::POST,   "/api/v1/leaks/trace",                             [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/leaks/{id}",                              [Is(401), Is(401), Is(200), Is(200), Hidden,  Is(401), Hidden,  Is(200)]),
    (Method::PUT,    "/api/v1/leaks/{id}/retrospective",                [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/leaks/{id}/comments",                     [Is(401), Is(401), Is(201), Is(201), Hidden,  Is(401), Hidden,  Is(201)]),
    (Method::POST,   "/api/v1/leaks/{id}/notice",                       [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(201)]),
    (Method::POST,   "/api/v1/leaks/{id}/close",                        [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/leaks/{id}/withdraw",                     [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/members/{id}/leaks",                      [Is(401), Is(401), Is(200), Is(200), Hidden,  Is(401), Hidden,  Is(200)]),
    // The same on the web: a member contact's pages and the admins'.
    (Method::POST,   "/member/leaks",                                   [Login,   Login,   Is(303), Is(303), Is(422), Login,   Is(403), Is(403)]),
    (Method::GET,    "/member/leaks/{id}",                              [Login,   Login,   Is(200), Is(200), Hidden,  Login,   Is(403), Is(403)]),
    (Method::POST,   "/member/leaks/{id}/comments",                     [Login,   Login,   Is(303), Is(303), Hidden,  Login,   Is(403), Is(403)]),
    (Method::POST,   "/admin/advisories/{id}/leaks",                    [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::GET,    "/admin/leaks",                                    [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::GET,    "/admin/leaks/{id}",                               [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/leaks/{id}",                               [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/leaks/{id}/comments",                      [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    ]
};

/// The matrix member's leak record, and how to make fresh ones.
pub struct Leaks {
    member: String,
    advisory: String,
    leak: String,
}

impl Leaks {
    /// One leak by `member` of the embargoed `advisory`, reported by an admin.
    pub async fn new(app: &TestApp, admin: Option<&str>, member: &str, advisory: &str) -> Self {
        let mut leaks = Self {
            member: member.to_owned(),
            advisory: advisory.to_owned(),
            leak: String::new(),
        };
        leaks.leak = leaks.fresh(app, admin, false).await;
        leaks
    }

    async fn fresh(&self, app: &TestApp, admin: Option<&str>, reviewed: bool) -> String {
        let body = self.body("/api/v1/leaks").expect("leak body");
        let resp = app.post("/api/v1/leaks", admin, body).await;
        assert_eq!(resp.status.as_u16(), 201, "{}", resp.text());
        let id = resp.json()["id"].as_str().expect("leak id").to_owned();
        if reviewed {
            let path = format!("/api/v1/leaks/{id}/retrospective");
            let body = self.body("/api/v1/leaks/{id}/retrospective");
            let resp = app.api(axum::http::Method::PUT, &path, admin, body).await;
            assert_eq!(resp.status.as_u16(), 200, "{}", resp.text());
        }
        id
    }

    /// The concrete path for one of this module's templates: closing and
    /// withdrawing (on the admin page too) use a leak of their own,
    /// reviewed for closing.
    pub async fn path(
        &self,
        app: &TestApp,
        template: &str,
        method: &axum::http::Method,
        admin: Option<&str>,
    ) -> Option<String> {
        let deciding = template == "/admin/leaks/{id}" && method == axum::http::Method::POST;
        let id = match template {
            "/api/v1/members/{id}/leaks" => self.member.clone(),
            "/admin/advisories/{id}/leaks" => self.advisory.clone(),
            "/api/v1/leaks/{id}/retrospective" | "/api/v1/leaks/{id}/withdraw" => {
                self.fresh(app, admin, false).await
            }
            _ if deciding => self.fresh(app, admin, false).await,
            "/api/v1/leaks/{id}/close" => self.fresh(app, admin, true).await,
            "/api/v1/leaks/{id}"
            | "/api/v1/leaks/{id}/comments"
            | "/api/v1/leaks/{id}/notice"
            | "/member/leaks/{id}"
            | "/member/leaks/{id}/comments"
            | "/admin/leaks/{id}"
            | "/admin/leaks/{id}/comments" => self.leak.clone(),
            _ => return None,
        };
        Some(template.replace("{id}", &id))
    }

    /// Form fields after `csrf` an allowed caller succeeds with.
    pub fn form(&self, template: &str) -> Option<String> {
        Some(match template {
            "/member/leaks" => format!(
                "&advisory_id={}&what=the+matrix+patch&to_whom=a+matrix+journalist",
                self.advisory
            ),
            "/admin/advisories/{id}/leaks" => format!(
                "&member_id={}&what=the+matrix+patch&to_whom=a+matrix+journalist",
                self.member
            ),
            "/admin/leaks/{id}" => "&decision=withdraw&reason=matrix".to_owned(),
            "/member/leaks/{id}/comments" | "/admin/leaks/{id}/comments" => {
                "&body=matrix+comment".to_owned()
            }
            _ => return None,
        })
    }

    /// A body an allowed caller succeeds with.
    pub fn body(&self, template: &str) -> Option<Value> {
        Some(match template {
            "/api/v1/leaks" => json!({
                "advisory_id": self.advisory, "member_id": self.member,
                "what": "the matrix patch", "to_whom": "a matrix journalist",
            }),
            "/api/v1/leaks/{id}/retrospective" => json!({
                "findings": "f", "root_cause": "r", "actions": [],
            }),
            "/api/v1/leaks/{id}/comments" => json!({ "body": "matrix comment" }),
            "/api/v1/leaks/{id}/withdraw" => json!({ "reason": "matrix" }),
            "/api/v1/leaks/{id}/close" => json!({}),
            "/api/v1/leaks/{id}/notice" => json!({ "text": "matrix notice" }),
            "/api/v1/leaks/trace" => json!({ "text": "EMBARGOED: pasted" }),
            _ => return None,
        })
    }
}
