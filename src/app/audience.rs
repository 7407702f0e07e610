//! Need-to-know: an embargoed advisory is read only by the cleared contacts
//! of the members chosen in its announcements (its audience). The rule is
//! `domain::authz`; this looks up the fact it takes.

use super::AppState;
use crate::db::audience;
use crate::domain::advisory::AdvisoryId;
use crate::domain::authz::Actor;

/// Whether `actor`'s member organisation is in `advisory`'s audience: the
/// `in_audience` fact of `Action::ReadAdvisory` and `Action::ShareAdvisory`.
/// One primary-key lookup for a member contact, whatever the size of the
/// list; false, without a query, for anyone else.
pub async fn in_audience(
    state: &AppState,
    actor: &Actor,
    advisory: &AdvisoryId,
) -> anyhow::Result<bool> {
    let Some(member) = actor.member() else {
        return Ok(false);
    };
    let mut conn = state.db.conn().await?;
    Ok(audience::includes(&mut conn, advisory.as_str(), member.as_str()).await?)
}
