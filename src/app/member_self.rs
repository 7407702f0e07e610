//! A member contact runs their own organisation: sees it, adds and removes
//! contacts, and can leave the list.

use serde_json::json;

use super::AppState;
use super::membership::{MembershipError, add_contact_account, remove_member};
use crate::db::audit::{self, Actor};
use crate::db::members::{self, ContactRow, Member};
use crate::domain::fields::FieldErrors;
use crate::domain::id::{AccountId, MemberId};
use crate::domain::membership::{ContactInput, MemberStatus, OrganizationInput};

/// The account's active member organisation, or Forbidden.
async fn own_member(
    conn: &mut sqlx::AnyConnection,
    account: &AccountId,
) -> Result<Member, MembershipError> {
    members::member_of(conn, account)
        .await?
        .filter(|m| m.status == MemberStatus::Active)
        .ok_or(MembershipError::Forbidden(
            "only contacts of an active member run its organisation",
        ))
}

/// The organisation and its contacts.
pub async fn overview(
    state: &AppState,
    account: &AccountId,
) -> Result<(Member, Vec<ContactRow>), MembershipError> {
    let mut conn = state.db.conn().await?;
    let member = own_member(&mut conn, account).await?;
    let contacts = members::contacts(&mut conn, &member.id).await?;
    Ok((member, contacts))
}

/// Adds a contact; they get a set-up link and must accept the policy
/// before they see anything embargoed.
pub async fn add_contact(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    input: ContactInput,
) -> Result<AccountId, MembershipError> {
    let mut tx = state.db.begin().await?;
    let member = own_member(&mut tx, account).await?;
    // Reuse the organisation checks for one contact.
    let org = OrganizationInput {
        organization: member.organization.clone(),
        website: member.website.clone(),
        security_alias: member.security_alias.clone(),
        contacts: vec![input],
    };
    let mut e = FieldErrors::new();
    let checked = org.validate(&mut e);
    e.into_result().map_err(MembershipError::Invalid)?;
    let contact = checked
        .and_then(|o| o.contacts.into_iter().next())
        .ok_or(MembershipError::NotFound)?;
    let id = MemberId::parse(&member.id).map_err(anyhow::Error::from)?;
    let new =
        add_contact_account(&mut tx, state, actor, &id, &member.organization, &contact).await?;
    tx.commit().await?;
    Ok(new)
}

/// Removes a contact of the account's own organisation (not the last one).
pub async fn remove_contact(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    target: &str,
) -> Result<(), MembershipError> {
    let mut tx = state.db.begin().await?;
    let member = own_member(&mut tx, account).await?;
    if !members::lock_active(&mut tx, &member.id).await? {
        return Err(MembershipError::Forbidden(
            "only contacts of an active member run its organisation",
        ));
    }
    // Read again under the lock: a concurrent removal may have taken the
    // caller (or the target) off the member meanwhile.
    let member = own_member(&mut tx, account).await?;
    let contacts = members::contacts(&mut tx, &member.id).await?;
    if !contacts.iter().any(|c| c.account_id == target) {
        return Err(MembershipError::NotFound);
    }
    if contacts.len() == 1 || !members::remove_contact(&mut tx, &member.id, target).await? {
        return Err(MembershipError::Conflict(
            "the last contact cannot be removed: add another first, or leave the list".into(),
        ));
    }
    audit::append(
        &mut tx,
        actor,
        "member.contact_removed",
        &member.id,
        json!({ "account": target }),
    );
    tx.commit().await?;
    Ok(())
}

/// The organisation leaves the list at its own request.
pub async fn leave(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    reason: &str,
) -> Result<(), MembershipError> {
    let mut conn = state.db.conn().await?;
    let member = own_member(&mut conn, account).await?;
    drop(conn);
    let reason = match reason.trim() {
        "" => "left the list at its own request".to_owned(),
        r => format!("left the list at its own request: {r}"),
    };
    remove_member(state, actor, &member.id, &reason).await
}
