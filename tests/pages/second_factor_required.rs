//! Pages and API: with `auth.require_second_factor`, an account without an
//! authenticator app or a passkey is sent to its account page to set one
//! up before anything else, and its API tokens are refused until it has.

use super::*;
use crate::common::authenticator::SoftAuthenticator;

const MEMBER: &str = "member@project.test";

async fn required() -> TestApp {
    TestApp::with_config(|c| c.auth.require_second_factor = true).await
}

#[tokio::test]
async fn an_account_without_a_second_factor_is_sent_to_set_one_up_first() {
    let app = required().await;
    let (_, token) = app.account(MEMBER, Role::Member).await;
    let tab = signed_in(&app, MEMBER).await;
    for path in ["/member/advisories", "/member", "/"] {
        let sent = tab.get(path).await;
        assert_eq!(sent.status, SEE_OTHER, "{path}");
        assert_eq!(
            sent.header("location"),
            Some("/account#second-factor"),
            "{path}"
        );
    }
    let page = tab.get("/account").await;
    assert_eq!(page.status, OK);
    assert!(page.text().contains("Your team requires a second factor"));
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::FORBIDDEN);
    assert!(
        me.json()["error"]
            .as_str()
            .unwrap_or_default()
            .contains("second factor")
    );

    // An authenticator app set up: everything opens.
    let secret = hidden(&tab.get("/account/totp").await.text(), "totp_secret").expect("secret");
    let totp = embargo::app::auth::totp(&secret, "x", "y").expect("base32");
    let code = totp.generate_current().to_string();
    let done = tab
        .post(
            "/account/totp",
            &[("totp_secret", &secret), ("totp", &code)],
        )
        .await;
    assert_eq!(done.status, OK, "{}", done.text());
    assert_eq!(tab.get("/").await.status, OK);
    let page = tab.get("/account").await.text();
    assert!(!page.contains("Your team requires a second factor"));
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, OK);
}

#[tokio::test]
async fn a_passkey_is_a_second_factor_too() {
    let app = required().await;
    let (_, token) = app.account(ADMIN, Role::Admin).await;
    let tab = signed_in(&app, ADMIN).await;
    let inbox = tab.get("/admin/reports").await;
    assert_eq!(inbox.header("location"), Some("/account#second-factor"));

    let mut auth = SoftAuthenticator::new("http://embargo.test");
    let challenge = tab.post("/account/passkeys/options", &[]).await.json();
    let credential = auth.create(&challenge["publicKey"]);
    let ceremony = challenge["ceremony"].as_str().expect("ceremony");
    let fields = [
        ("ceremony", ceremony),
        ("name", "key"),
        ("credential", &credential),
    ];
    assert_eq!(
        tab.post("/account/passkeys", &fields).await.status,
        SEE_OTHER
    );
    assert_eq!(tab.get("/admin/reports").await.status, OK);
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, OK);
}
