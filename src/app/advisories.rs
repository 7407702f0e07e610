//! Advisory use cases: create, edit (every edit kept), set the embargo under
//! the policy, publish (scheduled or now) and withdraw. Each is one
//! transaction with its jobs and audit events.

use serde_json::{Value, json};

use super::AppState;
use super::mailer::{self, Mail};
use super::public_documents;
use crate::db::advisories::{self as store, AdvisoryRow, NewAdvisory, Revision};
use crate::db::audit::{self, Actor};
use crate::db::{self, reports};
use crate::domain::advisory::{
    AdvisoryId, AdvisoryState, Content, ScoredSeverity, StateError, editable_fields, refused_field,
    reporter_credit,
};
use crate::domain::embargo::{Violation, Warning};
use crate::domain::fields::FieldErrors;
use crate::domain::id::ReportId;
use crate::domain::mail_kind::MailKind;

#[derive(Debug, thiserror::Error)]
pub enum AdvisoryError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The request names a record that does not exist (409).
    #[error("names a record that does not exist")]
    Conflicts(FieldErrors),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("the embargo breaks the policy: {}", violations.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("; "))]
    Policy {
        violations: Vec<Violation>,
        warnings: Vec<Warning>,
    },
    #[error("no such advisory")]
    NotFound,
    #[error("the advisory changed meanwhile; reload and try again")]
    Stale,
    /// The request cannot be carried out as things stand (409).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AdvisoryError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> AdvisoryError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    AdvisoryError::Invalid(e)
}

/// Parses OSV-shaped JSON into content; shape errors name the body.
pub fn parse_content(value: Value) -> Result<Content, AdvisoryError> {
    serde_json::from_value(value).map_err(|e| invalid("body", e.to_string()))
}

/// Creates a draft. From a report, the reporter is credited only with consent.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    mut content: Content,
    report_id: Option<&str>,
) -> Result<AdvisoryId, AdvisoryError> {
    let mut tx = state.db.begin().await?;
    if let Some(rid) = report_id {
        let id = ReportId::parse(rid).map_err(|_| invalid("report_id", "is not a report id"))?;
        let report = reports::get(&mut tx, &id).await?.ok_or_else(|| {
            let mut f = FieldErrors::new();
            f.add("report_id", "no such report");
            AdvisoryError::Conflicts(f)
        })?;
        let credit = reporter_credit(
            report.credit_consent,
            &content.credits,
            report.reporter_name.as_deref(),
            report.github.as_deref(),
        );
        content.credits.extend(credit);
    }
    content.validate().map_err(AdvisoryError::Invalid)?;
    let year = crate::clock::timestamp()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .year();
    let (id, seq) = store::next_id(&mut tx, &state.config.advisories.id_prefix, year).await?;
    let json = serde_json::to_string(&content).map_err(anyhow::Error::from)?;
    store::insert(
        &mut tx,
        NewAdvisory {
            id: &id,
            year,
            seq,
            content: &json,
            report_id,
        },
    )
    .await?;
    let rev = Revision {
        number: 1,
        actor: &actor.who,
        reason: "created",
        changed: "[]",
        content: &json,
    };
    store::insert_revision(&mut tx, &id, &rev).await?;
    audit::append(
        &mut tx,
        actor,
        "advisory.created",
        id.as_str(),
        json!({ "report": report_id }),
    );
    super::github::link_default(&mut tx, state, &id).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn load(state: &AppState, id: &str) -> Result<AdvisoryRow, AdvisoryError> {
    let id = AdvisoryId::parse(id).map_err(|_| AdvisoryError::NotFound)?;
    let mut conn = state.db.conn().await?;
    store::get(&mut conn, &id)
        .await?
        .ok_or(AdvisoryError::NotFound)
}

/// The content of a stored advisory with its scored severities.
pub fn content_of(row: &AdvisoryRow) -> Result<(Content, Vec<ScoredSeverity>), AdvisoryError> {
    let content: Content = serde_json::from_str(&row.content).map_err(anyhow::Error::from)?;
    // Stored content was valid when written; scoring again is cheap and pure.
    let scored = content.scored();
    Ok((content, scored))
}

/// Replaces the top-level fields `patch` names, keeping the edit as a new
/// revision. A published advisory's correction is public at once.
pub async fn edit(
    state: &AppState,
    actor: &Actor,
    id: &str,
    patch: &serde_json::Map<String, Value>,
    reason: &str,
) -> Result<Vec<String>, AdvisoryError> {
    let row = load(state, id).await?;
    let mut tx = state.db.begin().await?;
    let edit = edit_in(&mut tx, state, actor, &row, patch, reason).await?;
    tx.commit().await?;
    state.wake_runner();
    Ok(edit.changed)
}

/// What an edit changed, and the revision it made (the row's own when it
/// changed nothing).
pub struct Edited {
    pub changed: Vec<String>,
    pub revision: i64,
}

/// [`edit`] of `row` as read, inside the caller's transaction (so another
/// change can commit with it): stale if the advisory changed since.
pub async fn edit_in(
    tx: &mut db::Tx,
    state: &AppState,
    actor: &Actor,
    row: &AdvisoryRow,
    patch: &serde_json::Map<String, Value>,
    reason: &str,
) -> Result<Edited, AdvisoryError> {
    row.state.edit()?;
    let mut merged: Value = serde_json::from_str(&row.content).map_err(anyhow::Error::from)?;
    let editable = editable_fields(row.state);
    if let Some(key) = refused_field(row.state, patch.keys().map(String::as_str)) {
        return Err(invalid(
            key,
            format!("cannot be edited; editable fields: {}", editable.join(", ")),
        ));
    }
    // In the content's own field order, whatever order the patch had.
    let mut changed = Vec::new();
    for key in editable {
        if let Some(value) = patch.get(*key)
            && merged.get(*key) != Some(value)
        {
            changed.push((*key).to_owned());
            merged[*key] = value.clone();
        }
    }
    let mut content = parse_content(merged)?;
    content.validate().map_err(AdvisoryError::Invalid)?;
    if changed.is_empty() {
        let revision = row.revision;
        return Ok(Edited { changed, revision });
    }
    let reason = match reason.trim() {
        "" => "edited",
        r => r,
    };
    let json = serde_json::to_string(&content).map_err(anyhow::Error::from)?;
    let changed_json = serde_json::to_string(&changed).map_err(anyhow::Error::from)?;
    let rev = Revision {
        number: row.revision + 1,
        actor: &actor.who,
        reason,
        changed: &changed_json,
        content: &json,
    };
    if !store::update_content(tx, &row.id, row.state, &rev).await? {
        return Err(AdvisoryError::Stale);
    }
    if row.state.edit_is_correction() {
        store::add_publication(
            tx,
            &row.id,
            db::now(),
            &format!("Updated {}: {reason}", changed.join(", ")),
        )
        .await?;
        public_documents::refresh(tx, state, &row.id).await?;
    }
    audit::append(
        tx,
        actor,
        "advisory.edited",
        row.id.as_str(),
        json!({ "revision": rev.number, "changed": changed, "reason": reason }),
    );
    super::github::changed(tx, state, &row.id).await?;
    Ok(Edited {
        changed,
        revision: rev.number,
    })
}

/// Publishes now (an admin's early publication).
pub async fn publish_now(
    state: &AppState,
    actor: &Actor,
    id: &str,
    reason: &str,
) -> Result<(), AdvisoryError> {
    let row = load(state, id).await?;
    row.state.publish()?;
    if reason.trim().is_empty() {
        return Err(invalid("reason", "is required"));
    }
    let mut tx = state.db.begin().await?;
    if !publish_in(&mut tx, state, &row, None, actor, reason.trim()).await? {
        return Err(AdvisoryError::Stale);
    }
    tx.commit().await?;
    state.wake_runner();
    Ok(())
}

/// The `lift_embargo` job: publishes if the embargo it was scheduled for
/// still stands. A moved embargo leaves its old job a no-op.
pub async fn lift_embargo(state: &AppState, advisory: &str, until: i64) -> anyhow::Result<()> {
    let id = AdvisoryId::parse(advisory)?;
    let mut tx = state.db.begin().await?;
    let Some(row) = store::get(&mut tx, &id).await? else {
        return Ok(());
    };
    if row.state != AdvisoryState::Embargoed || row.embargo_until != Some(until) {
        return Ok(());
    }
    let published = publish_in(
        &mut tx,
        state,
        &row,
        Some(until),
        &Actor::system(),
        "embargo lifted",
    )
    .await?;
    tx.commit().await?;
    if published {
        let late = db::now().saturating_sub(until) as f64 / 1e6;
        state.metrics.record_lift_lateness(late);
        // Published on GitHub in the same job, after embargo's own
        // publication is committed: GitHub can delay only itself.
        super::github::after_lift(state, advisory).await;
    }
    Ok(())
}

/// The publication itself, inside the caller's transaction: state, first
/// public version, announcement, audit. False when someone else published.
async fn publish_in(
    conn: &mut db::Tx,
    state: &AppState,
    row: &AdvisoryRow,
    scheduled_for: Option<i64>,
    actor: &Actor,
    reason: &str,
) -> Result<bool, AdvisoryError> {
    let now = db::now();
    if !store::mark_published(conn, &row.id, row.state, scheduled_for, now).await? {
        return Ok(false);
    }
    store::add_publication(conn, &row.id, now, "Initial publication").await?;
    if let (None, Some(until)) = (scheduled_for, row.embargo_until) {
        // Published early: the lift it had is left with nothing to do.
        let lift = crate::jobs::Job::LiftEmbargo {
            advisory: row.id.to_string(),
            until,
        };
        store::drop_stale_lift(conn, &lift.idempotency_key(), now).await?;
    }
    // Never fails on a rendering error, so the lift is not held up by one.
    public_documents::refresh(conn, state, &row.id).await?;
    let (content, scored) = content_of(row)?;
    let announce = &state.config.advisories.announce_address;
    if !announce.is_empty() {
        let site = state.config.site();
        mailer::queue(
            conn,
            state,
            Mail::new(format!("published:{}", row.id), MailKind::AdvisoryPublished, json!({
                    "id": row.id.as_str(), "summary": content.summary, "details": content.details,
                    "url": site.advisory_url(&row.id), "aliases": content.aliases, "severity": scored,
                    "fixed_versions": content.fixed_versions(),
                }), vec![announce.clone()]),
        )
        .await?;
    }
    super::announcements::follow_up(
        conn,
        state,
        actor,
        &row.id,
        crate::domain::announcement::Purpose::EmbargoLifted,
        reason,
    )
    .await?;
    super::github::changed(conn, state, &row.id).await?;
    let late_ms = scheduled_for.map(|t| (now - t) / 1000);
    audit::append(
        conn,
        actor,
        "advisory.published",
        row.id.as_str(),
        json!({ "reason": reason, "scheduled": scheduled_for.is_some(), "late_ms": late_ms }),
    );
    tracing::info!(advisory.id = %row.id, scheduled = scheduled_for.is_some(), late_ms, "advisory published");
    Ok(true)
}

/// Withdraws an advisory; a published one keeps a public tombstone.
pub async fn withdraw(
    state: &AppState,
    actor: &Actor,
    id: &str,
    reason: &str,
) -> Result<(), AdvisoryError> {
    let row = load(state, id).await?;
    row.state.withdraw()?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid(
            "reason",
            "is required: it is shown publicly for a published advisory",
        ));
    }
    let now = db::now();
    let mut tx = state.db.begin().await?;
    if !store::mark_withdrawn(&mut tx, &row.id, row.state, reason, now).await? {
        return Err(AdvisoryError::Stale);
    }
    if row.published_at.is_some() {
        store::add_publication(&mut tx, &row.id, now, &format!("Withdrawn: {reason}")).await?;
        public_documents::refresh(&mut tx, state, &row.id).await?;
    }
    audit::append(
        &mut tx,
        actor,
        "advisory.withdrawn",
        row.id.as_str(),
        json!({ "reason": reason }),
    );
    super::github::changed(&mut tx, state, &row.id).await?;
    tx.commit().await?;
    state.wake_runner();
    Ok(())
}

pub use super::advisory_embargo::{EmbargoRequest, set_embargo};
pub use super::advisory_patches::add_patch;
