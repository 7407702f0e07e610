//! The list's resources the matrix needs: a member whose contact is the
//! matrix's member caller, an application in review naming that member, and
//! fresh ones where a request uses them up.

use std::cell::Cell;

use axum::http::StatusCode;
use embargo::db::members;
use embargo::domain::id::AccountId;
use serde_json::{Value, json};

use crate::common::{TestApp, link_in, path_of};

#[rustfmt::skip]
pub const ROWS: &[super::Row] = {
    use axum::http::Method;
    use super::Expect::Is;
    &[
    (Method::GET,    "/applications/confirm/{token}",                   [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/applications/status/{token}",                    [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/api/v1/criteria",                                [Is(200), Is(200), Is(200), Is(200)]),
    (Method::PUT,    "/api/v1/criteria",                                [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/applications",                            [Is(201), Is(201), Is(201), Is(201)]),
    (Method::GET,    "/api/v1/applications",                            [Is(401), Is(403), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/applications/status/{token}",             [Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/applications/confirm/{token}",            [Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/api/v1/applications/{id}",                       [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/applications/{id}/vouches",               [Is(401), Is(201), Is(403), Is(403)]),
    (Method::POST,   "/api/v1/applications/{id}/decision",              [Is(401), Is(403), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/members",                                 [Is(401), Is(403), Is(403), Is(201)]),
    (Method::GET,    "/api/v1/members",                                 [Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/members/{id}/removal",                    [Is(401), Is(403), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/policy",                                  [Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/policy",                                  [Is(401), Is(403), Is(403), Is(201)]),
    (Method::POST,   "/api/v1/policy/accept",                           [Is(401), Is(200), Is(200), Is(403)]),
    ]
};

pub struct List {
    pub member: String,
    pub application: String,
    pub status_token: String,
    pub confirm_token: String,
    fresh: Cell<u32>,
}

fn token_of(url: &str) -> String {
    path_of(url).rsplit('/').next().expect("token").to_owned()
}

impl List {
    /// Makes `member_email`'s account a contact of a new member.
    pub async fn new(app: &TestApp, member_email: &str) -> Self {
        let mut conn = app.state.db.conn().await.expect("conn");
        let account = embargo::db::accounts::by_email(&mut conn, member_email)
            .await
            .expect("q")
            .expect("account");
        let member = members::insert(
            &mut conn,
            members::NewMember {
                organization: "Matrix Org",
                website: "https://m.example",
                security_alias: "sec@m.example",
                application_id: None,
            },
        )
        .await
        .expect("member");
        members::add_contact(
            &mut conn,
            &member,
            &AccountId::parse(account.id.as_str()).expect("id"),
            "M",
        )
        .await
        .expect("contact");
        drop(conn);
        let mut list = Self {
            member: member.to_string(),
            application: String::new(),
            status_token: String::new(),
            confirm_token: String::new(),
            fresh: Cell::new(0),
        };
        let (id, status, confirm) = list.application_in_review(app).await;
        list.application = id;
        list.status_token = status;
        list.confirm_token = confirm;
        list
    }

    fn next(&self) -> u32 {
        let n = self.fresh.get() + 1;
        self.fresh.set(n);
        n
    }

    pub async fn application_body(&self, app: &TestApp) -> Value {
        let n = self.next();
        let criteria = app.get("/api/v1/criteria", None).await.json();
        let answers: serde_json::Map<String, Value> = criteria["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|c| (c["key"].as_str().expect("key").to_owned(), json!("answer")))
            .collect();
        json!({
            "organization": format!("Applicant {n}"), "website": "https://applicant.example",
            "security_alias": format!("sec{n}@applicant.example"), "criteria": answers,
            "contacts": [{ "name": "A", "email": format!("a{n}@applicant.example") }], "voucher": self.member,
        })
    }

    /// A confirmed application naming the member: (id, status token, confirm token).
    async fn application_in_review(&self, app: &TestApp) -> (String, String, String) {
        let body = self.application_body(app).await;
        let alias = body["security_alias"].as_str().expect("alias").to_owned();
        let resp = app.post("/api/v1/applications", None, body).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
        let v = resp.json();
        app.run_jobs().await;
        let mail = app.mails_to(&alias).pop().expect("confirmation mail");
        let confirm =
            link_in(&mail.text, "http://embargo.test/applications/confirm/").expect("link");
        let ok = app.get(&path_of(&confirm), None).await;
        assert_eq!(ok.status, StatusCode::OK);
        (
            v["id"].as_str().expect("id").to_owned(),
            token_of(v["status_url"].as_str().expect("url")),
            token_of(&confirm),
        )
    }

    /// The concrete path for one of this module's templates.
    pub async fn path(&self, app: &TestApp, template: &str, admin: Option<&str>) -> Option<String> {
        let path = match template {
            "/applications/confirm/{token}" | "/api/v1/applications/confirm/{token}" => {
                template.replace("{token}", &self.confirm_token)
            }
            "/applications/status/{token}" | "/api/v1/applications/status/{token}" => {
                template.replace("{token}", &self.status_token)
            }
            "/api/v1/applications/{id}" | "/api/v1/applications/{id}/vouches" => {
                template.replace("{id}", &self.application)
            }
            "/api/v1/applications/{id}/decision" => {
                template.replace("{id}", &self.application_in_review(app).await.0)
            }
            "/api/v1/members/{id}/removal" => {
                let n = self.next();
                let body = json!({ "organization": format!("Doomed {n}"), "website": "https://d.example",
                                   "security_alias": "sec@d.example", "contacts": [{ "name": "D", "email": format!("d{n}@d.example") }] });
                let resp = app.post("/api/v1/members", admin, body).await;
                assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
                template.replace("{id}", resp.json()["id"].as_str().expect("id"))
            }
            _ => return None,
        };
        Some(path)
    }

    /// A body an allowed caller succeeds with, for this module's API templates.
    pub async fn body(&self, app: &TestApp, template: &str) -> Option<Value> {
        Some(match template {
            "/api/v1/criteria" => {
                json!({ "items": app.get("/api/v1/criteria", None).await.json()["items"] })
            }
            "/api/v1/applications" => self.application_body(app).await,
            "/api/v1/applications/{id}/vouches" => json!({ "statement": "We know them." }),
            "/api/v1/applications/{id}/decision" => {
                json!({ "decision": "reject", "reason": "matrix" })
            }
            "/api/v1/members" => {
                let n = self.next();
                json!({ "organization": format!("New {n}"), "website": "https://n.example", "security_alias": "sec@n.example",
                        "contacts": [{ "name": "N", "email": format!("n{n}@n.example") }] })
            }
            "/api/v1/members/{id}/removal" => json!({ "reason": "matrix" }),
            "/api/v1/policy" => json!({ "text": "# Policy\n\nMatrix." }),
            "/api/v1/policy/accept" => {
                json!({ "version": app.get("/api/v1/policy", None).await.json()["version"] })
            }
            "/api/v1/applications/confirm/{token}" => json!({}),
            _ => return None,
        })
    }
}
