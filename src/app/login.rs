//! Signing in: one argon2 verification per attempt whatever the outcome,
//! the per-account lock-out, TOTP steps used once, the passkey asked for
//! as second factor, and the session.

use serde_json::json;

use super::AppState;
use super::auth::{hash_password, totp_step, verify_password};
use crate::db::accounts::{self, Account};
use crate::db::audit::{self, Actor};
use crate::db::{self, passkeys, recovery_codes, sessions};
use crate::domain::account::MAX_FAILED_LOGINS;
use crate::domain::account::{is_locked, totp_required, totp_step_is_fresh};
use crate::domain::id::AccountId;
use crate::domain::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Deliberately one message for unknown account, wrong password, wrong
    /// code and lock-out, so a guesser learns nothing.
    #[error("wrong e-mail, password or code, or the account is locked for a while")]
    Rejected,
    /// The password and the code were right, but the code's time step was
    /// used already (typically at set-up, moments ago). Said only to whoever
    /// gave the right password: to anyone else it is [`LoginError::Rejected`].
    #[error(
        "this code was just used; wait for the next one your authenticator app shows, then log in with it"
    )]
    CodeReused,
    #[error(
        "this account must set up two-factor authentication first; ask an admin for a new set-up link"
    )]
    TotpSetupRequired,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<super::passkeys::PasskeyError> for LoginError {
    fn from(e: super::passkeys::PasskeyError) -> Self {
        match e {
            super::passkeys::PasskeyError::Other(e) => Self::Other(e),
            // A passkey exists but cannot be asked for: base_url changed
            // to one without a host name since it was added.
            e => Self::Other(anyhow::anyhow!("a passkey sign-in: {e}")),
        }
    }
}

impl From<sqlx::Error> for LoginError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// A hash of a password nobody has, made with the same parameters as real
/// ones, to verify against when there is no usable account.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not a real password").unwrap_or_default());

/// Whether `password` opens `account`, decided with exactly one argon2
/// verification on every path.
///
/// Unknown, disabled, locked and not-yet-set-up accounts are refused too,
/// but only after verifying against [`DUMMY_HASH`], so a refusal takes the
/// same time whatever the reason and timing does not tell which accounts
/// exist or are locked. `verify` is a parameter so tests can count calls.
fn password_opens(
    account: Option<&Account>,
    now: i64,
    password: &str,
    verify: impl FnOnce(&str, &str) -> bool,
) -> bool {
    let usable = account.filter(|a| !a.disabled && !is_locked(a.locked_until, now));
    let hash = usable.and_then(|a| a.password_hash.as_deref());
    let matches = verify(hash.unwrap_or(DUMMY_HASH.as_str()), password);
    matches && hash.is_some()
}

/// [`password_opens`] on a blocking thread: argon2 takes tens of
/// milliseconds of CPU.
async fn check_password_off_thread(
    account: Option<Account>,
    now: i64,
    password: &str,
) -> anyhow::Result<bool> {
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || {
        password_opens(account.as_ref(), now, &password, verify_password)
    })
    .await?;
    Ok(ok)
}

/// Refuses a login, doing the same work whatever the reason, so that no
/// refusal answers sooner than another: one transaction that counts the
/// failure against an account that may still be tried (for an unknown,
/// disabled or locked one the same statement runs and changes nothing)
/// and records one audit event, without the e-mail typed (people type
/// passwords there). Only whoever gave the right password and a used code
/// hears that it was the code. A wrong passkey after the right password
/// counts as a wrong code does.
pub(super) async fn refuse<T>(
    state: &AppState,
    ip: &str,
    account: Option<&Account>,
    why: &'static str,
    now: i64,
) -> Result<T, LoginError> {
    let counted = account.filter(|_| {
        matches!(
            why,
            "wrong_password" | "wrong_code" | "code_reused" | "wrong_passkey"
        )
    });
    // An id no account has: the UPDATE finds no row.
    let nobody = AccountId::generate();
    let counted_id = counted.map_or(&nobody, |a| &a.id);
    let actor = Actor {
        who: account.map_or_else(|| "anonymous".to_owned(), |a| format!("account:{}", a.id)),
        ip: ip.to_owned(),
    };
    let mut tx = state.db.begin().await?;
    let lock_until = now + db::seconds(i64::from(state.config.auth.lockout_minutes) * 60);
    let n =
        accounts::record_failed_login(&mut tx, counted_id, MAX_FAILED_LOGINS, lock_until).await?;
    let target = account.map_or("", |a| a.id.as_str());
    let detail = json!({ "reason": why, "locked": n >= MAX_FAILED_LOGINS, "code_reused": why == "code_reused" });
    audit::append(&mut tx, &actor, "account.login_failed", target, detail);
    tx.commit().await?;
    Err(match why {
        "code_reused" => LoginError::CodeReused,
        _ => LoginError::Rejected,
    })
}

/// What a right password leads to.
pub enum Login {
    /// Signed in: the account and its new session's secret.
    Done(Account, Secret),
    /// One of the account's passkeys must confirm: the challenge for it
    /// (see `passkey_login::finish_second_factor`).
    Passkey(Account, super::passkeys::Challenge),
}

/// Checks credentials and opens a session, or asks for a passkey.
///
/// An account with a passkey needs a second factor: its TOTP code when it
/// has TOTP and one was typed, else one of its passkeys. An account with
/// neither signs in with its password alone.
pub async fn login(
    state: &AppState,
    ip: &str,
    email: &str,
    password: &str,
    code: &str,
    next_path: &str,
) -> Result<Login, LoginError> {
    let mut conn = state.db.conn().await?;
    let found = accounts::by_email(&mut conn, email.trim()).await?;
    drop(conn);
    let now = db::now();
    let password_ok = check_password_off_thread(found.clone(), now, password).await?;
    let Some(account) = found else {
        return refuse(state, ip, None, "unknown", now).await;
    };
    if account.disabled || is_locked(account.locked_until, now) {
        let why = if account.disabled {
            "disabled"
        } else {
            "locked"
        };
        return refuse(state, ip, Some(&account), why, now).await;
    }
    let code_given = !code.trim().is_empty();
    if password_ok && (!code_given || account.totp_secret.is_none()) {
        let mut conn = state.db.conn().await?;
        let has_passkey = passkeys::has_any(&mut conn, &account.id).await?;
        drop(conn);
        if has_passkey {
            let challenge =
                super::passkey_login::start_second_factor(state, &account, next_path).await?;
            return Ok(Login::Passkey(account, challenge));
        }
    }
    // The code's step must be newer than the last one accepted.
    let (step, reused) = match &account.totp_secret {
        Some(secret) => match totp_step(secret, code) {
            Some(s) if totp_step_is_fresh(s, account.totp_last_step) => (Some(Some(s)), false),
            Some(_) => (None, true),
            None => (None, false),
        },
        None => (Some(None), false),
    };
    let mut used = match step {
        Some(Some(s)) => Used::Totp(s),
        _ => Used::Nothing,
    };
    let mut code_ok = step.is_some();
    // Not a current code: perhaps one of the account's recovery codes.
    if password_ok
        && !code_ok
        && !reused
        && account.totp_secret.is_some()
        && let Some(hash) = super::recovery::find(state, &account, code).await?
    {
        used = Used::RecoveryCode(hash);
        code_ok = true;
    }
    if !(password_ok && code_ok) {
        let why = match (password_ok, reused) {
            (true, true) => "code_reused",
            (true, false) => "wrong_code",
            _ => "wrong_password",
        };
        return refuse(state, ip, Some(&account), why, now).await;
    }
    if totp_required(account.role, state.config.auth.require_totp_for_admins)
        && account.totp_secret.is_none()
    {
        return Err(LoginError::TotpSetupRequired);
    }
    let method = match used {
        Used::Totp(_) => "password+totp",
        Used::RecoveryCode(_) => "password+recovery_code",
        Used::Nothing => "password",
    };
    let opened = open_session(state, ip, &account, used, method).await?;
    let Some(session) = opened else {
        // A concurrent login took the same code first.
        return Err(LoginError::CodeReused);
    };
    Ok(Login::Done(account, session))
}

/// A one-time code a login uses up.
pub(super) enum Used {
    Nothing,
    /// A TOTP code of this time step.
    Totp(i64),
    /// The recovery code of this hash.
    RecoveryCode(String),
}

/// Opens a session for `account`, signed in by `method` (for the audit
/// event), using up the code `used`; `None` when a concurrent login used
/// that code first.
pub(super) async fn open_session(
    state: &AppState,
    ip: &str,
    account: &Account,
    used: Used,
    method: &str,
) -> Result<Option<Secret>, LoginError> {
    let actor = Actor {
        who: format!("account:{}", account.id),
        ip: ip.to_owned(),
    };
    let session = Secret::generate();
    let now = db::now();
    let expires = now + db::seconds(i64::from(state.config.auth.session_hours) * 3600);
    let mut tx = state.db.begin().await?;
    match &used {
        Used::Nothing => {}
        Used::Totp(step) => {
            if !accounts::use_totp_step(&mut tx, &account.id, *step).await? {
                return Ok(None);
            }
        }
        Used::RecoveryCode(hash) => {
            if !recovery_codes::mark_used(&mut tx, &account.id, hash).await? {
                return Ok(None);
            }
            let left = recovery_codes::unused(&mut tx, &account.id).await?.len();
            audit::append(
                &mut tx,
                &actor,
                "account.recovery_code_used",
                account.id.as_str(),
                json!({ "unused": left }),
            );
        }
    }
    accounts::record_successful_login(&mut tx, &account.id).await?;
    sessions::insert_session(&mut tx, &session.hash(), &account.id, expires).await?;
    audit::append(
        &mut tx,
        &actor,
        "account.login",
        account.id.as_str(),
        json!({ "method": method }),
    );
    tx.commit().await?;
    Ok(Some(session))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::Role;
    use crate::domain::id::AccountId;

    fn account(hash: Option<&str>, disabled: bool, locked_until: Option<i64>) -> Account {
        Account {
            id: AccountId::generate(),
            email: "a@example.org".into(),
            role: Role::Member,
            password_hash: hash.map(str::to_owned),
            totp_secret: None,
            totp_last_step: None,
            failed_logins: 0,
            locked_until,
            disabled,
            language: None,
            time_zone: None,
        }
    }

    #[test]
    fn every_login_refusal_runs_exactly_one_password_verification() {
        let real = hash_password("correct horse battery").unwrap();
        let now = 1_000;
        let cases = [
            ("unknown", None, "correct horse battery", false),
            (
                "disabled",
                Some(account(Some(&real), true, None)),
                "correct horse battery",
                false,
            ),
            (
                "locked",
                Some(account(Some(&real), false, Some(now + 1))),
                "correct horse battery",
                false,
            ),
            (
                "not set up",
                Some(account(None, false, None)),
                "correct horse battery",
                false,
            ),
            (
                "wrong password",
                Some(account(Some(&real), false, None)),
                "wrong",
                false,
            ),
            (
                "lock expired",
                Some(account(Some(&real), false, Some(now - 1))),
                "correct horse battery",
                true,
            ),
            (
                "right password",
                Some(account(Some(&real), false, None)),
                "correct horse battery",
                true,
            ),
        ];
        for (what, acc, password, expected) in cases {
            let mut calls = 0;
            let mut hashes = Vec::new();
            let ok = password_opens(acc.as_ref(), now, password, |h, p| {
                calls += 1;
                hashes.push(h.to_owned());
                verify_password(h, p)
            });
            assert_eq!(ok, expected, "{what}");
            assert_eq!(calls, 1, "{what}: one argon2 verification");
            // Refusals without a usable hash verify against an argon2 hash
            // made with the same parameters, so they cost the same.
            let params = |h: &str| h.rsplitn(3, '$').nth(2).map(str::to_owned);
            assert_eq!(params(&hashes[0]), params(&real), "{what}");
        }
    }

    #[test]
    fn a_right_password_does_not_open_a_locked_or_unusable_account() {
        let now = 1_000;
        // Even when the dummy hash's own password is given.
        assert!(!password_opens(
            None,
            now,
            "not a real password",
            verify_password
        ));
        let none = account(None, false, None);
        assert!(!password_opens(
            Some(&none),
            now,
            "not a real password",
            verify_password
        ));
    }
}
