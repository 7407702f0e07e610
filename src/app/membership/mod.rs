//! Membership use cases: criteria, applications (alias confirmation, vouch,
//! decision), members (founding, removal) and the list policy.

use serde_json::json;

use super::AppState;
use super::mailer::{self, Mail};
use crate::db::audit::{self, Actor};
use crate::db::members::{self};
use crate::domain::fields::FieldErrors;
use crate::domain::id::AccountId;
use crate::domain::mail_kind::MailKind;
use crate::domain::membership::{ApplicationError, Criterion, check_criteria};

mod applications;
mod clear_text;
mod contacts;
mod review;

use applications::validate_organization;
pub use applications::{ApplicationInput, Applied, apply, confirm_alias, expire_application};
pub use clear_text::{allow_clear_text, withdraw_clear_text};
use contacts::create_member;
pub use contacts::{add_contact_account, add_member, remove_member, resend_setup_link};
pub use review::{decide, vouch};

/// The policy text a new installation starts with.
const DEFAULT_POLICY: &str = include_str!("../../../templates/policy/default.md");

#[derive(Debug, thiserror::Error)]
pub enum MembershipError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Well formed, but at odds with what is stored: the current criteria,
    /// a member that is not active, an address that has an account (409).
    #[error("conflicts with what is stored")]
    Conflicts(FieldErrors),
    #[error(transparent)]
    State(#[from] ApplicationError),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for MembershipError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// 422 naming every finding when the request breaks its own rules; else
/// 409 when it is only at odds with what is stored.
pub(super) fn refuse(own: FieldErrors, stored: FieldErrors) -> Result<(), MembershipError> {
    if own.is_empty() {
        return stored.into_result().map_err(MembershipError::Conflicts);
    }
    let mut all = own;
    all.extend(stored);
    Err(MembershipError::Invalid(all))
}

pub(super) fn invalid(field: &str, message: impl Into<String>) -> MembershipError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    MembershipError::Invalid(e)
}

/// The current criteria, seeding the configured defaults on first use.
pub async fn criteria(state: &AppState) -> anyhow::Result<(i64, Vec<Criterion>)> {
    let mut conn = state.db.conn().await?;
    if let Some(current) = members::current_criteria(&mut conn).await? {
        return Ok(current);
    }
    drop(conn);
    let mut tx = state.db.begin().await?;
    // Another process may have seeded them meanwhile; under the counter's
    // lock the check sees its commit (PostgreSQL) or it is still to come.
    crate::db::counters::lock(&mut tx, crate::db::counters::CRITERIA_VERSIONS).await?;
    if let Some(current) = members::current_criteria(&mut tx).await? {
        return Ok(current);
    }
    let items = state.config.membership.criteria.clone();
    let version = members::insert_criteria(&mut tx, &items, "system").await?;
    tx.commit().await?;
    Ok((version, items))
}

/// Publishes a new version of the criteria.
pub async fn update_criteria(
    state: &AppState,
    actor: &Actor,
    items: Vec<Criterion>,
) -> Result<i64, MembershipError> {
    check_criteria(&items).map_err(MembershipError::Invalid)?;
    let mut tx = state.db.begin().await?;
    let version = members::insert_criteria(&mut tx, &items, &actor.who).await?;
    let keys: Vec<&str> = items.iter().map(|c| c.key.as_str()).collect();
    audit::append(
        &mut tx,
        actor,
        "criteria.updated",
        &format!("criteria:{version}"),
        json!({ "keys": keys }),
    );
    tx.commit().await?;
    Ok(version)
}

/// The current policy (version, Markdown text, published at), seeding the
/// default text as version 1 on first use.
pub async fn current_policy(state: &AppState) -> anyhow::Result<(i64, String, i64)> {
    let mut conn = state.db.conn().await?;
    if let Some(p) = members::current_policy(&mut conn).await? {
        return Ok(p);
    }
    drop(conn);
    let mut tx = state.db.begin().await?;
    crate::db::counters::lock(&mut tx, crate::db::counters::POLICY_VERSIONS).await?;
    if let Some(p) = members::current_policy(&mut tx).await? {
        return Ok(p);
    }
    members::insert_policy(&mut tx, DEFAULT_POLICY, "system").await?;
    let p = members::current_policy(&mut tx)
        .await?
        .ok_or_else(|| anyhow::anyhow!("policy vanished"))?;
    tx.commit().await?;
    Ok(p)
}

/// Publishes a new policy version; contacts must accept it again and are
/// reminded by mail.
pub async fn publish_policy(
    state: &AppState,
    actor: &Actor,
    text: &str,
) -> Result<i64, MembershipError> {
    if text.trim().is_empty() {
        return Err(invalid("text", "is required"));
    }
    current_policy(state).await?;
    let mut tx = state.db.begin().await?;
    let version = members::insert_policy(&mut tx, text.trim(), &actor.who).await?;
    let to = members::contacts_without_acceptance(&mut tx, version).await?;
    for email in to {
        mailer::queue(
            &mut tx,
            state,
            Mail::new(
                format!("policy_updated:{version}:{email}"),
                MailKind::PolicyUpdated,
                json!({ "version": version, "url": format!("{}/policy", state.config.base()) }),
                vec![email],
            ),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        "policy.published",
        &format!("policy:{version}"),
        json!({}),
    );
    tx.commit().await?;
    Ok(version)
}

/// Records that `account` accepts policy `version`, which must be current.
pub async fn accept_policy(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    version: i64,
) -> Result<(), MembershipError> {
    let (current, _, _) = current_policy(state).await?;
    if version != current {
        let mut e = FieldErrors::new();
        e.add(
            "version",
            format!("the current policy is version {current}; read and accept that one"),
        );
        return Err(MembershipError::Conflicts(e));
    }
    let mut tx = state.db.begin().await?;
    if members::accept_policy(&mut tx, account, version, "accepted").await? {
        audit::append(
            &mut tx,
            actor,
            "policy.accepted",
            &format!("policy:{version}"),
            json!({ "account": account.as_str() }),
        );
    }
    tx.commit().await?;
    Ok(())
}

/// What authorization needs to know about a member contact: their
/// organisation, whether it is active, whether they accepted the current
/// policy. `None` for an account that is no member's contact.
pub async fn contact_facts(
    conn: &mut sqlx::AnyConnection,
    account: &AccountId,
) -> anyhow::Result<Option<crate::domain::authz::Contact>> {
    let Some(member) = members::member_of(conn, account).await? else {
        return Ok(None);
    };
    let accepted = match members::current_policy(conn).await? {
        Some((version, _, _)) => members::has_accepted(conn, account, version).await?,
        None => false,
    };
    Ok(Some(crate::domain::authz::Contact {
        member: crate::domain::id::MemberId::parse(&member.id)?,
        member_active: member.status == crate::domain::membership::MemberStatus::Active,
        accepted_current_policy: accepted,
    }))
}
