//! The confirmation before an advisory's irreversible actions: publishing
//! and withdrawing. The page says what will happen and who gets mail;
//! only its button (`confirm=yes`) does it.

use axum::response::Response;
use serde_json::json;

use crate::app::AppState;
use crate::app::advisories as usecase;
use crate::db::announcements;
use crate::domain::advisory::AdvisoryState;
use crate::http::api::advisories::advisory_error;
use crate::http::error::PageError;
use crate::http::extract::Page;

/// The page asking to confirm `action` (`publish` or `withdraw`) of
/// advisory `id` for `reason`.
pub async fn page(
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
    let title = match action {
        "publish" => format!("Publish {} now?", row.id),
        _ => format!("Withdraw {}?", row.id),
    };
    let ctx = json!({
        "id": row.id.as_str(), "summary": summary, "action": action, "reason": reason,
        "embargoed": row.state == AdvisoryState::Embargoed,
        "published": row.state == AdvisoryState::Published,
        "told": told, "announce_address": state.config.advisories.announce_address,
    });
    page.render(state, "admin_advisory_confirm", &title, ctx)
}
