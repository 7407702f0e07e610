//! Pages: the embargo form of an advisory. An instant agreed in a zone is
//! stored in UTC and shown in any zone; the policy's rules refuse with
//! the rule named (an admin may override with a reason); a Friday end is
//! set with a warning.

use embargo::domain::embargo::in_zone;
use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;

use super::advisories::*;
use super::*;

#[tokio::test]
async fn an_embargo_set_in_berlin_is_stored_in_utc_and_shown_in_any_zone() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    let (local, instant) = local_in(72, "Europe/Berlin");
    let fields = [
        ("until", local.as_str()),
        ("time_zone", "Europe/Berlin"),
        ("reason", "agreed with distros"),
    ];
    let location = accepted(&tab, &format!("{page}/embargo"), &fields).await;
    assert!(location.starts_with(&page), "{location}");
    let a = api(&app, &token, &id).await;
    assert_eq!(a["state"], "embargoed");
    assert_eq!(a["embargo"]["until"], utc(instant));
    assert_eq!(a["embargo"]["time_zone"], "Europe/Berlin");

    let html = unescape(&tab.get(&page).await.text());
    let berlin = in_zone(instant, "Europe/Berlin");
    assert!(html.contains(&format!(
        "<dd><time datetime=\"{0}\">{0}</time></dd>",
        utc(instant)
    )));
    assert!(
        html.contains(&format!(
            "agreed zone, Europe/Berlin</dt>\n  <dd>{berlin}</dd>"
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!("value=\"{local}\"")),
        "the form holds the local time"
    );
    assert!(html.contains("<td>agreed with distros</td>"), "the history");
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
async fn a_too_long_embargo_is_refused_with_the_rule_named_unless_overridden() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (id, page) = draft(&app, &token, "Container escape").await;
    let (local, instant) = local_in(15 * 24, "UTC");
    let embargo = format!("{page}/embargo");
    let mut fields = vec![
        ("until", local.as_str()),
        ("time_zone", "UTC"),
        ("reason", "vendor asked"),
    ];
    let html = refused(&tab, &embargo, &fields).await;
    let error = field_error(&html, "until");
    assert!(
        error.contains("at most 14 days") && error.contains("override reason"),
        "{error}"
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
    let until = format!("{day}T12:00");
    let fields = [
        ("until", until.as_str()),
        ("time_zone", "UTC"),
        ("reason", "r"),
    ];
    let location = accepted(&tab, &format!("{page}/embargo"), &fields).await;
    assert_eq!(location, format!("{page}?warn=friday"));
    let html = tab.get(&location).await.text();
    assert!(html.contains("the embargo ends on a Friday: fixes land before a weekend"));
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
