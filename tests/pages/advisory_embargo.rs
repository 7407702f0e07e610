//! Pages: the embargo form of an advisory: a date, a time and a zone from
//! the list. An instant agreed in a zone is stored in UTC, confirmed in
//! both and shown in any zone; errors name their field and keep what was
//! chosen; the policy's rules refuse with the rule named (an admin may
//! override with a reason); a Friday end is set with a warning.

use embargo::domain::embargo::in_zone;
use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;

use super::advisories::*;
use super::*;

/// `local_in`'s `YYYY-MM-DDTHH:MM` as the form's date and time fields.
fn date_time(local: &str) -> (&str, &str) {
    local.split_once('T').expect("date and time")
}

#[tokio::test]
async fn an_embargo_set_in_berlin_is_stored_in_utc_and_shown_in_any_zone() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    let html = tab.get(&page).await.text();
    assert!(
        html.contains("<input type=\"date\" id=\"date\" name=\"date\""),
        "{html}"
    );
    assert!(html.contains("<input type=\"time\" id=\"time\" name=\"time\""));
    assert!(
        html.contains("<option value=\"UTC\" selected>UTC</option>"),
        "the organisation's zone is chosen first"
    );
    let (local, instant, hours) = local_on_a_working_day(72, "Europe/Berlin");
    let (date, time) = date_time(&local);
    let fields = [
        ("date", date),
        ("time", time),
        ("time_zone", "Europe/Berlin"),
        ("reason", "agreed with distros"),
    ];
    let location = accepted(&tab, &format!("{page}/embargo"), &fields).await;
    assert_eq!(location, format!("{page}?saved=embargo"));
    let a = api(&app, &token, &id).await;
    assert_eq!(a["state"], "embargoed");
    assert_eq!(a["embargo"]["until"], utc(instant));
    assert_eq!(a["embargo"]["time_zone"], "Europe/Berlin");

    let html = unescape(&tab.get(&location).await.text());
    let berlin = instant
        .to_zoned_datetime(TimeZone::get("Europe/Berlin").expect("zone"))
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string();
    let in_utc = instant.strftime("%Y-%m-%d %H:%M UTC").to_string();
    assert!(
        html.contains(&format!(
            "<p class=\"notice\" role=\"status\">Embargo set to {berlin} (Europe/Berlin) / {in_utc}.</p>"
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<time datetime=\"{}\">{in_utc} <span class=\"when\">· {berlin} (Europe/Berlin) · in {} days</span></time>",
            utc(instant),
            hours / 24
        )),
        "UTC, the agreed zone and relative: {html}"
    );
    assert!(
        html.contains(&format!("value=\"{date}\"")),
        "the form holds the date"
    );
    assert!(html.contains(&format!("value=\"{time}\"")), "and the time");
    assert!(
        html.contains("<option value=\"Europe/Berlin\" selected>"),
        "and the zone"
    );
    assert!(html.contains("<td>agreed with distros</td>"), "the history");
    let again = tab.get(&page).await.text();
    assert!(!again.contains("Embargo set to"), "said once, after saving");
    let new_york = tab.get(&format!("{page}?tz=America/New_York")).await;
    assert_eq!(new_york.status, OK);
    let html = unescape(&new_york.text());
    let there = in_zone(instant, "America/New_York");
    assert!(
        html.contains(&format!(
            "Ends in America/New_York</dt>\n  <dd>{there}</dd>"
        )),
        "{html}"
    );
    assert!(html.contains(&berlin), "the agreed zone stays");

    let unknown = tab.get(&format!("{page}?tz=Mars/Olympus")).await;
    assert_eq!(unknown.status, OK);
    let html = unknown.text();
    assert!(
        field_error(&html, "tz").contains("unknown time zone"),
        "{html}"
    );
    assert!(html.contains("aria-describedby=\"tz-hint tz-error\" aria-invalid=\"true\""));
    assert!(unescape(&html).contains(&berlin), "the page still renders");

    // Reading the embargoed advisory is a read of private content.
    app.state.read_log.flush().await;
    let mut conn = app.state.db.conn().await.expect("conn");
    let events = embargo::db::audit::for_subject(&mut conn, &id)
        .await
        .expect("audit");
    let reads = events.iter().filter(|e| e.action == "advisory.read");
    assert!(reads.count() >= 3);
}

#[tokio::test]
async fn a_missing_date_or_time_is_named_and_what_was_chosen_is_kept() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    let fields = [
        ("date", ""),
        ("time", "14:00"),
        ("time_zone", "Asia/Tokyo"),
        ("reason", "agreed"),
    ];
    let html = refused(&tab, &format!("{page}/embargo"), &fields).await;
    assert_eq!(field_error(&html, "date"), "Date: is required");
    assert!(
        html.contains("<a href=\"#date\">Date: is required</a>"),
        "the summary"
    );
    assert!(html.contains("aria-describedby=\"date-hint date-error\" aria-invalid=\"true\""));
    assert!(html.contains("value=\"14:00\""), "the time is kept");
    assert!(
        unescape(&html).contains("<option value=\"Asia/Tokyo\" selected>"),
        "the zone is kept"
    );
    assert!(html.contains("value=\"agreed\""), "the reason is kept");

    let fields = [
        ("date", "2026-02-30"),
        ("time", ""),
        ("time_zone", "Mars/Olympus"),
        ("reason", ""),
    ];
    let html = refused(&tab, &format!("{page}/embargo"), &fields).await;
    assert_eq!(
        field_error(&html, "date"),
        "Date: must be a date such as 2026-12-01"
    );
    assert_eq!(field_error(&html, "time"), "Time: is required");
    assert!(html.contains("value=\"2026-02-30\""), "kept as typed");
    assert!(
        unescape(&html).contains("<option value=\"Mars/Olympus\" selected>Mars/Olympus</option>"),
        "a zone not in the list is kept too"
    );
    // A zone the use case refuses is named on the zone list.
    let (local, _) = local_in(72, "UTC");
    let (date, time) = date_time(&local);
    let fields = [
        ("date", date),
        ("time", time),
        ("time_zone", "Mars/Olympus"),
        ("reason", "r"),
    ];
    let html = refused(&tab, &format!("{page}/embargo"), &fields).await;
    assert!(
        field_error(&html, "time_zone").starts_with("Time zone: unknown time zone"),
        "{html}"
    );
    assert_eq!(api(&app, &token, &id).await["state"], "draft");
}

#[tokio::test]
async fn a_too_long_embargo_is_refused_with_the_rule_named_unless_overridden() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    let (local, instant) = local_in(15 * 24, "UTC");
    let (date, time) = date_time(&local);
    let embargo = format!("{page}/embargo");
    let mut fields = vec![
        ("date", date),
        ("time", time),
        ("time_zone", "UTC"),
        ("reason", "vendor asked"),
    ];
    let html = refused(&tab, &embargo, &fields).await;
    let error = field_error(&html, "date");
    assert!(
        error.starts_with("Date: ")
            && error.contains("at most 14 days")
            && error.contains("override reason"),
        "{error}"
    );
    assert!(
        html.contains(&format!("value=\"{date}\"")),
        "the date is kept"
    );
    assert!(
        html.contains("value=\"vendor asked\""),
        "the typed reason is kept"
    );
    assert_eq!(api(&app, &token, &id).await["state"], "draft");

    fields.push(("override_reason", "hardware vendor needs time"));
    accepted(&tab, &embargo, &fields).await;
    assert_eq!(
        api(&app, &token, &id).await["embargo"]["until"],
        utc(instant)
    );
    let history = api(&app, &token, &format!("{id}/history")).await;
    assert_eq!(
        history["embargo"][0]["override_reason"],
        "hardware vendor needs time"
    );
    let html = tab.get(&page).await.text();
    assert!(html.contains("<td>hardware vendor needs time</td>"));
}

#[tokio::test]
async fn an_embargo_ending_on_a_friday_is_set_with_a_warning() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (_, page) = draft(&app, &token, "Container escape").await;
    let today = Timestamp::now().to_zoned_datetime(TimeZone::UTC).date();
    let mut day = today.tomorrow().expect("date");
    while day.weekday() != Weekday::Friday {
        day = day.tomorrow().expect("date");
    }
    let day = day.to_string();
    let fields = [
        ("date", day.as_str()),
        ("time", "12:00"),
        ("time_zone", "UTC"),
        ("reason", "r"),
    ];
    let location = accepted(&tab, &format!("{page}/embargo"), &fields).await;
    assert_eq!(location, format!("{page}?saved=embargo&warn=friday"));
    let html = tab.get(&location).await.text();
    assert!(html.contains(
        "<p class=\"notice warning\" role=\"status\">The embargo is set. Please check: the embargo ends on a Friday: fixes land before a weekend.</p>"
    ));
    let forged = tab
        .get(&format!("{page}?warn=%3Cb%3Eforged%3C%2Fb%3E,weekend"))
        .await;
    assert!(
        !forged.text().contains("forged"),
        "nothing of the query is echoed"
    );
    assert!(
        forged
            .text()
            .contains("the embargo ends on a weekend in the agreed time zone")
    );
}
