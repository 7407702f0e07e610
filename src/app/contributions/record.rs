//! A member's record: what its contacts contributed, what they missed, and
//! its leaks, as the member's page and its yearly review show it.

use super::ContributionError;
use crate::app::AppState;
use crate::db::member_record::{self as store, MemberRecord};
use crate::db::members;

/// The record of an existing member (any state: a removed member's record
/// stays readable to the admins).
pub async fn of_member(state: &AppState, member: &str) -> Result<MemberRecord, ContributionError> {
    let mut conn = state.db.conn().await?;
    members::get(&mut conn, member)
        .await?
        .ok_or(ContributionError::NotFound)?;
    Ok(store::get(&mut conn, member).await?)
}
