//! Pages: the membership process for admins (the application queue and
//! decision, founding members and removal, the criteria).

use serde_json::json;

use super::membership::{application_in_review, criteria, field_error};
use super::*;
use crate::common::link_in;
use crate::membership::{answers, founding_member};

#[tokio::test]
async fn the_admin_decides_through_the_page_and_the_applicant_sees_the_decision() {
    let app = TestApp::new().await;
    let (_, admin, tab) = admin(&app).await;
    let (voucher, pat) = founding_member(&app, &admin, "Founders", "pat@founders.example").await;
    let (id, status) =
        application_in_review(&app, &voucher, "Newcomer", answers(&criteria(&app).await)).await;
    let queue = tab.get("/admin/applications?status=in_review").await;
    assert_eq!(queue.status, OK);
    let html = queue.text();
    assert!(html.contains(&format!(
        "<a href=\"/admin/applications/{id}\">Newcomer</a>"
    )));
    assert!(html.contains("<td>Founders</td>"));
    assert!(
        !tab.get("/admin/applications?status=approved")
            .await
            .text()
            .contains("Newcomer")
    );
    assert_eq!(
        tab.get("/admin/applications?status=bogus").await.status,
        StatusCode::BAD_REQUEST
    );

    let decision = format!("/admin/applications/{id}/decision");
    let unvouched = tab
        .post(&decision, &[("decision", "approve"), ("reason", "Fine.")])
        .await;
    assert_eq!(unvouched.status, INVALID);
    assert!(
        field_error(&unvouched.text(), "decision")
            .contains("no contact of the named member has vouched")
    );
    let vouch = json!({ "statement": "Trusted." });
    let resp = app
        .post(
            &format!("/api/v1/applications/{id}/vouches"),
            Some(&pat),
            vouch,
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED);
    let no_reason = tab
        .post(&decision, &[("decision", "approve"), ("reason", "")])
        .await;
    assert_eq!(no_reason.status, INVALID);
    let html = no_reason.text();
    assert!(field_error(&html, "reason").starts_with("is required"));
    assert!(
        html.contains("value=\"approve\" checked"),
        "the choice is kept"
    );

    let reason = "Meets every criterion.";
    let resp = tab
        .post(&decision, &[("decision", "approve"), ("reason", reason)])
        .await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    assert_eq!(
        resp.header("location"),
        Some(format!("/admin/applications/{id}").as_str())
    );
    let html = tab.get(&format!("/admin/applications/{id}")).await.text();
    assert!(html.contains("The application was approved") && !html.contains(&decision));

    let seen = visitor(&app).get(&status).await.text();
    assert!(seen.contains("Approved"), "{seen}");
    assert!(seen.contains(reason));
    app.run_jobs().await;
    assert!(
        app.mails_to("security@newcomer.example")
            .iter()
            .any(|m| m.text.contains(reason))
    );
}

#[tokio::test]
async fn the_admin_adds_a_founding_member_and_removes_it_through_the_pages() {
    let app = TestApp::new().await;
    let (_, admin, tab) = admin(&app).await;
    assert_eq!(tab.get("/admin/members").await.status, OK);
    let mut fields = vec![
        ("organization", "Founding Distro"),
        ("website", "not a url"),
        ("security_alias", "security@founding.example"),
        ("contacts[1].name", "Fay Founder"),
        ("contacts[1].email", "fay@founding.example"),
    ];
    let refused = tab.post("/admin/members", &fields).await;
    assert_eq!(refused.status, INVALID);
    let html = refused.text();
    assert_eq!(field_error(&html, "website"), "must be an http(s) URL");
    assert!(html.contains("<a href=\"#website\">Website: must be an http(s) URL</a>"));
    assert!(html.contains("value=\"Founding Distro\"") && html.contains("value=\"Fay Founder\""));
    assert_eq!(app.count("members").await, 0);

    fields[1] = ("website", "https://founding.example");
    fields.extend([
        ("contacts[2].name", "Gus Founder"),
        ("contacts[2].email", "gus@founding.example"),
    ]);
    let resp = tab.post("/admin/members", &fields).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let location = resp.header("location").expect("location").to_owned();
    let id = location
        .strip_prefix("/admin/members/")
        .expect("the member's page")
        .to_owned();
    app.run_jobs().await;
    for contact in ["fay@founding.example", "gus@founding.example"] {
        let mail = app.mails_to(contact).pop().expect("set-up mail");
        assert!(link_in(&mail.text, "http://embargo.test/setup/").is_some());
    }
    let list = tab.get("/admin/members").await.text();
    assert!(list.contains(&format!("href=\"/admin/members/{id}\">Founding Distro</a>")));
    let removal = format!("/admin/members/{id}/removal");
    assert!(
        !list.contains(&removal),
        "the list carries no removal forms"
    );
    let html = tab.get(&location).await.text();
    assert!(html.contains("Gus Founder &lt;gus@founding.example&gt;"));
    assert!(html.contains(&format!("action=\"{removal}\"")));

    let no_reason = tab.post(&removal, &[("reason", "")]).await;
    assert_eq!(no_reason.status, INVALID);
    assert!(field_error(&no_reason.text(), "removal_reason").starts_with("is required"));
    let reason = ("reason", "Stopped shipping the software.");
    let asked = tab.post(&removal, &[reason]).await;
    assert_eq!(asked.status, OK);
    let asked = asked.text();
    assert!(
        asked.contains("lose access to everything embargoed at once"),
        "{asked}"
    );
    assert!(
        asked.contains("security@founding.example"),
        "who is told: {asked}"
    );
    let resp = tab.post(&removal, &[reason, ("confirm", "yes")]).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    assert_eq!(resp.header("location"), Some(location.as_str()));
    let html = tab.get(&location).await.text();
    assert!(
        html.contains("Stopped shipping the software.")
            && !html.contains(&format!("action=\"{removal}\""))
    );
    let list = app.get("/api/v1/members", Some(&admin)).await.json();
    assert_eq!(list["items"][0]["status"], "removed");
    app.run_jobs().await;
    assert!(
        app.mails_to("security@founding.example")
            .iter()
            .any(|m| m.text.contains("Stopped shipping"))
    );
}

#[tokio::test]
async fn criteria_edited_through_the_page_are_published_as_a_new_version() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    let before = criteria(&app).await;
    let html = tab.get("/admin/criteria").await.text();
    assert!(html.contains("name=\"items[0].key\" value=\"security_alias\""));
    assert!(
        html.contains("name=\"items[7].key\" value=\"\""),
        "an empty row adds one"
    );

    let mut fields: Vec<(String, String)> = Vec::new();
    for (i, c) in before["items"]
        .as_array()
        .expect("items")
        .iter()
        .enumerate()
    {
        for k in ["key", "title", "description"] {
            fields.push((
                format!("items[{i}].{k}"),
                c[k].as_str().expect("text").to_owned(),
            ));
        }
        if c["key"] == "contributes_back" {
            fields.push((format!("items[{i}].remove"), "true".into()));
        }
    }
    let with = |key: &str| {
        let mut f = fields.clone();
        f.push(("items[7].key".into(), key.into()));
        f.push(("items[7].title".into(), "OpenPGP".into()));
        f.push((
            "items[7].description".into(),
            "Your contacts use OpenPGP.".into(),
        ));
        f
    };
    let bad = with("Open PGP");
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = tab.post("/admin/criteria", &pairs).await;
    assert_eq!(refused.status, INVALID);
    let html = refused.text();
    assert!(
        field_error(&html, "items-7-key").contains("lower-case letters"),
        "the error is at the row typed in"
    );
    assert!(html.contains("value=\"Open PGP\""));
    assert!(html.contains("id=\"items-5-remove\" name=\"items[5].remove\" value=\"true\" checked"));

    let good = with("openpgp");
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let resp = tab.post("/admin/criteria", &pairs).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    assert_eq!(resp.header("location"), Some("/admin/criteria"));
    let after = criteria(&app).await;
    assert_eq!(
        after["version"],
        before["version"].as_i64().expect("version") + 1
    );
    let keys: Vec<&str> = after["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["key"].as_str().expect("key"))
        .collect();
    assert_eq!(keys.len(), 7);
    assert!(keys.contains(&"openpgp") && !keys.contains(&"contributes_back"));
    let form = visitor(&app).get("/apply").await.text();
    assert!(form.contains("<label for=\"criteria-openpgp\">OpenPGP</label>"));
    assert!(!form.contains("criteria.contributes_back"));
}
