//! Setting or moving an advisory's embargo under the policy, and
//! scheduling its lift.

use serde_json::json;

use super::AppState;
use super::advisories::{AdvisoryError, invalid, load};
use crate::db::advisories::{self as store, EmbargoChange};
use crate::db::audit::{self, Actor};
use crate::domain::embargo::{self, Embargo, EmbargoInputError, Warning};
use crate::jobs::{self, Job};

/// What setting an embargo needs.
pub struct EmbargoRequest<'a> {
    pub until: &'a str,
    pub time_zone: &'a str,
    pub reason: &'a str,
    pub override_reason: &'a str,
}

/// Sets or moves the embargo and schedules its lift. Policy breaks are
/// refused unless an override reason is given (and recorded).
pub async fn set_embargo(
    state: &AppState,
    actor: &Actor,
    id: &str,
    req: EmbargoRequest<'_>,
) -> Result<(Embargo, Vec<Warning>), AdvisoryError> {
    let row = load(state, id).await?;
    let next = row.state.embargo()?;
    let proposal = Embargo::parse(req.until, req.time_zone).map_err(|e| match e {
        EmbargoInputError::UnknownZone(_) => invalid("time_zone", e.to_string()),
        _ => invalid("until", e.to_string()),
    })?;
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(invalid(
            "reason",
            "is required: the history keeps why the embargo was set or moved",
        ));
    }
    let now = crate::clock::timestamp();
    let first = row
        .first_distributed_at
        .and_then(|t| jiff::Timestamp::from_microsecond(t).ok());
    let (violations, warnings) =
        embargo::check(&proposal, now, first, &state.config.embargo_policy());
    let override_reason = req.override_reason.trim();
    if !embargo::admits(&violations, override_reason) {
        return Err(AdvisoryError::Policy {
            violations,
            warnings,
        });
    }
    let until = proposal.until.as_microsecond();
    let mut tx = state.db.begin().await?;
    let change = EmbargoChange {
        until,
        time_zone: &proposal.time_zone,
        actor: &actor.who,
        reason,
        override_reason,
    };
    let seen = store::Seen {
        state: row.state,
        embargo_until: row.embargo_until,
    };
    // The policy was checked against `row`; a lift or another move that
    // came since must not be overwritten (a published advisory would be
    // embargoed again).
    if !store::set_embargo(&mut tx, &row.id, seen, &change).await? {
        return Err(AdvisoryError::Stale);
    }
    let lift = Job::LiftEmbargo {
        advisory: row.id.to_string(),
        until,
    };
    jobs::enqueue(&mut tx, &state.config.jobs, &lift, until).await?;
    if let Some(old) = row.embargo_until.filter(|old| *old != until) {
        // The old instant's lift would find nothing to do.
        let stale = Job::LiftEmbargo {
            advisory: row.id.to_string(),
            until: old,
        };
        store::drop_stale_lift(&mut tx, &stale.idempotency_key(), crate::db::now()).await?;
    }
    let moved = row.embargo_until.is_some();
    if moved {
        super::announcements::follow_up(
            &mut tx,
            state,
            actor,
            &row.id,
            crate::domain::announcement::Purpose::EmbargoChanged,
            reason,
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        if moved {
            "advisory.embargo_moved"
        } else {
            "advisory.embargo_set"
        },
        row.id.as_str(),
        json!({
            "until": crate::publish::rfc3339(proposal.until), "time_zone": proposal.time_zone,
            "reason": reason, "override_reason": override_reason,
            "overridden": violations.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
            "from_state": row.state.as_str(), "to_state": next.as_str(),
        }),
    );
    super::github::changed(&mut tx, state, &row.id).await?;
    tx.commit().await?;
    state.wake_runner();
    Ok((proposal, warnings))
}
