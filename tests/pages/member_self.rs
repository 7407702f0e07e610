//! Pages: a contact's key on the account page, and the organisation page.

use super::*;
use embargo::db::members;
use embargo::domain::id::AccountId;

const ALICE_KEY: &str = include_str!("../data/keys/ed25519_cv25519.asc");
const SIGN_ONLY: &str = include_str!("../data/keys/sign_only.asc");

/// A member with one contact (`email`), signed in.
async fn contact_tab<'a>(app: &'a TestApp, email: &str) -> (String, Tab<'a>) {
    let (account, _) = app.account(email, Role::Member).await;
    let mut conn = app.state.db.conn().await.unwrap();
    let member = members::insert(
        &mut conn,
        members::NewMember {
            organization: "Page Distro",
            website: "https://pd.example",
            security_alias: "sec@pd.example",
            application_id: None,
        },
    )
    .await
    .unwrap();
    members::add_contact(
        &mut conn,
        &member,
        &AccountId::parse(&account).unwrap(),
        "Pat",
    )
    .await
    .unwrap();
    drop(conn);
    (member.to_string(), signed_in(app, email).await)
}

#[tokio::test]
async fn a_contact_uploads_a_key_on_the_account_page() {
    let app = TestApp::new().await;
    let (_, tab) = contact_tab(&app, "alice@example.org").await;
    let bad = tab.post("/account/keys", &[("armored", SIGN_ONLY)]).await;
    assert_eq!(bad.status, INVALID);
    let html = bad.text();
    assert!(
        html.contains("armored-error") && html.contains("BEGIN PGP PUBLIC KEY BLOCK"),
        "error shown, text kept"
    );
    let ok = tab.post("/account/keys", &[("armored", ALICE_KEY)]).await;
    assert_eq!(ok.status, SEE_OTHER, "{}", ok.text());
    let page = tab.get("/account").await.text();
    assert!(page.contains("ADCB187C8A7C644B0BB2DDFE5AD6B343E302344B"));
    let id = {
        let mut conn = app.state.db.conn().await.unwrap();
        sqlx::query_scalar::<_, String>("SELECT id FROM contact_keys")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    assert_eq!(
        tab.post(&format!("/account/keys/{id}/retire"), &[])
            .await
            .status,
        SEE_OTHER
    );
    assert!(tab.get("/account").await.text().contains("Replaced"));
}

#[tokio::test]
async fn the_organisation_page_adds_and_removes_contacts_and_leaves() {
    let app = TestApp::new().await;
    let (member, tab) = contact_tab(&app, "lead@pd.example").await;
    let page = tab.get("/member").await;
    assert_eq!(page.status, OK);
    assert!(page.text().contains("Page Distro") && page.text().contains("lead@pd.example"));

    let bad = tab
        .post(
            "/member/contacts",
            &[("name", "Kim"), ("email", "not-mail")],
        )
        .await;
    assert_eq!(bad.status, INVALID);
    assert!(bad.text().contains("email-error"));
    let ok = tab
        .post(
            "/member/contacts",
            &[("name", "Kim"), ("email", "kim@pd.example")],
        )
        .await;
    assert_eq!(ok.status, SEE_OTHER, "{}", ok.text());
    app.run_jobs().await;
    assert!(
        app.mails_to("kim@pd.example")
            .iter()
            .any(|m| m.text.contains("/setup/"))
    );
    let kim = {
        let mut conn = app.state.db.conn().await.unwrap();
        members::contacts(&mut conn, &member)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.email == "kim@pd.example")
            .unwrap()
            .account_id
    };
    // Asked once more, naming who loses access; only the button removes.
    let remove = format!("/member/contacts/{kim}/remove");
    let asked = tab.post(&remove, &[]).await;
    assert_eq!(asked.status, OK);
    assert!(
        asked
            .text()
            .contains("lose access to everything embargoed at once")
    );
    assert!(
        tab.get("/member").await.text().contains("kim@pd.example"),
        "not yet"
    );
    assert_eq!(
        tab.post(&remove, &[("confirm", "yes")]).await.status,
        SEE_OTHER
    );
    assert!(!tab.get("/member").await.text().contains("kim@pd.example"));

    let unconfirmed = tab.post("/member/leave", &[("reason", "done")]).await;
    assert_eq!(
        unconfirmed.status, INVALID,
        "leaving needs the confirmation box"
    );
    let left = tab
        .post("/member/leave", &[("reason", "done"), ("confirm", "yes")])
        .await;
    assert_eq!(left.status, SEE_OTHER);
    assert_eq!(
        tab.get("/member").await.header("location"),
        Some(login_for("/member").as_str()),
        "the session ended"
    );
}

#[tokio::test]
async fn the_organisation_page_is_for_member_contacts_only() {
    let app = TestApp::new().await;
    let (_, _, admin_tab) = admin(&app).await;
    assert_eq!(admin_tab.get("/member").await.status, StatusCode::FORBIDDEN);
    app.account("loner@example.net", Role::Member).await;
    let loner = signed_in(&app, "loner@example.net").await;
    assert_eq!(
        loner.get("/member").await.status,
        StatusCode::FORBIDDEN,
        "a member account without an organisation"
    );
}

#[tokio::test]
async fn a_new_contact_sees_the_policy_banner_until_accepting_and_no_join_link() {
    let app = TestApp::new().await;
    let (_, token, _) = admin(&app).await;
    let (_, contact) =
        crate::membership::founding_member(&app, &token, "Banner", "pat@banner.example").await;
    let cookie = app
        .sign_in("pat@banner.example", "a long enough password")
        .await;
    let tab = Tab::with_session(&app, cookie).await;
    let page = tab.get("/member").await.text();
    assert!(
        page.contains("until you accept the list's current policy"),
        "{page}"
    );
    assert!(
        !page.contains("href=\"/apply\""),
        "members are not asked to join"
    );
    assert!(
        page.contains("href=\"/advisories\""),
        "the public advisories are linked"
    );
    crate::membership::accept_current_policy(&app, &contact).await;
    let page = tab.get("/member").await.text();
    assert!(!page.contains("current policy. <a"), "{page}");
    let anonymous = visitor(&app).get("/").await.text();
    assert!(anonymous.contains("href=\"/apply\"") && !anonymous.contains("current policy. <a"));
}
