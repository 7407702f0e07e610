//! Applications: received, confirmed by the alias, or expired. Their
//! review (vouches, the decision) is in `review`.

use std::collections::BTreeMap;

use serde_json::json;

use crate::app::AppState;
use crate::app::mailer::{self, Mail};
use crate::db::applications::{self as apps, Application, NewApplication};
use crate::db::audit::{self, Actor};
use crate::db::members::{self};
use crate::db::{self, accounts};
use crate::domain::fields::FieldErrors;
use crate::domain::mail_kind::MailKind;
use crate::domain::membership::{
    ApplicationStatus, ContactInput, Organization, OrganizationInput, check_answers,
};
use crate::domain::secret::Secret;
use crate::jobs::{self, Job};

use super::*;

/// What an applicant sends.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApplicationInput {
    #[serde(flatten)]
    pub organization: OrganizationInput,
    pub criteria: BTreeMap<String, String>,
    pub voucher: String,
}

/// An application just received: its id and the applicant's status link.
pub struct Applied {
    pub id: String,
    pub status_url: String,
}

pub(super) async fn validate_organization(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    input: &OrganizationInput,
    e: &mut FieldErrors,
    stored: &mut FieldErrors,
) -> Result<Option<Organization>, MembershipError> {
    let org = input.validate(e);
    let now = crate::clock::timestamp();
    for (i, c) in input.contacts.iter().enumerate() {
        if let Some(key) = c.openpgp_key.as_deref().filter(|k| !k.trim().is_empty())
            && let Err(err) = crate::mail::keys::validate_certificate_blocking(
                key,
                &c.email,
                now,
                state.config.membership.key_valid_days,
            )
            .await
            .map_err(anyhow::Error::from)?
        {
            e.add(&format!("contacts[{i}].openpgp_key"), err.to_string());
        }
        if accounts::by_email(conn, c.email.trim()).await?.is_some() {
            stored.add(
                &format!("contacts[{i}].email"),
                "already has an account here",
            );
        }
    }
    Ok(org)
}

/// Receives an application, mails the alias a confirmation link and
/// schedules the application's expiry.
pub async fn apply(
    state: &AppState,
    actor: &Actor,
    input: ApplicationInput,
) -> Result<Applied, MembershipError> {
    let (version, criteria) = criteria(state).await?;
    let mut e = FieldErrors::new();
    let mut stored = FieldErrors::new();
    let mut conn = state.db.conn().await?;
    let org =
        validate_organization(&mut conn, state, &input.organization, &mut e, &mut stored).await?;
    check_answers(&criteria, &input.criteria, &mut stored);
    let voucher = members::get(&mut conn, input.voucher.trim()).await?;
    if !voucher
        .as_ref()
        .is_some_and(|m| m.status == crate::domain::membership::MemberStatus::Active)
    {
        stored.add(
            "voucher",
            "must be the id of a current member (see GET /api/v1/members)",
        );
    }
    drop(conn);
    super::refuse(e, stored)?;
    let (Some(org), Some(voucher)) = (org, voucher) else {
        return Err(MembershipError::Other(anyhow::anyhow!(
            "an application without findings has no organisation or voucher"
        )));
    };

    let status_link = Secret::generate();
    let confirm_link = Secret::generate();
    let days = i64::from(state.config.membership.confirm_within_days);
    let expires_at = db::now() + db::seconds(days * 86_400);
    let contacts: Vec<ContactInput> = org
        .contacts
        .iter()
        .map(|c| ContactInput {
            name: c.name.clone(),
            email: c.email.to_string(),
            openpgp_key: c.openpgp_key.clone(),
        })
        .collect();
    let answers: BTreeMap<String, String> = input
        .criteria
        .iter()
        .map(|(k, v)| (k.clone(), v.trim().to_owned()))
        .collect();
    let mut tx = state.db.begin().await?;
    let id = apps::insert(
        &mut tx,
        NewApplication {
            organization: &org.organization,
            website: &org.website,
            security_alias: org.security_alias.as_str(),
            criteria_version: version,
            answers: &answers,
            contacts: &contacts,
            voucher_member_id: &voucher.id,
            status_hash: &status_link.hash(),
            confirm_hash: &confirm_link.hash(),
            expires_at,
        },
    )
    .await?;
    let base = state.config.base();
    let status_url = format!("{base}/applications/status/{}", status_link.expose());
    mailer::queue(
        &mut tx,
        state,
        Mail::new(format!("confirm_alias:{id}"), MailKind::ApplicationConfirmAlias, json!({
                "organization": org.organization, "confirm_url": format!("{base}/applications/confirm/{}", confirm_link.expose()),
                "status_url": status_url, "days": days,
            }), vec![org.security_alias.to_string()]),
    )
    .await?;
    let expire = Job::ExpireApplication {
        application: id.to_string(),
    };
    jobs::enqueue(&mut tx, &state.config.jobs, &expire, expires_at).await?;
    audit::append(
        &mut tx,
        actor,
        "application.received",
        id.as_str(),
        json!({ "organization": org.organization, "voucher": voucher.id, "criteria_version": version }),
    );
    tx.commit().await?;
    Ok(Applied {
        id: id.to_string(),
        status_url,
    })
}

/// The alias followed its confirmation link: the application goes to review,
/// the named member's contacts are asked to vouch, the alias hears what
/// comes next and the admins that there is an application to decide.
pub async fn confirm_alias(
    state: &AppState,
    actor: &Actor,
    token: &str,
) -> Result<Application, MembershipError> {
    let mut conn = state.db.conn().await?;
    let app = apps::by_confirm_link(&mut conn, &Secret::from_presented(token).hash())
        .await?
        .ok_or(MembershipError::NotFound)?;
    drop(conn);
    if app.status == ApplicationStatus::InReview {
        return Ok(app); // Following the link twice changes nothing.
    }
    let next = app.status.confirm()?;
    let mut tx = state.db.begin().await?;
    if !apps::set_status(&mut tx, &app.id, app.status, next).await? {
        return Err(MembershipError::Conflict(
            "the application changed meanwhile".into(),
        ));
    }
    let contacts = members::contacts(&mut tx, &app.voucher_member_id).await?;
    let base = state.config.base();
    if !contacts.is_empty() {
        mailer::queue(
            &mut tx,
            state,
            Mail::new(format!("vouch_request:{}", app.id), MailKind::VouchRequest, json!({
                    "organization": app.organization, "website": app.website,
                    "url": format!("{base}/applications/{}/vouch", app.id), "application_id": app.id,
                }), contacts.into_iter().map(|c| c.email).collect()),
        )
        .await?;
    }
    let voucher = members::get(&mut tx, &app.voucher_member_id)
        .await?
        .map(|m| m.organization)
        .unwrap_or_default();
    let received = json!({
        "organization": app.organization, "application_id": app.id,
        "voucher_organization": voucher,
    });
    let to = vec![app.security_alias.clone()];
    let mail = Mail::new(
        format!("application_received:{}", app.id),
        MailKind::ApplicationReceived,
        received,
        to,
    );
    mailer::queue(&mut tx, state, mail).await?;
    let admins = accounts::admin_addresses(&mut tx).await?;
    if !admins.is_empty() {
        // A link to the application only: its answers stay behind a login.
        let context = json!({
            "application_id": app.id, "organization": app.organization,
            "url": format!("{base}/admin/applications/{}", app.id),
        });
        let mail = Mail::new(
            format!("application_new:{}", app.id),
            MailKind::ApplicationNewForAdmins,
            context,
            admins,
        );
        mailer::queue(&mut tx, state, mail).await?;
    }
    let seconds = (db::now() - app.created_at) / 1_000_000;
    audit::append(
        &mut tx,
        actor,
        "application.alias_confirmed",
        &app.id,
        json!({ "seconds_to_confirm": seconds }),
    );
    tx.commit().await?;
    let mut conn = state.db.conn().await?;
    apps::get(&mut conn, &app.id)
        .await?
        .ok_or(MembershipError::NotFound)
}

/// The `expire_application` job.
pub async fn expire_application(state: &AppState, id: &str) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(app) = apps::get(&mut tx, id).await? else {
        return Ok(());
    };
    let Ok(next) = app.status.expire() else {
        return Ok(());
    };
    if !apps::set_status(&mut tx, id, app.status, next).await? {
        return Ok(());
    }
    mailer::queue(
        &mut tx,
        state,
        Mail::new(format!("application_expired:{id}"), MailKind::ApplicationExpired, json!({ "organization": app.organization, "apply_url": format!("{}/apply", state.config.base()) }), vec![app.security_alias.clone()]),
    )
    .await?;
    audit::append(
        &mut tx,
        &Actor::system(),
        "application.expired",
        id,
        json!({}),
    );
    tx.commit().await?;
    Ok(())
}
