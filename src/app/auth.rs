//! Accounts' credentials: set-up links, passwords (argon2id), TOTP, sessions,
//! API tokens; signing in itself is in `login.rs`.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use rand::RngCore;
use serde_json::json;

use super::AppState;
use crate::db::accounts::{self, Account};
use crate::db::audit::{self, Actor};
use crate::db::{self, sessions};
use crate::domain::account::{Role, check_password, totp_required};
use crate::domain::email::EmailAddress;
use crate::domain::fields::FieldErrors;
use crate::domain::id::{AccountId, TokenId};
use crate::domain::secret::Secret;

/// How long a set-up link works.
pub const SETUP_LINK_HOURS: i64 = 24;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

pub(super) fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new TOTP secret, base32 (160 random bits, as RFC 4226 recommends).
pub fn new_totp_secret() -> String {
    let mut bytes = vec![0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    totp_rs::Secret::from(bytes).to_base32()
}

/// The TOTP generator for a base32 secret; `None` when the secret is not base32.
pub fn totp(secret_b32: &str, account: &str, issuer: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_b32).ok()?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', ""))
        .with_issuer(Some(issuer.replace(':', "")))
        .build()
        .ok()
}

/// The time step `code` belongs to, if it is valid now for `secret_b32`.
pub(super) fn totp_step(secret_b32: &str, code: &str) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    // Real time, not the service's clock: the code comes from the user's
    // authenticator, which knows no test offset.
    let now = u64::try_from(jiff::Timestamp::now().as_second()).ok()?;
    let step = totp(secret_b32, "x", "embargo")?.check(&code, now)?;
    i64::try_from(step).ok()
}

pub use super::login::{Login, LoginError, login};

/// Creates an account (or finds the existing one) and returns a fresh
/// one-time set-up link for it.
pub async fn add_account(
    state: &AppState,
    actor: &Actor,
    email: &EmailAddress,
    role: Role,
) -> anyhow::Result<String> {
    let mut tx = state.db.begin().await?;
    let id = match accounts::by_email(&mut tx, email.as_str()).await? {
        Some(existing) if existing.role != role => {
            anyhow::bail!(
                "{email} already has an account with role {}",
                existing.role.as_str()
            )
        }
        Some(existing) => existing.id,
        None => {
            let id = accounts::insert(&mut tx, email, role).await?;
            audit::append(
                &mut tx,
                actor,
                "account.created",
                id.as_str(),
                json!({ "role": role.as_str() }),
            );
            id
        }
    };
    let link = Secret::generate();
    let expires = db::now() + db::seconds(SETUP_LINK_HOURS * 3600);
    accounts::insert_setup_link(&mut tx, &id, &link.hash(), expires).await?;
    audit::append(
        &mut tx,
        actor,
        "account.setup_link_issued",
        id.as_str(),
        json!({}),
    );
    tx.commit().await?;
    Ok(format!("{}/setup/{}", state.config.base(), link.expose()))
}

/// On a fresh install: an admin account whose address is chosen on the
/// set-up page, and a one-time link to it. A new call voids the old link.
pub async fn bootstrap_admin(state: &AppState, actor: &Actor) -> anyhow::Result<String> {
    let mut tx = state.db.begin().await?;
    let id = match accounts::by_email(&mut tx, "").await? {
        Some(a) => a.id,
        None => accounts::insert_unnamed_admin(&mut tx).await?,
    };
    let link = Secret::generate();
    let expires = db::now() + db::seconds(SETUP_LINK_HOURS * 3600);
    accounts::insert_setup_link(&mut tx, &id, &link.hash(), expires).await?;
    audit::append(
        &mut tx,
        actor,
        "account.setup_link_issued",
        id.as_str(),
        json!({ "bootstrap": true }),
    );
    tx.commit().await?;
    Ok(format!("{}/setup/{}", state.config.base(), link.expose()))
}

/// The account a set-up link opens, if the link is live. A bootstrap link
/// is dead once an active admin exists: it was printed to the log, and
/// anyone who reads the log must not become admin.
pub async fn setup_account(state: &AppState, link: &Secret) -> anyhow::Result<Option<Account>> {
    let mut conn = state.db.conn().await?;
    let Some(id) = accounts::setup_link_account(&mut conn, &link.hash(), db::now()).await? else {
        return Ok(None);
    };
    let Some(account) = accounts::by_id(&mut conn, &id).await? else {
        return Ok(None);
    };
    if account.is_bootstrap() && accounts::count_admins(&mut conn).await? > 0 {
        return Ok(None);
    }
    Ok(Some(account))
}

/// What a set-up form sends.
pub struct SetupInput<'a> {
    /// Only for the bootstrap admin, whose address is not known yet.
    pub email: &'a str,
    pub password: &'a str,
    pub confirm: &'a str,
    pub totp_secret: &'a str,
    pub totp_code: &'a str,
}

/// Sets the password (and TOTP when a code was given) through a set-up link.
pub async fn complete_setup(
    state: &AppState,
    ip: &str,
    link: &Secret,
    account: &Account,
    input: SetupInput<'_>,
) -> Result<(), SetupError> {
    let mut errors = FieldErrors::new();
    let new_email = if account.email.is_empty() {
        match EmailAddress::parse(input.email) {
            Ok(e) => Some(e),
            Err(e) => {
                errors.add("email", e.0);
                None
            }
        }
    } else {
        None
    };
    if let Err(e) = check_password(input.password) {
        errors.add("password", e);
    } else if input.password != input.confirm {
        errors.add("confirm", "does not match the password");
    }
    let wants_totp = !input.totp_code.trim().is_empty();
    let totp_required = totp_required(account.role, state.config.auth.require_totp_for_admins);
    if totp_required && !wants_totp {
        errors.add(
            "totp",
            "is required: add the secret to an authenticator app and enter its code",
        );
    }
    let totp_step = if wants_totp {
        totp_step(input.totp_secret, input.totp_code)
    } else {
        None
    };
    if wants_totp && totp_step.is_none() {
        errors.add("totp", "is not the current code for this secret");
    }
    if !errors.is_empty() {
        return Err(SetupError::Invalid(errors));
    }
    let password = input.password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(anyhow::Error::from)??;
    let mut tx = state.db.begin().await?;
    if !accounts::use_setup_link(&mut tx, &link.hash()).await? {
        return Err(SetupError::LinkUsed);
    }
    // Checked again in the transaction: another admin may have been set up
    // since the link was opened.
    if account.is_bootstrap() && accounts::count_admins(&mut tx).await? > 0 {
        return Err(SetupError::LinkUsed);
    }
    if let Some(email) = &new_email {
        if accounts::by_email(&mut tx, email.as_str()).await?.is_some() {
            let mut e = FieldErrors::new();
            e.add("email", "already belongs to an account");
            return Err(SetupError::Invalid(e));
        }
        accounts::set_email(&mut tx, &account.id, email).await?;
    }
    let totp = wants_totp.then_some(input.totp_secret);
    accounts::set_password(&mut tx, &account.id, &hash, totp).await?;
    if account.role == Role::Admin {
        accounts::void_bootstrap_links(&mut tx).await?;
    }
    if let Some(step) = totp_step {
        accounts::use_totp_step(&mut tx, &account.id, step).await?;
    }
    let actor = Actor {
        who: format!("account:{}", account.id),
        ip: ip.to_owned(),
    };
    audit::append(
        &mut tx,
        &actor,
        "account.setup_completed",
        account.id.as_str(),
        json!({ "totp": wants_totp }),
    );
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("this set-up link was already used")]
    LinkUsed,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SetupError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// Issues an API token for an account; the secret is returned once.
pub async fn create_token(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    name: &str,
) -> anyhow::Result<(TokenId, Secret)> {
    let token = Secret::generate();
    let mut tx = state.db.begin().await?;
    let id = sessions::insert_token(&mut tx, account, name, &token.hash()).await?;
    audit::append(
        &mut tx,
        actor,
        "token.created",
        account.as_str(),
        json!({ "token": id.as_str(), "name": name }),
    );
    tx.commit().await?;
    Ok((id, token))
}

/// Revokes one of an account's tokens; false when it had no such live token.
pub async fn revoke_token(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    id: &str,
) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    let done = sessions::revoke_token(&mut tx, account, id).await?;
    if done {
        audit::append(
            &mut tx,
            actor,
            "token.revoked",
            account.as_str(),
            json!({ "token": id }),
        );
    }
    tx.commit().await?;
    Ok(done)
}

/// Sets the language `account` reads mail in (`None`: the organisation's).
pub async fn set_language(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    language: Option<&crate::domain::language::Language>,
) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let lang = language.map(|l| l.as_str());
    accounts::set_language(&mut tx, account, lang).await?;
    audit::append(
        &mut tx,
        actor,
        "account.language",
        account.as_str(),
        json!({ "language": lang }),
    );
    tx.commit().await?;
    Ok(())
}

/// Sets the zone `account` reads instants in on pages (`None`: the
/// organisation's).
pub async fn set_time_zone(
    state: &AppState,
    actor: &Actor,
    account: &AccountId,
    zone: Option<&crate::domain::time::ZoneName>,
) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let zone = zone.map(|z| z.as_str());
    accounts::set_time_zone(&mut tx, account, zone).await?;
    audit::append(
        &mut tx,
        actor,
        "account.time_zone",
        account.as_str(),
        json!({ "time_zone": zone }),
    );
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_right_password() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "wrong"));
        assert!(!verify_password("garbage", "x"));
    }

    #[test]
    fn totp_accepts_the_current_code_only() {
        let secret = new_totp_secret();
        let t = totp(&secret, "a@example.org", "Org").unwrap();
        let code = t.generate_current().to_string();
        assert!(totp_step(&secret, &code).is_some());
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert_eq!(totp_step(&secret, wrong), None);
        assert_eq!(totp_step("not base32!", &code), None);
    }
}
