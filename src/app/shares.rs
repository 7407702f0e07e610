//! Need-to-know shares: a cleared member contact brings in one colleague
//! (a delegate) for one embargoed advisory announced to their organisation.
//! The colleague gets a set-up link and nothing of the advisory; they read
//! it once they accepted the policy and the share's terms, until it is
//! revoked, published, or the sharing member leaves the list.

use serde_json::json;
use sqlx::AnyConnection;

use super::AppState;
use super::mailer::{self, Mail};
use crate::db::audit::{self, Actor};
use crate::db::shares::{self as store, NewShare, ShareRow};
use crate::db::{self, accounts, advisories, members};
use crate::domain::account::Role;
use crate::domain::advisory::{AdvisoryId, AdvisoryState};
use crate::domain::email::EmailAddress;
use crate::domain::fields::FieldErrors;
use crate::domain::id::{AccountId, MemberId, ShareId};
use crate::domain::mail_kind::MailKind;
use crate::domain::secret::Secret;
use crate::domain::share::Delegate;

#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error("no such share or advisory")]
    NotFound,
    /// The share cannot be made or changed as asked (409).
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ShareError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// The facts that decide a delegate's access, for the authorization actor.
pub async fn delegate_facts(
    conn: &mut AnyConnection,
    account: &AccountId,
) -> anyhow::Result<Delegate> {
    let accepted = match members::current_policy(conn).await? {
        Some((version, _, _)) => members::has_accepted(conn, account, version).await?,
        None => false,
    };
    Ok(Delegate {
        accepted_current_policy: accepted,
        shares: store::live_for_delegate(conn, account.as_str()).await?,
    })
}

/// What a member contact fills in to share.
pub struct ShareInput<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub reason: &'a str,
}

/// `sharer` (a cleared contact of `member`, which is in the advisory's
/// audience: the handler asked `authorize`) shares embargoed `advisory`
/// with a colleague. The colleague's delegate account is made if needed
/// and gets an invitation naming nothing of the advisory.
pub async fn share(
    state: &AppState,
    actor: &Actor,
    sharer: &AccountId,
    member: &MemberId,
    advisory: &AdvisoryId,
    input: ShareInput<'_>,
) -> Result<ShareId, ShareError> {
    let mut errors = FieldErrors::new();
    let email = EmailAddress::parse(input.email);
    if let Err(e) = &email {
        errors.add("email", e.to_string());
    }
    let name = input.name.trim();
    if name.is_empty() {
        errors.add("name", "is required: whom the advisory is shared with");
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        errors.add("reason", "is required: why they need to know");
    }
    let Ok(email) = email else {
        return Err(ShareError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ShareError::Invalid(errors));
    }
    let mut tx = state.db.begin().await?;
    let row = advisories::get(&mut tx, advisory)
        .await?
        .ok_or(ShareError::NotFound)?;
    if row.state != AdvisoryState::Embargoed {
        return Err(ShareError::Conflict(format!(
            "only an embargoed advisory can be shared; this one is {}",
            row.state.as_str()
        )));
    }
    let (delegate, fresh) = match accounts::by_email(&mut tx, email.as_str()).await? {
        Some(a) if a.role == Role::Delegate && !a.disabled => (a.id, false),
        Some(_) => {
            return Err(ShareError::Conflict(format!(
                "{email} has an account on the list already; a share is for colleagues who do not"
            )));
        }
        None => (
            accounts::insert(&mut tx, &email, Role::Delegate).await?,
            true,
        ),
    };
    let id = ShareId::generate();
    let now = db::now();
    store::insert(
        &mut tx,
        &NewShare {
            id: id.as_str(),
            advisory_id: advisory.as_str(),
            member_id: member.as_str(),
            shared_by: sharer.as_str(),
            delegate_id: delegate.as_str(),
            name,
            reason,
            created_at: now,
        },
    )
    .await?;
    let org = members::get(&mut tx, member.as_str())
        .await?
        .map(|m| m.organization)
        .unwrap_or_default();
    let setup_url = if fresh {
        let link = Secret::generate();
        let expires = now + db::seconds(super::auth::SETUP_LINK_HOURS * 3600);
        accounts::insert_setup_link(&mut tx, &delegate, &link.hash(), expires).await?;
        Some(format!("{}/setup/{}", state.config.base(), link.expose()))
    } else {
        None
    };
    mailer::queue(
        &mut tx,
        state,
        Mail::new(
            format!("share_invitation:{id}"),
            MailKind::ShareInvitation,
            json!({
                "name": name, "organization": org, "setup_url": setup_url,
                "login_url": format!("{}/login", state.config.base()),
                "policy_url": format!("{}/policy", state.config.base()),
                "share_id": id.as_str(),
            }),
            vec![email.to_string()],
        ),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        "share.created",
        advisory.as_str(),
        json!({ "share": id.as_str(), "member": member.as_str(), "delegate": delegate.as_str(), "reason": reason }),
    );
    tx.commit().await?;
    Ok(id)
}

/// An advisory's shares: all of them, or only `member`'s.
pub async fn list(
    state: &AppState,
    advisory: &AdvisoryId,
    member: Option<&MemberId>,
) -> anyhow::Result<Vec<ShareRow>> {
    let mut conn = state.db.conn().await?;
    Ok(store::for_advisory(&mut conn, advisory.as_str(), member.map(MemberId::as_str)).await?)
}

pub async fn get(state: &AppState, id: &str) -> anyhow::Result<Option<ShareRow>> {
    let mut conn = state.db.conn().await?;
    Ok(store::get(&mut conn, id).await?)
}

/// Revokes a share: the delegate's access ends with the commit.
pub async fn revoke(state: &AppState, actor: &Actor, share: &ShareRow) -> Result<(), ShareError> {
    let mut tx = state.db.begin().await?;
    if !store::revoke(&mut tx, &share.id, &actor.who, db::now()).await? {
        return Err(ShareError::Conflict("the share was revoked already".into()));
    }
    audit::append(
        &mut tx,
        actor,
        "share.revoked",
        &share.advisory_id,
        json!({ "share": share.id, "delegate": share.delegate_id }),
    );
    tx.commit().await?;
    Ok(())
}

/// The delegate accepts the share's terms.
pub async fn accept(state: &AppState, actor: &Actor, share: &ShareRow) -> Result<(), ShareError> {
    let mut tx = state.db.begin().await?;
    if !store::accept(&mut tx, &share.id, db::now()).await? {
        return Err(ShareError::Conflict("the share was revoked".into()));
    }
    audit::append(
        &mut tx,
        actor,
        "share.accepted",
        &share.advisory_id,
        json!({ "share": share.id }),
    );
    tx.commit().await?;
    Ok(())
}
