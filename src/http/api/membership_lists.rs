//! The membership's two lists: the applications (for the team) and the
//! members (the full list for the team, the directory for applicants),
//! a page at a time.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::membership_schemas::{
    ApplicationList, ApplicationView, DirectoryEntryView, MemberList, MemberListItem,
    MemberWithContacts, VoucherRef,
};
use super::paging::{MemberPageQuery, PageQuery, WHOLE_LIST, next_cursor, size};
use crate::app::AppState;
use crate::db::{applications as apps, member_lists};
use crate::domain::authz::Action;
use crate::domain::membership::{ApplicationStatus, MemberView};
use crate::http::error::{ApiError, Error};
use crate::http::extract::ApiCaller;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ApplicationsQuery {
    /// awaiting_confirmation, in_review, approved, rejected or expired.
    #[param(pattern = "^(awaiting_confirmation|in_review|approved|rejected|expired)?$")]
    status: String,
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "membership", params(ApplicationsQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = ApplicationList, description = "Newest first; each as `GET /api/v1/applications/{id}` answers it, with `vouches`, `voucher` and `seconds_to_confirm`"), (status = 401), (status = 403)))]
pub async fn list_applications(
    State(state): State<AppState>,
    caller: ApiCaller,
    super::ApiQuery(q): super::ApiQuery<ApplicationsQuery>,
    super::ApiQuery(p): super::ApiQuery<PageQuery>,
) -> Result<Json<ApplicationList>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::ManageMembership)?;
    let status = match q.status.trim() {
        "" => None,
        s => Some(ApplicationStatus::parse(s).map_err(|e| Error::BadRequest(e.to_string()))?),
    };
    let window = p.window(WHOLE_LIST)?;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let page = apps::page(&mut conn, status, None, &window)
        .await
        .map_err(Error::from)?;
    let ids: Vec<&str> = page
        .items
        .iter()
        .map(|l| l.application.id.as_str())
        .collect();
    let mut vouches = apps::vouches_of(&mut conn, &ids)
        .await
        .map_err(Error::from)?;
    drop(conn);
    let mut items = Vec::with_capacity(page.items.len());
    for l in &page.items {
        let app = &l.application;
        let voucher = l.voucher.as_ref().map(|name| VoucherRef {
            id: app.voucher_member_id.clone(),
            organization: name.clone(),
        });
        let app_vouches = vouches.remove(&app.id).unwrap_or_default();
        items.push(ApplicationView::new(app, app_vouches, voucher));
    }
    Ok(Json(ApplicationList {
        items,
        next_cursor: next_cursor(&page),
    }))
}

#[utoipa::path(get, path = "/api/v1/members", tag = "membership", params(MemberPageQuery),
    responses((status = 200, body = MemberList, description = "By name: everyone sees active members' ids and names (to name a voucher; an empty list where `membership.show_members_on_apply` is off); admins see everything, with contacts")))]
pub async fn list_members(
    State(state): State<AppState>,
    caller: ApiCaller,
    super::ApiQuery(p): super::ApiQuery<MemberPageQuery>,
) -> Result<Json<MemberList>, ApiError> {
    Error::unless_allowed(&caller.actor, Action::Apply)?;
    let view = MemberView::for_actor(&caller.actor);
    let size = size(p.limit, WHOLE_LIST)?;
    let after = match p.cursor.trim() {
        "" => None,
        c => Some(
            crate::domain::id::MemberId::parse(c)
                .map_err(|_| Error::BadRequest("not a valid page cursor".into()))?,
        ),
    };
    // With the directory switched off, only those who run the membership
    // see the list.
    let shown = view == MemberView::Full || state.config.membership.show_members_on_apply;
    if !shown {
        return Ok(Json(MemberList {
            items: Vec::new(),
            next_cursor: None,
        }));
    }
    let active_only = view == MemberView::Directory;
    let mut conn = state.db.conn().await.map_err(Error::from)?;
    let (list, next) = member_lists::by_name(
        &mut conn,
        active_only,
        after.as_ref().map(|m| m.as_str()),
        size,
    )
    .await
    .map_err(Error::from)?;
    let mut contacts = match view {
        MemberView::Full => {
            let ids: Vec<&str> = list.iter().map(|m| m.id.as_str()).collect();
            member_lists::contacts_of(&mut conn, &ids)
                .await
                .map_err(Error::from)?
        }
        MemberView::Directory => Default::default(),
    };
    let mut items = Vec::with_capacity(list.len());
    for m in list.iter().filter(|m| view.lists(m.status)) {
        items.push(match view {
            MemberView::Full => MemberListItem::Full(MemberWithContacts {
                member: m.clone(),
                contacts: contacts.remove(&m.id).unwrap_or_default(),
            }),
            MemberView::Directory => MemberListItem::Directory(DirectoryEntryView::of(m)),
        });
    }
    Ok(Json(MemberList {
        items,
        next_cursor: next,
    }))
}
