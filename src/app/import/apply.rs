//! Writing a checked plan: all members in one transaction, or nothing.

use serde_json::json;

use super::*;
use crate::db::audit::{self, Actor};
use crate::db::members::{self, NewMember};

/// What an import wrote.
#[derive(Debug, Clone)]
pub struct Imported {
    /// (member id, organisation, contacts) in file order.
    pub members: Vec<(String, String, usize)>,
    pub contacts: usize,
    pub attestations: usize,
    /// The policy version attested, if any contact had a date.
    pub policy_version: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has problems; nothing was written.
    #[error("{} problems; nothing imported", .0.problems.len())]
    Problems(Box<Plan>),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// Imports `plan` in one transaction, after checking it again against the
/// database inside that transaction. `progress` is called once per contact
/// written. Mails are queued, not sent.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    mut plan: Plan,
    progress: &(dyn Fn() + Sync),
) -> Result<Imported, ImportError> {
    if !plan.problems.is_empty() {
        return Err(ImportError::Problems(Box::new(plan)));
    }
    if plan.attestation_count() > 0 {
        // Seeds the default policy on a new installation, as any first
        // read of the policy does.
        crate::app::membership::current_policy(state).await?;
    }
    let mut tx = state.db.begin().await?;
    check_existing(&mut tx, &mut plan).await?;
    if !plan.problems.is_empty() {
        return Err(ImportError::Problems(Box::new(plan)));
    }
    let version = members::current_policy(&mut tx).await?.map(|(v, _, _)| v);
    let mut done = Imported {
        members: Vec::new(),
        contacts: 0,
        attestations: 0,
        policy_version: None,
    };
    for member in &plan.members {
        let org = member
            .org
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("{}: not validated", member.at()))?;
        let id = members::insert(
            &mut tx,
            NewMember {
                organization: &org.organization,
                website: &org.website,
                security_alias: org.security_alias.as_str(),
                application_id: None,
            },
        )
        .await?;
        for (c, planned) in org.contacts.iter().zip(&member.contacts) {
            // As for any new contact: account, stored key, set-up link and mail.
            let account = crate::app::membership::add_contact_account(
                &mut tx,
                state,
                actor,
                &id,
                &org.organization,
                c,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", member.at()))?;
            if let Some(att) = &planned.attestation {
                let version = version
                    .ok_or_else(|| anyhow::anyhow!("no policy version to attest acceptance of"))?;
                if members::accept_policy(&mut tx, &account, version, "attested").await? {
                    audit::append(
                        &mut tx,
                        actor,
                        "policy.attested",
                        &format!("policy:{version}"),
                        json!({
                            "account": account.as_str(),
                            "member": id.as_str(),
                            "how": "attested",
                            "attestation": ATTESTATION,
                            "original_accepted_at": att.original,
                            "original_accepted_at_utc": att.at.to_string(),
                            "imported_from": plan.file_name,
                        }),
                    );
                    done.attestations += 1;
                    done.policy_version = Some(version);
                }
            }
            done.contacts += 1;
            progress();
        }
        audit::append(
            &mut tx,
            actor,
            "member.created",
            id.as_str(),
            json!({ "application": null, "imported_from": plan.file_name }),
        );
        done.members
            .push((id.to_string(), org.organization.clone(), org.contacts.len()));
    }
    audit::append(
        &mut tx,
        actor,
        "members.imported",
        &format!("import:{}", plan.file_name),
        json!({
            "file": plan.file_name, "sha256": plan.sha256,
            "members": done.members.len(), "contacts": done.contacts,
            "policy_attestations": done.attestations, "policy_version": done.policy_version,
        }),
    );
    tx.commit().await?;
    Ok(done)
}
