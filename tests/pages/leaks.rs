//! Leak pages: a member contact reports a leak on `/member` and comments on
//! its page; the admins see the history and the removal proposal on the
//! member's page, write the retrospective and close it through the forms.

use super::*;
use crate::announcements::{announce, embargoed};
use crate::membership::founding_member;

const SECRET: &str = "the unpublished fix";

/// A founding member's contact, signed in with the password of its set-up.
async fn contact<'a>(app: &'a TestApp, admin: &str, org: &str, email: &str) -> (String, Tab<'a>) {
    let (member, token) = founding_member(app, admin, org, email).await;
    // Cleared, so announcements and notices reach them.
    crate::membership::accept_current_policy(app, &token).await;
    let cookie = app.sign_in(email, "a long enough password").await;
    (member, Tab::with_session(app, cookie).await)
}

#[tokio::test]
async fn a_leak_goes_from_the_members_form_through_the_retrospective_to_closed() {
    let app = TestApp::new().await;
    let (_, token, admin_tab) = admin(&app).await;
    let (member, tab) = contact(&app, &token, "Leaky", "pat@leaky.example").await;
    let advisory = embargoed(&app, &token).await;
    assert_eq!(
        announce(&app, &token, &advisory, serde_json::json!({}))
            .await
            .status,
        StatusCode::CREATED
    );

    let page = tab.get("/member").await.text();
    assert!(page.contains("No leak on record.") && page.contains("action=\"/member/leaks\""));
    let missing = tab
        .post(
            "/member/leaks",
            &[("advisory_id", &advisory), ("what", SECRET)],
        )
        .await;
    assert_eq!(missing.status, INVALID);
    let html = missing.text();
    assert!(
        html.contains("to_whom-error") && html.contains(SECRET),
        "error shown, text kept"
    );

    let fields = [
        ("advisory_id", advisory.as_str()),
        ("what", SECRET),
        ("to_whom", "a reporter"),
    ];
    let done = tab.post("/member/leaks", &fields).await;
    assert_eq!(done.status, SEE_OTHER, "{}", done.text());
    let at = done.header("location").unwrap().to_owned();
    assert!(at.starts_with("/member/leaks/lk_"), "{at}");
    let id = at.rsplit('/').next().unwrap().to_owned();
    assert!(tab.get(&at).await.text().contains(SECRET));
    let c = tab
        .post(&format!("{at}/comments"), &[("body", "Rule removed.")])
        .await;
    assert_eq!(c.status, SEE_OTHER);

    // The admins: the history on the member's page, then the retrospective.
    let page = admin_tab
        .get(&format!("/admin/members/{member}"))
        .await
        .text();
    assert!(page.contains(&format!("/admin/leaks/{id}")) && page.contains("1 counted"));
    assert!(!page.contains("Removal proposed"));
    let leak = format!("/admin/leaks/{id}");
    let bad = admin_tab
        .post(
            &leak,
            &[
                ("decision", "retrospective"),
                ("findings", "Forwarded."),
                ("root_cause", "A filter."),
                (
                    "actions",
                    "Remove the rule | IT | 2026-12-01 | done\nTrain people | Pat | | dropped",
                ),
            ],
        )
        .await;
    assert_eq!(bad.status, INVALID);
    assert!(
        bad.text()
            .contains("line 2, reason: a dropped action needs the reason"),
        "the failing line is named"
    );
    // Telling the list, from the same page: an empty notice is refused,
    // a written one goes to everyone the advisory was announced to.
    let empty = admin_tab
        .post(&leak, &[("decision", "notice"), ("text", " ")])
        .await;
    assert_eq!(empty.status, INVALID);
    let told = admin_tab
        .post(
            &leak,
            &[
                ("decision", "notice"),
                ("text", "Please rotate the test keys."),
            ],
        )
        .await;
    assert_eq!(told.status, SEE_OTHER, "{}", told.text());
    let back = told.header("location").unwrap().to_owned();
    assert_eq!(back, format!("{leak}?told=1#notice"));
    assert!(
        admin_tab
            .get(&back)
            .await
            .text()
            .contains("The notice is on its way to 1 recipient.")
    );
    app.run_jobs().await;
    assert!(
        app.mails_to("pat@leaky.example").len() >= 2,
        "the announcement and the notice reach the contact"
    );
    let early = admin_tab.post(&leak, &[("decision", "close")]).await;
    assert_eq!(early.status, INVALID);
    let ok = admin_tab
        .post(&leak, &[("decision", "retrospective"), ("findings", "Forwarded."), ("root_cause", "A filter."),
            ("actions", "Remove the rule | IT | 2026-12-01 | done\nTrain people | Pat | | dropped | covered")])
        .await;
    assert_eq!(ok.status, SEE_OTHER, "{}", ok.text());
    assert_eq!(
        admin_tab.post(&leak, &[("decision", "close")]).await.status,
        SEE_OTHER
    );
    let seen = tab.get(&at).await.text();
    assert!(
        seen.contains("(closed)")
            && seen.contains("Remove the rule")
            && seen.contains("Rule removed.")
    );

    // A second leak, recorded by an admin from the advisory's page.
    let page = admin_tab
        .get(&format!("/admin/advisories/{advisory}"))
        .await
        .text();
    assert!(page.contains(&format!("action=\"/admin/advisories/{advisory}/leaks\"")));
    let again = admin_tab
        .post(
            &format!("/admin/advisories/{advisory}/leaks"),
            &[
                ("member_id", member.as_str()),
                ("what", "the date"),
                ("to_whom", "a forum"),
            ],
        )
        .await;
    assert_eq!(again.status, SEE_OTHER, "{}", again.text());
    let page = admin_tab
        .get(&format!("/admin/members/{member}"))
        .await
        .text();
    assert!(
        page.contains("Removal proposed"),
        "two strikes reach the default threshold"
    );
}
