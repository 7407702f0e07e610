//! Signing in with a passkey: alone (a discoverable credential names its
//! account), or after the right password in place of a TOTP code.
//!
//! Every refusal is `login::refuse`'s: one audit event and the same answer
//! as a wrong password. The signature is checked before the account's
//! state, so only whoever holds the passkey could learn, from the time an
//! answer takes, that its account is locked or disabled; an unknown
//! credential says nothing about any account.

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PublicKeyCredential,
};

use super::AppState;
use super::login::{LoginError, Used, open_session, refuse};
use super::passkeys::{
    Challenge, PasskeyError, credential_key, keep_ceremony, parse_passkey, public_key_options,
    relying_party,
};
use crate::db::accounts::{self, Account};
use crate::db::passkeys::{self, StoredPasskey};
use crate::db::{self};
use crate::domain::account::is_locked;
use crate::domain::passkey::CeremonyKind;
use crate::domain::secret::Secret;

/// A signed-in account, its session's secret, and where it goes next.
pub struct PasskeySession {
    pub account: Account,
    pub session: Secret,
    pub next_path: String,
}

/// What a second-factor ceremony keeps between its two requests.
#[derive(Serialize, Deserialize)]
struct SecondFactor {
    authentication: PasskeyAuthentication,
}

/// Asks for one of `account`'s passkeys; `next_path` (already checked) is
/// where the sign-in goes afterwards.
pub async fn start_second_factor(
    state: &AppState,
    account: &Account,
    next_path: &str,
) -> Result<Challenge, PasskeyError> {
    let rp = relying_party(state)?;
    let mut conn = state.db.conn().await?;
    let stored = passkeys::of_account(&mut conn, &account.id).await?;
    drop(conn);
    let keys: Vec<Passkey> = stored
        .iter()
        .map(parse_passkey)
        .collect::<anyhow::Result<_>>()?;
    let (options, authentication) = rp
        .start_passkey_authentication(&keys)
        .map_err(|e| anyhow::anyhow!("starting a passkey authentication: {e}"))?;
    let kept = SecondFactor { authentication };
    let token = keep_ceremony(
        state,
        CeremonyKind::SecondFactor,
        Some(&account.id),
        &kept,
        next_path,
    )
    .await?;
    Ok(Challenge {
        ceremony: token.expose().to_owned(),
        public_key: public_key_options(&options)?,
    })
}

/// Finishes a sign-in whose password was right with one of the account's
/// passkeys.
pub async fn finish_second_factor(
    state: &AppState,
    ip: &str,
    ceremony: &str,
    credential: &str,
) -> Result<PasskeySession, LoginError> {
    let now = db::now();
    let rp = relying_party(state)?;
    let mut conn = state.db.conn().await?;
    let token = Secret::from_presented(ceremony).hash();
    let taken = passkeys::take_ceremony(&mut conn, &token, CeremonyKind::SecondFactor).await?;
    let Some((taken, id)) = taken.and_then(|c| c.account_id.clone().map(|id| (c, id))) else {
        return refuse(state, ip, None, "passkey_expired", now).await;
    };
    let account = accounts::by_id(&mut conn, &id).await?;
    drop(conn);
    let Some(account) = account else {
        return refuse(state, ip, None, "unknown", now).await;
    };
    let kept: SecondFactor = serde_json::from_str(&taken.state).map_err(anyhow::Error::from)?;
    let verified = serde_json::from_str::<PublicKeyCredential>(credential)
        .ok()
        .and_then(|c| {
            rp.finish_passkey_authentication(&c, &kept.authentication)
                .ok()
        });
    let Some(result) = verified else {
        return refuse(state, ip, Some(&account), "wrong_passkey", now).await;
    };
    if let Some(why) = unusable(&account, now) {
        return refuse(state, ip, Some(&account), why, now).await;
    }
    let mut conn = state.db.conn().await?;
    let stored = passkeys::by_credential(&mut conn, &credential_key(result.cred_id())).await?;
    drop(conn);
    let Some(stored) = stored.filter(|s| s.account_id == account.id) else {
        // Removed between the challenge and the answer.
        return refuse(state, ip, Some(&account), "wrong_passkey", now).await;
    };
    record_use(state, &stored, &result).await?;
    session(state, ip, account, "password+passkey", taken.next_path).await
}

/// Starts a sign-in with a passkey alone: any discoverable passkey of
/// this relying party may answer.
pub async fn start_sign_in(state: &AppState, next_path: &str) -> Result<Challenge, PasskeyError> {
    let rp = relying_party(state)?;
    let (options, authentication) = rp
        .start_discoverable_authentication()
        .map_err(|e| anyhow::anyhow!("starting a passkey sign-in: {e}"))?;
    let token = keep_ceremony(
        state,
        CeremonyKind::SignIn,
        None,
        &authentication,
        next_path,
    )
    .await?;
    let mut public_key = public_key_options(&options)?;
    // webauthn-rs asks for the form-autofill ("conditional") kind; the page
    // asks when its button is pressed instead.
    if let Some(o) = public_key.as_object_mut() {
        o.remove("mediation");
    }
    Ok(Challenge {
        ceremony: token.expose().to_owned(),
        public_key,
    })
}

/// Finishes a sign-in with a passkey alone.
pub async fn finish_sign_in(
    state: &AppState,
    ip: &str,
    ceremony: &str,
    credential: &str,
) -> Result<PasskeySession, LoginError> {
    let now = db::now();
    let rp = relying_party(state)?;
    let mut conn = state.db.conn().await?;
    let token = Secret::from_presented(ceremony).hash();
    let taken = passkeys::take_ceremony(&mut conn, &token, CeremonyKind::SignIn).await?;
    drop(conn);
    let Some(taken) = taken else {
        return refuse(state, ip, None, "passkey_expired", now).await;
    };
    let authentication: DiscoverableAuthentication =
        serde_json::from_str(&taken.state).map_err(anyhow::Error::from)?;
    let Ok(credential) = serde_json::from_str::<PublicKeyCredential>(credential) else {
        return refuse(state, ip, None, "passkey_unknown", now).await;
    };
    let Ok((handle, credential_id)) = rp.identify_discoverable_authentication(&credential) else {
        return refuse(state, ip, None, "passkey_unknown", now).await;
    };
    let mut conn = state.db.conn().await?;
    let stored = passkeys::by_credential(&mut conn, &credential_key(credential_id)).await?;
    let Some(stored) = stored.filter(|s| s.user_handle == handle.to_string()) else {
        return refuse(state, ip, None, "passkey_unknown", now).await;
    };
    let account = accounts::by_id(&mut conn, &stored.account_id).await?;
    drop(conn);
    let Some(account) = account else {
        return refuse(state, ip, None, "unknown", now).await;
    };
    let key = DiscoverableKey::from(parse_passkey(&stored)?);
    let verified = rp.finish_discoverable_authentication(&credential, authentication, &[key]);
    let Ok(result) = verified else {
        // Not counted towards a lock-out (unlike a wrong passkey after the
        // right password): anyone may try a sign-in with a passkey alone.
        return refuse(state, ip, Some(&account), "passkey_invalid", now).await;
    };
    if let Some(why) = unusable(&account, now) {
        return refuse(state, ip, Some(&account), why, now).await;
    }
    record_use(state, &stored, &result).await?;
    session(state, ip, account, "passkey", taken.next_path).await
}

/// Why `account` may not sign in now, if it may not.
fn unusable(account: &Account, now: i64) -> Option<&'static str> {
    if account.disabled {
        Some("disabled")
    } else if is_locked(account.locked_until, now) {
        Some("locked")
    } else if account.password_hash.is_none() {
        Some("not_set_up")
    } else {
        None
    }
}

/// Keeps what the authenticator said of itself (its signature counter).
async fn record_use(
    state: &AppState,
    stored: &StoredPasskey,
    result: &webauthn_rs::prelude::AuthenticationResult,
) -> Result<(), LoginError> {
    let mut key = parse_passkey(stored)?;
    key.update_credential(result);
    let json = serde_json::to_string(&key).map_err(anyhow::Error::from)?;
    let mut conn = state.db.conn().await?;
    passkeys::record_use(&mut conn, &stored.id, &json).await?;
    Ok(())
}

async fn session(
    state: &AppState,
    ip: &str,
    account: Account,
    method: &str,
    next_path: String,
) -> Result<PasskeySession, LoginError> {
    let session = open_session(state, ip, &account, Used::Nothing, method)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a session without a TOTP step was refused"))?;
    Ok(PasskeySession {
        account,
        session,
        next_path,
    })
}
