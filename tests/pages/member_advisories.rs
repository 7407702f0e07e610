//! Pages: the list's view of embargoed advisories for member contacts, its
//! countdown on the service's clock, patch downloads and their audit.

use embargo::db::members;
use embargo::domain::embargo::in_zone;
use embargo::domain::id::AccountId;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::*;

const CLEARED: &str = "nina@distro.example";
const UNACCEPTED: &str = "omar@distro.example";
const LIST: &str = "/member/advisories";
const PATCH: &[u8] =
    b"--- a/src/fs.rs\n+++ b/src/fs.rs\n@@ -1 +1 @@\n-follow(link)\n+refuse(link)\n";

/// An app whose member "Distro" has a cleared contact and one who has not
/// accepted the policy; an admin's API token.
struct Distro {
    app: TestApp,
    admin: String,
    /// The member's id.
    member: String,
    cleared: String,
    unaccepted_token: String,
}

/// A member `org` with a contact of each of `contacts` (email, name); the
/// member id and the contacts' (account id, API token).
async fn member_with(
    app: &TestApp,
    org: &str,
    contacts: &[(&str, &str)],
) -> (String, Vec<(String, String)>) {
    let mut accounts = Vec::new();
    for (email, _) in contacts {
        accounts.push(app.account(email, Role::Member).await);
    }
    let mut conn = app.state.db.conn().await.unwrap();
    let website = format!("https://{}.example", org.to_lowercase());
    let alias = format!("security@{}.example", org.to_lowercase());
    let new = members::NewMember {
        organization: org,
        website: &website,
        security_alias: &alias,
        application_id: None,
    };
    let member = members::insert(&mut conn, new).await.unwrap();
    for ((id, _), (_, name)) in accounts.iter().zip(contacts) {
        let id = AccountId::parse(id).unwrap();
        members::add_contact(&mut conn, &member, &id, name)
            .await
            .unwrap();
    }
    (member.as_str().to_owned(), accounts)
}

async fn distro() -> Distro {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let contacts = [(CLEARED, "Nina"), (UNACCEPTED, "Omar")];
    let (member, mut accounts) = member_with(&app, "Distro", &contacts).await;
    let (unaccepted, (cleared, cleared_token)) = (accounts.pop().unwrap(), accounts.remove(0));
    crate::membership::accept_current_policy(&app, &cleared_token).await;
    Distro {
        app,
        admin,
        member,
        cleared,
        unaccepted_token: unaccepted.1,
    }
}

/// Announces embargoed `id` to `members` (all active members when `None`):
/// their contacts may read it from now on.
async fn announce(d: &Distro, id: &str, members: Option<&[&str]>) {
    let body = match members {
        Some(m) => json!({ "members": m }),
        None => json!({}),
    };
    let resp = crate::announcements::announce(&d.app, &d.admin, id, body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
}

/// An advisory as the API makes it, with a patch: (id, patch id).
async fn advisory_with_patch(d: &Distro, filename: &str) -> (String, String) {
    use base64::Engine;
    let id = crate::advisories::create(&d.app, &d.admin).await;
    let body = json!({
        "filename": filename, "content_type": "text/x-diff",
        "content_base64": base64::engine::general_purpose::STANDARD.encode(PATCH),
    });
    let path = format!("/api/v1/advisories/{id}/patches");
    let resp = d.app.post(&path, Some(&d.admin), body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    (id, resp.json()["id"].as_str().unwrap().to_owned())
}

/// Embargoes `id` until `after` from the service's now, agreed in Berlin;
/// the instant.
async fn embargo_for(d: &Distro, id: &str, after: SignedDuration) -> Timestamp {
    let now = Timestamp::from_microsecond(d.app.now()).unwrap();
    let until = now.checked_add(after).unwrap();
    let body =
        json!({ "until": until.to_string(), "time_zone": "Europe/Berlin", "reason": "agreed" });
    let path = format!("/api/v1/advisories/{id}/embargo");
    let resp = d.app.post(&path, Some(&d.admin), body).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    until
}

/// 3 days, 4 hours and a half from now: "in 3 days 4 hours" while a test
/// runs.
fn three_days_four_hours() -> SignedDuration {
    SignedDuration::from_hours(3 * 24 + 4) + SignedDuration::from_mins(30)
}

async fn audit_events(app: &TestApp, subject: &str) -> Vec<(String, String, Value)> {
    app.state.read_log.flush().await;
    let mut conn = app.state.db.conn().await.unwrap();
    embargo::db::audit::for_subject(&mut conn, subject)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor, serde_json::from_str(&e.detail).unwrap()))
        .collect()
}

#[tokio::test]
async fn a_cleared_contact_reads_an_embargoed_advisory_in_both_zones_and_downloads_its_patch() {
    let d = distro().await;
    let (id, patch) = advisory_with_patch(&d, "fix for \"CVE\".patch").await;
    let until = embargo_for(&d, &id, three_days_four_hours()).await;
    announce(&d, &id, Some(&[&d.member])).await;
    let (draft, _) = advisory_with_patch(&d, "draft.patch").await;
    let tab = signed_in(&d.app, CLEARED).await;

    let member = tab.get("/member").await.text();
    assert!(
        member.contains("<a href=\"/member/advisories\">"),
        "linked from /member"
    );

    let list = tab.get(LIST).await;
    assert_eq!(list.status, OK);
    let html = unescape(&list.text());
    assert!(html.contains(&format!("<a href=\"/member/advisories/{id}\">{id}</a>")));
    assert!(html.contains("Container escape through crafted symlinks"));
    assert!(!html.contains(&draft), "a draft is not listed");
    assert!(
        html.contains("<time datetime=\"P3DT4H\">in 3 days 4 hours</time>"),
        "{html}"
    );
    let utc = embargo::publish::rfc3339(until);
    let berlin = in_zone(until, "Europe/Berlin");
    assert!(
        html.contains(&format!("<time datetime=\"{utc}\">{berlin}</time>")),
        "{html}"
    );
    let new_york = unescape(&tab.get(&format!("{LIST}?tz=America/New_York")).await.text());
    assert!(
        new_york.contains(&in_zone(until, "America/New_York")),
        "{new_york}"
    );

    let page = tab.get(&format!("{LIST}/{id}?tz=Asia/Tokyo")).await;
    assert_eq!(page.status, OK);
    let html = unescape(&page.text());
    assert!(html.contains("<h1>") && html.contains("Container escape through crafted symlinks"));
    let in_utc = until.strftime("%Y-%m-%d %H:%M UTC").to_string();
    assert!(
        html.contains(&format!("<time datetime=\"{utc}\">{in_utc}</time>")),
        "the end in UTC, as people read it: {html}"
    );
    assert!(html.contains("<em>crafted</em>"), "details from Markdown");
    assert!(!page.text().contains("<script>"), "raw HTML dropped");
    for shown in [
        "example.org/runtime",
        "fixed <code>1.4.2</code>",
        "CRITICAL",
        "CWE-59",
        "Rita Reporter",
        "CVE-2026-12345",
        "https://example.org/runtime/commit/abc",
    ] {
        assert!(html.contains(shown), "{shown} shown");
    }
    assert!(html.contains(&format!("Ends in the agreed zone, Europe/Berlin</dt>\n  <dd><time datetime=\"{utc}\">{berlin}</time>")), "{html}");
    let tokyo = in_zone(until, "Asia/Tokyo");
    assert!(
        html.contains(&format!(
            "Ends in Asia/Tokyo</dt>\n  <dd><time datetime=\"{utc}\">{tokyo}</time>"
        )),
        "{html}"
    );
    let url = format!("{LIST}/{id}/patches/{patch}");
    assert!(
        html.contains(&format!(
            "<a href=\"{url}\" download>fix for \"CVE\".patch</a>"
        )),
        "{html}"
    );

    let download = tab.get(&url).await;
    assert_eq!(download.status, OK);
    assert_eq!(download.body, PATCH, "the bytes uploaded");
    assert_eq!(download.header("content-type"), Some("text/x-diff"));
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"fix_for__CVE_.patch\"")
    );
    assert_eq!(download.header("cache-control"), Some("no-store"));

    let events = audit_events(&d.app, &id).await;
    let me = format!("account:{}", d.cleared);
    let by_me = |action: &str| {
        events
            .iter()
            .filter(|(a, who, _)| a == action && *who == me)
            .count()
    };
    assert_eq!(by_me("advisory.read"), 1, "the view: {events:?}");
    assert_eq!(
        by_me("advisory.patch_downloaded"),
        1,
        "the download: {events:?}"
    );
    let downloaded = events
        .iter()
        .find(|(a, ..)| a == "advisory.patch_downloaded");
    assert_eq!(downloaded.unwrap().2["patch"], patch.as_str());
    let lists = audit_events(&d.app, "member_advisories").await;
    assert_eq!(lists.len(), 2, "one event per list shown: {lists:?}");
    assert!(
        lists
            .iter()
            .all(|(a, who, detail)| a == "advisory.list_read"
                && *who == me
                && detail["shown"] == json!([id]))
    );
}

#[tokio::test]
async fn a_draft_is_not_listed_and_its_page_is_404_as_for_a_made_up_id() {
    let d = distro().await;
    let (draft, patch) = advisory_with_patch(&d, "draft.patch").await;
    let tab = signed_in(&d.app, CLEARED).await;
    let list = tab.get(LIST).await;
    assert_eq!(list.status, OK);
    assert!(!list.text().contains(&draft));
    assert!(list.text().contains("No advisory is under embargo now."));

    let made_up = tab.get(&format!("{LIST}/SA-2020-9999")).await;
    assert_eq!(made_up.status, NOT_FOUND);
    for path in [
        format!("{LIST}/{draft}"),
        format!("{LIST}/{draft}/patches/{patch}"),
    ] {
        let resp = tab.get(&path).await;
        assert_eq!(resp.status, NOT_FOUND, "{path}");
        assert_eq!(
            resp.text(),
            made_up.text(),
            "{path} says what a made-up id says"
        );
    }
    // Not for an admin either: drafts are on the team's own pages.
    let (_, _, admin) = admin(&d.app).await;
    assert_eq!(
        admin.get(&format!("{LIST}/{draft}")).await.status,
        NOT_FOUND
    );
    let events = audit_events(&d.app, &draft).await;
    assert!(
        events.iter().all(|(a, ..)| a != "advisory.read"),
        "{events:?}"
    );
}

#[tokio::test]
async fn an_unaccepted_contact_is_refused_until_they_accept_the_policy() {
    let d = distro().await;
    let (id, patch) = advisory_with_patch(&d, "fix.patch").await;
    embargo_for(&d, &id, three_days_four_hours()).await;
    announce(&d, &id, None).await;
    let tab = signed_in(&d.app, UNACCEPTED).await;

    let list = tab.get(LIST).await;
    assert_eq!(list.status, StatusCode::FORBIDDEN);
    let html = list.text();
    assert!(!html.contains(&id) && html.contains("accepted the current list policy"));
    assert!(
        html.contains("<a href=\"/policy\">"),
        "told where to accept it"
    );
    for path in [
        format!("{LIST}/{id}"),
        format!("{LIST}/{id}/patches/{patch}"),
    ] {
        assert_eq!(tab.get(&path).await.status, NOT_FOUND, "{path}");
    }
    let path = format!("{LIST}/{id}");
    let nobody = visitor(&d.app).get(&path).await;
    assert_eq!(nobody.status, SEE_OTHER);
    assert_eq!(nobody.header("location"), Some(login_for(&path).as_str()));

    crate::membership::accept_current_policy(&d.app, &d.unaccepted_token).await;
    assert!(tab.get(LIST).await.text().contains(&id));
    assert_eq!(tab.get(&format!("{LIST}/{id}")).await.status, OK);
}

#[tokio::test]
async fn the_countdown_follows_the_service_clock() {
    let d = distro().await;
    let (id, _) = advisory_with_patch(&d, "fix.patch").await;
    embargo_for(&d, &id, three_days_four_hours()).await;
    announce(&d, &id, None).await;
    let page = format!("{LIST}/{id}");
    // Signed in afresh each time: a session ends after 12 hours, by the
    // same clock.
    let get = |path: String| {
        let app = &d.app;
        async move { signed_in(app, CLEARED).await.get(&path).await }
    };
    let countdown = |resp: Response| {
        let html = unescape(&resp.text());
        let found = between(&html, "<dt>Ends</dt>", "<dd>", "</dd>");
        found
            .unwrap_or_else(|| panic!("no countdown ({}): {html}", resp.status))
            .to_owned()
    };
    assert_eq!(
        countdown(get(page.clone()).await),
        "<time datetime=\"P3DT4H\">in 3 days 4 hours</time>"
    );
    d.app.advance(SignedDuration::from_hours(24));
    assert_eq!(
        countdown(get(page.clone()).await),
        "<time datetime=\"P2DT4H\">in 2 days 4 hours</time>"
    );
    assert!(
        get(LIST.to_owned())
            .await
            .text()
            .contains("in 2 days 4 hours")
    );
    d.app.advance(SignedDuration::from_hours(2 * 24 + 4));
    assert!(countdown(get(page.clone()).await).contains("minutes</time>"));
    // Past the end, until the lift job has published it.
    d.app.advance(SignedDuration::from_hours(1));
    assert_eq!(
        countdown(get(page.clone()).await),
        "Ended; publication is due"
    );
    // Once published, the member page is the public page.
    d.app.run_jobs().await;
    let published = get(page).await;
    assert_eq!(published.status, SEE_OTHER);
    assert_eq!(
        published.header("location"),
        Some(format!("/advisories/{id}").as_str())
    );
}

#[tokio::test]
async fn an_advisory_announced_to_another_member_is_absent_for_this_one_until_announced_to_it() {
    let d = distro().await;
    let (id, patch) = advisory_with_patch(&d, "fix.patch").await;
    embargo_for(&d, &id, three_days_four_hours()).await;
    let contacts = [("vera@vendor.example", "Vera")];
    let (vendor, accounts) = member_with(&d.app, "Vendor", &contacts).await;
    crate::membership::accept_current_policy(&d.app, &accounts[0].1).await;
    let nina = signed_in(&d.app, CLEARED).await;
    let vera = signed_in(&d.app, "vera@vendor.example").await;
    let page = format!("{LIST}/{id}");
    let download = format!("{LIST}/{id}/patches/{patch}");
    // What each of them is told for a made-up id (the page names who
    // is signed in, so it differs between them).
    let made_up_nina = nina.get(&format!("{LIST}/SA-2020-9999")).await.text();
    let made_up_vera = vera.get(&format!("{LIST}/SA-2020-9999")).await.text();
    // Absent as a made-up id is: not listed, no page, no patch.
    let absent = |who: &'static str, list: String, view: Response, patch: Response| {
        assert!(!list.contains(&id), "{who}: listed");
        let made_up = if who == "nina" {
            &made_up_nina
        } else {
            &made_up_vera
        };
        for resp in [view, patch] {
            assert_eq!(resp.status, NOT_FOUND, "{who}");
            assert_eq!(&resp.text(), made_up, "{who}: says what a made-up id says");
        }
    };

    // Embargoed but never announced: the team's alone, cleared or not.
    for (who, tab) in [("nina", &nina), ("vera", &vera)] {
        let list = tab.get(LIST).await;
        assert_eq!(list.status, OK);
        absent(
            who,
            list.text(),
            tab.get(&page).await,
            tab.get(&download).await,
        );
    }

    announce(&d, &id, Some(&[&vendor])).await;
    assert!(vera.get(LIST).await.text().contains(&id));
    assert_eq!(vera.get(&page).await.status, OK);
    assert_eq!(vera.get(&download).await.body, PATCH);
    let list = nina.get(LIST).await.text();
    absent(
        "nina",
        list,
        nina.get(&page).await,
        nina.get(&download).await,
    );
    let events = audit_events(&d.app, &id).await;
    let nina_account = format!("account:{}", d.cleared);
    assert!(
        events.iter().all(|(_, who, _)| *who != nina_account),
        "no read is recorded for what was refused: {events:?}"
    );

    // A second announcement adds Distro; Vendor stays.
    announce(&d, &id, Some(&[&d.member])).await;
    assert!(nina.get(LIST).await.text().contains(&id));
    assert_eq!(nina.get(&page).await.status, OK);
    assert_eq!(nina.get(&download).await.body, PATCH);
    assert_eq!(vera.get(&page).await.status, OK);
}
