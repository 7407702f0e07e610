//! Members: created (founding or approved) with their contacts, and removed.

use serde_json::json;

use crate::app::AppState;
use crate::app::mailer::{self, Mail};
use crate::db::audit::{self, Actor};
use crate::db::members::{self, NewMember};
use crate::db::{self, accounts};
use crate::domain::account::Role;
use crate::domain::fields::FieldErrors;
use crate::domain::id::{AccountId, MemberId};
use crate::domain::mail_kind::MailKind;
use crate::domain::membership::{Organization, OrganizationInput};
use crate::domain::secret::Secret;

/// Job kind that expires an application its alias never confirmed.
use super::*;

/// Creates a member with contact accounts; each contact gets a set-up link.
pub(super) async fn create_member(
    conn: &mut crate::db::Tx,
    state: &AppState,
    actor: &Actor,
    org: &Organization,
    application: Option<&str>,
) -> Result<MemberId, MembershipError> {
    let id = members::insert(
        conn,
        NewMember {
            organization: &org.organization,
            website: &org.website,
            security_alias: org.security_alias.as_str(),
            application_id: application,
        },
    )
    .await?;
    for c in &org.contacts {
        add_contact_account(conn, state, actor, &id, &org.organization, c).await?;
    }
    audit::append(
        conn,
        actor,
        "member.created",
        id.as_str(),
        json!({ "application": application }),
    );
    Ok(id)
}

/// Creates a contact's account on `member`, stores their key if they gave
/// one, and mails them a set-up link.
pub async fn add_contact_account(
    conn: &mut crate::db::Tx,
    state: &AppState,
    actor: &Actor,
    member: &MemberId,
    organization: &str,
    c: &crate::domain::membership::Contact,
) -> Result<AccountId, MembershipError> {
    if accounts::by_email(conn, c.email.as_str()).await?.is_some() {
        return Err(MembershipError::Conflict(format!(
            "{} already has an account",
            c.email
        )));
    }
    let account = accounts::insert(conn, &c.email, Role::Member).await?;
    members::add_contact(conn, member, &account, &c.name).await?;
    if let Some(armored) = c.openpgp_key.as_deref().filter(|k| !k.trim().is_empty()) {
        let now = crate::clock::timestamp();
        let info = crate::mail::keys::validate_certificate_blocking(
            armored,
            c.email.as_str(),
            now,
            state.config.membership.key_valid_days,
        )
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|e| invalid("openpgp_key", e.to_string()))?;
        let packet = crate::mail::keys::packet_of(armored, &info.encryption_subkey)
            .map_err(|e| anyhow::anyhow!("the key it chose: {e}"))?;
        let key = crate::db::keys::NewKey {
            fingerprint: &info.fingerprint,
            encryption_subkey: &info.encryption_subkey,
            algorithm: &info.algorithm,
            armored: armored.trim(),
            encryption_key: &packet,
            expires_at: info.expires_at.map(|t| t.as_microsecond()),
        };
        crate::db::keys::replace(conn, &account, &key).await?;
    }
    let to = (c.name.as_str(), c.email.as_str());
    mail_setup_link(conn, state, &account, to, organization).await?;
    audit::append(
        conn,
        actor,
        "member.contact_added",
        member.as_str(),
        json!({ "account": account.as_str() }),
    );
    Ok(account)
}

/// Issues `account` a fresh set-up link (any earlier unused one stops
/// working) and queues the contact set-up mail with it to (name, address).
async fn mail_setup_link(
    conn: &mut crate::db::Tx,
    state: &AppState,
    account: &AccountId,
    (name, email): (&str, &str),
    organization: &str,
) -> Result<(), MembershipError> {
    let link = Secret::generate();
    let expires = db::now() + db::seconds(crate::app::auth::SETUP_LINK_HOURS * 3600);
    accounts::insert_setup_link(conn, account, &link.hash(), expires).await?;
    mailer::queue(
        conn,
        state,
        Mail::new(
            format!("contact_setup:{account}:{expires}"),
            MailKind::ContactSetup,
            json!({
                "name": name, "organization": organization,
                "setup_url": format!("{}/setup/{}", state.config.base(), link.expose()),
                "policy_url": format!("{}/policy", state.config.base()),
            }),
            vec![email.to_owned()],
        ),
    )
    .await?;
    Ok(())
}

/// Mails a current contact of `member` who has not set up their account
/// a new set-up link; the old one stops working. Returns their address.
pub async fn resend_setup_link(
    state: &AppState,
    actor: &Actor,
    member: &str,
    contact: &str,
) -> Result<String, MembershipError> {
    let mut tx = state.db.begin().await?;
    let m = members::get(&mut tx, member)
        .await?
        .ok_or(MembershipError::NotFound)?;
    let contacts = members::contacts(&mut tx, member).await?;
    let c = contacts
        .iter()
        .find(|c| c.account_id == contact)
        .ok_or(MembershipError::NotFound)?;
    let id = AccountId::parse(&c.account_id).map_err(anyhow::Error::from)?;
    let account = accounts::by_id(&mut tx, &id)
        .await?
        .ok_or(MembershipError::NotFound)?;
    if account.password_hash.is_some() {
        return Err(MembershipError::Conflict(format!(
            "{} has already set up their account",
            c.email
        )));
    }
    if account.disabled || m.status != crate::domain::membership::MemberStatus::Active {
        return Err(MembershipError::Conflict(format!(
            "{} is not an active member",
            m.organization
        )));
    }
    let to = (c.name.as_str(), c.email.as_str());
    mail_setup_link(&mut tx, state, &id, to, &m.organization).await?;
    audit::append(
        &mut tx,
        actor,
        "member.setup_link_resent",
        member,
        json!({ "account": id.as_str() }),
    );
    tx.commit().await?;
    Ok(c.email.clone())
}

/// An admin adds a founding member directly.
pub async fn add_member(
    state: &AppState,
    actor: &Actor,
    input: &OrganizationInput,
) -> Result<MemberId, MembershipError> {
    let mut e = FieldErrors::new();
    let mut stored = FieldErrors::new();
    let mut conn = state.db.conn().await?;
    let org = validate_organization(&mut conn, state, input, &mut e, &mut stored).await?;
    drop(conn);
    super::refuse(e, stored)?;
    let Some(org) = org else {
        return Err(MembershipError::Other(anyhow::anyhow!(
            "a member without findings has no organisation"
        )));
    };
    let mut tx = state.db.begin().await?;
    let id = create_member(&mut tx, state, actor, &org, None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a member: access ends at once, a notice goes out, history stays.
pub async fn remove_member(
    state: &AppState,
    actor: &Actor,
    id: &str,
    reason: &str,
) -> Result<(), MembershipError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("reason", "is required: the member is told why"));
    }
    let mut tx = state.db.begin().await?;
    let member = members::get(&mut tx, id)
        .await?
        .ok_or(MembershipError::NotFound)?;
    if !members::mark_removed(&mut tx, id, reason).await? {
        return Err(MembershipError::Conflict(
            "the member was already removed".into(),
        ));
    }
    let contacts = members::contacts(&mut tx, id).await?;
    let disabled = members::cut_off(&mut tx, id).await?;
    let mut to: Vec<String> = contacts.into_iter().map(|c| c.email).collect();
    to.push(member.security_alias.clone());
    to.dedup();
    mailer::queue(
        &mut tx,
        state,
        Mail::new(
            format!("member_removed:{id}"),
            MailKind::MemberRemoved,
            json!({ "organization": member.organization, "reason": reason }),
            to,
        ),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        "member.removed",
        id,
        json!({ "reason": reason, "accounts_disabled": disabled }),
    );
    tx.commit().await?;
    Ok(())
}
