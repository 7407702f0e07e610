//! Journey: a member adds a passkey on the account page, then signs in
//! with it alone, and with the password confirmed by it; the browser's
//! authenticator is Chromium's virtual one (WebDriver's WebAuthn
//! extension, W3C WebAuthn Level 2, section 11). Without JavaScript the
//! passkey forms stay hidden and the pages say why.

use axum::http::Method;
use embargo::domain::account::Role;
use fantoccini::wd::WebDriverCompatibleCommand;

use super::{Web, each_mode};

const EMAIL: &str = "keyholder@project.test";
const PASSWORD: &str = "correct horse battery staple";

/// `POST /session/{id}/webauthn/authenticator`: a platform authenticator
/// that keeps discoverable credentials and verifies its user at once.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/webauthn/authenticator"))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        let body = serde_json::json!({
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": true,
            "hasUserVerification": true, "isUserVerified": true,
        });
        (Method::POST, Some(body.to_string()))
    }
}

#[tokio::test]
async fn a_member_adds_a_passkey_and_signs_in_with_it() {
    each_mode("passkeys", passkeys).await;
}

async fn passkeys(web: &Web) {
    web.app.account(EMAIL, Role::Member).await;
    if !web.mode.js {
        web.goto("/login").await;
        web.does_not_see("Sign in with a passkey").await;
        web.act_as(EMAIL, PASSWORD).await;
        web.goto("/account").await;
        web.sees("Adding a passkey needs JavaScript").await;
        return;
    }
    let added = web.client().issue_cmd(AddVirtualAuthenticator).await;
    added.expect("a virtual authenticator");

    // Through the form: `act_as`'s cookie has a domain, which the
    // logout's host-only one would not clear.
    web.goto("/login").await;
    web.fill("email", EMAIL).await;
    web.fill("password", PASSWORD).await;
    web.submit().await;
    assert_eq!(web.path().await, "/account");
    web.sees("You have no passkeys.").await;
    web.does_not_see("Adding a passkey needs JavaScript").await;
    web.fill("passkey_name", "laptop").await;
    web.press_and_wait("Add a passkey", "/account#passkeys")
        .await;
    web.sees("Passkey “laptop” added.").await;
    web.does_not_see("You have no passkeys.").await;

    // Alone: no address, no password.
    web.press("Log out").await;
    web.goto("/login").await;
    web.press_and_wait("Sign in with a passkey", "/account")
        .await;
    web.sees(&format!("Logged in as {EMAIL}.")).await;

    // After the password, in place of a code.
    web.press("Log out").await;
    web.goto("/login").await;
    web.fill("email", EMAIL).await;
    web.fill("password", PASSWORD).await;
    web.submit().await;
    assert_eq!(web.heading().await, "Confirm with a passkey");
    web.press_and_wait("Use my passkey", "/account").await;
    web.sees(&format!("Logged in as {EMAIL}.")).await;

    let mut conn = web.app.state.db.conn().await.expect("conn");
    let methods: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'account.login' ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("audit");
    let methods: Vec<String> = methods
        .iter()
        .map(|d| serde_json::from_str::<serde_json::Value>(d).expect("json"))
        .map(|d| d["method"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        methods.ends_with(&["passkey".to_owned(), "password+passkey".to_owned()]),
        "{methods:?}"
    );
}
