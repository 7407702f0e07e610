//! Mail templates: read, edited, previewed, reverted and reset by admins
//! alone, by API and on the admin pages; everyone else is refused before a
//! template is looked up.

use serde_json::{Value, json};

use crate::common::TestApp;

/// The template every row works on.
const NAME: &str = "report_received";

#[rustfmt::skip]
pub const ROWS: &[super::Row] = {
    use axum::http::Method;
    use super::Expect::{Is, Login};
    &[
    //                                                                   anonymous reporter cleared unaccepted other org removed delegate admin
    (Method::GET,    "/api/v1/templates",                               [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/templates/{name}",                        [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::PUT,    "/api/v1/templates/{name}",                        [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::DELETE, "/api/v1/templates/{name}",                        [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/templates/{name}/preview",                [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/templates/{name}/versions",               [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/templates/{name}/revert",                 [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/admin/templates",                                [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::GET,    "/admin/templates/{name}",                         [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/templates/{name}",                         [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/templates/{name}/revert",                  [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/templates/{name}/reset",                   [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    ]
};

/// A body an admin succeeds with.
fn edit() -> Value {
    json!({ "subject": "Received: {{ title }}", "text": "See {{ tracking_url }}", "reason": "matrix" })
}

/// `template` with the template's name in; for a revert, after making
/// sure there is a version 1 to go back to.
pub async fn path(app: &TestApp, template: &str, admin: Option<&str>) -> Option<String> {
    if !template.contains("/templates/{name}") {
        return None;
    }
    if template.ends_with("/revert") {
        let versions = format!("/api/v1/templates/{NAME}/versions");
        let listed = app.get(&versions, admin).await.json();
        if listed["items"].as_array().is_none_or(Vec::is_empty) {
            let saved = format!("/api/v1/templates/{NAME}");
            let resp = app
                .api(axum::http::Method::PUT, &saved, admin, Some(edit()))
                .await;
            assert_eq!(resp.status.as_u16(), 200, "{}", resp.text());
        }
    }
    Some(template.replace("{name}", NAME))
}

pub fn body(template: &str) -> Option<Value> {
    match template {
        "/api/v1/me/language" => Some(json!({ "language": "de" })),
        "/api/v1/templates/{name}" => Some(edit()),
        "/api/v1/templates/{name}/preview" => {
            Some(json!({ "subject": "s", "text": "{{ tracking_url }}" }))
        }
        "/api/v1/templates/{name}/revert" => Some(json!({ "version": 1 })),
        _ => None,
    }
}

/// Form fields after `csrf` an admin succeeds with on the template pages.
pub fn form(template: &str) -> Option<String> {
    let fields = match template {
        "/admin/templates/{name}" => {
            "&subject=Received%3A+%7B%7B+title+%7D%7D&text=See+%7B%7B+tracking_url+%7D%7D&lang=en&action=save"
        }
        "/admin/templates/{name}/revert" => "&version=1&lang=en",
        "/admin/templates/{name}/reset" => "&lang=en",
        _ => return None,
    };
    Some(fields.to_owned())
}
