//! Pages: an admin allows clear text for a contact on the member's page,
//! the announce confirmation counts it, the announcement's page marks the
//! delivery with its allowance, and the allowance is withdrawn the same
//! way; nobody else may do either.

use super::membership::{contact_tab, field_error};
use super::*;
use crate::announcements::{cleared_member, embargoed};
use crate::announcements_clear::account_id;

const REASON: &str = "Their gateway cannot decrypt <yet>.";

fn allow_path(member: &str, contact: &str) -> String {
    format!("/admin/members/{member}/contacts/{contact}/clear-text")
}

fn withdraw_path(member: &str, contact: &str) -> String {
    format!("{}/withdraw", allow_path(member, contact))
}

#[tokio::test]
async fn an_admin_allows_clear_text_on_the_member_page_and_the_announcement_shows_it() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let (member, contact_token) =
        cleared_member(&app, &token, "Plain", "kim@plain.example", None).await;
    let contact = account_id(&app, &contact_token).await;
    let page = format!("/admin/members/{member}");

    let html = tab.get(&page).await.text();
    let action = allow_path(&member, &contact);
    assert!(html.contains(&format!("action=\"{action}\"")), "{html}");
    assert!(html.contains("none usable"), "{html}");

    // A reason is required; nothing is recorded without one.
    let refused = tab.post(&action, &[("reason", " ")]).await;
    assert_eq!(refused.status, INVALID);
    let error = field_error(&refused.text(), &format!("clear_text-{contact}"));
    assert!(error.starts_with("is required"), "{error}");
    let forged = tab
        .send(&action, &format!("csrf=forged&reason={REASON}"))
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    let member_tab = contact_tab(&app, "kim@plain.example").await;
    let own = member_tab.post(&action, &[("reason", REASON)]).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "not the contact's call");
    assert!(!tab.get(&page).await.text().contains("Clear text allowed"));

    let done = tab.post(&action, &[("reason", REASON)]).await;
    assert_eq!(done.status, SEE_OTHER, "{}", done.text());
    assert_eq!(
        done.header("location"),
        Some(format!("{page}#contact-{contact}").as_str())
    );
    let html = tab.get(&page).await.text();
    let shown = between(&html, &format!("id=\"clear-text-{contact}\""), ">", "</p>")
        .expect("the allowance");
    assert!(shown.contains("Clear text allowed"), "{shown}");
    assert!(shown.contains(&format!("by {ADMIN} on ")), "{shown}");
    assert_escaped(shown, "<yet>", "&lt;yet&gt;", "the member page");
    let withdraw = withdraw_path(&member, &contact);
    assert!(html.contains(&format!("action=\"{withdraw}\"")));

    // The confirmation counts it, the announcement marks it.
    let id = embargoed(&app, &token).await;
    let confirm = format!("/admin/advisories/{id}/announcements/confirm");
    let html = tab.post(&confirm, &[("to", "all")]).await.text();
    let count = between(&html, "id=\"count-clear\"", ">", "<").expect("count");
    assert_eq!(count, "1", "{html}");
    let notices = between(&html, "id=\"count-notices\"", ">", "<").expect("count");
    assert_eq!(notices, "0");
    assert!(
        html.contains("1 recipient gets the advisory unencrypted"),
        "{html}"
    );
    let sent = tab
        .post(
            &format!("/admin/advisories/{id}/announcements"),
            &[("to", "all")],
        )
        .await;
    assert_eq!(sent.status, SEE_OTHER, "{}", sent.text());
    let location = sent.header("location").expect("location").to_owned();
    let html = tab.get(&location).await.text();
    let row = between(&html, "kim@plain.example", "", "</tr>").expect("kim's row");
    assert!(row.contains("clear text"), "{row}");
    assert!(row.contains(&format!("(allowed by {ADMIN} on ")), "{row}");
    assert!(
        row.contains("Their gateway cannot decrypt &lt;yet&gt;.)"),
        "{row}"
    );

    // Withdrawn: gone from the member page, kept on the announcement.
    let gone = tab.post(&withdraw, &[]).await;
    assert_eq!(gone.status, SEE_OTHER, "{}", gone.text());
    let html = tab.get(&page).await.text();
    assert!(!html.contains("Clear text allowed"), "{html}");
    assert!(html.contains(&format!("action=\"{action}\"")));
    let again = tab.post(&withdraw, &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let html = tab.get(&location).await.text();
    assert!(html.contains(&format!("(allowed by {ADMIN} on ")), "{html}");
}
