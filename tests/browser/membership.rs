//! Journey: an organisation applies on `/apply`, its alias confirms from
//! the mail, a member vouches, an admin approves; the new contact sets up
//! the account from the mail, logs in, accepts the policy, reads an
//! embargoed advisory on the member pages, and takes the organisation off
//! the list.

use base64::Engine as _;
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
    let advisory = embargoed_with_patch(app, &admin).await;

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
    web.screenshot("member-embargoed-advisory", None).await;
    web.sees("fix-symlinks.patch").await;

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

/// An embargoed advisory as a team writes one, with its patch: what the
/// new contact reads (and the README's picture shows).
async fn embargoed_with_patch(app: &crate::common::TestApp, admin: &str) -> String {
    let body = json!({
        "summary": "Container escape through crafted symlinks",
        "details": "A *crafted* image can make the runtime follow a symlink out of the \
                    container's root while unpacking, and write to the host.\n\n\
                    Upgrade to 1.4.2 or 2.0.3, or apply the attached patch.",
        "affected": [{
            "package": { "ecosystem": "Go", "name": "example.org/runtime" },
            "ranges": [
                { "type": "SEMVER", "events": [{ "introduced": "1.0.0" }, { "fixed": "1.4.2" }] },
                { "type": "SEMVER", "events": [{ "introduced": "2.0.0" }, { "fixed": "2.0.3" }] }
            ]
        }],
        "severity": [
            { "type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H" },
            { "type": "CVSS_V4", "score": "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H" }
        ],
        "database_specific": { "cwe_ids": ["CWE-59"] },
        "credits": [{ "name": "Rita Reporter", "type": "FINDER" }],
        "references": [{ "type": "FIX", "url": "https://example.org/runtime/commit/abc" }]
    });
    let made = app.post("/api/v1/advisories", Some(admin), body).await;
    assert_eq!(made.status.as_u16(), 201, "{}", made.text());
    let id = made.json()["id"].as_str().expect("an id").to_owned();
    let patch = "--- a/unpack.go\n+++ b/unpack.go\n@@ -10 +10 @@\n-\tos.Symlink(t, p)\n+\tsafeSymlink(root, t, p)\n";
    let patch = json!({ "filename": "fix-symlinks.patch",
                        "content_base64": base64::engine::general_purpose::STANDARD.encode(patch) });
    let path = format!("/api/v1/advisories/{id}/patches");
    let added = app.post(&path, Some(admin), patch).await;
    assert_eq!(added.status.as_u16(), 201, "{}", added.text());
    crate::announcements::embargo_in(app, admin, &id, 72, "Europe/Berlin", "agreed").await;
    id
}
