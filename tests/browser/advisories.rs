//! Journey: an admin turns a report into an advisory ("Create advisory
//! from this report", then the structured editor: two packages, three
//! ranges, CVSS 3.1 and 4.0, two weaknesses, the reporter's credit), sets
//! an embargo agreed in Berlin, then publishes early through the
//! confirmation page; the public page and the reporter's tracking page
//! show it.

use embargo::domain::account::Role;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::{Web, each_mode};

const ADMIN: &str = "admin@project.test";
const PASSWORD: &str = "correct horse battery staple";
const TITLE: &str = "Symlink escape in unpack";
const PACKAGE: &str = "example.org/unpack";
/// CVSS 3.1 Base metrics as the builder's selects take them (8.8, high).
const V31_BASE: [(&str, &str); 8] = [
    ("AV", "N"),
    ("AC", "L"),
    ("PR", "N"),
    ("UI", "R"),
    ("S", "U"),
    ("C", "H"),
    ("I", "H"),
    ("A", "H"),
];
const V40: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

#[tokio::test]
async fn an_advisory_from_a_report_is_embargoed_then_published_early() {
    each_mode("advisory from a report", advisory_from_report).await;
}

async fn advisory_from_report(web: &Web) {
    let app = &web.app;
    app.account(ADMIN, Role::Admin).await;
    let report = json!({
        "title": TITLE, "description": "Unpacking follows symlinks out of the target.",
        "affected_versions": "1.0 up to 1.4", "reporter_name": "Rita Reporter",
        "reporter_email": "rita@example.net", "credit_consent": true,
    });
    let resp = app.post("/api/v1/reports", None, report).await;
    assert_eq!(resp.status.as_u16(), 201, "{}", resp.text());
    let tracking = resp.json()["tracking_url"]
        .as_str()
        .expect("url")
        .to_owned();

    web.act_as(ADMIN, PASSWORD).await;
    web.goto("/admin/reports").await;
    web.click_link(TITLE).await;
    web.click_link("Create advisory from this report").await;
    let summary = web.field("summary").await.prop("value").await;
    assert_eq!(summary.expect("value").as_deref(), Some(TITLE), "prefilled");
    // The structured editor, without JavaScript too: a row button comes
    // back with a row more and everything typed kept.
    web.fill("packages[0].ecosystem", "Go").await;
    web.fill("packages[0].name", PACKAGE).await;
    web.fill("packages[0].ranges[0].events[0].version", "1.0.0")
        .await;
    web.fill("packages[0].ranges[0].events[1].version", "1.4.2")
        .await;
    web.press("Add range to package 1").await;
    let kept = web.field("packages[0].name").await.prop("value").await;
    assert_eq!(kept.expect("value").as_deref(), Some(PACKAGE), "kept");
    web.fill("packages[0].ranges[1].events[0].version", "2.0.0")
        .await;
    web.fill("packages[0].ranges[1].events[1].version", "2.0.3")
        .await;
    web.press("Add package").await;
    web.fill("packages[1].ecosystem", "npm").await;
    web.fill("packages[1].name", "@example/untar").await;
    web.fill("packages[1].ranges[0].events[0].version", "0")
        .await;
    web.fill("packages[1].ranges[0].events[1].version", "3.2.1")
        .await;
    // CVSS 3.1 one metric at a time, 4.0 pasted; a weakness by id and
    // one by its name.
    for (metric, value) in V31_BASE {
        web.fill(&format!("cvss3.{metric}"), value).await;
    }
    web.fill("cvss4.vector", V40).await;
    web.fill("cwes[0]", "CWE-59").await;
    web.press("Add weakness").await;
    web.fill("cwes[1]", "Out-of-bounds Write").await;
    web.press("Preview").await;
    web.sees("Score 8.8 (high)").await;
    web.sees("Score 9.3 (critical)").await;
    web.screenshot("advisory-editor", Some("severity")).await;
    web.press("Create draft").await;
    let page = web.path().await;
    assert!(page.starts_with("/admin/advisories/"), "{page}");
    let id = web.heading().await;
    let id = id.split(':').next().expect("the id first").to_owned();
    web.sees("From report").await;
    web.sees("Rita Reporter").await;
    web.sees(PACKAGE).await;
    web.sees("CWE-59").await;
    web.sees("CWE-787").await;
    web.sees("2.0.3").await;
    web.sees("@example/untar").await;
    web.sees(V40).await;

    let (date, time) = in_zone(72, "Europe/Berlin");
    web.fill("date", &date).await;
    web.fill("time", &time).await;
    web.fill("time_zone", "Europe/Berlin").await;
    web.fill("embargo_reason", "agreed with the distributions")
        .await;
    web.submit().await;
    assert_eq!(web.fact("State").await, "embargoed");
    web.sees("Europe/Berlin").await;
    web.sees("agreed with the distributions").await;

    web.fill("publish_reason", "the fix leaked upstream").await;
    web.submit().await;
    web.sees("This cannot be undone").await;
    web.sees("The embargo ends now, before the agreed instant.")
        .await;
    web.press("Publish now").await;
    assert_eq!(web.fact("State").await, "published");
    web.click_link("Public page").await;
    web.sees(TITLE).await;
    web.sees(&id).await;

    web.forget().await;
    web.goto(&tracking).await;
    web.sees(&format!("{id} is public")).await;
    web.click_link(&id).await;
    web.sees(TITLE).await;
}

/// `now + hours` in `zone`: the date and the time, as the fields take them.
fn in_zone(hours: i64, zone: &str) -> (String, String) {
    let tz = TimeZone::get(zone).expect("zone");
    let at = Timestamp::now() + SignedDuration::from_hours(hours);
    let at = at.to_zoned_datetime(tz);
    (
        at.strftime("%Y-%m-%d").to_string(),
        at.strftime("%H:%M").to_string(),
    )
}
