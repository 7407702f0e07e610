//! Every login refusal looks the same: unknown, wrong password, locked,
//! removed and not yet set up. (That each also costs one argon2
//! verification is tested structurally in `src/app/login.rs`.)

use axum::http::StatusCode;
use embargo::db::audit::Actor;
use embargo::domain::account::Role;
use embargo::domain::email::EmailAddress;

use crate::common::{CSRF, TestApp};

async fn refusal(app: &TestApp, email: &str, password: &str) -> (StatusCode, String) {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("csrf", CSRF), ("email", email), ("password", password)])
        .finish();
    let cookie = format!("embargo_csrf={CSRF}");
    let resp = app
        .page(
            axum::http::Method::POST,
            "/login",
            Some(&cookie),
            Some(&form),
        )
        .await;
    // The form echoes the address typed; everything else must be equal.
    (resp.status, resp.text().replace(email, "EMAIL"))
}

#[tokio::test]
async fn every_login_refusal_gives_the_same_answer() {
    let app = TestApp::new().await;
    let password = "correct horse battery staple";
    for email in [
        "locked@project.test",
        "removed@project.test",
        "wrong@project.test",
    ] {
        app.account(email, Role::Member).await;
    }
    let fresh = EmailAddress::parse("fresh@project.test").expect("email");
    embargo::app::auth::add_account(&app.state, &Actor::cli(), &fresh, Role::Member)
        .await
        .expect("account without a password");
    let mut conn = app.state.db.conn().await.expect("conn");
    let later = embargo::db::now() + 3_600_000_000;
    sqlx::query("UPDATE accounts SET locked_until = $1 WHERE email = 'locked@project.test'")
        .bind(later)
        .execute(&mut *conn)
        .await
        .expect("lock");
    sqlx::query("UPDATE accounts SET disabled = 1 WHERE email = 'removed@project.test'")
        .execute(&mut *conn)
        .await
        .expect("disable");
    drop(conn);

    let unknown = refusal(&app, "nobody@project.test", password).await;
    assert_eq!(unknown.0, StatusCode::UNAUTHORIZED);
    for (email, password) in [
        ("wrong@project.test", "not the password at all"),
        ("locked@project.test", password),
        ("removed@project.test", password),
        ("fresh@project.test", password),
    ] {
        assert_eq!(refusal(&app, email, password).await, unknown, "{email}");
    }
}
