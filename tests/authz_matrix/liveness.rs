//! Liveness pings and member reviews: a member of its own (not the matrix
//! callers', so reviews never cut a caller off) with a ping whose link the
//! callers follow.

use embargo::db::{liveness as store, members};
use embargo::domain::secret::Secret;
use serde_json::{Value, json};

use crate::common::TestApp;

#[rustfmt::skip]
pub const ROWS: &[super::Row] = {
    use axum::http::Method;
    use super::Expect::{Is, Login};
    &[
    //                                                                   anonymous reporter cleared unaccepted other org removed delegate admin
    // The ping's link: whoever holds it answers (the first answer counts).
    (Method::GET,    "/liveness/{token}",                               [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/liveness/{token}",                        [Is(200), Is(200), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    // A member's record and reviews: the admins'.
    (Method::GET,    "/admin/members/{id}",                             [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/members/{id}/review",                      [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::GET,    "/api/v1/members/{id}/liveness",                   [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/members/{id}/reviews",                    [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/members/{id}/reviews",                    [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(201)]),
    ]
};

pub struct Liveness {
    member: String,
    token: String,
}

impl Liveness {
    /// A member with one ping sent.
    pub async fn new(app: &TestApp) -> Self {
        let mut conn = app.state.db.conn().await.expect("conn");
        let member = members::insert(
            &mut conn,
            members::NewMember {
                organization: "Pinged Org",
                website: "https://p.example",
                security_alias: "sec@p.example",
                application_id: None,
            },
        )
        .await
        .expect("member");
        let link = Secret::generate();
        let now = embargo::db::now();
        let ping = store::NewPing {
            member_id: member.as_str(),
            seq: 1,
            alias: "sec@p.example",
            token_hash: &link.hash(),
            sent_at: now,
            due_at: now + embargo::db::seconds(14 * 86_400),
        };
        store::insert_ping(&mut conn, ping)
            .await
            .expect("ping")
            .expect("inserted");
        Self {
            member: member.to_string(),
            token: link.expose().to_owned(),
        }
    }

    /// The concrete path for one of this module's templates.
    pub fn path(&self, template: &str) -> Option<String> {
        let path = match template {
            "/liveness/{token}" | "/api/v1/liveness/{token}" => {
                template.replace("{token}", &self.token)
            }
            "/admin/members/{id}"
            | "/admin/members/{id}/review"
            | "/api/v1/members/{id}/liveness"
            | "/api/v1/members/{id}/reviews" => template.replace("{id}", &self.member),
            _ => return None,
        };
        Some(path)
    }

    /// Form fields after `csrf` that an allowed caller succeeds with.
    pub fn form(&self, template: &str) -> Option<String> {
        match template {
            "/admin/members/{id}/review" => Some("&outcome=keep&notes=matrix".to_owned()),
            _ => None,
        }
    }

    /// A body an allowed caller succeeds with.
    pub fn body(&self, template: &str) -> Option<Value> {
        match template {
            "/api/v1/members/{id}/reviews" => Some(json!({ "outcome": "keep", "notes": "matrix" })),
            _ => None,
        }
    }
}
