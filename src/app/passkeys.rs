//! Passkeys (WebAuthn): the relying party this service is, adding and
//! removing an account's passkeys, and the ceremonies' state, kept in the
//! database between the page asking for a challenge and the browser's
//! answer. Signing in with one is in `passkey_login.rs`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::json;
use webauthn_rs::prelude::{
    CredentialID, Passkey, PasskeyRegistration, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

use super::AppState;
use crate::db::accounts::Account;
use crate::db::audit::{self, Actor};
use crate::db::passkeys::{self, NewCeremony, NewPasskey, PasskeySummary};
use crate::db::{self};
use crate::domain::id::{AccountId, PasskeyId};
use crate::domain::passkey::{CEREMONY_MINUTES, CeremonyKind, MAX_PER_ACCOUNT, PasskeyName};
use crate::domain::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// WebAuthn binds a passkey to a host name: a `base_url` that is an IP
    /// address (the default, `http://127.0.0.1:8080`) has none.
    #[error(
        "passkeys need the service's address (base_url) to be a host name, such as https://security.example.org or http://localhost:8080"
    )]
    Unavailable,
    /// The person can put it right (a name, a ceremony to start again).
    #[error("{0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PasskeyError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// The relying party: the host of `base_url` (passkeys made for it work
/// on it and its subdomains' pages never), answering only pages of the
/// origin of `base_url`.
pub fn relying_party(state: &AppState) -> Result<Webauthn, PasskeyError> {
    relying_party_for(&state.config)
}

/// [`relying_party`] of a configuration.
pub fn relying_party_for(config: &crate::config::Config) -> Result<Webauthn, PasskeyError> {
    let base = Url::parse(config.base()).map_err(|_| PasskeyError::Unavailable)?;
    let host = base.domain().ok_or(PasskeyError::Unavailable)?.to_owned();
    let origin = crate::http::guard::origin_of(config.base())
        .and_then(|o| Url::parse(&o).ok())
        .ok_or(PasskeyError::Unavailable)?;
    WebauthnBuilder::new(&host, &origin)
        .map(|b| b.rp_name(&config.organization))
        .and_then(WebauthnBuilder::build)
        .map_err(|_| PasskeyError::Unavailable)
}

/// A credential id as stored and compared: base64url without padding.
pub(super) fn credential_key(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// A stored passkey's key material.
pub(super) fn parse_passkey(stored: &passkeys::StoredPasskey) -> anyhow::Result<Passkey> {
    serde_json::from_str(&stored.passkey)
        .map_err(|e| anyhow::anyhow!("stored passkey {} unreadable: {e}", stored.id))
}

/// A ceremony the browser must answer: the secret naming its state here,
/// and the options for `navigator.credentials`.
#[derive(Debug, Clone, Serialize)]
pub struct Challenge {
    pub ceremony: String,
    #[serde(rename = "publicKey")]
    pub public_key: serde_json::Value,
}

/// Stores a ceremony's state for [`CEREMONY_MINUTES`] under a new secret.
pub(super) async fn keep_ceremony(
    state: &AppState,
    kind: CeremonyKind,
    account: Option<&AccountId>,
    ceremony_state: &impl Serialize,
    next_path: &str,
) -> Result<Secret, PasskeyError> {
    let token = Secret::generate();
    let state_json = serde_json::to_string(ceremony_state).map_err(anyhow::Error::from)?;
    let mut conn = state.db.conn().await?;
    let new = NewCeremony {
        token: &token.hash(),
        kind,
        account,
        state: &state_json,
        next_path,
        expires_at: db::now() + db::seconds(CEREMONY_MINUTES * 60),
    };
    passkeys::insert_ceremony(&mut conn, &new).await?;
    Ok(token)
}

/// The `publicKey` options of a challenge, as the browser takes them.
pub(super) fn public_key_options(
    options: &impl Serialize,
) -> Result<serde_json::Value, PasskeyError> {
    let mut v = serde_json::to_value(options).map_err(anyhow::Error::from)?;
    Ok(v.get_mut("publicKey")
        .map(serde_json::Value::take)
        .unwrap_or_default())
}

/// What a registration keeps between its two requests.
#[derive(Serialize, Deserialize)]
struct Registration {
    user_handle: Uuid,
    registration: PasskeyRegistration,
}

/// An account's passkeys as the account page lists them.
pub async fn list(
    state: &AppState,
    account: &AccountId,
) -> Result<Vec<PasskeySummary>, PasskeyError> {
    let mut conn = state.db.conn().await?;
    let all = passkeys::of_account(&mut conn, account).await?;
    Ok(all.iter().map(passkeys::StoredPasskey::summary).collect())
}

/// Starts adding a passkey to `account`: a discoverable one (so it can
/// sign in alone), verified by the authenticator (PIN or biometrics), and
/// none the account has already.
pub async fn start_registration(
    state: &AppState,
    account: &Account,
) -> Result<Challenge, PasskeyError> {
    let rp = relying_party(state)?;
    let mut conn = state.db.conn().await?;
    let existing = passkeys::of_account(&mut conn, &account.id).await?;
    drop(conn);
    if existing.len() >= MAX_PER_ACCOUNT {
        return Err(PasskeyError::Invalid(
            "you have as many passkeys as an account may hold (20); remove one first",
        ));
    }
    let user_handle = match existing.first() {
        Some(p) => Uuid::parse_str(&p.user_handle).map_err(anyhow::Error::from)?,
        None => Uuid::new_v4(),
    };
    let exclude: Vec<CredentialID> = existing
        .iter()
        .map(|p| parse_passkey(p).map(|k| k.cred_id().clone()))
        .collect::<anyhow::Result<_>>()?;
    let (options, registration) = rp
        .start_passkey_registration(user_handle, &account.email, &account.email, Some(exclude))
        .map_err(|e| anyhow::anyhow!("starting a passkey registration: {e}"))?;
    let mut public_key = public_key_options(&options)?;
    // Discoverable, so that it can sign in without an address typed.
    public_key["authenticatorSelection"]["residentKey"] = json!("required");
    public_key["authenticatorSelection"]["requireResidentKey"] = json!(true);
    let kept = Registration {
        user_handle,
        registration,
    };
    let token = keep_ceremony(state, CeremonyKind::Register, Some(&account.id), &kept, "").await?;
    Ok(Challenge {
        ceremony: token.expose().to_owned(),
        public_key,
    })
}

/// What the browser sends back to add a passkey.
pub struct RegistrationAnswer<'a> {
    pub ceremony: &'a str,
    pub name: &'a str,
    /// The `PublicKeyCredential` `navigator.credentials.create` returned,
    /// as JSON with its binary fields in base64url.
    pub credential: &'a str,
}

/// Finishes adding a passkey: the ceremony must be this account's, live
/// and unused, and the authenticator's answer must sign its challenge for
/// this origin.
pub async fn finish_registration(
    state: &AppState,
    actor: &Actor,
    account: &Account,
    answer: RegistrationAnswer<'_>,
) -> Result<PasskeyId, PasskeyError> {
    let name = PasskeyName::parse(answer.name).map_err(|_| {
        PasskeyError::Invalid("name the passkey (at most 60 characters) to recognise it by")
    })?;
    let rp = relying_party(state)?;
    let mut conn = state.db.conn().await?;
    let token = Secret::from_presented(answer.ceremony).hash();
    let ceremony = passkeys::take_ceremony(&mut conn, &token, CeremonyKind::Register).await?;
    drop(conn);
    const EXPIRED: &str =
        "the passkey was not added: the page waited too long or was used already; try again";
    let ceremony = ceremony
        .filter(|c| c.account_id.as_ref() == Some(&account.id))
        .ok_or(PasskeyError::Invalid(EXPIRED))?;
    let kept: Registration = serde_json::from_str(&ceremony.state).map_err(anyhow::Error::from)?;
    const REFUSED: &str = "the passkey was not added: the authenticator's answer was not accepted";
    let credential: RegisterPublicKeyCredential =
        serde_json::from_str(answer.credential).map_err(|_| PasskeyError::Invalid(REFUSED))?;
    let passkey = rp
        .finish_passkey_registration(&credential, &kept.registration)
        .map_err(|_| PasskeyError::Invalid(REFUSED))?;
    let credential_id = credential_key(passkey.cred_id());
    let passkey_json = serde_json::to_string(&passkey).map_err(anyhow::Error::from)?;
    let user_handle = kept.user_handle.to_string();
    let mut tx = state.db.begin().await?;
    let new = NewPasskey {
        account: &account.id,
        name: &name,
        credential_id: &credential_id,
        user_handle: &user_handle,
        passkey: &passkey_json,
    };
    let Some(id) = passkeys::insert(&mut tx, &new).await? else {
        return Err(PasskeyError::Invalid("this passkey is registered already"));
    };
    audit::append(
        &mut tx,
        actor,
        "account.passkey_added",
        account.id.as_str(),
        json!({ "passkey": id.as_str(), "name": name.as_str() }),
    );
    tx.commit().await?;
    Ok(id)
}

/// Removes one of `account`'s passkeys; false when it has no such passkey.
pub async fn remove(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    id: &str,
) -> Result<bool, PasskeyError> {
    let mut tx = state.db.begin().await?;
    let Some(name) = passkeys::delete(&mut tx, account, id).await? else {
        return Ok(false);
    };
    audit::append(
        &mut tx,
        actor,
        "account.passkey_removed",
        account.as_str(),
        json!({ "passkey": id, "name": name }),
    );
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp_for(base: &str) -> Result<Webauthn, PasskeyError> {
        relying_party_for(&crate::config::Config {
            base_url: base.into(),
            ..Default::default()
        })
    }

    #[test]
    fn the_relying_party_is_the_host_of_base_url_and_an_ip_address_has_none() {
        assert!(rp_for("https://security.example.org").is_ok());
        assert!(rp_for("http://localhost:8080").is_ok());
        assert!(matches!(
            rp_for("http://127.0.0.1:8080"),
            Err(PasskeyError::Unavailable)
        ));
        assert!(matches!(rp_for(""), Err(PasskeyError::Unavailable)));
    }

    #[test]
    fn credential_keys_are_unpadded_base64url() {
        assert_eq!(credential_key(&[0xfb, 0xff]), "-_8");
    }
}
