//! Admins invite admins: an account with the admin role, and a one-time
//! set-up link mailed to it (`admin_setup`). Inviting someone invited
//! before and not set up yet mails a new link; the old one stops working.

use serde_json::json;

use super::AppState;
use super::mailer::{self, Mail};
use crate::db::audit::{self, Actor};
use crate::db::{self, accounts};
use crate::domain::account::Role;
use crate::domain::email::EmailAddress;
use crate::domain::fields::FieldErrors;
use crate::domain::mail_kind::MailKind;
use crate::domain::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for InviteError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

fn invalid(message: impl Into<String>) -> InviteError {
    let mut e = FieldErrors::new();
    e.add("email", message);
    InviteError::Invalid(e)
}

/// Invites `email` as an admin; `invited_by` is the inviting admin's
/// address, for the mail. Returns the address as parsed.
pub async fn invite_admin(
    state: &AppState,
    actor: &Actor,
    invited_by: &str,
    email: &str,
) -> Result<EmailAddress, InviteError> {
    let email = EmailAddress::parse(email).map_err(|e| invalid(e.0))?;
    let mut tx = state.db.begin().await?;
    let id = match accounts::by_email(&mut tx, email.as_str()).await? {
        Some(a) if a.role != Role::Admin => {
            return Err(invalid(format!(
                "already belongs to a {} account",
                a.role.as_str()
            )));
        }
        Some(a) if a.password_hash.is_some() => {
            return Err(invalid("is already an admin's address"));
        }
        Some(a) => a.id,
        None => {
            let id = accounts::insert(&mut tx, &email, Role::Admin).await?;
            let detail = json!({ "role": Role::Admin.as_str(), "invited": true });
            audit::append(&mut tx, actor, "account.created", id.as_str(), detail);
            id
        }
    };
    let link = Secret::generate();
    let expires = db::now() + db::seconds(super::auth::SETUP_LINK_HOURS * 3600);
    accounts::insert_setup_link(&mut tx, &id, &link.hash(), expires).await?;
    let context = json!({
        "invited_by": invited_by,
        "setup_url": format!("{}/setup/{}", state.config.base(), link.expose()),
    });
    let mail = Mail::new(
        format!("admin_setup:{id}:{expires}"),
        MailKind::AdminSetup,
        context,
        vec![email.to_string()],
    );
    mailer::queue(&mut tx, state, mail).await?;
    let detail = json!({ "mailed": true });
    audit::append(
        &mut tx,
        actor,
        "account.setup_link_issued",
        id.as_str(),
        detail,
    );
    tx.commit().await?;
    state.wake_runner();
    Ok(email)
}
