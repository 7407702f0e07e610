//! Announcing an embargoed advisory to the list: one delivery per cleared
//! contact, written with its job in the announcement's transaction, then
//! sent by the job runner, each recipient their own message.

mod compose;
mod fanout;
mod recipients;
mod recovery;
mod signers;

use serde_json::json;

use super::AppState;
use crate::db::announcements::{self as store, NewAnnouncement, NewDelivery, Recipient};
use crate::db::audit::{self, Actor};
use crate::db::{self, advisories, members};
use crate::domain::advisory::AdvisoryId;
use crate::domain::announcement::{
    DeliveryKind, DeliveryState, NotAnnounceable, Purpose, check_announceable,
};
use crate::domain::email::EmailAddress;
use crate::domain::fields::FieldErrors;
use crate::domain::id::{AnnouncementId, DeliveryId};
use crate::jobs::{self, Job};
use crate::mail::message_id::message_id_for;

/// The templates a delivery may be rendered with.
const ANNOUNCEMENT_TEMPLATES: [&str; 5] = [
    "announcement",
    "announcement_notice",
    "leak_notice",
    "embargo_changed",
    "embargo_lifted",
];

pub use fanout::Fanout;
pub use recovery::{gave_up, retried};

#[derive(Debug, thiserror::Error)]
pub enum AnnounceError {
    #[error("no such advisory")]
    NotFound,
    #[error(transparent)]
    NotAnnounceable(#[from] NotAnnounceable),
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Names a member that is not active (409).
    #[error("names a member that is not active")]
    Conflicts(FieldErrors),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AnnounceError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// What an announcement was: its id and how many recipients it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    pub id: AnnouncementId,
    pub recipients: usize,
}

/// Announces an embargoed advisory to the cleared contacts of `members`
/// (all active members when `None`), with an optional Markdown `note`.
pub async fn announce(
    state: &AppState,
    actor: &Actor,
    advisory: &str,
    note: &str,
    chosen: Option<&[String]>,
) -> Result<Announced, AnnounceError> {
    let advisory = AdvisoryId::parse(advisory).map_err(|_| AnnounceError::NotFound)?;
    let now = db::now();
    let mut tx = state.db.begin().await?;
    let row = advisories::get(&mut tx, &advisory)
        .await?
        .ok_or(AnnounceError::NotFound)?;
    check_announceable(row.state)?;
    let selection = recipients::choose(&mut tx, chosen, now).await?;
    let recipients = &selection.recipients;
    let (id, counts) = fan_out(
        &mut tx,
        state,
        actor,
        &advisory,
        Purpose::Advisory,
        note.trim(),
        recipients,
    )
    .await?;
    // Need-to-know: the chosen members, and only they, may read it now.
    selection
        .add_to_audience(&mut tx, advisory.as_str(), id.as_str(), now)
        .await?;
    advisories::mark_distributed(&mut tx, &advisory, now).await?;
    audit::append(
        &mut tx,
        actor,
        "advisory.announced",
        advisory.as_str(),
        json!({
            "announcement": id.as_str(), "recipients": recipients.len(),
            "encrypted": counts.encrypted, "notices": counts.notices, "clear": counts.clear,
            "members": chosen.map(<[String]>::len),
        }),
    );
    tx.commit().await?;
    state.wake_runner();
    tracing::info!(advisory.id = %advisory, announcement.id = %id, recipients = recipients.len(), "advisory announced");
    Ok(Announced {
        id,
        recipients: recipients.len(),
    })
}

/// How many deliveries of each kind a fan-out wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub encrypted: usize,
    pub notices: usize,
    /// The advisory in clear, signed: allowed by an admin, no usable key.
    pub clear: usize,
}

impl Counts {
    fn of(kinds: impl Iterator<Item = DeliveryKind>) -> Self {
        let mut counts = Self::default();
        for kind in kinds {
            match kind {
                DeliveryKind::Encrypted => counts.encrypted += 1,
                DeliveryKind::Notice => counts.notices += 1,
                DeliveryKind::Clear => counts.clear += 1,
            }
        }
        counts
    }
}

/// Writes an announcement with one delivery and one job per recipient, in
/// the caller's transaction.
async fn fan_out(
    tx: &mut db::Tx,
    state: &AppState,
    actor: &Actor,
    advisory: &AdvisoryId,
    purpose: Purpose,
    note: &str,
    recipients: &[Recipient],
) -> anyhow::Result<(AnnouncementId, Counts)> {
    let now = db::now();
    let domain = security_domain(state)?;
    let id = AnnouncementId::generate();
    let ids: Vec<(DeliveryId, String)> = recipients
        .iter()
        .map(|_| {
            let d = DeliveryId::generate();
            let message_id = message_id_for(&format!("deliver:{}", d.as_str()), &domain);
            (d, message_id)
        })
        .collect();
    let deliveries: Vec<NewDelivery> = recipients
        .iter()
        .zip(&ids)
        .map(|(r, (d, message_id))| NewDelivery {
            id: d.as_str(),
            recipient: r,
            kind: purpose.delivery_kind(r.has_key, r.clear_text.is_some()),
            message_id,
        })
        .collect();
    // Every copy is written with the texts of this moment, however long
    // the fan-out takes.
    let templates = super::templates::snapshot(tx, &ANNOUNCEMENT_TEMPLATES).await?;
    let templates = serde_json::to_string(&templates)?;
    store::insert(
        tx,
        &NewAnnouncement {
            id: id.as_str(),
            advisory_id: advisory.as_str(),
            purpose,
            note,
            created_by: &actor.who,
            created_at: now,
            recipients: recipients.len() as i64,
            templates: &templates,
        },
    )
    .await?;
    store::insert_deliveries(tx, id.as_str(), &deliveries, now).await?;
    // The allowance as it stands now, so the record says why even once it
    // is withdrawn. Few deliveries are clear: one statement each.
    for d in deliveries.iter().filter(|d| d.kind == DeliveryKind::Clear) {
        if let Some(allowance) = &d.recipient.clear_text {
            db::clear_text::record_on_delivery(tx, d.id, allowance).await?;
        }
    }
    let jobs: Vec<Job> = ids
        .iter()
        .map(|(d, _)| Job::Deliver {
            delivery: d.as_str().to_owned(),
        })
        .collect();
    jobs::enqueue_many(tx, &state.config.jobs, &jobs, now).await?;
    Ok((id, Counts::of(deliveries.iter().map(|d| d.kind))))
}

/// Tells everyone the advisory was announced to, and who is still cleared,
/// that its embargo moved (`EmbargoChanged`, with `reason`) or lifted
/// (`EmbargoLifted`), in the caller's transaction: the change and its
/// notices commit together. Nothing when it was never announced.
pub async fn follow_up(
    tx: &mut db::Tx,
    state: &AppState,
    actor: &Actor,
    advisory: &AdvisoryId,
    purpose: Purpose,
    reason: &str,
) -> anyhow::Result<usize> {
    let earlier = store::earlier_recipients(tx, advisory.as_str()).await?;
    if earlier.is_empty() {
        return Ok(0);
    }
    let mut recipients = match members::current_policy(tx).await? {
        Some((version, _, _)) => store::cleared_contacts(tx, version, db::now()).await?,
        None => Vec::new(),
    };
    recipients.retain(|r| earlier.contains(&r.account_id));
    let (id, _) = fan_out(tx, state, actor, advisory, purpose, reason, &recipients).await?;
    tracing::info!(advisory.id = %advisory, announcement.id = %id, purpose = purpose.as_str(), recipients = recipients.len(), "follow-up queued");
    Ok(recipients.len())
}

/// What an announcement would do, counted without sending or writing
/// anything: the confirmation an admin sees before announcing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Preview {
    /// Recipients with a usable key: they get the advisory, encrypted.
    pub encrypted: usize,
    /// Recipients without one: they get only the notice.
    pub notices: usize,
    /// Recipients without one whom an admin allowed clear text: they get
    /// the advisory unencrypted, signed by the list key.
    pub clear: usize,
    /// Contacts of the chosen members who have not accepted the current
    /// policy: they get nothing.
    pub not_accepted: usize,
}

impl Preview {
    pub fn recipients(&self) -> usize {
        self.encrypted + self.notices + self.clear
    }
}

/// Counts whom [`announce`] would send `advisory` to for the same
/// `chosen` members, and refuses what it would refuse (not embargoed, not
/// an active member). The answer holds for now: a contact may accept the
/// policy or upload a key before the announcement is made.
pub async fn preview(
    state: &AppState,
    advisory: &str,
    chosen: Option<&[String]>,
) -> Result<Preview, AnnounceError> {
    let advisory = AdvisoryId::parse(advisory).map_err(|_| AnnounceError::NotFound)?;
    let now = db::now();
    let mut conn = state.db.conn().await?;
    let row = advisories::get(&mut conn, &advisory)
        .await?
        .ok_or(AnnounceError::NotFound)?;
    check_announceable(row.state)?;
    let chosen = recipients::choose(&mut conn, chosen, now).await?;
    let recipients = &chosen.recipients;
    let mut unaccepted = store::unaccepted_contacts(&mut conn, chosen.policy_version).await?;
    unaccepted.retain(|m| chosen.includes(m));
    let counts = Counts::of(
        recipients
            .iter()
            .map(|r| DeliveryKind::for_recipient(r.has_key, r.clear_text.is_some())),
    );
    Ok(Preview {
        encrypted: counts.encrypted,
        notices: counts.notices,
        clear: counts.clear,
        not_accepted: unaccepted.len(),
    })
}

fn security_domain(state: &AppState) -> anyhow::Result<String> {
    let security = EmailAddress::parse(&state.config.security_address)
        .map_err(|e| anyhow::anyhow!("security_address: {e}"))?;
    Ok(security.domain().to_owned())
}

/// The `deliver` job: sends one recipient their copy and records how it
/// went. A delivery that finished (sent, bounced, failed) is not sent again.
/// Its state changes are committed together with those of the other
/// deliveries running at the time ([`Fanout`]); it is `sending` before the
/// message leaves and `sent` only once the server accepted it.
pub async fn deliver(state: &AppState, delivery: &str, last: bool) -> anyhow::Result<()> {
    let Some(started) = state.fanout.start(delivery, db::now()).await? else {
        return Ok(());
    };
    let result = async {
        let mail = compose::compose(state, &started).await?;
        super::super::jobs::send_mail::deliver(state, &mail).await
    }
    .await;
    let (next, answer) = match &result {
        Ok(reply) => (DeliveryState::Sent, reply.clone()),
        Err(e) => (
            DeliveryState::after_failure(jobs::is_permanent(e), last),
            format!("{e:#}"),
        ),
    };
    state
        .fanout
        .finish(&started.delivery.id, next, answer, db::now())
        .await?;
    result.map(drop)
}
