//! Pages: instants. Each shows in UTC, in the viewer's own zone (chosen on
//! the account page, else the organisation's) and relative to the
//! service's clock, so moving the clock moves "3 h ago". After an early
//! publication the pages say so instead of the old embargo end, and no
//! lift is left pending.

use jiff::{SignedDuration, Timestamp};

use super::advisories::{accepted, api, draft, local_in, refused};
use super::*;

/// An app whose sessions outlast the days these tests move the clock by.
async fn long_sessions() -> TestApp {
    TestApp::with_config(|c| c.auth.session_hours = 24 * 30).await
}

/// The report's receipt instant, as the API gives it.
async fn received(app: &TestApp, token: &str, id: &str) -> Timestamp {
    let report = app
        .get(&format!("/api/v1/reports/{id}"), Some(token))
        .await
        .json();
    let at = &report["report"]["created_at"];
    match at.as_i64() {
        Some(micros) => Timestamp::from_microsecond(micros).expect("instant"),
        None => at.as_str().expect("created_at").parse().expect("instant"),
    }
}

/// The `<time>` element of the received instant on a report's admin page.
async fn shown_received(tab: &Tab<'_>, id: &str) -> String {
    let html = unescape(&tab.get(&format!("/admin/reports/{id}")).await.text());
    let dd = between(&html, "<dt>Received</dt>", "<dd>", "</dd>").expect("received");
    dd.to_owned()
}

#[tokio::test]
async fn an_instant_shows_in_utc_the_chosen_zone_and_relative_to_the_moving_clock() {
    let app = long_sessions().await;
    let (_, token, tab) = admin(&app).await;
    let (id, _) = app.report("Heap overflow", None).await;
    let at = received(&app, &token, &id).await;
    let utc = at.strftime("%Y-%m-%d %H:%M UTC").to_string();
    let stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ");

    // No zone chosen: the organisation's, UTC, adds nothing but "just now".
    let shown = shown_received(&tab, &id).await;
    assert_eq!(
        shown,
        format!("<time datetime=\"{stamp}\">{utc} <span class=\"when\">· just now</span></time>")
    );

    let account = tab.get("/account").await.text();
    assert!(
        account.contains("<option value=\"\" selected>The organisation&#x27;s zone (UTC)</option>")
    );
    let saved = accepted(&tab, "/account/time-zone", &[("time_zone", "Asia/Tokyo")]).await;
    assert_eq!(saved, "/account?saved=time_zone");
    let account = unescape(&tab.get(&saved).await.text());
    assert!(
        account.contains("Saved: times are shown in UTC and in Asia/Tokyo."),
        "{account}"
    );
    assert!(account.contains("<option value=\"Asia/Tokyo\" selected>Asia/Tokyo</option>"));

    let tokyo = at
        .to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Tokyo").expect("zone"))
        .strftime("%Y-%m-%d %H:%M JST")
        .to_string();
    app.advance(SignedDuration::from_hours(3));
    let shown = shown_received(&tab, &id).await;
    assert_eq!(
        shown,
        format!(
            "<time datetime=\"{stamp}\">{utc} <span class=\"when\">· {tokyo} (Asia/Tokyo) · 3 h ago</span></time>"
        )
    );
    app.advance(SignedDuration::from_hours(24 * 4));
    assert!(
        shown_received(&tab, &id)
            .await
            .contains("(Asia/Tokyo) · 4 days ago</span>")
    );

    // An unknown zone is refused by name, what was sent kept; empty goes
    // back to the organisation's.
    let html = refused(&tab, "/account/time-zone", &[("time_zone", "Mars/Olympus")]).await;
    let html = unescape(&html);
    assert!(
        html.contains("<p class=\"error\" id=\"time_zone-error\">Time zone: unknown time zone \"Mars/Olympus\""),
        "{html}"
    );
    assert!(html.contains("<option value=\"Mars/Olympus\" selected>Mars/Olympus</option>"));
    assert!(
        html.contains("aria-describedby=\"time_zone-hint time_zone-error\" aria-invalid=\"true\"")
    );
    accepted(&tab, "/account/time-zone", &[("time_zone", "")]).await;
    assert!(!shown_received(&tab, &id).await.contains("Tokyo"));
}

#[tokio::test]
async fn the_organisation_zone_is_every_viewers_until_they_choose_and_the_api_sets_one() {
    let app = TestApp::with_config(|c| c.organization_time_zone = "Europe/Berlin".into()).await;
    let (_, token, tab) = admin(&app).await;
    let (id, _) = app.report("Heap overflow", None).await;
    assert!(
        shown_received(&tab, &id)
            .await
            .contains("(Europe/Berlin) · just now")
    );
    let (_, page) = draft(&app, &token, "Container escape").await;
    let html = unescape(&tab.get(&page).await.text());
    assert!(
        html.contains("<option value=\"Europe/Berlin\" selected>"),
        "a first embargo is offered in the organisation's zone"
    );

    let put = |zone: serde_json::Value| {
        let body = serde_json::json!({ "time_zone": zone });
        app.api(
            Method::PUT,
            "/api/v1/me/time-zone",
            Some(&token),
            Some(body),
        )
    };
    let set = put("America/New_York".into()).await;
    assert_eq!(set.status, OK, "{}", set.text());
    assert_eq!(set.json()["time_zone"], "America/New_York");
    let me = app.get("/api/v1/me", Some(&token)).await.json();
    assert_eq!(me["time_zone"], "America/New_York");
    assert!(
        shown_received(&tab, &id)
            .await
            .contains("(America/New_York) · just now")
    );
    let bad = put("Mars/Olympus".into()).await;
    assert_eq!(bad.status, INVALID);
    assert!(
        bad.json()["errors"]["time_zone"]
            .as_str()
            .expect("error")
            .contains("unknown time zone")
    );
    assert_eq!(
        put(serde_json::Value::Null).await.json()["time_zone"],
        serde_json::Value::Null
    );
    assert!(shown_received(&tab, &id).await.contains("(Europe/Berlin)"));
}

/// Sets an embargo `hours` from now in UTC through the form.
async fn embargo_in(tab: &Tab<'_>, page: &str, hours: i64) {
    let (local, _) = local_in(hours, "UTC");
    let (date, time) = local.split_once('T').expect("date and time");
    let fields = [
        ("date", date),
        ("time", time),
        ("time_zone", "UTC"),
        ("reason", "agreed"),
    ];
    accepted(tab, &format!("{page}/embargo"), &fields).await;
}

/// The lift jobs the jobs page lists as queued.
async fn queued_lifts(tab: &Tab<'_>) -> usize {
    let html = tab.get("/admin/jobs?state=queued").await.text();
    html.matches("<td>lift_embargo</td>").count()
}

#[tokio::test]
async fn an_early_publication_says_so_and_leaves_no_lift_pending() {
    let app = long_sessions().await;
    let (_, token, tab) = admin(&app).await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    embargo_in(&tab, &page, 24 * 5).await;
    let html = tab.get(&page).await.text();
    assert!(html.contains("Pending: job"), "{html}");
    assert!(html.contains("in 5 days</span>"), "{html}");
    assert_eq!(queued_lifts(&tab).await, 1);
    // Moving the embargo closes the old lift: one stays pending.
    embargo_in(&tab, &page, 24 * 6).await;
    assert_eq!(queued_lifts(&tab).await, 1);

    app.advance(SignedDuration::from_hours(24));
    let fields = [("reason", "fix is out"), ("confirm", "yes")];
    accepted(&tab, &format!("{page}/publish"), &fields).await;
    assert_eq!(api(&app, &token, &id).await["state"], "published");
    let html = unescape(&tab.get(&page).await.text());
    let early = between(&html, "<h2>Embargo</h2>", "<p>", "</p>").expect("embargo section");
    assert!(
        early.starts_with("Published early on <time datetime="),
        "{early}"
    );
    assert!(
        early.ends_with("· just now</span></time>, before the embargo ended."),
        "{early}"
    );
    assert!(
        !html.contains("Pending: job") && !html.contains("Ends (agreed"),
        "{html}"
    );
    assert_eq!(queued_lifts(&tab).await, 0, "the stale lift is not pending");
    let public = unescape(&visitor(&app).get(&format!("/advisories/{id}")).await.text());
    assert!(
        public.contains("<dd>Published early on <time datetime="),
        "{public}"
    );

    // The closed lift does nothing when its time comes.
    app.advance(SignedDuration::from_hours(24 * 6));
    app.run_jobs().await;
    assert_eq!(api(&app, &token, &id).await["state"], "published");
}

#[tokio::test]
async fn a_publication_by_the_lift_is_not_early() {
    let app = long_sessions().await;
    let (_, token, tab) = admin(&app).await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    embargo_in(&tab, &page, 24 * 2).await;
    app.advance(SignedDuration::from_hours(24 * 2 + 1));
    app.run_jobs().await;
    assert_eq!(api(&app, &token, &id).await["state"], "published");
    let html = tab.get(&page).await.text();
    assert!(html.contains("Ended (agreed in UTC)"), "{html}");
    assert!(html.contains("Done by job"), "{html}");
    assert!(!html.contains("Published early"));
    let public = visitor(&app).get(&format!("/advisories/{id}")).await.text();
    assert!(!public.contains("Published early"));
    assert_eq!(queued_lifts(&tab).await, 0);
}
