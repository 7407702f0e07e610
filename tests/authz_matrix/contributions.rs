//! Contributing back: test reports filed by cleared contacts on the
//! embargoed advisory; another organisation's contact never reads the
//! matrix member's admin-only one.

use serde_json::{Value, json};

use crate::common::TestApp;

#[rustfmt::skip]
pub const ROWS: &[super::Row] = {
    use axum::http::Method;
    use super::Expect::{Hidden, Is};
    &[
    //                                                                   anonymous reporter cleared unaccepted other org removed delegate admin
    (Method::POST,   "/api/v1/advisories/{id}/test-reports",            [Is(401), Is(401), Is(201), Is(403), Is(201), Is(401), Is(403), Is(403)]),
    (Method::GET,    "/api/v1/advisories/{id}/test-reports",            [Is(401), Is(401), Is(200), Is(403), Is(200), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/advisories/{id}/test-reports/{report}/attachments/{n}",
                                                                        [Is(401), Is(401), Is(200), Is(403), Hidden,  Is(401), Is(403), Is(200)]),
    ]
};

/// The embargoed advisory the matrix member's contacts test.
pub struct Contributions {
    advisory: String,
}

impl Contributions {
    pub async fn new(_app: &TestApp, _admin: Option<&str>, _member: &str, advisory: &str) -> Self {
        Self {
            advisory: advisory.to_owned(),
        }
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

    /// The concrete path for one of this module's templates.
    pub async fn path(
        &self,
        app: &TestApp,
        template: &str,
        _admin: Option<&str>,
        cleared: Option<&str>,
    ) -> Option<String> {
        let path = match template {
            "/api/v1/advisories/{id}/test-reports" => template.replace("{id}", &self.advisory),
            "/api/v1/advisories/{id}/test-reports/{report}/attachments/{n}" => template
                .replace("{id}", &self.advisory)
                .replace("{report}", &self.fresh_report(app, cleared).await)
                .replace("{n}", "0"),
            _ => return None,
        };
        Some(path)
    }

    /// A body an allowed caller succeeds with.
    pub fn body(&self, template: &str) -> Option<Value> {
        Some(match template {
            "/api/v1/advisories/{id}/test-reports" => {
                json!({ "result": "works", "tested": "matrix 1.0" })
            }
            _ => return None,
        })
    }
}
