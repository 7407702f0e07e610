//! The review of an application in review: the named member's contacts
//! vouch (or decline), then the team decides and the applicant hears why.

use serde_json::json;

use super::{MembershipError, create_member, invalid};
use crate::app::AppState;
use crate::app::mailer::{self, Mail};
use crate::db::applications as apps;
use crate::db::audit::{self, Actor};
use crate::domain::authz::{Action, authorize};
use crate::domain::fields::FieldErrors;
use crate::domain::id::{AccountId, MemberId};
use crate::domain::mail_kind::MailKind;
use crate::domain::membership::OrganizationInput;

/// A member contact vouches for an application (or declines to).
pub async fn vouch(
    state: &AppState,
    actor: &Actor,
    who: &crate::domain::authz::Actor,
    account: &AccountId,
    application: &str,
    vouched: bool,
    statement: &str,
) -> Result<(), MembershipError> {
    let statement = statement.trim();
    if statement.is_empty() {
        return Err(invalid(
            "statement",
            "is required: say why you vouch or decline",
        ));
    }
    let mut tx = state.db.begin().await?;
    let app = apps::get(&mut tx, application)
        .await?
        .ok_or(MembershipError::NotFound)?;
    let voucher = MemberId::parse(&app.voucher_member_id).map_err(anyhow::Error::from)?;
    // Contacts of other members get what a made-up id gets, so they cannot
    // tell which applications exist.
    if !authorize(who, Action::VouchFor(&voucher)).is_allowed() {
        return Err(MembershipError::NotFound);
    }
    app.status.review()?;
    apps::upsert_vouch(
        &mut tx,
        &app.id,
        account,
        voucher.as_str(),
        vouched,
        statement,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        if vouched {
            "application.vouched"
        } else {
            "application.vouch_declined"
        },
        &app.id,
        json!({ "member": voucher.as_str(), "statement": statement }),
    );
    tx.commit().await?;
    Ok(())
}

/// The team's decision. Approval needs a vouch from the named member
/// (criterion g); both outcomes are mailed to the applicant.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: &str,
    approve: bool,
    reason: &str,
) -> Result<Option<MemberId>, MembershipError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("reason", "is required: the applicant is told why"));
    }
    let mut tx = state.db.begin().await?;
    let app = apps::get(&mut tx, id)
        .await?
        .ok_or(MembershipError::NotFound)?;
    let next = app.status.decide(approve)?;
    let vouched = apps::vouches(&mut tx, id).await?.iter().any(|v| v.vouched);
    if approve && !vouched {
        let mut e = FieldErrors::new();
        e.add("decision", "no contact of the named member has vouched yet");
        return Err(MembershipError::Conflicts(e));
    }
    let member = if approve {
        let input = OrganizationInput {
            organization: app.organization.clone(),
            website: app.website.clone(),
            security_alias: app.security_alias.clone(),
            contacts: app.contacts.clone(),
        };
        let mut e = FieldErrors::new();
        let org = input.validate(&mut e).ok_or(MembershipError::Invalid(e))?;
        Some(create_member(&mut tx, state, actor, &org, Some(id)).await?)
    } else {
        None
    };
    if !apps::record_decision(
        &mut tx,
        id,
        next,
        &actor.who,
        reason,
        member.as_ref().map(|m| m.as_str()),
    )
    .await?
    {
        return Err(MembershipError::Conflict(
            "the application changed meanwhile".into(),
        ));
    }
    mailer::queue(
        &mut tx,
        state,
        Mail::new(
            format!("decision:{id}"),
            if approve {
                MailKind::ApplicationApproved
            } else {
                MailKind::ApplicationRejected
            },
            json!({ "organization": app.organization, "reason": reason }),
            vec![app.security_alias.clone()],
        ),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        if approve {
            "application.approved"
        } else {
            "application.rejected"
        },
        id,
        json!({ "reason": reason, "member": member.as_ref().map(|m| m.as_str()) }),
    );
    tx.commit().await?;
    Ok(member)
}
