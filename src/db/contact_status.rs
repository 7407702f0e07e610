//! What the admin's page of a member says of each current contact: set up
//! or not, the newest policy version accepted, the current OpenPGP key and
//! when it expires, and until when an unused set-up link works.

use sqlx::{AnyConnection, Row};

use super::DbError;

#[derive(Debug, Clone, serde::Serialize)]
pub struct ContactStatus {
    pub account_id: String,
    pub set_up: bool,
    pub disabled: bool,
    pub accepted_version: Option<i64>,
    pub key_fingerprint: Option<String>,
    pub key_expires_at: Option<i64>,
    /// The latest expiry of an unused set-up link, expired or not.
    pub setup_link_expires_at: Option<i64>,
}

/// The status of every current contact of `member`, in one query.
pub async fn of_member(
    conn: &mut AnyConnection,
    member: &str,
) -> Result<Vec<ContactStatus>, DbError> {
    let rows = sqlx::query(
        "SELECT c.account_id, \
           CAST(CASE WHEN a.password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT) AS set_up, a.disabled, \
           (SELECT MAX(p.version) FROM policy_acceptances p WHERE p.account_id = c.account_id) AS accepted_version, \
           k.fingerprint, k.expires_at, \
           (SELECT MAX(s.expires_at) FROM setup_links s WHERE s.account_id = c.account_id AND s.used_at IS NULL) AS setup_link_expires_at \
         FROM member_contacts c JOIN accounts a ON a.id = c.account_id \
         LEFT JOIN contact_keys k ON k.account_id = c.account_id AND k.replaced_at IS NULL \
         WHERE c.member_id = $1 AND c.removed_at IS NULL ORDER BY c.name",
    )
    .bind(member)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ContactStatus {
                account_id: r.try_get("account_id")?,
                set_up: r.try_get::<i64, _>("set_up")? != 0,
                disabled: r.try_get::<i64, _>("disabled")? != 0,
                accepted_version: r.try_get("accepted_version")?,
                key_fingerprint: r.try_get("fingerprint")?,
                key_expires_at: r.try_get("expires_at")?,
                setup_link_expires_at: r.try_get("setup_link_expires_at")?,
            })
        })
        .collect()
}
