//! Asking once more before an action that cannot be undone: publishing or
//! withdrawing an advisory, removing a member or a contact. The page says
//! what will happen and who is told; only its button (`confirm=yes`) does
//! it.

use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use crate::app::AppState;
use crate::app::advisories as usecase;
use crate::db::announcements;
use crate::domain::advisory::AdvisoryState;
use crate::http::api::advisories::advisory_error;
use crate::http::error::PageError;
use crate::http::extract::Page;

/// One confirmation: what it is about, what happens, and the form to send.
#[derive(Debug, Serialize)]
pub struct Confirm<'a> {
    pub about: String,
    pub about_link: Option<String>,
    pub happens: Vec<String>,
    pub reason: &'a str,
    /// Where the button posts, with the form's own fields.
    pub action: String,
    pub fields: Vec<(&'static str, &'a str)>,
    pub button: String,
    pub cancel: String,
}

/// The confirmation page titled `title`.
pub fn render(
    state: &AppState,
    page: &Page,
    title: &str,
    c: Confirm<'_>,
) -> Result<Response, PageError> {
    let fields: Vec<_> = c
        .fields
        .iter()
        .map(|(n, v)| json!({ "name": n, "value": v }))
        .collect();
    let ctx = json!({
        "about": c.about, "about_link": c.about_link, "happens": c.happens, "reason": c.reason,
        "action": c.action, "fields": fields, "button": c.button, "cancel": c.cancel,
    });
    page.render(state, "confirm", title, ctx)
}

/// Publishing (`publish`) or withdrawing (`withdraw`) advisory `id`.
pub async fn advisory(
    state: &AppState,
    page: &Page,
    id: &str,
    action: &'static str,
    reason: &str,
) -> Result<Response, PageError> {
    let row = usecase::load(state, id).await.map_err(advisory_error)?;
    let mut conn = state.db.conn().await?;
    let told = announcements::earlier_recipients(&mut conn, row.id.as_str())
        .await?
        .len();
    drop(conn);
    let summary = serde_json::from_str::<serde_json::Value>(&row.content)
        .ok()
        .and_then(|c| c["summary"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut happens = Vec::new();
    let (title, button) = if action == "publish" {
        let mut public =
            "The advisory becomes public at once: its page, OSV and CSAF documents and the feed."
                .to_owned();
        if row.state == AdvisoryState::Embargoed {
            public.push_str(" The embargo ends now, before the agreed instant.");
        }
        happens.push(public);
        if told > 0 {
            let s = if told == 1 { "" } else { "es" };
            happens.push(format!("Everyone it was announced to ({told} address{s}) is told that it is public, with your reason."));
        }
        let announce = &state.config.advisories.announce_address;
        if !announce.is_empty() {
            happens.push(format!("The public announcement goes to {announce}."));
        }
        (format!("Publish {} now?", row.id), "Publish now")
    } else {
        happens.push(match row.state == AdvisoryState::Published {
            true => "The public page keeps a notice that the advisory was withdrawn, with your reason, for everyone to read.".into(),
            false => "The advisory is closed without being published; nothing is sent.".into(),
        });
        (format!("Withdraw {}?", row.id), "Withdraw")
    };
    let back = format!("/admin/advisories/{}", row.id);
    let confirm = Confirm {
        about: format!("{}: {summary}", row.id),
        about_link: Some(back.clone()),
        happens,
        reason,
        action: format!("{back}/{action}"),
        fields: vec![("reason", reason)],
        button: button.into(),
        cancel: back,
    };
    render(state, page, &title, confirm)
}
