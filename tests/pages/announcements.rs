//! Pages: announcing an embargoed advisory from its admin page, through a
//! confirmation that counts the recipients, and the announcement's page of
//! deliveries, those not sent first.

use serde_json::json;

use super::*;
use crate::announcements::{ALICE_KEY, cleared_member, embargoed};
use crate::common::smtp_script::{Script, ScriptedSmtp};
use crate::membership::{accept_current_policy, founding_member};

const CONFLICT: StatusCode = StatusCode::CONFLICT;

fn confirm_path(id: &str) -> String {
    format!("/admin/advisories/{id}/announcements/confirm")
}

fn announce_path(id: &str) -> String {
    format!("/admin/advisories/{id}/announcements")
}

/// The text of the element with id `id`.
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    between(html, &format!("id=\"{id}\""), ">", "<").expect(id)
}

/// The confirmation's counts: recipients, encrypted, notices, not accepted.
fn counts(html: &str) -> [&str; 4] {
    ["recipients", "encrypted", "notices", "not-accepted"]
        .map(|c| by_id(html, &format!("count-{c}")))
}

/// Posts the confirmation page's form as a browser would: its hidden
/// fields, unchanged.
async fn send_confirmed(tab: &Tab<'_>, id: &str, confirmation: &str) -> Response {
    let form = between(
        confirmation,
        &format!("action=\"{}\"", announce_path(id)),
        ">",
        "</form>",
    );
    let form = form.expect("the confirmation's form");
    let mut fields = Vec::new();
    for input in form.split("<input type=\"hidden\" ").skip(1) {
        let name = between(input, "name=", "\"", "\"").expect("name");
        let value = between(input, "value=", "\"", "\"").expect("value");
        fields.push((name.to_owned(), unescape(value)));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let form = encode(&pairs);
    tab.send(&announce_path(id), &form).await
}

#[tokio::test]
async fn an_admin_announces_from_the_advisory_page_through_a_confirmation_and_sees_the_deliveries_sent()
 {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    cleared_member(&app, &token, "Keyed", "alice@example.org", Some(ALICE_KEY)).await;
    cleared_member(&app, &token, "Keyless", "kim@keyless.example", None).await;
    founding_member(&app, &token, "Unaccepted", "una@unaccepted.example").await;
    let id = embargoed(&app, &token).await;

    let page = tab.get(&format!("/admin/advisories/{id}")).await.text();
    assert!(
        page.contains(&format!("action=\"{}\"", confirm_path(&id))),
        "{page}"
    );
    assert!(page.contains("Not announced to the list."));
    for org in ["Keyed", "Keyless", "Unaccepted"] {
        assert!(
            page.contains(&format!("\">{org}</label>")),
            "{org} is offered"
        );
    }
    assert!(
        page.contains("value=\"all\" checked"),
        "all members by default"
    );

    let note = "Please *test* <b>the fix</b>\nbefore Friday.";
    let fields = [("note", note), ("to", "all")];
    let confirmation = tab.post(&confirm_path(&id), &fields).await;
    assert_eq!(confirmation.status, OK, "{}", confirmation.text());
    let html = confirmation.text();
    assert_eq!(counts(&html), ["2", "1", "1", "1"], "{html}");
    assert!(html.contains("Send to 2 recipients now"));
    assert!(html.contains("class=\"danger\""));
    assert!(html.contains("all active members"));
    assert_escaped(
        &html,
        "<b>the fix</b>",
        "&lt;b&gt;the fix&lt;&#x2f;b&gt;",
        "the confirmation",
    );
    assert_eq!(
        app.count("announcements").await,
        0,
        "nothing before confirming"
    );

    let forged = tab.send(&announce_path(&id), "csrf=forged&to=all").await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.count("announcements").await, 0);

    let sent = send_confirmed(&tab, &id, &html).await;
    assert_eq!(sent.status, SEE_OTHER, "{}", sent.text());
    let location = sent.header("location").expect("location").to_owned();
    assert!(
        location.starts_with("/admin/announcements/ann_"),
        "{location}"
    );
    assert!(location.ends_with("?announced=1"), "{location}");
    let ann =
        location["/admin/announcements/".len()..location.find('?').expect("query")].to_owned();
    let api = app
        .get(&format!("/api/v1/announcements/{ann}"), Some(&token))
        .await
        .json();
    assert_eq!(api["note"], note, "the note as confirmed");

    let landed = tab.get(&location).await.text();
    assert!(
        landed.contains("role=\"status\">Announced to 2 recipients."),
        "{landed}"
    );
    assert!(landed.contains("Sent 0 of 2"), "{landed}");
    assert!(landed.contains("Not sent (2)"));

    app.run_jobs().await;
    let audited = app.count("audit_events").await;
    let done = tab.get(&format!("/admin/announcements/{ann}")).await;
    assert_eq!(done.status, OK);
    let done = done.text();
    assert_eq!(
        app.count("audit_events").await,
        audited,
        "a view is not audited"
    );
    assert!(
        !done.contains("role=\"status\""),
        "the confirmation only after announcing"
    );
    assert!(
        done.contains("Sent 2 of 2</strong>, 0 bounced, 0 failed."),
        "{done}"
    );
    assert!(!done.contains("Not sent"));
    assert!(done.contains("Sent (2)"));
    let alice = between(&done, "alice@example.org", "", "</tr>").expect("alice's row");
    assert!(
        alice.contains("Keyed") && alice.contains("encrypted"),
        "{alice}"
    );
    let kim = between(&done, "kim@keyless.example", "", "</tr>").expect("kim's row");
    assert!(
        kim.contains("Keyless") && kim.contains("notice only"),
        "{kim}"
    );
    assert!(!done.contains("una@unaccepted.example"));
    let summary = crate::advisories::advisory_body()["summary"]
        .as_str()
        .expect("summary")
        .to_owned();
    assert!(done.contains(&summary), "the advisory's summary");
    assert!(
        !done.contains("write to the host"),
        "nothing of the advisory's details"
    );
    assert!(!done.contains("the fix"), "nor the note");

    let page = tab.get(&format!("/admin/advisories/{id}")).await.text();
    assert!(
        page.contains(&format!("href=\"/admin/announcements/{ann}\"")),
        "{page}"
    );
    assert!(page.contains("<td>2 sent</td>"), "{page}");
    let messages = app.mails_to("alice@example.org");
    let list: Vec<_> = messages.iter().filter(|m| m.list_id.is_some()).collect();
    assert_eq!(list.len(), 1);
    assert!(list[0].encrypted.is_some());
}

#[tokio::test]
async fn only_the_members_checked_are_counted_and_checking_none_is_shown_on_the_form() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (keyed, alice) =
        cleared_member(&app, &token, "Keyed", "alice@example.org", Some(ALICE_KEY)).await;
    let (_, kim) = cleared_member(&app, &token, "Keyless", "kim@keyless.example", None).await;
    let id = embargoed(&app, &token).await;

    let fields = [("to", "chosen"), ("members", keyed.as_str())];
    let html = tab.post(&confirm_path(&id), &fields).await.text();
    assert_eq!(counts(&html), ["1", "1", "0", "0"], "{html}");
    assert!(html.contains("the contacts of Keyed:"), "{html}");
    assert!(
        html.contains("only the contacts of the members it is announced to"),
        "says who may read it: {html}"
    );
    assert!(html.contains(&format!("name=\"members\" value=\"{keyed}\"")));

    let none = tab
        .post(&confirm_path(&id), &[("to", "chosen"), ("note", "kept")])
        .await;
    assert_eq!(none.status, INVALID);
    let html = none.text();
    assert!(
        html.contains("id=\"members-error\">choose at least one member"),
        "{html}"
    );
    assert!(
        html.contains("value=\"chosen\" checked"),
        "the choice is kept"
    );
    assert!(html.contains(">kept</textarea>"), "the note is kept");

    let fields = [("to", "chosen"), ("members", "mem_notamember")];
    let unknown = tab.post(&confirm_path(&id), &fields).await;
    assert_eq!(unknown.status, axum::http::StatusCode::CONFLICT);
    assert!(
        unknown
            .text()
            .contains("mem_notamember is not an active member")
    );
    let forced = tab.post(&announce_path(&id), &fields).await;
    assert_eq!(forced.status, axum::http::StatusCode::CONFLICT);
    assert_eq!(app.count("announcements").await, 0);

    let sent = tab
        .post(
            &announce_path(&id),
            &[("to", "chosen"), ("members", &keyed)],
        )
        .await;
    assert_eq!(sent.status, SEE_OTHER);
    let landed = tab
        .get(sent.header("location").expect("location"))
        .await
        .text();
    assert!(landed.contains("Announced to 1 recipient."), "{landed}");
    // Need-to-know: the member checked reads it, the other does not.
    let advisory = format!("/api/v1/advisories/{id}");
    assert_eq!(app.get(&advisory, Some(&alice)).await.status, OK);
    assert_eq!(app.get(&advisory, Some(&kim)).await.status, NOT_FOUND);
}

/// A member whose contacts accepted the policy, made without reading
/// mail (the scripted SMTP server keeps it).
async fn member_over_smtp(app: &TestApp, admin: &str, org: &str, emails: &[&str]) {
    let contacts: Vec<_> = emails
        .iter()
        .map(|e| json!({ "name": "Pat Contact", "email": e }))
        .collect();
    let body = json!({
        "organization": org, "website": format!("https://{}.example", org.to_lowercase()),
        "security_alias": format!("security@{}.example", org.to_lowercase()),
        "contacts": contacts,
    });
    let resp = app.post("/api/v1/members", Some(admin), body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    for email in emails {
        let token = app.account_token(email).await;
        accept_current_policy(app, &token).await;
    }
}

#[tokio::test]
async fn a_delivery_the_smtp_server_refused_is_listed_first_with_its_answer() {
    let server = ScriptedSmtp::start(Script {
        refuse: vec![("bad@".into(), "550 5.1.1 no such user".into())],
        ..Script::default()
    })
    .await;
    let app = TestApp::over_smtp("127.0.0.1", server.port, |c| {
        c.mail.smtp.timeout_seconds = 2;
        c.mail.smtp.connections = 4;
    })
    .await;
    let (_, token, tab) = admin(&app).await;
    // By address, alice@ comes first: the refused one must still lead.
    let emails = ["alice@omega.example", "bad@omega.example"];
    member_over_smtp(&app, &token, "Omega", &emails).await;
    let id = embargoed(&app, &token).await;

    let sent = tab.post(&announce_path(&id), &[("to", "all")]).await;
    assert_eq!(sent.status, SEE_OTHER, "{}", sent.text());
    let location = sent.header("location").expect("location").to_owned();
    app.run_jobs().await;

    let html = tab.get(&location).await.text();
    assert!(
        html.contains("Sent 1 of 2</strong>, 0 bounced, 1 failed."),
        "{html}"
    );
    let not_sent = html
        .find("Not sent (1)")
        .expect("a section of those not sent");
    let bad = html
        .find("bad@omega.example")
        .expect("the refused recipient");
    let good = html.find("alice@omega.example").expect("the other");
    assert!(not_sent < bad && bad < good, "the refused one first");
    let row = between(&html, "bad@omega.example", "", "</tr>").expect("row");
    assert!(row.contains("no such user") && row.contains("550"), "{row}");
    let state = between(&html, "Not sent (1)", "<tbody>", "bad@omega.example").expect("state");
    assert!(
        state.contains("class=\"badge failed\">failed</strong>"),
        "{state}"
    );
}

#[tokio::test]
async fn a_draft_offers_no_announce_form_and_a_forced_post_shows_why() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    cleared_member(&app, &token, "Keyless", "kim@keyless.example", None).await;
    let draft = crate::advisories::create(&app, &token).await;

    let page = tab.get(&format!("/admin/advisories/{draft}")).await.text();
    assert!(
        !page.contains("/announcements/confirm"),
        "no form for a draft"
    );
    assert!(!page.contains("Announce to the list"));

    for path in [confirm_path(&draft), announce_path(&draft)] {
        let forced = tab.post(&path, &[("to", "all")]).await;
        assert_eq!(forced.status, CONFLICT, "{path}");
        let html = forced.text();
        assert!(
            html.contains("role=\"alert\">only an embargoed advisory can be announced; this one is draft: set an embargo first</p>"),
            "{path}: {html}"
        );
        assert!(!html.contains("/announcements/confirm"), "still no form");
    }

    let published = app
        .post(
            &format!("/api/v1/advisories/{draft}/publish"),
            Some(&token),
            json!({ "reason": "out" }),
        )
        .await;
    assert_eq!(published.status, OK, "{}", published.text());
    let forced = tab.post(&announce_path(&draft), &[("to", "all")]).await;
    assert_eq!(forced.status, CONFLICT);
    assert!(forced.text().contains("it is public already"));
    assert_eq!(app.count("announcements").await, 0);

    let missing = tab
        .post(&announce_path("SA-2026-9999"), &[("to", "all")])
        .await;
    assert_eq!(missing.status, NOT_FOUND);
    let missing = tab.get("/admin/announcements/ann_notannouncement").await;
    assert_eq!(missing.status, NOT_FOUND);
}
