//! Pages: account.

use super::*;

#[tokio::test]
async fn first_admin_sets_up_through_the_link_and_logs_in() {
    let app = TestApp::new().await;
    let url = embargo::app::auth::bootstrap_admin(&app.state, &Actor::system()).await;
    let (path, tab) = (path_of(&url.expect("link")), visitor(&app));
    let page = tab.get(&path).await;
    assert_eq!(page.status, OK);
    let html = page.text();
    let email_field = r#"<input type="email" id="email" name="email""#;
    assert!(html.contains(email_field), "asks for an address");
    let secret = hidden(&html, "totp_secret").expect("totp secret");

    let fields = [
        ("email", "first@project.test"),
        ("password", PASSWORD),
        ("confirm", PASSWORD),
        ("totp_secret", &secret),
        ("totp", ""),
    ];
    let done = tab.post(&path, &fields).await;
    assert_eq!(done.status, SEE_OTHER, "{}", done.text());
    assert_eq!(done.header("location"), Some("/login"));
    assert_eq!(tab.get(&path).await.status, NOT_FOUND);
    let again = tab.post(&path, &fields).await;
    assert_eq!(again.status, NOT_FOUND, "the link works once");

    let first = signed_in(&app, "first@project.test").await;
    assert_eq!(first.get("/admin/reports").await.status, OK);
}

#[tokio::test]
async fn setup_link_for_an_added_admin_works_once() {
    let app = TestApp::new().await;
    let path = setup_link(&app, "second@project.test", Role::Admin).await;
    let tab = visitor(&app);
    let page = tab.get(&path).await;
    assert_eq!(page.status, OK);
    assert!(page.text().contains("<strong>second@project.test</strong>"));
    let asks = page.text().contains(r#"name="email""#);
    assert!(!asks, "the address is known already");

    let fields = [("password", PASSWORD), ("confirm", PASSWORD)];
    let done = tab.post(&path, &fields).await;
    assert_eq!(done.status, SEE_OTHER, "{}", done.text());
    assert_eq!(tab.post(&path, &fields).await.status, NOT_FOUND);
    assert_eq!(tab.get(&path).await.status, NOT_FOUND);
    let second = signed_in(&app, "second@project.test").await;
    assert_eq!(second.get("/admin/reports").await.status, OK);
}

#[tokio::test]
async fn setup_rejects_short_or_mismatched_passwords() {
    let app = TestApp::new().await;
    let path = setup_link(&app, "m@project.test", Role::Member).await;
    let tab = visitor(&app);
    let cases = [
        ("short", "short", "must be at least 12 characters"),
        (PASSWORD, "another password", "does not match the password"),
    ];
    for (password, confirm, message) in cases {
        let fields = [("password", password), ("confirm", confirm)];
        let resp = tab.post(&path, &fields).await;
        assert_eq!(resp.status, INVALID);
        assert!(resp.text().contains(message), "{}", resp.text());
    }
    let fields = [("password", PASSWORD), ("confirm", PASSWORD)];
    let ok = tab.post(&path, &fields).await;
    assert_eq!(ok.status, SEE_OTHER, "the link survives failed attempts");
}

#[tokio::test]
async fn totp_is_required_for_admins_when_configured() {
    let app = TestApp::with_config(|c| c.auth.require_totp_for_admins = true).await;
    let path = setup_link(&app, "otp@project.test", Role::Admin).await;
    let tab = visitor(&app);
    let secret = hidden(&tab.get(&path).await.text(), "totp_secret").expect("secret");
    let mut fields = vec![("password", PASSWORD), ("confirm", PASSWORD)];
    fields.push(("totp_secret", &secret));

    let without = tab.post(&path, &fields).await;
    assert_eq!(without.status, INVALID);
    assert!(without.text().contains("is required: add the secret"));
    let kept = hidden(&without.text(), "totp_secret");
    assert_eq!(kept.as_ref(), Some(&secret), "the same secret");

    let totp = embargo::app::auth::totp(&secret, "x", "y").expect("base32 secret");
    let code = totp.generate_current().to_string();
    fields.push(("totp", &code));
    let with = tab.post(&path, &fields).await;
    assert_eq!(with.status, OK, "the recovery codes: {}", with.text());
    assert!(with.text().contains("Your recovery codes"));

    let no_code = login(&app, "otp@project.test", PASSWORD, "").await;
    assert_eq!(no_code.status, StatusCode::UNAUTHORIZED);
    let reused = login(&app, "otp@project.test", PASSWORD, &code).await;
    assert_eq!(
        reused.status,
        StatusCode::UNAUTHORIZED,
        "a code is accepted once (RFC 6238 5.2)"
    );
    let now = jiff::Timestamp::now().as_second() as u64;
    let next = totp.generate(now + 30).to_string();
    let with_code = login(&app, "otp@project.test", PASSWORD, &next).await;
    assert_eq!(with_code.status, SEE_OTHER, "{}", with_code.text());
    assert!(set_cookie(&with_code, "embargo_session").is_some());
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account() {
    let app = TestApp::new().await;
    app.account("victim@project.test", Role::Member).await;
    app.account("bystander@project.test", Role::Member).await;
    for _ in 0..5 {
        let resp = login(&app, "victim@project.test", "wrong password guess", "").await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    }
    let right = login(&app, "victim@project.test", PASSWORD, "").await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED, "locked");
    assert!(right.text().contains("locked for a while"));
    assert!(set_cookie(&right, "embargo_session").is_none());
    let other = login(&app, "bystander@project.test", PASSWORD, "").await;
    assert_eq!(other.status, SEE_OTHER, "only that account is locked");
}

/// Every refusal answers alike and does the same work (one audit event),
/// so neither the answer nor its time tells which accounts exist, are
/// locked, disabled or not set up yet.
#[tokio::test]
async fn every_login_refusal_answers_alike_and_writes_one_audit_event() {
    let app = TestApp::new().await;
    for email in [
        "wrong@project.test",
        "locked@project.test",
        "disabled@project.test",
    ] {
        app.account(email, Role::Member).await;
    }
    setup_link(&app, "unset@project.test", Role::Member).await;
    for _ in 0..5 {
        login(&app, "locked@project.test", "guess", "").await;
    }
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::query("UPDATE accounts SET disabled = 1 WHERE email = 'disabled@project.test'")
        .execute(&mut *conn)
        .await
        .unwrap();
    let failures = || async {
        let mut conn = app.state.db.conn().await.unwrap();
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.login_failed'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    };
    let mut answers = Vec::new();
    for (email, password) in [
        ("nobody@project.test", PASSWORD),
        ("wrong@project.test", "not the password"),
        ("locked@project.test", PASSWORD),
        ("disabled@project.test", PASSWORD),
        ("unset@project.test", PASSWORD),
    ] {
        let before = failures().await;
        let resp = login(&app, email, password, "").await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{email}");
        assert!(set_cookie(&resp, "embargo_session").is_none(), "{email}");
        assert_eq!(failures().await, before + 1, "{email}: one audit event");
        // The form keeps what was typed; the rest is the same page.
        answers.push(resp.text().replace(email, "EMAIL"));
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "one answer for all"
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await;
    let (_, _, tab) = admin(&app).await;
    assert_eq!(tab.get("/admin/reports").await.status, OK);
    let out = tab.post("/logout", &[]).await;
    assert_eq!(out.status, SEE_OTHER);
    let cleared = set_cookie(&out, "embargo_session").expect("cookie cleared");
    let expired = cleared.starts_with(';') && cleared.contains("Max-Age=0");
    assert!(expired, "{cleared}");
    let after = tab.get("/admin/reports").await;
    assert_eq!(after.status, SEE_OTHER, "the old cookie no longer works");
    assert_eq!(
        after.header("location"),
        Some(login_for("/admin/reports").as_str())
    );
}

#[tokio::test]
async fn account_page_creates_and_revokes_tokens() {
    let app = TestApp::new().await;
    let (_, own_token) = app.account("member@project.test", Role::Member).await;
    let tab = signed_in(&app, "member@project.test").await;
    let page = tab.get("/account").await;
    assert_eq!(page.status, OK);
    assert!(page.text().contains("member@project.test"));

    let created = tab.post("/account/tokens", &[("name", "laptop")]).await;
    assert_eq!(created.status, OK);
    let html = created.text();
    let token = between(&html, "Copy this token now", "<code>", "</code>").expect("token shown");
    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, OK);
    assert_eq!(me.json()["email"], "member@project.test");

    let list = app.get("/api/v1/tokens", Some(&own_token)).await.json();
    let items = list["items"].as_array().expect("items");
    let laptop = items.iter().find(|t| t["name"] == "laptop");
    let id = laptop.expect("listed")["id"].as_str().expect("id");
    let revoke = format!("/account/tokens/{id}/revoke");
    let done = tab.post(&revoke, &[]).await;
    assert_eq!(done.status, SEE_OTHER);
    assert_eq!(done.header("location"), Some("/account"));
    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let after = tab.get("/account").await.text();
    assert!(after.contains("Revoked") && !after.contains(token));
}

#[tokio::test]
async fn a_login_returns_to_the_page_that_asked_for_it_on_this_site_only() {
    let app = TestApp::new().await;
    let (email, password) = ("admin@project.test", PASSWORD);
    app.account(email, embargo::domain::account::Role::Admin)
        .await;
    let asked = visitor(&app).get("/admin/members?q=x").await;
    let login = asked.header("location").expect("to the login").to_owned();
    assert_eq!(login, login_for("/admin/members?q=x"));
    let form = visitor(&app).get(&login).await.text();
    let field = "name=\"next\" value=\"&#x2f;admin&#x2f;members?q=x\"";
    assert!(form.contains(field), "{form}");

    for (next, to) in [
        ("/admin/members?q=x", "/admin/members?q=x"),
        ("//evil.example/x", "/admin/reports"),
        ("https://evil.example/", "/admin/reports"),
        ("/\\evil.example", "/admin/reports"),
        ("/login", "/admin/reports"),
    ] {
        let tab = visitor(&app);
        let fields = [("email", email), ("password", password), ("next", next)];
        let resp = tab.post("/login", &fields).await;
        assert_eq!(resp.status, SEE_OTHER, "{next}");
        assert_eq!(resp.header("location"), Some(to), "{next}");
    }
}
