//! Allowing a member contact clear text, and withdrawing it: each one
//! transaction that records the change and, last, its audit event. What
//! an allowance changes is decided in `domain::announcement`.

use serde_json::json;

use super::{MembershipError, invalid};
use crate::app::AppState;
use crate::db::audit::{self, Actor};
use crate::db::{self, clear_text as store, members};
use crate::domain::clear_text::{self, Allowance};
use crate::domain::id::{AccountId, MemberId};
use crate::domain::membership::MemberStatus;

/// `member` and `contact` as ids; a malformed one names nothing.
fn ids(member: &str, contact: &str) -> Result<(MemberId, AccountId), MembershipError> {
    let member = MemberId::parse(member).map_err(|_| MembershipError::NotFound)?;
    let contact = AccountId::parse(contact).map_err(|_| MembershipError::NotFound)?;
    Ok((member, contact))
}

/// Allows `contact`, a current contact of the active member `member`, to
/// receive embargoed advisories unencrypted (signed by the list key) while
/// they have no usable key, for `reason`. Replaces an earlier allowance.
/// Not found: no such member, or `contact` is not its current contact.
pub async fn allow_clear_text(
    state: &AppState,
    actor: &Actor,
    member: &str,
    contact: &str,
    reason: &str,
) -> Result<Allowance, MembershipError> {
    let reason = clear_text::reason(reason).map_err(|m| invalid("reason", m))?;
    let (member, contact) = ids(member, contact)?;
    let mut tx = state.db.begin().await?;
    let found = members::get(&mut tx, member.as_str())
        .await?
        .ok_or(MembershipError::NotFound)?;
    let (current, previous) = store::of_contact(&mut tx, member.as_str(), contact.as_str())
        .await?
        .ok_or(MembershipError::NotFound)?;
    if !current {
        return Err(MembershipError::NotFound);
    }
    if found.status != MemberStatus::Active {
        return Err(MembershipError::Conflict(
            "the member is no longer on the list".into(),
        ));
    }
    let allowance = Allowance {
        by: actor.who.clone(),
        at: db::now(),
        reason: reason.to_owned(),
    };
    if !store::allow(&mut tx, member.as_str(), contact.as_str(), &allowance).await? {
        return Err(MembershipError::NotFound);
    }
    audit::append(
        &mut tx,
        actor,
        "contact.clear_text_allowed",
        contact.as_str(),
        json!({ "member": member.as_str(), "reason": reason, "replaces": previous }),
    );
    tx.commit().await?;
    tracing::info!(member.id = %member, account.id = %contact, "clear text allowed");
    Ok(allowance)
}

/// Withdraws the clear-text allowance of `contact`, a contact of `member`:
/// from now on they get the notice again (or the advisory encrypted, with
/// a key), and a clear delivery not yet sent is not sent. Conflict when
/// there is none to withdraw.
pub async fn withdraw_clear_text(
    state: &AppState,
    actor: &Actor,
    member: &str,
    contact: &str,
) -> Result<Allowance, MembershipError> {
    let (member, contact) = ids(member, contact)?;
    let mut tx = state.db.begin().await?;
    // A removed contact's allowance can still be withdrawn: it is only
    // ever safer.
    let (_, previous) = store::of_contact(&mut tx, member.as_str(), contact.as_str())
        .await?
        .ok_or(MembershipError::NotFound)?;
    let not_allowed =
        || MembershipError::Conflict("clear text is not allowed for this contact".into());
    let previous = previous.ok_or_else(not_allowed)?;
    if !store::withdraw(&mut tx, member.as_str(), contact.as_str()).await? {
        return Err(not_allowed());
    }
    audit::append(
        &mut tx,
        actor,
        "contact.clear_text_withdrawn",
        contact.as_str(),
        json!({ "member": member.as_str(), "withdrawn": previous }),
    );
    tx.commit().await?;
    tracing::info!(member.id = %member, account.id = %contact, "clear text withdrawn");
    Ok(previous)
}
