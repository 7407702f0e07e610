//! Pages: the first admin's two-factor set-up. The page shows the
//! authenticator's QR code as inline SVG beside the otpauth link and the
//! secret; a code used at set-up and given again at the first login is
//! explained, but only to whoever gave the right password.

use super::*;

/// The current code of base32 `secret`.
fn code_now(secret: &str) -> String {
    let totp = embargo::app::auth::totp(secret, "x", "y").expect("secret");
    totp.generate_current().to_string()
}

/// The first admin's set-up page: (its path, its html, the TOTP secret).
async fn first_admin_setup(app: &TestApp) -> (String, String, String) {
    let url = embargo::app::auth::bootstrap_admin(&app.state, &Actor::system()).await;
    let path = path_of(&url.expect("link"));
    let page = visitor(app).get(&path).await;
    assert_eq!(page.status, OK);
    let html = page.text();
    let secret = hidden(&html, "totp_secret").expect("totp secret");
    (path, html, secret)
}

#[tokio::test]
async fn the_setup_page_shows_a_qr_code_of_the_otpauth_link_beside_it() {
    let app = TestApp::new().await;
    let (_, html, secret) = first_admin_setup(&app).await;
    let html = unescape(&html);
    let uri = between(&html, "<p class=\"secret-box\">", "<code>", "</code>")
        .expect("the otpauth link as text")
        .to_owned();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    assert!(
        html.contains(&format!("<a href=\"{uri}\">add to authenticator app</a>")),
        "the link is a link"
    );
    assert!(html.contains(&format!("Secret key: <code>{secret}</code>")));
    // The SVG is the one of this very link (`render::qr` has a test that
    // reads such an SVG back to its text).
    let svg = embargo::render::qr::svg(&uri).expect("svg");
    assert!(svg.starts_with("<svg role=\"img\" aria-label=\"QR code of the set-up link\""));
    let block = between(&html, "<div class=\"totp-setup\">", "\n", "<div>").expect("block");
    assert_eq!(
        block.trim(),
        unescape(&svg),
        "the QR code first, then the link"
    );
    assert!(
        !html.contains("<?xml"),
        "inline, without an XML declaration"
    );
}

#[tokio::test]
async fn a_code_used_at_setup_is_explained_at_login_but_not_without_the_password() {
    let app = TestApp::new().await;
    let (path, _, secret) = first_admin_setup(&app).await;
    let code = code_now(&secret);
    let fields = [
        ("email", "first@project.test"),
        ("password", PASSWORD),
        ("confirm", PASSWORD),
        ("totp_secret", secret.as_str()),
        ("totp", code.as_str()),
    ];
    let done = visitor(&app).post(&path, &fields).await;
    assert_eq!(done.status, OK, "the recovery codes: {}", done.text());
    assert!(done.text().contains("Your recovery codes"));

    const GENERIC: &str = "wrong e-mail, password or code";
    const REUSED: &str = "this code was just used; wait for the next one";
    let reused = login(&app, "first@project.test", PASSWORD, &code).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    let text = unescape(&reused.text());
    assert!(text.contains(REUSED), "{text}");
    assert!(!text.contains(GENERIC));
    assert!(
        text.contains("value=\"first@project.test\""),
        "the address is kept"
    );

    // Whoever does not know the password learns nothing about the code.
    let guessed = login(&app, "first@project.test", "not the password", &code).await;
    assert_eq!(guessed.status, StatusCode::UNAUTHORIZED);
    let text = unescape(&guessed.text());
    assert!(text.contains(GENERIC) && !text.contains(REUSED), "{text}");
    // A code that is simply wrong is the generic refusal too.
    let wrong: u32 = code.parse::<u32>().expect("digits").wrapping_add(500_000) % 1_000_000;
    let wrong = format!("{wrong:06}");
    let refused = login(&app, "first@project.test", PASSWORD, &wrong).await;
    let text = unescape(&refused.text());
    assert!(text.contains(GENERIC) && !text.contains(REUSED), "{text}");

    // The failures are on the record, the reuse named.
    let mut conn = app.state.db.conn().await.expect("conn");
    let account = embargo::db::accounts::by_email(&mut conn, "first@project.test")
        .await
        .expect("query")
        .expect("account");
    let events = embargo::db::audit::for_subject(&mut conn, account.id.as_str())
        .await
        .expect("audit");
    // Newest first: the wrong code, the wrong password, the reused code.
    let reused: Vec<bool> = events
        .iter()
        .filter(|e| e.action == "account.login_failed")
        .map(|e| {
            let detail: serde_json::Value = serde_json::from_str(&e.detail).expect("json");
            detail["code_reused"] == true
        })
        .collect();
    assert_eq!(reused, [false, false, true]);
}
