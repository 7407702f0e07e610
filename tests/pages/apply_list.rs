//! The members `/apply` lists for an applicant to pick a voucher from:
//! names only, and nothing at all where `membership.show_members_on_apply`
//! is off (the applicant then types the member's name).

use super::membership::{criteria, field_error};
use super::*;
use crate::membership::{answers, founding_member};

/// A complete application naming its voucher by `voucher`.
async fn application(app: &TestApp, voucher: (&str, &str)) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("organization", "New Distro"),
        ("website", "https://newdistro.example"),
        ("security_alias", "security@newdistro.example"),
        ("contacts[0].name", "Nina New"),
        ("contacts[0].email", "nina@newdistro.example"),
        voucher,
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in answers(&criteria(app).await).as_object().expect("answers") {
        fields.push((
            format!("criteria.{k}"),
            v.as_str().expect("text").to_owned(),
        ));
    }
    fields
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn apply_lists_member_names_and_nothing_else_about_them() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (id, _) = founding_member(&app, &admin, "Founders", "pat@founders.example").await;
    let html = visitor(&app).get("/apply").await.text();
    assert!(html.contains(&format!("<option value=\"{id}\">Founders</option>")));
    for private in ["founders.example", "pat@", "Pat Contact"] {
        assert!(!html.contains(private), "/apply shows {private}");
    }
    let listed = app.get("/api/v1/members", None).await.json();
    let entry = listed["items"][0].as_object().expect("an entry");
    let keys: Vec<&str> = entry.keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "organization"]);
}

#[tokio::test]
async fn with_the_list_switched_off_apply_names_no_member_and_takes_a_typed_name() {
    let app = TestApp::with_config(|c| c.membership.show_members_on_apply = false).await;
    let admin = app.admin_token().await;
    let (id, _) = founding_member(&app, &admin, "Founders", "pat@founders.example").await;
    let tab = visitor(&app);
    let html = tab.get("/apply").await.text();
    assert!(!html.contains("Founders") && !html.contains(&id));
    assert!(!html.contains("<select id=\"voucher\""));
    assert!(html.contains("name=\"voucher_name\""));
    let public = app.get("/api/v1/members", None).await.json();
    assert_eq!(public["items"].as_array().map(Vec::len), Some(0));
    let full = app.get("/api/v1/members", Some(&admin)).await.json();
    assert_eq!(full["items"][0]["id"], id.as_str(), "admins still see them");

    let unknown = application(&app, ("voucher_name", "Nobody We Know")).await;
    let refused = tab.post("/apply", &pairs(&unknown)).await;
    assert_eq!(refused.status, INVALID);
    let html = refused.text();
    assert_eq!(
        field_error(&html, "voucher_name"),
        "must be the name of a current member"
    );
    assert!(
        html.contains("value=\"Nobody We Know\""),
        "the typed name is kept"
    );
    assert!(!html.contains("Founders"), "the refusal names no member");

    let named = application(&app, ("voucher_name", " founders ")).await;
    let resp = tab.post("/apply", &pairs(&named)).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.text());
    let apps = app.get("/api/v1/applications", Some(&admin)).await.json();
    assert_eq!(apps["items"][0]["voucher_member_id"], id.as_str());
}
