//! Journey: a reporter files a report with a file on `/report`, follows
//! it on the tracking page and adds another; an admin triages it (reply
//! and status) and the reporter reads both on the tracking page.

use embargo::domain::account::Role;

use super::web::BASE;
use super::{Web, each_mode};

const ADMIN: &str = "admin@project.test";
const PASSWORD: &str = "correct horse battery staple";
const REPORTER: &str = "rita@example.net";
const TITLE: &str = "Heap overflow in the parser";

#[tokio::test]
async fn a_report_is_filed_followed_on_its_tracking_page_and_triaged() {
    each_mode("report and triage", report_and_triage).await;
}

async fn report_and_triage(web: &Web) {
    web.app.account(ADMIN, Role::Admin).await;

    web.goto("/").await;
    web.click_link("Report a vulnerability").await;
    web.fill("title", TITLE).await;
    web.fill(
        "description",
        "Sending 70000 zeros overflows the buffer.\nSee below.",
    )
    .await;
    web.fill("affected_versions", "1.0 up to 1.4").await;
    web.fill("reporter_name", "Rita Reporter").await;
    web.fill("reporter_email", REPORTER).await;
    web.check("credit_consent").await;
    let crash = web.app.dir.path().join("crash.log");
    std::fs::write(&crash, b"SIGSEGV in parse_header\n").expect("write the file");
    web.attach("attachment", &crash).await;
    web.submit().await;
    // The form leads to the tracking page itself: its address is the link.
    let tracking = web.url().await;
    assert!(
        tracking.starts_with(&format!("{BASE}/track/")),
        "{tracking}"
    );
    web.sees("your report was received").await;
    web.reload().await;
    assert_eq!(web.app.count("reports").await, 1, "a reload sends nothing");
    web.app.run_jobs().await;
    let acknowledged = web.app.mails_to(REPORTER);
    assert!(
        acknowledged.iter().any(|m| m.text.contains(&tracking)),
        "the acknowledgement carries the same link"
    );

    assert_eq!(web.heading().await, TITLE);
    web.sees("crash.log").await;
    let file = web.app.dir.path().join("poc.txt");
    std::fs::write(&file, b"zeros, 70000 of them\n").expect("write the file");
    web.fill("body", "A proof of concept is attached.").await;
    web.attach("attachment", &file).await;
    web.submit().await;
    assert_eq!(web.url().await, tracking);
    web.sees("A proof of concept is attached.").await;
    web.sees("poc.txt").await;

    web.act_as(ADMIN, PASSWORD).await;
    web.goto("/admin/reports").await;
    web.click_link(TITLE).await;
    web.sees("Sending 70000 zeros").await;
    web.sees("crash.log").await;
    web.sees("poc.txt").await;
    web.fill("body", "Thank you, we can reproduce it.").await;
    web.submit().await;
    web.sees("Thank you, we can reproduce it.").await;
    web.fill("status", "accepted").await;
    web.fill("reason", "Confirmed on 1.4.").await;
    web.submit().await;
    web.sees("Confirmed on 1.4.").await;

    web.forget().await;
    web.goto(&tracking).await;
    web.sees("Thank you, we can reproduce it.").await;
    web.sees("accepted").await;
    web.sees("Confirmed on 1.4.").await;
    web.app.run_jobs().await;
    let mails = web.app.mails_to(REPORTER);
    assert!(
        mails.iter().any(|m| m.text.contains("we can reproduce it")),
        "the reply is mailed too"
    );
}
