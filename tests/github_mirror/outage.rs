//! A GitHub outage delays only the mirror: embargo publishes at the
//! instant regardless, the admins are told once, the page and the API show
//! the failure, and the retried job catches up once GitHub answers.

use axum::http::StatusCode;

use super::{REPO, advisory_page, create, embargo, embargoed, mirrored_with, only, status};
use crate::common::github_fake::{Fault, GithubFake};

const ADMIN: &str = "admin@project.test";

fn failing_mails(app: &crate::common::TestApp) -> Vec<String> {
    app.mails_to(ADMIN)
        .into_iter()
        .filter(|m| m.subject.contains("GitHub mirror"))
        .map(|m| m.subject)
        .collect()
}

#[tokio::test]
async fn an_outage_delays_the_mirror_never_the_publication() {
    let fake = GithubFake::start(&[REPO]).await;
    let app = mirrored_with(&fake, |c| c.jobs.backoff_seconds = 30).await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;

    fake.fail_next(2, Fault::Status(502));
    let until = embargo(&app, &admin, &id).await;
    app.run_jobs().await;
    assert!(fake.advisories(REPO).is_empty());
    let shown = status(&app, &admin, &id).await;
    let error = shown["last_error"].as_str().unwrap();
    assert!(error.contains("502"), "{error}");
    assert!(shown["failing_since"].is_string());
    assert_eq!(failing_mails(&app).len(), 1, "the admins are told");

    // The retry meets the second failure: still one mail.
    app.advance(jiff::SignedDuration::from_secs(60));
    app.run_jobs().await;
    assert!(fake.advisories(REPO).is_empty());
    assert_eq!(failing_mails(&app).len(), 1, "once per run of failures");
    let browser = app.browser(ADMIN).await;
    assert!(
        advisory_page(&app, &browser, &id)
            .await
            .contains("The mirror is failing"),
        "shown on the page"
    );

    // GitHub hangs at the lift: embargo publishes on time all the same.
    fake.fail_next(1, Fault::Hang);
    let lift_at = jiff::Timestamp::from_microsecond(until).unwrap();
    let wait = lift_at.duration_since(jiff::Timestamp::from_microsecond(app.now()).unwrap());
    app.advance(wait);
    app.run_jobs().await;
    let public = app.get(&format!("/advisories/{id}.osv.json"), None).await;
    assert_eq!(public.status, StatusCode::OK, "published at the instant");
    let published: jiff::Timestamp = public.json()["published"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(published.duration_since(lift_at) < jiff::SignedDuration::from_secs(60));

    // GitHub is back: the retried job makes the advisory and publishes it.
    for _ in 0..6 {
        app.advance(jiff::SignedDuration::from_secs(120));
        app.run_jobs().await;
    }
    let mirrored = only(&fake);
    assert_eq!(mirrored["state"], "published");
    let shown = status(&app, &admin, &id).await;
    assert!(shown["last_error"].is_null(), "{shown}");
    assert_eq!(shown["state"], "published");
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_refused_token_is_not_retried_and_the_admins_are_told_to_act() {
    let fake = GithubFake::start(&[REPO]).await;
    let app = mirrored_with(&fake, |c| {
        c.github.token = Some("ghp_notTheRightToken".into());
    })
    .await;
    let (admin, id, _) = embargoed(&app).await;
    let error = status(&app, &admin, &id).await["last_error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        error.contains("401") && error.contains("Bad credentials"),
        "{error}"
    );
    assert!(!error.contains("ghp_"), "the token never shows: {error}");
    let mails = app.mails_to(ADMIN);
    let told = mails
        .iter()
        .find(|m| m.subject.contains("GitHub mirror"))
        .expect("the admins are told");
    assert!(told.text.contains("mend the cause"), "{}", told.text);
    let jobs = app
        .get("/api/v1/jobs?state=dead", Some(&admin))
        .await
        .json();
    let dead = jobs["items"].as_array().cloned().unwrap_or_default();
    assert!(
        dead.iter().any(|j| j["kind"] == "github_sync"),
        "dead at once, for an admin to retry: {jobs}"
    );
    let before = fake.requests().len();
    app.advance(jiff::SignedDuration::from_hours(1));
    app.run_jobs().await;
    assert_eq!(fake.requests().len(), before, "not retried by itself");
}
