//! Liveness of members' security aliases and periodic member reviews.
//!
//! A daily `liveness_sweep` job pings every active member's alias once per
//! `membership.ping_every_days` (the first ping that long after joining)
//! with a confirm link, and tells the admins when a member's review is due
//! (`membership.review_every_days` after its last review, or after joining).
//! A ping not answered within `membership.ping_answer_days` is overdue;
//! that is derived from the times kept, not stored.
//!
//! The sweep re-enqueues itself for the next day; [`ensure_sweep`] starts
//! the chain (and restarts it should a sweep die). Every job has a key made
//! of the UTC date it runs on, so several processes make one sweep a day.

use serde_json::json;

use super::AppState;
use super::mailer::{self, Mail};
use super::membership::{self as membership, MembershipError};
use crate::db::audit::{self, Actor};
use crate::db::liveness::{self as store, NewPing, Ping, SweepRow};
use crate::db::{self, accounts, members};
use crate::domain;
use crate::domain::fields::FieldErrors;
use crate::domain::id::ReviewId;
use crate::domain::mail_kind::MailKind;
use crate::domain::membership::MemberStatus;
use crate::domain::secret::Secret;
use crate::jobs::{self, Job};

const DAY: i64 = 86_400;

async fn enqueue_sweep(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    run_at: i64,
) -> anyhow::Result<()> {
    let sweep = Job::LivenessSweep {
        date: jobs::day_of(run_at),
    };
    jobs::enqueue(conn, &state.config.jobs, &sweep, run_at).await?;
    Ok(())
}

/// Makes sure today's sweep exists: enqueues one to run now unless a sweep
/// for today's date was enqueued already (by an earlier sweep or call).
/// Cheap and idempotent; `serve` calls it at start, the liveness handlers
/// on use.
pub async fn ensure_sweep(state: &AppState) -> anyhow::Result<()> {
    let mut conn = state.db.conn().await?;
    enqueue_sweep(&mut conn, state, db::now()).await
}

/// The `liveness_sweep` job: schedules tomorrow's sweep, then sweeps.
pub async fn sweep_job(state: &AppState) -> anyhow::Result<()> {
    let mut conn = state.db.conn().await?;
    // First, so that a failing sweep still has a successor.
    enqueue_sweep(&mut conn, state, db::now() + db::seconds(DAY)).await?;
    drop(conn);
    sweep(state).await?;
    Ok(())
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub pinged: usize,
    pub reviews_due: usize,
}

/// [`domain::membership::next_ping_at`] with the configured period.
pub fn next_ping_at(state: &AppState, joined_at: i64, last_ping_at: Option<i64>) -> i64 {
    let every = state.config.membership.ping_every_days;
    domain::membership::next_ping_at(joined_at, last_ping_at, every)
}

/// [`domain::membership::review_due_at`] with the configured period.
pub fn review_due_at(state: &AppState, joined_at: i64, last_review_at: Option<i64>) -> i64 {
    let every = state.config.membership.review_every_days;
    domain::membership::review_due_at(joined_at, last_review_at, every)
}

/// Pings every active member whose ping is due and tells the admins about
/// reviews that became due. Safe to run twice: what was done is not redone.
pub async fn sweep(state: &AppState) -> anyhow::Result<Swept> {
    let now = db::now();
    let mut conn = state.db.conn().await?;
    let active = store::active_members(&mut conn).await?;
    drop(conn);
    let mut swept = Swept::default();
    for m in &active {
        if next_ping_at(state, m.joined_at, m.last_ping_at) <= now && ping(state, m, now).await? {
            swept.pinged += 1;
        }
    }
    swept.reviews_due = notify_reviews_due(state, &active, now).await?;
    Ok(swept)
}

/// Sends one ping; false when another sweep sent one since `m` was read.
async fn ping(state: &AppState, m: &SweepRow, now: i64) -> anyhow::Result<bool> {
    let cfg = &state.config.membership;
    let link = Secret::generate();
    let due_at = domain::membership::ping_answer_due_at(now, cfg.ping_answer_days);
    let mut tx = state.db.begin().await?;
    let new = NewPing {
        member_id: &m.id,
        seq: m.last_seq + 1,
        alias: &m.security_alias,
        token_hash: &link.hash(),
        sent_at: now,
        due_at,
    };
    let Some(id) = store::insert_ping(&mut tx, new).await? else {
        return Ok(false);
    };
    let base = state.config.base();
    let context = json!({
        "organization": m.organization, "confirm_url": format!("{base}/liveness/{}", link.expose()),
        "days": cfg.ping_answer_days, "every_days": cfg.ping_every_days,
    });
    let mail = Mail::new(
        format!("alias_ping:{id}"),
        MailKind::AliasPing,
        context,
        vec![m.security_alias.clone()],
    );
    mailer::queue(&mut tx, state, mail).await?;
    let detail = json!({ "ping": id.as_str(), "alias": m.security_alias, "due_at": due_at });
    audit::append(
        &mut tx,
        &Actor::system(),
        "member.alias_pinged",
        &m.id,
        detail,
    );
    tx.commit().await?;
    Ok(true)
}

/// One mail to the admins listing the members whose review became due
/// since the last sweep; returns how many.
async fn notify_reviews_due(
    state: &AppState,
    active: &[SweepRow],
    now: i64,
) -> anyhow::Result<usize> {
    let due: Vec<(&SweepRow, i64)> = active
        .iter()
        .map(|m| (m, review_due_at(state, m.joined_at, m.last_review_at)))
        .filter(|(_, at)| *at <= now)
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let mut tx = state.db.begin().await?;
    let base = state.config.base();
    let mut listed = Vec::new();
    for (m, due_at) in due {
        if !store::record_review_notice(&mut tx, &m.id, due_at).await? {
            continue;
        }
        let pings = store::pings(&mut tx, &m.id).await?;
        let unanswered = pings
            .iter()
            .filter(|p| ping_state(p, now) == "overdue")
            .count();
        audit::append(
            &mut tx,
            &Actor::system(),
            "member.review_due",
            &m.id,
            json!({ "due_at": due_at }),
        );
        listed.push(json!({
            "organization": m.organization, "url": format!("{base}/admin/members/{}", m.id),
            "due_at": due_at, "last_review_at": m.last_review_at, "unanswered_pings": unanswered,
        }));
    }
    let admins = accounts::admin_addresses(&mut tx).await?;
    if !listed.is_empty() && !admins.is_empty() {
        let context = json!({ "members": listed, "count": listed.len(), "every_days": state.config.membership.review_every_days });
        let mail = Mail::new(
            format!("review_due:{now}"),
            MailKind::ReviewDue,
            context,
            admins,
        );
        mailer::queue(&mut tx, state, mail).await?;
    }
    tx.commit().await?;
    Ok(listed.len())
}

/// `answered` (in time), `late` (answered after its due date), `overdue`
/// (unanswered past its due date) or `open`.
pub fn ping_state(p: &Ping, now: i64) -> &'static str {
    crate::domain::membership::ping_state(p.due_at, p.answered_at, now)
}

/// Hours from `sent_at` to `answered_at`, to one decimal.
pub fn response_hours(p: &Ping) -> Option<f64> {
    let micros = p.answered_at? - p.sent_at;
    Some((micros as f64 / 3.6e9 * 10.0).round() / 10.0)
}

/// How a ping stands.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PingStateName {
    /// Sent, not answered, not yet due.
    Open,
    /// Answered in time.
    Answered,
    /// Answered after it was due.
    Late,
    /// Due, not answered.
    Overdue,
}

/// A ping as the admins see it; instants in microseconds since the epoch.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PingView {
    pub id: String,
    pub seq: i64,
    /// The address it went to.
    pub alias: String,
    pub sent_at: i64,
    pub due_at: i64,
    #[schema(required = true)]
    pub answered_at: Option<i64>,
    /// To one decimal; null unless answered.
    #[schema(required = true)]
    pub response_hours: Option<f64>,
    /// Null unless answered.
    #[schema(required = true)]
    pub response_seconds: Option<i64>,
    #[schema(value_type = PingStateName)]
    pub state: &'static str,
    pub overdue: bool,
    pub late: bool,
}

/// A ping as the admins see it.
pub fn ping_view(p: &Ping, now: i64) -> PingView {
    let state = ping_state(p, now);
    PingView {
        id: p.id.clone(),
        seq: p.seq,
        alias: p.alias.clone(),
        sent_at: p.sent_at,
        due_at: p.due_at,
        answered_at: p.answered_at,
        response_hours: response_hours(p),
        response_seconds: p.answered_at.map(|a| (a - p.sent_at) / 1_000_000),
        state,
        overdue: state == "overdue",
        late: state == "late",
    }
}

/// The alias followed its ping's link.
pub struct Answered {
    pub ping: Ping,
    pub organization: String,
    /// False when the link was followed before; the first time counts.
    pub first: bool,
}

/// Records the answer to the ping whose link carries `token`.
pub async fn answer(
    state: &AppState,
    actor: &Actor,
    token: &str,
) -> Result<Answered, MembershipError> {
    let hash = Secret::from_presented(token).hash();
    let mut tx = state.db.begin().await?;
    let (ping, first) = store::answer(&mut tx, &hash, db::now())
        .await?
        .ok_or(MembershipError::NotFound)?;
    let member = members::get(&mut tx, &ping.member_id).await?;
    if first {
        let detail = json!({
            "ping": ping.id, "response_seconds": ping.answered_at.map(|a| (a - ping.sent_at) / 1_000_000),
            "late": ping_state(&ping, db::now()) == "late",
        });
        audit::append(
            &mut tx,
            actor,
            "member.alias_ping_answered",
            &ping.member_id,
            detail,
        );
    }
    tx.commit().await?;
    Ok(Answered {
        organization: member.map(|m| m.organization).unwrap_or_default(),
        ping,
        first,
    })
}

/// What a review decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Keep,
    Remove,
}

impl Outcome {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "keep" => Some(Self::Keep),
            "remove" => Some(Self::Remove),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keep => "keep",
            Self::Remove => "remove",
        }
    }
}

fn invalid(field: &str, message: &str) -> MembershipError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    MembershipError::Invalid(e)
}

/// Records an admin's review of an active member. `remove` removes the
/// member (notes are the reason it is told) through
/// [`membership::remove_member`], then records the review.
pub async fn review(
    state: &AppState,
    actor: &Actor,
    member: &str,
    outcome: &str,
    notes: &str,
) -> Result<ReviewId, MembershipError> {
    let notes = notes.trim();
    let Some(outcome) = Outcome::parse(outcome) else {
        return Err(invalid("outcome", "must be keep or remove"));
    };
    if outcome == Outcome::Remove && notes.is_empty() {
        return Err(invalid(
            "notes",
            "are required to remove: the member is told why",
        ));
    }
    let mut conn = state.db.conn().await?;
    let found = members::get(&mut conn, member)
        .await?
        .ok_or(MembershipError::NotFound)?;
    drop(conn);
    if found.status != MemberStatus::Active {
        return Err(MembershipError::Conflict(
            "the member was removed already".into(),
        ));
    }
    if outcome == Outcome::Remove {
        // Its own transaction: the removal stands even should recording
        // the review below fail; the audit log has both.
        membership::remove_member(state, actor, member, notes).await?;
    }
    let mut tx = state.db.begin().await?;
    let id = store::insert_review(&mut tx, member, &actor.who, outcome.as_str(), notes).await?;
    let detail = json!({ "review": id.as_str(), "outcome": outcome.as_str(), "notes": notes });
    audit::append(&mut tx, actor, "member.reviewed", member, detail);
    tx.commit().await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(answered: Option<i64>) -> Ping {
        Ping {
            id: "png_x".into(),
            member_id: "mem_x".into(),
            seq: 1,
            alias: "a@b.example".into(),
            sent_at: 0,
            due_at: db::seconds(14 * DAY),
            answered_at: answered,
        }
    }

    #[test]
    fn a_ping_is_open_answered_late_or_overdue() {
        let due = db::seconds(14 * DAY);
        assert_eq!(ping_state(&p(None), due), "open");
        assert_eq!(ping_state(&p(None), due + 1), "overdue");
        assert_eq!(ping_state(&p(Some(due)), due + 1), "answered");
        assert_eq!(ping_state(&p(Some(due + 1)), due + 2), "late");
    }

    #[test]
    fn response_time_is_in_hours_to_one_decimal() {
        assert_eq!(response_hours(&p(None)), None);
        assert_eq!(
            response_hours(&p(Some(db::seconds(5 * 3600 + 180)))),
            Some(5.1)
        );
    }

    #[test]
    fn outcomes_parse() {
        assert_eq!(Outcome::parse(" keep"), Some(Outcome::Keep));
        assert_eq!(Outcome::parse("remove"), Some(Outcome::Remove));
        assert_eq!(Outcome::parse("drop"), None);
    }

    #[test]
    fn sweep_keys_are_utc_dates() {
        assert_eq!(jobs::day_of(0), "1970-01-01");
        assert_eq!(jobs::day_of(db::seconds(DAY) - 1), "1970-01-01");
    }
}
