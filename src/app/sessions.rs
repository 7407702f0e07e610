//! One's own sessions and API tokens: the list, and signing out
//! everywhere (every session ended, every token revoked, but optionally
//! the one asking).

use serde_json::json;

use super::AppState;
use crate::db::audit::{self, Actor};
use crate::db::sessions::{self, ApiToken, SessionSummary};
use crate::domain::id::AccountId;
use crate::domain::secret::SecretHash;

/// What an account has open.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Open {
    /// Live sessions, newest first.
    #[schema(value_type = Vec<Object>)]
    pub sessions: Vec<SessionSummary>,
    /// API tokens, revoked ones too, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub tokens: Vec<ApiToken>,
}

/// `account`'s sessions and tokens; `current` marks the asking session.
pub async fn list(
    state: &AppState,
    account: &AccountId,
    current: Option<&SecretHash>,
) -> anyhow::Result<Open> {
    let mut conn = state.db.conn().await?;
    Ok(Open {
        sessions: sessions::live_sessions_of(&mut conn, account, current).await?,
        tokens: sessions::tokens_of(&mut conn, account).await?,
    })
}

/// What signing out everywhere ended.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct SignedOut {
    pub sessions_ended: u64,
    pub tokens_revoked: u64,
}

/// Ends every session of `account` and revokes every token, but the
/// session or token stored as `keep` (the one asking, if it asked to be
/// kept), in one transaction, audited.
pub async fn sign_out_everywhere(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    keep: Option<&SecretHash>,
) -> anyhow::Result<SignedOut> {
    let mut tx = state.db.begin().await?;
    let sessions_ended = sessions::end_sessions(&mut tx, account, keep).await?;
    let tokens_revoked = sessions::revoke_tokens(&mut tx, account, keep).await?;
    audit::append(
        &mut tx,
        actor,
        "account.signed_out_everywhere",
        account.as_str(),
        json!({ "sessions": sessions_ended, "tokens": tokens_revoked, "kept_current": keep.is_some() }),
    );
    tx.commit().await?;
    Ok(SignedOut {
        sessions_ended,
        tokens_revoked,
    })
}
