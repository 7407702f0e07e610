//! The admins' list of leak records, a page at a time, with a search:
//! where the navigation's "Leaks" goes.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::db::leaks;
use crate::domain::authz::Action;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::http::paging;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    before: String,
    after: String,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    Error::unless_allowed(&page.actor, Action::ManageLeaks)?;
    let window = paging::window(&q.before, &q.after)?;
    let search = q.q.trim();
    let mut conn = state.db.conn().await?;
    let found = leaks::page(&mut conn, Some(search), &window).await?;
    drop(conn);
    let pages = paging::Links::of("/admin/leaks", &[("q", search)], &window, &found);
    let ctx = json!({ "leaks": found.items, "q": search, "pages": pages });
    page.render(&state, "admin_leaks", "Leaks", ctx)
}
