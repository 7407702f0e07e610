//! Journey: the first admin follows the set-up link `serve` prints, adds
//! the authenticator secret shown on the page, and logs in with a code.

use embargo::db::audit::Actor;

use super::{Web, each_mode};

const EMAIL: &str = "first@project.test";
const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn the_first_admin_sets_up_with_an_authenticator_code_and_logs_in() {
    each_mode("first admin set-up", first_admin).await;
}

async fn first_admin(web: &Web) {
    let link = embargo::app::auth::bootstrap_admin(&web.app.state, &Actor::system()).await;
    web.goto(&link.expect("a set-up link")).await;
    web.sees("first admin account").await;
    let secret = web.field("totp_secret").await.attr("value").await;
    let secret = secret.expect("attribute").expect("a secret");
    web.sees(&secret).await;

    let totp = embargo::app::auth::totp(&secret, "embargo", EMAIL).expect("base32 secret");
    let at = jiff::Timestamp::now().as_second() as u64;
    web.fill("email", EMAIL).await;
    web.fill("password", PASSWORD).await;
    web.fill("confirm", PASSWORD).await;
    web.fill("totp", &totp.generate(at).to_string()).await;
    web.submit().await;
    // The recovery codes, shown once, then on to the login.
    web.sees("Keep these codes somewhere safe now").await;
    web.click_link("Continue").await;
    assert_eq!(web.path().await, "/login");

    // The code just used at set-up counts once, and the page says so; the
    // app's next code logs in.
    web.fill("email", EMAIL).await;
    web.fill("password", PASSWORD).await;
    web.fill("totp", &totp.generate(at).to_string()).await;
    web.submit().await;
    web.sees("this code was just used; wait for the next one")
        .await;
    web.fill("password", PASSWORD).await;
    web.fill("totp", &totp.generate(at + 30).to_string()).await;
    web.submit().await;
    assert_eq!(web.path().await, "/admin/reports");
    web.click_link("Account").await;
    web.sees(EMAIL).await;

    web.press("Log out").await;
    web.goto("/admin/reports").await;
    assert!(web.path().await.starts_with("/login"), "logged out");
}
