//! Pages: membership admin details. Each contact's status on the member's
//! page, a new set-up link, a new policy version, inviting an admin, and a
//! patch uploaded on the advisory's page.

use serde_json::json;

use super::feedback::{flash_of, flash_set, follow, success_after};
use super::*;
use crate::common::link_in;

const BOB_KEY: &str = include_str!("../data/keys/rsa3072.asc");
const BOB_FPR: &str = "E140A0B1D8B8058FE57FC2A76B854FF68FAA877F";
const NINA: &str = "nina@m.example";
const BOB: &str = "bob@example.org";
const SET_UP: &str = "http://embargo.test/setup/";

/// A member with Nina (no key, not set up) and Bob (a key, set up, policy
/// accepted): (member id, Bob's API token).
async fn member(app: &TestApp, admin: &str) -> (String, String) {
    let body = json!({
        "organization": "Matrix Linux", "website": "https://m.example",
        "security_alias": "security@m.example",
        "contacts": [{ "name": "Nina", "email": NINA },
                     { "name": "Bob", "email": BOB, "openpgp_key": BOB_KEY }],
    });
    let resp = app.post("/api/v1/members", Some(admin), body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["id"].as_str().unwrap().to_owned();
    let bob = app.set_up_from_mail(BOB).await;
    crate::membership::accept_current_policy(app, &bob).await;
    (id, bob)
}

/// The section of the member page about the contact with `email`.
fn section<'a>(html: &'a str, email: &str) -> &'a str {
    let email = email.replace('/', "&#x2f;");
    html.split("<section id=\"contact-")
        .skip(1)
        .find(|s| s.contains(&format!("&lt;{email}&gt;")))
        .map(|s| &s[..s.find("</section>").unwrap_or(s.len())])
        .unwrap_or_else(|| panic!("no section for {email}"))
}

fn last_link(app: &TestApp, to: &str) -> String {
    let mail = app.mails_to(to).pop().expect("a mail");
    path_of(&link_in(&mail.text, SET_UP).expect("a set-up link"))
}

#[tokio::test]
async fn the_member_page_shows_each_contacts_set_up_policy_and_key() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, _) = member(&app, &token).await;
    let html = tab.get(&format!("/admin/members/{id}")).await.text();

    let bob = section(&html, BOB);
    assert!(bob.contains("Set up"), "{bob}");
    assert!(bob.contains("Accepted the current version (1)"), "{bob}");
    assert!(bob.contains(&format!("<code>{BOB_FPR}</code>")), "{bob}");
    assert!(bob.contains("expires <time datetime=\"2028-01-01"), "{bob}");
    assert!(!bob.contains("Resend set-up link"), "{bob}");

    let nina = section(&html, NINA);
    assert!(nina.contains("Not set up"), "{nina}");
    assert!(nina.contains("set-up link sent, works until"), "{nina}");
    assert!(nina.contains("Not accepted"), "{nina}");
    assert!(nina.contains("No key"), "{nina}");
    assert!(nina.contains("Resend set-up link to Nina"), "{nina}");
}

#[tokio::test]
async fn a_resent_set_up_link_voids_the_old_one_and_is_mailed() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, _) = member(&app, &token).await;
    let old = last_link(&app, NINA);
    let nina = embargo::db::accounts::by_email(&mut app.state.db.conn().await.unwrap(), NINA)
        .await
        .unwrap()
        .expect("Nina's account")
        .id;

    let path = format!("/admin/members/{id}/contacts/{nina}/setup-link");
    let text = success_after(&tab, &path, &[]).await;
    assert_eq!(
        text,
        format!("A new set-up link is on its way to {NINA}; the one sent before no longer works.")
    );
    app.run_jobs().await;
    let new = last_link(&app, NINA);
    assert_ne!(new, old);
    assert_eq!(visitor(&app).get(&old).await.status, NOT_FOUND);
    assert_eq!(visitor(&app).get(&new).await.status, OK);
    let mut conn = app.state.db.conn().await.unwrap();
    let events = embargo::db::audit::for_subject(&mut conn, &id)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.action == "member.setup_link_resent")
    );

    // Bob has set up: nothing is sent, and the page says so as an error.
    let bob = embargo::db::accounts::by_email(&mut conn, BOB)
        .await
        .unwrap()
        .unwrap()
        .id;
    drop(conn);
    let before = app.mails_to(BOB).len();
    let path = format!("/admin/members/{id}/contacts/{bob}/setup-link");
    let resp = tab.post(&path, &[]).await;
    let (kind, role, text) = flash_of(&follow(&tab, &resp).await.text()).expect("message");
    assert_eq!((kind.as_str(), role.as_str()), ("error", "alert"));
    assert!(text.contains("has already set up"), "{text}");
    app.run_jobs().await;
    assert_eq!(app.mails_to(BOB).len(), before);
}

#[tokio::test]
async fn a_new_policy_version_published_on_the_page_must_be_accepted_again() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, _) = member(&app, &token).await;
    let page = tab.get("/admin/policy").await;
    assert_eq!(page.status, OK);
    let current = between(&page.text(), "id=\"text\"", ">", "</textarea>")
        .expect("the text to edit")
        .to_owned();

    // The same text again is refused at the field, which gets the focus.
    let same = tab
        .post("/admin/policy", &[("text", &unescape(&current))])
        .await;
    assert_eq!(same.status, INVALID);
    let html = same.text();
    assert!(html.contains("is the same as the current version"));
    assert!(html.contains("error-summary"));
    assert!(html.contains("autofocus"), "the wrong field is focused");

    let fields = [("text", "# Policy\n\nVersion two: tell us within a day.")];
    let text = success_after(&tab, "/admin/policy", &fields).await;
    assert!(
        text.starts_with("Policy version 2 published: 2 contacts must accept it"),
        "{text}"
    );
    app.run_jobs().await;
    assert!(app.mails_to(BOB).iter().any(|m| m.text.contains("/policy")));
    let html = tab.get(&format!("/admin/members/{id}")).await.text();
    assert!(section(&html, BOB).contains("Accepted version 1"));

    // Bob sees the banner until he accepts, then lands on his advisories.
    let cookie = app.sign_in(BOB, "a long enough password").await;
    let bob = Tab::with_session(&app, cookie).await;
    let banner = "You see nothing embargoed until you accept the list's current policy";
    assert!(bob.get("/member").await.text().contains(banner));
    let resp = bob.post("/policy/accept", &[("version", "2")]).await;
    assert_eq!(resp.header("location"), Some("/member/advisories"));
    let landed = follow(&bob, &resp).await;
    assert_eq!(landed.status, OK, "{}", landed.text());
    let html = landed.text();
    let (_, _, text) = flash_of(&html).expect("message");
    assert!(
        text.starts_with("You accepted version 2 of the list policy"),
        "{text}"
    );
    assert!(!html.contains(banner));
}

#[tokio::test]
async fn an_admin_invites_an_admin_who_sets_up_by_the_mailed_link() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    member(&app, &token).await;

    let wrong = tab
        .post("/admin/admins", &[("email", "not an address")])
        .await;
    assert_eq!(wrong.status, INVALID);
    assert!(
        wrong.text().contains("value=\"not an address\""),
        "kept as typed"
    );
    assert!(wrong.text().contains("autofocus"));
    let taken = tab.post("/admin/admins", &[("email", NINA)]).await;
    assert_eq!(taken.status, INVALID);
    assert!(taken.text().contains("already belongs to a member account"));

    let ada = "ada@project.test";
    let text = success_after(&tab, "/admin/admins", &[("email", ada)]).await;
    assert!(text.starts_with("ada@project.test is invited"), "{text}");
    assert!(
        tab.get("/admin/admins")
            .await
            .text()
            .contains("Invited, not set up")
    );
    app.run_jobs().await;
    let mail = app.mails_to(ada).pop().expect("invitation");
    assert!(mail.subject.contains("admin"), "{}", mail.subject);
    assert!(mail.text.contains(ADMIN), "names who invited");
    let link = path_of(&link_in(&mail.text, SET_UP).expect("link"));

    let setup = visitor(&app);
    let secret = hidden(&setup.get(&link).await.text(), "totp_secret").expect("secret");
    let fields = [
        ("password", PASSWORD),
        ("confirm", PASSWORD),
        ("totp_secret", &secret),
        ("totp", ""),
    ];
    let done = setup.post(&link, &fields).await;
    assert_eq!(done.header("location"), Some("/login"));
    let ada_tab = signed_in(&app, ada).await;
    assert_eq!(ada_tab.get("/admin/reports").await.status, OK);
    assert!(
        !tab.get("/admin/admins")
            .await
            .text()
            .contains("Invited, not set up")
    );
}

/// The advisory page's patch form with one file.
fn patch_upload(path: &str, tab: &Tab<'_>, file: (&str, &[u8])) -> Request<Body> {
    let part =
        |name: &str| format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"");
    let mut bytes = format!("{}\r\n\r\n{}\r\n", part("csrf"), tab.csrf).into_bytes();
    let head = format!("{}; filename=\"{}\"\r\n", part("patch"), file.0);
    bytes.extend(format!("{head}Content-Type: text/x-diff\r\n\r\n").into_bytes());
    bytes.extend(file.1);
    bytes.extend(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, &tab.cookie)
        .body(Body::from(bytes))
        .expect("request")
}

#[tokio::test]
async fn a_patch_uploaded_on_the_advisory_page_appears_on_it() {
    let app = TestApp::with_config(|c| c.limits.max_attachment_bytes = 1024).await;
    let (_, token, tab) = admin(&app).await;
    let id = crate::advisories::create(&app, &token).await;
    let page = format!("/admin/advisories/{id}");
    assert!(tab.get(&page).await.text().contains("No patches yet."));

    let diff = b"--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-bad\n+good\n";
    let path = format!("{page}/patches");
    let resp = app
        .request(patch_upload(&path, &tab, ("fix.diff", diff)))
        .await;
    let shown = follow(&tab, &resp).await;
    let html = shown.text();
    let (kind, _, text) = flash_of(&html).expect("message");
    assert_eq!(kind, "success");
    assert!(text.starts_with("Patch fix.diff added"), "{text}");
    let url = link(&html, &format!("/admin/advisories/{id}/patches/")).expect("listed");
    let download = tab.get(&url).await;
    assert_eq!(download.status, OK);
    assert_eq!(download.body, diff);
    let mut conn = app.state.db.conn().await.unwrap();
    let events = embargo::db::audit::for_subject(&mut conn, &id)
        .await
        .unwrap();
    assert!(events.iter().any(|e| e.action == "advisory.patch_added"));
    drop(conn);

    // Over the limit: nothing stored, an error naming the limit.
    let big = vec![b'x'; 2048];
    let resp = app
        .request(patch_upload(&path, &tab, ("big.diff", &big)))
        .await;
    assert!(flash_set(&resp).is_some());
    let (kind, role, text) = flash_of(&follow(&tab, &resp).await.text()).expect("message");
    assert_eq!((kind.as_str(), role.as_str()), ("error", "alert"));
    assert!(text.contains("over the limit of 1 KiB"), "{text}");
    let patches = tab.get(&page).await.text();
    assert!(!patches.contains("big.diff"));
}
