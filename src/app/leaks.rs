//! Leaks: a member (or an admin for it) reports what leaked and to whom;
//! the admins hear of it at once by a mail with a link only, write the
//! retrospective, which the member reads and comments on, and close it.
//! Leaks within `leaks.window_days` are strikes; at
//! `leaks.removal_threshold` the admins get a removal proposal.

use serde_json::json;

use super::AppState;
use super::mailer::{self, Mail};
use crate::db::audit::{self, Actor};
use crate::db::leaks::{self as store, ActionRow, CommentRow, LeakRow, NewLeak};
use crate::db::{self, accounts, advisories, members};
use crate::domain::advisory::{AdvisoryId, AdvisoryState};
use crate::domain::fields::{FieldErrors, required_text};
use crate::domain::id::{AccountId, CommentId, LeakId, MemberId};
use crate::domain::leak::{
    ActionState, LeakReport, LeakState, Retrospective, TEXT_MAX, check_closable, removal_proposed,
    window_start,
};
use crate::domain::mail_kind::MailKind;
use crate::domain::membership::MemberStatus;

#[derive(Debug, thiserror::Error)]
pub enum LeakError {
    #[error("no such leak, advisory or member")]
    NotFound,
    /// Not possible in the leak's state (409), with the reason.
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Names an advisory or member that is not there for the caller (409).
    #[error("names a record that is not there")]
    Conflicts(FieldErrors),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for LeakError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

fn unknown(field: &str, message: &str) -> LeakError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    LeakError::Conflicts(e)
}

/// Who reports: an admin (about any member) or a member contact (about
/// their own organisation; the caller has checked the policy).
pub struct Reporter<'a> {
    pub account: &'a AccountId,
    pub admin: bool,
}

/// Records a leak and tells the admins (a link only: what leaked may be
/// embargoed). At the threshold of strikes they get a removal proposal.
pub async fn report(
    state: &AppState,
    actor: &Actor,
    by: Reporter<'_>,
    advisory: &str,
    member: &MemberId,
    input: LeakReport,
) -> Result<LeakId, LeakError> {
    let advisory =
        AdvisoryId::parse(advisory).map_err(|_| unknown("advisory_id", "no such advisory"))?;
    let mut tx = state.db.begin().await?;
    let row = advisories::get(&mut tx, &advisory).await?;
    // Members know only what reached them: drafts, withdrawn records and
    // advisories announced to others answer as if they did not exist.
    let visible = match row.map(|r| r.state) {
        None => false,
        Some(_) if by.admin => true,
        Some(AdvisoryState::Published) => true,
        Some(AdvisoryState::Embargoed) => {
            crate::db::audience::includes(&mut tx, advisory.as_str(), member.as_str()).await?
        }
        Some(AdvisoryState::Draft | AdvisoryState::Withdrawn) => false,
    };
    if !visible {
        return Err(unknown("advisory_id", "no such advisory"));
    }
    let org = members::get(&mut tx, member.as_str())
        .await?
        .ok_or_else(|| unknown("member_id", "no such member"))?;
    if !by.admin && org.status != MemberStatus::Active {
        return Err(LeakError::Conflict("the member is not on the list".into()));
    }
    let id = LeakId::generate();
    let now = db::now();
    store::insert(
        &mut tx,
        &NewLeak {
            id: id.as_str(),
            advisory_id: advisory.as_str(),
            member_id: member.as_str(),
            reported_by: by.account.as_str(),
            report: &input,
            created_at: now,
        },
    )
    .await?;
    // Ids only: what leaked and to whom may be embargoed.
    audit::append(
        &mut tx,
        actor,
        "leak.reported",
        id.as_str(),
        json!({ "advisory": advisory.as_str(), "member": member.as_str() }),
    );
    let admins = accounts::admin_addresses(&mut tx).await?;
    let url = format!("{}/admin/members/{}", state.config.base(), member);
    if !admins.is_empty() {
        let leak_url = format!("{}/admin/leaks/{}", state.config.base(), id);
        let context =
            json!({ "leak_id": id.as_str(), "organization": org.organization, "url": leak_url });
        mailer::queue(
            &mut tx,
            state,
            Mail::new(
                format!("leak:{id}"),
                MailKind::LeakReported,
                context,
                admins.clone(),
            ),
        )
        .await?;
    }
    let since = window_start(now, state.config.leaks.window_days);
    let strikes = store::strikes(&mut tx, member.as_str(), since).await?;
    if removal_proposed(strikes as u64, state.config.leaks.removal_threshold)
        && store::propose_removal(&mut tx, member.as_str(), strikes, now).await?
    {
        audit::append(
            &mut tx,
            actor,
            "member.removal_proposed",
            member.as_str(),
            json!({ "strikes": strikes, "window_days": state.config.leaks.window_days }),
        );
        if !admins.is_empty() {
            let context = json!({
                "organization": org.organization, "strikes": strikes,
                "window_days": state.config.leaks.window_days, "url": url,
            });
            mailer::queue(
                &mut tx,
                state,
                Mail::new(
                    format!("leak_removal:{member}:{strikes}"),
                    MailKind::LeakRemovalProposed,
                    context,
                    admins,
                ),
            )
            .await?;
        }
    }
    tx.commit().await?;
    tracing::info!(leak.id = %id, member.id = %member, "leak reported");
    Ok(id)
}

/// A leak record with its retrospective's actions and comments.
pub struct LeakView {
    pub leak: LeakRow,
    pub actions: Vec<ActionRow>,
    pub comments: Vec<CommentRow>,
}

/// The leak record, or None; the caller authorizes on its member.
pub async fn get(state: &AppState, id: &str) -> anyhow::Result<Option<LeakView>> {
    let mut conn = state.db.conn().await?;
    let Some(leak) = store::get(&mut conn, id).await? else {
        return Ok(None);
    };
    Ok(Some(LeakView {
        actions: store::actions(&mut conn, id).await?,
        comments: store::comments(&mut conn, id).await?,
        leak,
    }))
}

/// Writes (or rewrites) the retrospective of an open leak.
pub async fn write_retrospective(
    state: &AppState,
    actor: &Actor,
    id: &str,
    retro: Retrospective,
) -> Result<(), LeakError> {
    let mut tx = state.db.begin().await?;
    let leak = store::get(&mut tx, id).await?.ok_or(LeakError::NotFound)?;
    if !store::save_retrospective(&mut tx, id, &retro, db::now()).await? {
        return Err(LeakError::Conflict(format!(
            "the leak is {}; its retrospective no longer changes",
            leak.state
        )));
    }
    let open = retro
        .actions
        .iter()
        .filter(|a| a.state == ActionState::Open)
        .count();
    audit::append(
        &mut tx,
        actor,
        "leak.retrospective_written",
        id,
        json!({ "actions": retro.actions.len(), "open": open }),
    );
    tx.commit().await?;
    Ok(())
}

/// A comment on a leak's retrospective by an admin or the member's contact.
pub async fn comment(
    state: &AppState,
    actor: &Actor,
    author: &AccountId,
    id: &str,
    body: &str,
) -> Result<CommentId, LeakError> {
    let mut errors = FieldErrors::new();
    let body = required_text(&mut errors, "body", body, TEXT_MAX);
    errors.into_result().map_err(LeakError::Invalid)?;
    let mut tx = state.db.begin().await?;
    store::get(&mut tx, id).await?.ok_or(LeakError::NotFound)?;
    let comment = CommentId::generate();
    store::add_comment(
        &mut tx,
        comment.as_str(),
        id,
        author.as_str(),
        &body,
        db::now(),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        "leak.commented",
        id,
        json!({ "comment": comment.as_str() }),
    );
    tx.commit().await?;
    Ok(comment)
}

/// Closes a reviewed leak whose actions are all done or dropped.
pub async fn close(state: &AppState, actor: &Actor, by: &str, id: &str) -> Result<(), LeakError> {
    let mut tx = state.db.begin().await?;
    let leak = store::get(&mut tx, id).await?.ok_or(LeakError::NotFound)?;
    let actions: Vec<ActionState> = store::actions(&mut tx, id)
        .await?
        .iter()
        .filter_map(|a| ActionState::parse(&a.state))
        .collect();
    let current = LeakState::parse(&leak.state).unwrap_or(LeakState::Open);
    check_closable(current, leak.retrospective_at.is_some(), &actions)
        .map_err(LeakError::Conflict)?;
    if !store::decide(&mut tx, id, "closed", by, "", db::now()).await? {
        return Err(LeakError::Conflict("the leak changed meanwhile".into()));
    }
    audit::append(&mut tx, actor, "leak.closed", id, json!({}));
    tx.commit().await?;
    Ok(())
}

/// Withdraws a leak record (not a leak after all): it stops counting.
pub async fn withdraw(
    state: &AppState,
    actor: &Actor,
    by: &str,
    id: &str,
    reason: &str,
) -> Result<(), LeakError> {
    let mut errors = FieldErrors::new();
    let reason = required_text(&mut errors, "reason", reason, TEXT_MAX);
    errors.into_result().map_err(LeakError::Invalid)?;
    let mut tx = state.db.begin().await?;
    store::get(&mut tx, id).await?.ok_or(LeakError::NotFound)?;
    if !store::decide(&mut tx, id, "withdrawn", by, &reason, db::now()).await? {
        return Err(LeakError::Conflict(
            "the leak record was withdrawn already".into(),
        ));
    }
    audit::append(&mut tx, actor, "leak.withdrawn", id, json!({}));
    tx.commit().await?;
    Ok(())
}

/// A member's leak history and where it stands.
pub struct MemberLeaks {
    pub items: Vec<LeakRow>,
    pub strikes: i64,
    pub removal_proposed: bool,
}

/// Most leak records listed for one member.
const HISTORY_MAX: i64 = 500;

pub async fn for_member(state: &AppState, member: &str) -> Result<MemberLeaks, LeakError> {
    let mut conn = state.db.conn().await?;
    members::get(&mut conn, member)
        .await?
        .ok_or(LeakError::NotFound)?;
    let since = window_start(db::now(), state.config.leaks.window_days);
    let strikes = store::strikes(&mut conn, member, since).await?;
    Ok(MemberLeaks {
        items: store::for_member(&mut conn, member, HISTORY_MAX).await?,
        strikes,
        removal_proposed: removal_proposed(strikes as u64, state.config.leaks.removal_threshold),
    })
}

/// A member's standing ([`MemberLeaks`] without items) and the page of
/// its leak records `window` names.
pub async fn page_for_member(
    state: &AppState,
    member: &str,
    window: &crate::db::cursor::Window,
) -> Result<(MemberLeaks, crate::db::cursor::Page<LeakRow>), LeakError> {
    let mut conn = state.db.conn().await?;
    members::get(&mut conn, member)
        .await?
        .ok_or(LeakError::NotFound)?;
    let since = window_start(db::now(), state.config.leaks.window_days);
    let strikes = store::strikes(&mut conn, member, since).await?;
    let page = store::member_page(&mut conn, member, window).await?;
    let standing = MemberLeaks {
        items: Vec::new(),
        strikes,
        removal_proposed: removal_proposed(strikes as u64, state.config.leaks.removal_threshold),
    };
    Ok((standing, page))
}

/// Tells everyone the leaked advisory was announced to (and who is still
/// cleared) of the leak, in `text`, encrypted as announcements are;
/// answers how many recipients. 409 when it was never announced.
pub async fn notice(
    state: &AppState,
    actor: &Actor,
    id: &str,
    text: &str,
) -> Result<usize, LeakError> {
    let mut errors = FieldErrors::new();
    let text = required_text(&mut errors, "text", text, TEXT_MAX);
    errors.into_result().map_err(LeakError::Invalid)?;
    let mut tx = state.db.begin().await?;
    let leak = store::get(&mut tx, id).await?.ok_or(LeakError::NotFound)?;
    let advisory = AdvisoryId::parse(&leak.advisory_id)
        .map_err(|_| LeakError::Other(anyhow::anyhow!("leak {id} names a malformed advisory")))?;
    let recipients = super::announcements::follow_up(
        &mut tx,
        state,
        actor,
        &advisory,
        crate::domain::announcement::Purpose::LeakNotice,
        &text,
    )
    .await?;
    if recipients == 0 {
        return Err(LeakError::Conflict(
            "nobody to tell: the advisory was never announced to the list".into(),
        ));
    }
    audit::append(
        &mut tx,
        actor,
        "leak.notice_sent",
        id,
        json!({ "recipients": recipients }),
    );
    tx.commit().await?;
    state.wake_runner();
    Ok(recipients)
}
