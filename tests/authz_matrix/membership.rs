//! The list's rows, and the resources they need: a member whose contacts
//! are the cleared and unaccepted callers, an application in review naming
//! that member, and fresh ones (or stand-in contacts) where a request uses
//! them up.

use std::cell::Cell;

use axum::http::StatusCode;
use embargo::db::members;
use embargo::domain::id::AccountId;
use serde_json::{Value, json};

use crate::common::{TestApp, link_in, path_of};

#[rustfmt::skip]
pub const ROWS: &[super::Row] = {
    use axum::http::Method;
    use super::Expect::{Hidden, Is, Login};
    &[
    //                                                                   anonymous reporter cleared unaccepted other org removed delegate admin
    // The links mailed to an applicant's alias: whoever holds them.
    (Method::GET,    "/applications/confirm/{token}",                   [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/applications/status/{token}",                    [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/api/v1/applications/status/{token}",             [Is(200), Is(200), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/applications/confirm/{token}",            [Is(200), Is(200), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::GET,    "/api/v1/criteria",                                [Is(200), Is(200), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::PUT,    "/api/v1/criteria",                                [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/applications",                            [Is(201), Is(201), Is(201), Is(201), Is(201), Is(401), Is(201), Is(201)]),
    (Method::GET,    "/api/v1/applications",                            [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/applications/{id}",                       [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    // The application names the cleared and unaccepted contacts' member.
    // A contact of any other member gets 404, exactly as for an id that
    // does not exist; other roles get 403 whatever the id, so neither
    // answer tells which ids exist.
    (Method::POST,   "/api/v1/applications/{id}/vouches",               [Is(401), Is(401), Is(201), Is(201), Hidden,  Is(401), Is(403), Is(403)]),
    (Method::POST,   "/api/v1/applications/{id}/decision",              [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/members",                                 [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(201)]),
    (Method::GET,    "/api/v1/members",                                 [Is(200), Is(200), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/members/{id}/removal",                    [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    // Clear text for a contact (a fresh one of the matrix member, allowed
    // already so that withdrawing succeeds): the team's decision only,
    // not the contact's nor their organisation's.
    (Method::PUT,    "/api/v1/members/{id}/contacts/{contact}/clear-text", [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::DELETE, "/api/v1/members/{id}/contacts/{contact}/clear-text", [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(204)]),
    (Method::GET,    "/api/v1/policy",                                  [Is(200), Is(200), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/policy",                                  [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(201)]),
    (Method::POST,   "/api/v1/policy/accept",                           [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(200), Is(403)]),
    // One's own keys and organisation. The contact removed is one of the
    // cleared and unaccepted contacts' member: another member's contact
    // is told it does not exist.
    (Method::GET,    "/api/v1/me/keys",                                 [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/me/keys",                                 [Is(401), Is(401), Is(201), Is(201), Is(201), Is(401), Is(201), Is(201)]),
    (Method::DELETE, "/api/v1/me/keys/{id}",                            [Is(401), Is(401), Is(204), Is(204), Is(204), Is(401), Is(204), Is(204)]),
    (Method::GET,    "/api/v1/me/member",                               [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(403), Is(403)]),
    (Method::POST,   "/api/v1/me/member/contacts",                      [Is(401), Is(401), Is(201), Is(201), Is(201), Is(401), Is(403), Is(403)]),
    (Method::DELETE, "/api/v1/me/member/contacts/{id}",                 [Is(401), Is(401), Is(204), Is(204), Hidden,  Is(401), Is(403), Is(403)]),
    (Method::POST,   "/api/v1/me/member/leave",                         [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(403), Is(403)]),
    (Method::POST,   "/account/keys",                                   [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(303), Is(303)]),
    (Method::POST,   "/account/keys/{id}/retire",                       [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(303), Is(303)]),
    (Method::GET,    "/member",                                         [Login,   Login,   Is(200), Is(200), Is(200), Login,   Is(403), Is(403)]),
    (Method::POST,   "/member/contacts",                                [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(403), Is(403)]),
    (Method::POST,   "/member/contacts/{id}/remove",                    [Login,   Login,   Is(303), Is(303), Hidden,  Login,   Is(403), Is(403)]),
    (Method::POST,   "/member/leave",                                   [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(403), Is(403)]),
    // The list's view of embargoed advisories (here the embargoed one and
    // its patch): cleared contacts of the members it was announced to, and
    // admins. To a signed-in caller who may not read it, the other
    // organisation's cleared contact included, it does not exist.
    (Method::GET,    "/member/advisories",                              [Login,   Login,   Is(200), Is(403), Is(200), Login,   Is(403), Is(200)]),
    (Method::GET,    "/member/advisories/{id}",                         [Login,   Login,   Is(200), Hidden,  Hidden,  Login,   Hidden,  Is(200)]),
    (Method::GET,    "/member/advisories/{id}/patches/{patch}",         [Login,   Login,   Is(200), Hidden,  Hidden,  Login,   Hidden,  Is(200)]),
    // The pages: applying and the policy are public, vouching is for the
    // named member's contacts, the rest is the admins'.
    (Method::GET,    "/apply",                                          [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/apply",                                          [Is(303), Is(303), Is(303), Is(303), Is(303), Is(303), Is(303), Is(303)]),
    (Method::GET,    "/policy",                                         [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/policy/accept",                                  [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(303), Is(403)]),
    (Method::GET,    "/applications/{id}/vouch",                        [Login,   Login,   Is(200), Is(200), Hidden,  Login,   Is(403), Is(403)]),
    (Method::POST,   "/applications/{id}/vouch",                        [Login,   Login,   Is(303), Is(303), Hidden,  Login,   Is(403), Is(403)]),
    (Method::GET,    "/admin/applications",                             [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::GET,    "/admin/applications/{id}",                        [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/applications/{id}/decision",               [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::GET,    "/admin/members",                                  [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/members",                                  [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/members/{id}/removal",                     [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/members/{id}/contacts/{contact}/clear-text", [Login, Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/members/{id}/contacts/{contact}/clear-text/withdraw", [Login, Login, Is(403), Is(403), Is(403), Login, Is(403), Is(303)]),
    (Method::GET,    "/admin/criteria",                                 [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/criteria",                                 [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    // A new set-up link for a contact who has not set up (a fresh one of
    // the matrix member); publishing a new policy version.
    (Method::POST,   "/admin/members/{id}/contacts/{contact}/setup-link", [Login, Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::GET,    "/admin/policy",                                   [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/policy",                                   [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    ]
};

/// A certificate valid now and without expiry (see tests/data/keys/README.md).
const ALICE: &str = include_str!("../data/keys/ed25519_cv25519.asc");

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
        let member = member_with_contact(app, "Matrix Org", member_email).await;
        let mut list = Self {
            member,
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
            "/api/v1/applications/{id}"
            | "/api/v1/applications/{id}/vouches"
            | "/applications/{id}/vouch"
            | "/admin/applications/{id}" => template.replace("{id}", &self.application),
            "/api/v1/applications/{id}/decision" | "/admin/applications/{id}/decision" => {
                template.replace("{id}", &self.application_in_review(app).await.0)
            }
            "/api/v1/members/{id}/removal" | "/admin/members/{id}/removal" => {
                template.replace("{id}", &self.doomed_member(app, admin).await)
            }
            _ => return None,
        };
        Some(path)
    }

    /// A new member, to be removed.
    async fn doomed_member(&self, app: &TestApp, admin: Option<&str>) -> String {
        let n = self.next();
        let body = json!({ "organization": format!("Doomed {n}"), "website": "https://d.example",
                           "security_alias": "sec@d.example", "contacts": [{ "name": "D", "email": format!("d{n}@d.example") }] });
        let resp = app.post("/api/v1/members", admin, body).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
        resp.json()["id"].as_str().expect("id").to_owned()
    }

    /// Form fields after `csrf` that an allowed caller succeeds with, for
    /// this module's page templates.
    pub async fn form(&self, app: &TestApp, template: &str) -> Option<String> {
        let mut f = url::form_urlencoded::Serializer::new(String::new());
        match template {
            "/apply" => {
                let body = self.application_body(app).await;
                for k in ["organization", "website", "security_alias", "voucher"] {
                    f.append_pair(k, body[k].as_str().expect("text"));
                }
                for (k, v) in body["criteria"].as_object().expect("answers") {
                    f.append_pair(&format!("criteria.{k}"), v.as_str().expect("answer"));
                }
                let contact = &body["contacts"][0];
                f.append_pair("contacts[0].name", contact["name"].as_str().expect("name"));
                f.append_pair(
                    "contacts[0].email",
                    contact["email"].as_str().expect("email"),
                );
            }
            "/account/keys" => {
                f.append_pair("armored", ALICE);
            }
            "/member/contacts" => {
                let n = self.next();
                f.append_pair("name", "Page contact")
                    .append_pair("email", &format!("pc{n}@m.example"));
            }
            "/member/leave" => {
                f.append_pair("confirm", "yes")
                    .append_pair("reason", "matrix");
            }
            "/policy/accept" => {
                let policy = app.get("/api/v1/policy", None).await.json();
                f.append_pair("version", &policy["version"].to_string());
            }
            "/applications/{id}/vouch" => {
                f.append_pair("statement", "We know them.")
                    .append_pair("vouch", "true");
            }
            "/admin/applications/{id}/decision" => {
                f.append_pair("decision", "reject")
                    .append_pair("reason", "matrix");
            }
            "/admin/members" => {
                let n = self.next();
                f.append_pair("organization", &format!("Founded {n}"))
                    .append_pair("website", "https://f.example")
                    .append_pair("security_alias", "sec@f.example")
                    .append_pair("contacts[0].name", "F")
                    .append_pair("contacts[0].email", &format!("f{n}@f.example"));
            }
            "/admin/members/{id}/removal" | "/admin/members/{id}/contacts/{contact}/clear-text" => {
                f.append_pair("reason", "matrix");
                f.append_pair("confirm", "yes");
            }
            // To the list's member only: the other organisation stays out
            // of the embargoed advisory's audience for every later row.
            "/admin/advisories/{id}/announcements"
            | "/admin/advisories/{id}/announcements/confirm" => {
                f.append_pair("note", "matrix")
                    .append_pair("to", "chosen")
                    .append_pair("members", &self.member);
            }
            "/admin/members/{id}/contacts/{contact}/clear-text/withdraw"
            | "/admin/members/{id}/contacts/{contact}/setup-link" => {}
            "/admin/policy" => {
                let n = self.next();
                f.append_pair("text", &format!("# Policy\n\nMatrix page {n}."));
            }
            "/admin/criteria" => {
                let criteria = app.get("/api/v1/criteria", None).await.json();
                for (i, c) in criteria["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .enumerate()
                {
                    for k in ["key", "title", "description"] {
                        f.append_pair(&format!("items[{i}].{k}"), c[k].as_str().expect("text"));
                    }
                }
            }
            _ => return None,
        }
        Some(format!("&{}", f.finish()))
    }

    /// A contact of the matrix member, added for the contact routes to
    /// remove, or to allow clear text for (allowed already, so that the
    /// withdrawal routes succeed too).
    pub async fn contact_path(&self, app: &TestApp, template: &str) -> Option<String> {
        let clear_text = template.contains("/contacts/{contact}/clear-text");
        let setup_link = template.ends_with("/contacts/{contact}/setup-link");
        let remove = matches!(
            template,
            "/api/v1/me/member/contacts/{id}" | "/member/contacts/{id}/remove"
        );
        if !remove && !clear_text && !setup_link {
            return None;
        }
        let n = self.next();
        let contact = embargo::domain::membership::Contact {
            name: "Extra".into(),
            email: embargo::domain::email::EmailAddress::parse(&format!("extra{n}@m.example"))
                .expect("email"),
            openpgp_key: None,
        };
        let mut tx = app.state.db.begin().await.expect("tx");
        let member = embargo::domain::id::MemberId::parse(&self.member).expect("member id");
        let actor = embargo::db::audit::Actor::cli();
        let id = embargo::app::membership::add_contact_account(
            &mut tx,
            &app.state,
            &actor,
            &member,
            "Matrix Org",
            &contact,
        )
        .await
        .expect("contact");
        tx.commit().await.expect("commit");
        if remove {
            return Some(template.replace("{id}", id.as_str()));
        }
        let (state, contact) = (&app.state, id.as_str());
        if clear_text {
            embargo::app::membership::allow_clear_text(state, &actor, &self.member, contact, "m")
                .await
                .expect("allowed");
        }
        let path = template.replace("{id}", &self.member);
        Some(path.replace("{contact}", contact))
    }

    /// A stand-in member contact: (address, token). Of the matrix member
    /// with `own_org`, else of a new member of its own; policy accepted
    /// with `accept`.
    pub async fn stand_in(&self, app: &TestApp, own_org: bool, accept: bool) -> (String, String) {
        let n = self.next();
        let email = format!("standin{n}@standin.example");
        let token = if own_org {
            add_contact(app, &self.member, &email).await
        } else {
            let org = format!("Stand-in {n}");
            member_with_contact(app, &org, &email).await;
            app.account_token(&email).await
        };
        if accept {
            let body = self.body(app, "/api/v1/policy/accept").await.expect("body");
            let resp = app.post("/api/v1/policy/accept", Some(&token), body).await;
            assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
        }
        (email, token)
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
            "/api/v1/members/{id}/removal"
            | "/api/v1/members/{id}/contacts/{contact}/clear-text" => json!({ "reason": "matrix" }),
            "/api/v1/advisories/{id}/announcements" => {
                json!({ "note": "matrix", "members": [self.member] })
            }
            "/api/v1/policy" => json!({ "text": "# Policy\n\nMatrix." }),
            "/api/v1/policy/accept" => {
                json!({ "version": app.get("/api/v1/policy", None).await.json()["version"] })
            }
            "/api/v1/applications/confirm/{token}" => json!({}),
            "/api/v1/me/keys" => json!({ "armored": ALICE }),
            "/api/v1/me/member/contacts" => {
                let n = self.next();
                json!({ "name": "New contact", "email": format!("c{n}@m.example") })
            }
            "/api/v1/me/member/leave" => json!({ "reason": "matrix" }),
            _ => return None,
        })
    }
}

/// A new member named `organization` whose contact is `email`'s account
/// (made when missing); its id.
pub async fn member_with_contact(app: &TestApp, organization: &str, email: &str) -> String {
    let mut conn = app.state.db.conn().await.expect("conn");
    let new = members::NewMember {
        organization,
        website: "https://m.example",
        security_alias: "sec@m.example",
        application_id: None,
    };
    let member = members::insert(&mut conn, new).await.expect("member");
    drop(conn);
    add_contact(app, member.as_str(), email).await;
    member.to_string()
}

/// Makes `email`'s account (made when missing) a contact of `member`;
/// its API token.
pub async fn add_contact(app: &TestApp, member: &str, email: &str) -> String {
    let token = app.account_token(email).await;
    let mut conn = app.state.db.conn().await.expect("conn");
    let account = embargo::db::accounts::by_email(&mut conn, email)
        .await
        .expect("q")
        .expect("account");
    let member = embargo::domain::id::MemberId::parse(member).expect("member id");
    let id = AccountId::parse(account.id.as_str()).expect("id");
    members::add_contact(&mut conn, &member, &id, "M")
        .await
        .expect("contact");
    token
}

/// Uploads a key for the account of `token`; its id.
pub async fn upload_key(app: &TestApp, token: &str) -> String {
    let resp = app
        .post("/api/v1/me/keys", Some(token), json!({ "armored": ALICE }))
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().expect("key id").to_owned()
}
