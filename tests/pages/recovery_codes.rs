//! Pages: an authenticator app set up from the account page, and the ten
//! recovery codes shown once with it, each good for one login in place of
//! the app's code.

use super::*;

const MEMBER: &str = "member@project.test";

/// The codes a recovery-codes page shows.
fn codes_in(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</code>").map(|(c, _)| c.to_owned()))
        .collect()
}

async fn actions(app: &TestApp, action: &str) -> Vec<serde_json::Value> {
    let mut conn = app.state.db.conn().await.expect("conn");
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = $1 ORDER BY seq")
            .bind(action)
            .fetch_all(&mut *conn)
            .await
            .expect("audit");
    rows.iter()
        .map(|d| serde_json::from_str(d).expect("json"))
        .collect()
}

/// A member who set up an authenticator app on the account page: the tab,
/// the app's secret and the recovery codes shown.
async fn member_with_app(app: &TestApp) -> (Tab<'_>, String, Vec<String>) {
    app.account(MEMBER, Role::Member).await;
    let tab = signed_in(app, MEMBER).await;
    let account = tab.get("/account").await.text();
    assert!(account.contains("Set up an authenticator app"), "{account}");
    let form = tab.get("/account/totp").await;
    assert_eq!(form.status, OK);
    let secret = hidden(&form.text(), "totp_secret").expect("secret");
    let totp = embargo::app::auth::totp(&secret, "x", "y").expect("base32");
    let wrong = tab
        .post(
            "/account/totp",
            &[("totp_secret", &secret), ("totp", "000000x")],
        )
        .await;
    assert_eq!(wrong.status, INVALID);
    let code = totp.generate_current().to_string();
    let done = tab
        .post(
            "/account/totp",
            &[("totp_secret", &secret), ("totp", &code)],
        )
        .await;
    assert_eq!(done.status, OK, "{}", done.text());
    let codes = codes_in(&done.text());
    (tab, secret, codes)
}

#[tokio::test]
async fn an_app_set_up_on_the_account_page_comes_with_ten_codes_shown_once() {
    let app = TestApp::new().await;
    let (tab, _, codes) = member_with_app(&app).await;
    assert_eq!(codes.len(), 10, "{codes:?}");
    let mut distinct = codes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10);
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 23 && c.matches('-').count() == 3)
    );
    assert_eq!(actions(&app, "account.totp_added").await.len(), 1);
    assert_eq!(
        actions(&app, "account.recovery_codes_issued").await[0]["count"],
        10
    );

    // Only hashes are kept, and the account page shows no code again.
    let mut conn = app.state.db.conn().await.expect("conn");
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_all(&mut *conn)
        .await
        .expect("codes");
    drop(conn);
    assert_eq!(stored.len(), 10);
    let page = tab.get("/account").await.text();
    for c in &codes {
        assert!(!stored.iter().any(|h| h.contains(c.as_str())));
        assert!(!page.contains(c.as_str()));
    }
    assert!(
        page.contains("10 of your recovery codes are unused"),
        "{page}"
    );
    let again = tab.get("/account/totp").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "set up once");
}

#[tokio::test]
async fn a_recovery_code_logs_in_once_in_place_of_the_apps_code() {
    let app = TestApp::new().await;
    let (tab, _, codes) = member_with_app(&app).await;
    let no_code = login(&app, MEMBER, PASSWORD, "").await;
    assert_eq!(
        no_code.status,
        StatusCode::UNAUTHORIZED,
        "the app's code is asked"
    );

    // However typed: upper case, spaces for dashes.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let first = login(&app, MEMBER, PASSWORD, &typed).await;
    assert_eq!(first.status, SEE_OTHER, "{}", first.text());
    let used = actions(&app, "account.recovery_code_used").await;
    assert_eq!(used.len(), 1);
    assert_eq!(used[0]["unused"], 9);
    let logins = actions(&app, "account.login").await;
    assert_eq!(
        logins.last().expect("login")["method"],
        "password+recovery_code"
    );

    let second = login(&app, MEMBER, PASSWORD, &codes[3]).await;
    assert_eq!(second.status, StatusCode::UNAUTHORIZED, "used up");
    assert!(unescape(&second.text()).contains("wrong e-mail, password or code"));
    let guessed = login(&app, MEMBER, "not the password", &codes[4]).await;
    assert_eq!(
        guessed.status,
        StatusCode::UNAUTHORIZED,
        "not without the password"
    );
    assert!(
        tab.get("/account")
            .await
            .text()
            .contains("9 of your recovery codes")
    );
}

#[tokio::test]
async fn new_recovery_codes_void_the_old_ones() {
    let app = TestApp::new().await;
    let (tab, _, old) = member_with_app(&app).await;
    let renewed = tab.post("/account/recovery-codes", &[]).await;
    assert_eq!(renewed.status, OK);
    let new = codes_in(&renewed.text());
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|c| !old.contains(c)));
    let refused = login(&app, MEMBER, PASSWORD, &old[0]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let taken = login(&app, MEMBER, PASSWORD, &new[0]).await;
    assert_eq!(taken.status, SEE_OTHER);
    assert_eq!(
        actions(&app, "account.recovery_codes_issued").await.len(),
        2
    );
}

#[tokio::test]
async fn recovery_codes_are_only_for_an_account_with_an_app() {
    let app = TestApp::new().await;
    app.account(MEMBER, Role::Member).await;
    let tab = signed_in(&app, MEMBER).await;
    let refused = tab.post("/account/recovery-codes", &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(app.count("recovery_codes").await, 0);
}
