//! Pages: passkeys, added on the account page and used to sign in alone
//! or after the password, with a software authenticator standing in for
//! the browser's (the browser test uses Chromium's).

use super::*;
use crate::common::authenticator::SoftAuthenticator;

const ORIGIN: &str = "http://embargo.test";
const MEMBER: &str = "member@project.test";
const GENERIC: &str = "wrong e-mail, password or code";

/// Asks for a registration challenge on `tab` and answers it with `auth`:
/// the form's answer.
async fn add_passkey(tab: &Tab<'_>, auth: &mut SoftAuthenticator, name: &str) -> Response {
    let options = tab.post("/account/passkeys/options", &[]).await;
    assert_eq!(options.status, OK, "{}", options.text());
    let challenge = options.json();
    let credential = auth.create(&challenge["publicKey"]);
    let ceremony = challenge["ceremony"].as_str().expect("ceremony");
    let fields = [
        ("ceremony", ceremony),
        ("name", name),
        ("credential", credential.as_str()),
    ];
    tab.post("/account/passkeys", &fields).await
}

/// A sign-in challenge for a visitor: (ceremony, publicKey options).
async fn sign_in_challenge(app: &TestApp) -> (String, serde_json::Value) {
    let resp = visitor(app).post("/login/passkey/options", &[]).await;
    assert_eq!(resp.status, OK, "{}", resp.text());
    let c = resp.json();
    let ceremony = c["ceremony"].as_str().expect("ceremony").to_owned();
    (ceremony, c["publicKey"].clone())
}

async fn send_sign_in(app: &TestApp, ceremony: &str, credential: &str) -> Response {
    let fields = [("ceremony", ceremony), ("credential", credential)];
    visitor(app).post("/login/passkey", &fields).await
}

/// Signs in with a passkey of `auth` alone.
async fn sign_in(app: &TestApp, auth: &mut SoftAuthenticator) -> Response {
    let (ceremony, options) = sign_in_challenge(app).await;
    send_sign_in(app, &ceremony, &auth.get(&options)).await
}

/// A member signed in, with one passkey named "laptop".
async fn member_with_passkey(app: &TestApp) -> (Tab<'_>, SoftAuthenticator) {
    app.account(MEMBER, Role::Member).await;
    let tab = signed_in(app, MEMBER).await;
    let mut auth = SoftAuthenticator::new(ORIGIN);
    let added = add_passkey(&tab, &mut auth, "laptop").await;
    assert_eq!(added.status, SEE_OTHER, "{}", added.text());
    (tab, auth)
}

async fn events(app: &TestApp, action: &str) -> Vec<serde_json::Value> {
    let mut conn = app.state.db.conn().await.expect("conn");
    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = $1 ORDER BY seq")
            .bind(action)
            .fetch_all(&mut *conn)
            .await
            .expect("audit");
    details
        .iter()
        .map(|d| serde_json::from_str(d).expect("json"))
        .collect()
}

async fn set_account(app: &TestApp, sql: &str) {
    let mut conn = app.state.db.conn().await.expect("conn");
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(MEMBER)
        .execute(&mut *conn)
        .await
        .expect("update");
}

#[tokio::test]
async fn a_passkey_added_on_the_account_page_signs_in_alone() {
    let app = TestApp::new().await;
    app.account(MEMBER, Role::Member).await;
    let tab = signed_in(&app, MEMBER).await;
    let page = tab.get("/account").await.text();
    assert!(page.contains("You have no passkeys."));
    assert!(page.contains(r#"<script src="/static/passkeys.js" defer></script>"#));

    let options = tab.post("/account/passkeys/options", &[]).await.json();
    let selection = &options["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "discoverable");
    assert_eq!(selection["userVerification"], "required");
    assert_eq!(options["publicKey"]["rp"]["id"], "embargo.test");

    let mut auth = SoftAuthenticator::new(ORIGIN);
    let added = add_passkey(&tab, &mut auth, "  laptop ").await;
    assert_eq!(added.status, SEE_OTHER, "{}", added.text());
    assert_eq!(added.header("location"), Some("/account#passkeys"));
    let listed = tab.get("/account").await.text();
    assert!(listed.contains("<td>laptop</td>"), "{listed}");
    assert_eq!(
        events(&app, "account.passkey_added").await[0]["name"],
        "laptop"
    );

    let resp = sign_in(&app, &mut auth).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    assert_eq!(resp.header("location"), Some("/account"));
    let cookie = set_cookie(&resp, "embargo_session").expect("a session");
    let session = cookie.split(';').next().expect("value");
    let own = Tab::with_session(&app, format!("embargo_session={session}")).await;
    let page = own.get("/account").await;
    assert_eq!(page.status, OK);
    assert!(page.text().contains(MEMBER));
    let logins = events(&app, "account.login").await;
    assert_eq!(logins.last().expect("login")["method"], "passkey");
}

#[tokio::test]
async fn with_a_passkey_the_password_alone_asks_for_it_and_it_confirms_the_login() {
    let app = TestApp::new().await;
    let (_, mut auth) = member_with_passkey(&app).await;

    let asked = login(&app, MEMBER, PASSWORD, "").await;
    assert_eq!(asked.status, OK, "{}", asked.text());
    assert!(set_cookie(&asked, "embargo_session").is_none(), "not yet");
    let html = asked.text();
    assert!(html.contains("Confirm with a passkey"));
    let ceremony = hidden(&html, "ceremony").expect("ceremony");
    let options = between(&html, "/login/second-factor", "data-options=\"", "\"").expect("options");
    let options: serde_json::Value = serde_json::from_str(&unescape(options)).expect("json");
    let allowed = options["allowCredentials"].as_array().expect("allowed");
    assert_eq!(allowed.len(), 1, "the account's passkey");

    // The password does not open the account with a code instead.
    let with_code = login(&app, MEMBER, PASSWORD, "123456").await;
    assert_eq!(with_code.status, OK, "still asks for the passkey");
    assert!(set_cookie(&with_code, "embargo_session").is_none());

    let answer = auth.get(&options);
    let fields = [
        ("ceremony", ceremony.as_str()),
        ("credential", answer.as_str()),
    ];
    let done = visitor(&app).post("/login/second-factor", &fields).await;
    assert_eq!(done.status, SEE_OTHER, "{}", done.text());
    assert!(set_cookie(&done, "embargo_session").is_some());
    let logins = events(&app, "account.login").await;
    assert_eq!(logins.last().expect("login")["method"], "password+passkey");

    // The same answer again: the ceremony was used.
    let again = visitor(&app).post("/login/second-factor", &fields).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&again, "embargo_session").is_none());
}

#[tokio::test]
async fn a_ceremony_is_answered_once_and_not_after_five_minutes() {
    let app = TestApp::new().await;
    let (_, mut auth) = member_with_passkey(&app).await;
    let (ceremony, options) = sign_in_challenge(&app).await;
    let answer = auth.get(&options);
    assert_eq!(
        send_sign_in(&app, &ceremony, &answer).await.status,
        SEE_OTHER
    );
    let replay = send_sign_in(&app, &ceremony, &answer).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "used once");

    let (ceremony, options) = sign_in_challenge(&app).await;
    let answer = auth.get(&options);
    app.advance(jiff::SignedDuration::from_mins(5) + jiff::SignedDuration::from_secs(1));
    let late = send_sign_in(&app, &ceremony, &answer).await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED, "expired");
}

/// Every refused passkey sign-in answers as a refused password does, and
/// writes one audit event.
#[tokio::test]
async fn every_passkey_refusal_answers_alike_and_writes_one_audit_event() {
    let app = TestApp::new().await;
    let (_, mut auth) = member_with_passkey(&app).await;
    // Made against this service, but never added to an account.
    let mut stranger = SoftAuthenticator::new(ORIGIN);
    app.account("other@project.test", Role::Member).await;
    let other = signed_in(&app, "other@project.test").await;
    let options = other.post("/account/passkeys/options", &[]).await.json();
    stranger.create(&options["publicKey"]);

    let failures = || async { events(&app, "account.login_failed").await.len() };
    let password = login(&app, "nobody@project.test", PASSWORD, "").await;
    assert_eq!(password.status, StatusCode::UNAUTHORIZED);
    let expected = password.text().replace("nobody@project.test", "");
    assert!(expected.contains(GENERIC));

    let mut answers = Vec::new();
    // An unknown passkey.
    let (ceremony, options) = sign_in_challenge(&app).await;
    answers.push(("unknown", ceremony.clone(), stranger.get(&options)));
    // A signature over another challenge.
    let (ceremony, _) = sign_in_challenge(&app).await;
    let (_, other_options) = sign_in_challenge(&app).await;
    answers.push(("wrong signature", ceremony, auth.get(&other_options)));
    // No ceremony at all, and an answer that is not one.
    let (_, options) = sign_in_challenge(&app).await;
    answers.push(("no ceremony", "made-up".into(), auth.get(&options)));
    let (ceremony, _) = sign_in_challenge(&app).await;
    answers.push(("garbage", ceremony, "{\"id\": 1}".into()));
    for (what, ceremony, answer) in answers {
        let before = failures().await;
        let resp = send_sign_in(&app, &ceremony, &answer).await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{what}");
        assert!(set_cookie(&resp, "embargo_session").is_none(), "{what}");
        assert_eq!(failures().await, before + 1, "{what}: one audit event");
        assert_eq!(resp.text(), expected, "{what}: the same answer");
    }

    for (what, sql) in [
        (
            "locked",
            "UPDATE accounts SET locked_until = 9223372036854775807 WHERE email = $1",
        ),
        (
            "disabled",
            "UPDATE accounts SET locked_until = NULL, disabled = 1 WHERE email = $1",
        ),
    ] {
        set_account(&app, sql).await;
        let before = failures().await;
        let resp = sign_in(&app, &mut auth).await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{what}");
        assert!(set_cookie(&resp, "embargo_session").is_none(), "{what}");
        assert_eq!(failures().await, before + 1, "{what}: one audit event");
        assert_eq!(resp.text(), expected, "{what}: the same answer");
    }
    let reasons: Vec<String> = events(&app, "account.login_failed")
        .await
        .iter()
        .map(|e| e["reason"].as_str().unwrap_or_default().to_owned())
        .collect();
    let passkey_reasons = &reasons[1..];
    assert_eq!(
        passkey_reasons,
        [
            "passkey_unknown",
            "passkey_invalid",
            "passkey_expired",
            "passkey_unknown",
            "locked",
            "disabled"
        ]
    );
}

#[tokio::test]
async fn a_removed_passkey_no_longer_signs_in_and_only_its_owner_removes_it() {
    let app = TestApp::new().await;
    let (tab, mut auth) = member_with_passkey(&app).await;
    let html = tab.get("/account").await.text();
    let action = link(&html, "/account/passkeys/psk_").expect("a remove form");
    app.account("other@project.test", Role::Member).await;
    let other = signed_in(&app, "other@project.test").await;
    assert_eq!(other.post(&action, &[]).await.status, NOT_FOUND);

    let removed = tab.post(&action, &[]).await;
    assert_eq!(removed.status, SEE_OTHER);
    assert!(
        tab.get("/account")
            .await
            .text()
            .contains("You have no passkeys.")
    );
    assert_eq!(
        events(&app, "account.passkey_removed").await[0]["name"],
        "laptop"
    );
    let refused = sign_in(&app, &mut auth).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(tab.post(&action, &[]).await.status, NOT_FOUND, "gone");
    // And the password alone signs in again.
    let password = login(&app, MEMBER, PASSWORD, "").await;
    assert_eq!(password.status, SEE_OTHER);
}

#[tokio::test]
async fn a_registration_belongs_to_the_account_that_asked_and_needs_a_name() {
    let app = TestApp::new().await;
    app.account(MEMBER, Role::Member).await;
    app.account("other@project.test", Role::Member).await;
    let tab = signed_in(&app, MEMBER).await;
    let other = signed_in(&app, "other@project.test").await;
    let mut auth = SoftAuthenticator::new(ORIGIN);

    let challenge = tab.post("/account/passkeys/options", &[]).await.json();
    let answer = auth.create(&challenge["publicKey"]);
    let ceremony = challenge["ceremony"].as_str().expect("ceremony");
    let fields = [
        ("ceremony", ceremony),
        ("name", "x"),
        ("credential", &answer),
    ];
    let stolen = other.post("/account/passkeys", &fields).await;
    assert_eq!(stolen.status, INVALID);
    assert!(stolen.text().contains("try again"));

    let unnamed = add_passkey(&tab, &mut auth, " ").await;
    assert_eq!(unnamed.status, INVALID);
    assert!(unnamed.text().contains("name the passkey"));
    let forged = {
        let challenge = tab.post("/account/passkeys/options", &[]).await.json();
        let mut elsewhere = SoftAuthenticator::new("http://evil.example");
        let answer = elsewhere.create(&challenge["publicKey"]);
        let ceremony = challenge["ceremony"].as_str().expect("ceremony");
        let fields = [
            ("ceremony", ceremony),
            ("name", "x"),
            ("credential", &answer),
        ];
        tab.post("/account/passkeys", &fields).await
    };
    assert_eq!(forged.status, INVALID, "made for another origin");
    assert_eq!(app.count("passkeys").await, 0);
}

#[tokio::test]
async fn without_a_host_name_in_base_url_passkeys_are_not_offered() {
    let app = TestApp::with_config(|c| c.base_url = "http://127.0.0.1:8080".into()).await;
    app.account(MEMBER, Role::Member).await;
    let login_page = visitor(&app).get("/login").await.text();
    assert!(!login_page.contains("Sign in with a passkey"));
    let tab = signed_in(&app, MEMBER).await;
    let page = tab.get("/account").await.text();
    assert!(page.contains("Passkeys cannot be added here"), "{page}");
    let options = tab.post("/account/passkeys/options", &[]).await;
    assert_eq!(options.status, StatusCode::CONFLICT);
    let sign_in = visitor(&app).post("/login/passkey/options", &[]).await;
    assert_eq!(sign_in.status, StatusCode::CONFLICT);
}
