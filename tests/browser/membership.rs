//! Journey: an organisation applies on `/apply`, its alias confirms from
//! the mail, a member vouches, an admin approves; the new contact sets up
//! the account from the mail, logs in, accepts the policy, reads an
//! embargoed advisory on the member pages, and takes the organisation off
//! the list.

use embargo::domain::account::Role;
use serde_json::json;

use super::web::BASE;
use super::{Web, each_mode};
use crate::common::link_in;

const ADMIN: &str = "admin@project.test";
const ADMIN_PASSWORD: &str = "correct horse battery staple";
/// The password `founding_member` sets up its contact with.
const MEMBER_PASSWORD: &str = "a long enough password";
const VOUCHER: &str = "pat@founders.example";
const ALIAS: &str = "security@newcomer.example";
const CONTACT: &str = "ann@newcomer.example";
const CONTACT_PASSWORD: &str = "ann's long enough password";

#[tokio::test]
async fn an_organisation_applies_is_vouched_for_approved_reads_under_embargo_and_leaves() {
    each_mode("membership", membership).await;
}

async fn membership(web: &Web) {
    let app = &web.app;
    let (_, admin) = app.account(ADMIN, Role::Admin).await;
    crate::membership::founding_member(app, &admin, "Founders", VOUCHER).await;
    let advisory = crate::announcements::embargoed(app, &admin).await;

    // The application, as a visitor.
    web.goto("/").await;
    web.click_link("Join the list").await;
    web.fill("organization", "Newcomer").await;
    web.fill("website", "https://newcomer.example").await;
    web.fill("security_alias", ALIAS).await;
    web.fill("contacts[0].name", "Ann Applicant").await;
    web.fill("contacts[0].email", CONTACT).await;
    let answers = web
        .client()
        .find_all(fantoccini::Locator::Css("textarea[name^='criteria.']"));
    let answers = answers.await.expect("criteria");
    assert!(!answers.is_empty(), "the criteria are asked");
    for answer in answers {
        let name = answer.attr("name").await.expect("name").expect("a name");
        web.fill(&name, &format!("Our answer to {name}")).await;
    }
    web.fill("voucher", "Founders").await;
    web.submit().await;
    // The form leads to the status page: its address is the status link.
    let status = web.url().await;
    assert!(
        status.starts_with(&format!("{BASE}/applications/status/")),
        "{status}"
    );
    web.sees("your application was received").await;
    web.sees(ALIAS).await;

    // The alias confirms from its mail; the voucher is asked.
    app.run_jobs().await;
    let mail = app.mails_to(ALIAS).pop().expect("the confirmation mail");
    let confirm = link_in(&mail.text, &format!("{BASE}/applications/confirm/"));
    web.goto(&confirm.expect("a confirmation link")).await;
    web.sees("Newcomer").await;
    app.run_jobs().await;
    let asked = app.mails_to(VOUCHER).pop().expect("the vouch request");
    let vouch = link_in(&asked.text, &format!("{BASE}/applications/"));
    let vouch = vouch.expect("a link to the vouch page");

    web.act_as(VOUCHER, MEMBER_PASSWORD).await;
    web.goto(&vouch).await;
    web.fill("statement", "We have shipped their patches since 2019.")
        .await;
    web.press("Vouch for Newcomer").await;
    web.sees("you vouched for Newcomer").await;

    web.act_as(ADMIN, ADMIN_PASSWORD).await;
    web.goto("/admin/reports").await;
    web.click_link("Applications").await;
    web.click_link("Newcomer").await;
    web.sees("We have shipped their patches since 2019.").await;
    web.choose("decision", "approve").await;
    web.fill("reason", "Meets every criterion.").await;
    web.submit().await;
    web.sees("approved").await;
    let announced = crate::announcements::announce(app, &admin, &advisory, json!({})).await;
    assert_eq!(announced.status.as_u16(), 201, "{}", announced.text());

    // The applicant's status link says so.
    web.forget().await;
    web.goto(&status).await;
    web.sees("Meets every criterion.").await;

    // The new contact: set-up link, login, policy, the embargoed advisory.
    app.run_jobs().await;
    let mail = app.mails_to(CONTACT).pop().expect("the set-up mail");
    let setup = link_in(&mail.text, &format!("{BASE}/setup/")).expect("a set-up link");
    web.goto(&setup).await;
    web.sees(CONTACT).await;
    web.fill("password", CONTACT_PASSWORD).await;
    web.fill("confirm", CONTACT_PASSWORD).await;
    web.submit().await;
    assert_eq!(web.path().await, "/login");
    web.fill("email", CONTACT).await;
    web.fill("password", CONTACT_PASSWORD).await;
    web.submit().await;
    web.sees("until you accept the list's current policy").await;
    web.click_link("Read and accept it").await;
    web.press("I accept version 1").await;
    web.does_not_see("until you accept the list's current policy")
        .await;
    web.click_link("Embargoed advisories").await;
    web.click_link(&advisory).await;
    web.sees("Container escape through crafted symlinks").await;
    web.sees("Europe/Berlin").await;

    // Leaving: the organisation's page, the reason, the box, the button.
    web.click_link("Organisation").await;
    web.sees("Newcomer").await;
    web.fill("reason", "We no longer ship the software.").await;
    web.check("confirm").await;
    web.press("Leave the list").await;
    web.goto("/member").await;
    assert!(web.path().await.starts_with("/login"), "the session ended");
    let listed = app.get("/api/v1/members", Some(&admin)).await.json();
    let newcomer = listed["items"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["organization"] == "Newcomer");
    let newcomer = newcomer.expect("Newcomer is still on record");
    assert_ne!(newcomer["status"], "active", "{newcomer}");
}
