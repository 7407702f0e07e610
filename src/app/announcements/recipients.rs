//! Whom an announcement is for: the chosen active members (every active
//! member when none are named) and their cleared contacts. `announce` and
//! `preview` choose by this one function, so the confirmation counts what
//! the announcement will do.

use std::collections::HashSet;

use sqlx::AnyConnection;

use super::AnnounceError;
use crate::db::announcements::{self as store, Recipient};
use crate::db::{audience, members};
use crate::domain::fields::FieldErrors;

/// The members an announcement goes to, and their cleared contacts.
pub(super) struct Chosen {
    /// The members named, each checked active; `None`: every active member.
    members: Option<HashSet<String>>,
    /// The list policy's current version, if there is one.
    pub policy_version: Option<i64>,
    /// The chosen members' contacts who accepted that version.
    pub recipients: Vec<Recipient>,
}

impl Chosen {
    /// Whether member `id` is among the chosen.
    pub fn includes(&self, id: &str) -> bool {
        self.members.as_ref().is_none_or(|m| m.contains(id))
    }

    /// Adds the chosen members to `advisory`'s audience, as chosen by
    /// `announcement`, set-wise: all active members in one statement.
    /// Follow-ups do not call it: a moved or lifted embargo widens nothing.
    pub async fn add_to_audience(
        &self,
        conn: &mut AnyConnection,
        advisory: &str,
        announcement: &str,
        now: i64,
    ) -> Result<(), AnnounceError> {
        match &self.members {
            None => audience::add_all_active(conn, advisory, announcement, now).await?,
            Some(m) => audience::add(conn, advisory, announcement, m, now).await?,
        }
        Ok(())
    }
}

/// Checks the `chosen` member ids against the active members (one query)
/// and selects the cleared contacts of those chosen (one more). An id
/// that is not an active member refuses the whole announcement.
pub(super) async fn choose(
    conn: &mut AnyConnection,
    chosen: Option<&[String]>,
    now: i64,
) -> Result<Chosen, AnnounceError> {
    let members = match chosen {
        None => None,
        Some(ids) => {
            let active = members::active_ids(conn).await?;
            if let Some(id) = ids.iter().find(|id| !active.contains(id.as_str())) {
                let mut e = FieldErrors::new();
                e.add("members", format!("{id} is not an active member"));
                return Err(AnnounceError::Conflicts(e));
            }
            Some(ids.iter().cloned().collect())
        }
    };
    let policy_version = members::current_policy(conn).await?.map(|(v, _, _)| v);
    let mut recipients = match policy_version {
        Some(v) => store::cleared_contacts(conn, v, now).await?,
        // Nobody can have accepted a policy that does not exist.
        None => Vec::new(),
    };
    let chosen = Chosen {
        members,
        policy_version,
        recipients: Vec::new(),
    };
    recipients.retain(|r| chosen.includes(&r.member_id));
    Ok(Chosen {
        recipients,
        ..chosen
    })
}
