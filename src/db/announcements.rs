//! Announcements and their per-recipient deliveries.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{DbError, list};

mod attempts;
pub use attempts::{finish_attempts, finish_each, reopen, start_attempts};

/// Ids per batched UPDATE.
const ROWS_PER_UPDATE: usize = 100;
use crate::domain::announcement::{DeliveryKind, DeliveryState, Purpose};

/// A contact who receives announcements: of an active member, not removed,
/// with the current policy accepted (attested counts).
#[derive(Debug, Clone)]
pub struct Recipient {
    pub account_id: String,
    pub member_id: String,
    pub email: String,
    pub has_key: bool,
    /// The language they read mail in; `None`: the organisation's.
    pub language: Option<String>,
    /// An admin's allowance to send them embargoed material in clear.
    pub clear_text: Option<crate::domain::clear_text::Allowance>,
}

/// Every contact cleared to receive the list's traffic, in one query.
pub async fn cleared_contacts(
    conn: &mut AnyConnection,
    policy_version: i64,
    now: i64,
) -> Result<Vec<Recipient>, DbError> {
    let rows = sqlx::query(
        "SELECT a.id, c.member_id, a.email, \
         CASE WHEN EXISTS (SELECT 1 FROM contact_keys k WHERE k.account_id = a.id \
           AND k.replaced_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)) \
         THEN 1 ELSE 0 END AS has_key, a.language, c.clear_text_by, c.clear_text_at, c.clear_text_reason \
         FROM member_contacts c \
         JOIN accounts a ON a.id = c.account_id \
         JOIN members m ON m.id = c.member_id \
         JOIN policy_acceptances p ON p.account_id = a.id AND p.version = $1 \
         WHERE c.removed_at IS NULL AND m.status = 'active' AND a.disabled = 0 AND a.role = 'member' \
         ORDER BY c.member_id, a.email",
    )
    .bind(policy_version)
    .bind(now)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Recipient {
                account_id: r.try_get("id")?,
                member_id: r.try_get("member_id")?,
                email: r.try_get("email")?,
                has_key: r.try_get::<i64, _>("has_key")? == 1,
                language: r.try_get("language")?,
                clear_text: super::clear_text::allowance(r)?,
            })
        })
        .collect()
}

/// The accounts an advisory itself was announced to (not follow-ups).
pub async fn earlier_recipients(
    conn: &mut AnyConnection,
    advisory: &str,
) -> Result<std::collections::HashSet<String>, DbError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT d.account_id FROM deliveries d \
         JOIN announcements a ON a.id = d.announcement_id \
         WHERE a.advisory_id = $1 AND a.purpose = 'advisory'",
    )
    .bind(advisory)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().collect())
}

pub struct NewAnnouncement<'a> {
    pub id: &'a str,
    pub advisory_id: &'a str,
    pub purpose: Purpose,
    pub note: &'a str,
    pub created_by: &'a str,
    pub created_at: i64,
    pub recipients: i64,
    /// The team's template versions current now ([`crate::app::templates::Snapshot`] as JSON).
    pub templates: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, a: &NewAnnouncement<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO announcements (id, advisory_id, purpose, note, created_by, created_at, recipients, templates) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(a.id)
    .bind(a.advisory_id)
    .bind(a.purpose.as_str())
    .bind(a.note)
    .bind(a.created_by)
    .bind(a.created_at)
    .bind(a.recipients)
    .bind(a.templates)
    .execute(conn)
    .await?;
    Ok(())
}

/// One delivery to write.
pub struct NewDelivery<'a> {
    pub id: &'a str,
    pub recipient: &'a Recipient,
    pub kind: DeliveryKind,
    pub message_id: &'a str,
}

/// Writes the deliveries of `announcement`, queued, in few statements.
pub async fn insert_deliveries(
    conn: &mut AnyConnection,
    announcement: &str,
    deliveries: &[NewDelivery<'_>],
    now: i64,
) -> Result<(), DbError> {
    let params = super::Params::of(conn);
    for rows in deliveries.chunks(params.rows(10)) {
        // Only placeholders are formatted in; every value is bound.
        let sql = format!(
            "INSERT INTO deliveries (id, announcement_id, account_id, member_id, email, kind, state, message_id, updated_at, lang) \
             VALUES {}",
            params.placeholders(rows.len(), 10)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for d in rows {
            q = q
                .bind(d.id)
                .bind(announcement)
                .bind(&d.recipient.account_id)
                .bind(&d.recipient.member_id)
                .bind(&d.recipient.email)
                .bind(d.kind.as_str())
                .bind(DeliveryState::Queued.as_str())
                .bind(d.message_id)
                .bind(now)
                .bind(&d.recipient.language);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AnnouncementRow {
    pub id: String,
    pub advisory_id: String,
    /// `advisory`, `embargo_changed` or `embargo_lifted`.
    pub purpose: String,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
    pub recipients: i64,
    /// The team's template versions when it was made (JSON); `None` for
    /// announcements made before templates could be edited.
    pub templates: Option<String>,
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<AnnouncementRow>, DbError> {
    let row = sqlx::query(
        "SELECT id, advisory_id, purpose, note, created_by, created_at, recipients, templates FROM announcements WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| announcement(&r)).transpose()
}

/// An advisory's announcements, newest first.
pub async fn for_advisory(
    conn: &mut AnyConnection,
    advisory: &str,
) -> Result<Vec<AnnouncementRow>, DbError> {
    let rows = sqlx::query(
        "SELECT id, advisory_id, purpose, note, created_by, created_at, recipients, templates FROM announcements \
         WHERE advisory_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(advisory)
    .fetch_all(conn)
    .await?;
    rows.iter().map(announcement).collect()
}

fn announcement(r: &sqlx::any::AnyRow) -> Result<AnnouncementRow, DbError> {
    Ok(AnnouncementRow {
        id: r.try_get("id")?,
        advisory_id: r.try_get("advisory_id")?,
        purpose: r.try_get("purpose")?,
        note: r.try_get("note")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        recipients: r.try_get("recipients")?,
        templates: r.try_get("templates")?,
    })
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DeliveryRow {
    pub id: String,
    pub announcement_id: String,
    pub account_id: String,
    pub member_id: String,
    pub email: String,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub answer: String,
    pub message_id: String,
    pub updated_at: i64,
    /// The recipient's language when it was made; `None`: the organisation's.
    pub lang: Option<String>,
}

const DELIVERY_COLUMNS: &str = "id, announcement_id, account_id, member_id, email, kind, state, attempts, answer, message_id, updated_at, lang";

/// An announcement's deliveries, by member and address.
pub async fn deliveries(
    conn: &mut AnyConnection,
    announcement: &str,
) -> Result<Vec<DeliveryRow>, DbError> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE announcement_id = $1 ORDER BY member_id, email"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(announcement)
        .fetch_all(conn)
        .await?;
    rows.iter().map(delivery).collect()
}

/// What may change between two deliveries of one announcement: its
/// advisory's revision, last update and number of patches (patches are
/// only ever added).
pub type AdvisoryVersion = (i64, i64, i64);

/// The [`AdvisoryVersion`] of the advisory of each of `announcements`,
/// by announcement id; one whose advisory is gone is missing.
pub async fn advisory_versions(
    conn: &mut AnyConnection,
    announcements: &[&str],
) -> Result<std::collections::HashMap<String, AdvisoryVersion>, DbError> {
    let mut versions = std::collections::HashMap::new();
    for chunk in announcements.chunks(ROWS_PER_UPDATE) {
        let sql = format!(
            "SELECT n.id, a.revision, a.updated_at, \
             (SELECT COUNT(*) FROM advisory_patches p WHERE p.advisory_id = a.id) AS patches \
             FROM announcements n JOIN advisories a ON a.id = n.advisory_id WHERE n.id IN ({})",
            list(1, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            versions.insert(
                r.try_get("id")?,
                (
                    r.try_get("revision")?,
                    r.try_get("updated_at")?,
                    r.try_get("patches")?,
                ),
            );
        }
    }
    Ok(versions)
}

fn delivery(r: &sqlx::any::AnyRow) -> Result<DeliveryRow, DbError> {
    Ok(DeliveryRow {
        id: r.try_get("id")?,
        announcement_id: r.try_get("announcement_id")?,
        account_id: r.try_get("account_id")?,
        member_id: r.try_get("member_id")?,
        email: r.try_get("email")?,
        kind: r.try_get("kind")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        answer: r.try_get("answer")?,
        message_id: r.try_get("message_id")?,
        updated_at: r.try_get("updated_at")?,
        lang: r.try_get("lang")?,
    })
}

/// Marks a delivery bounced (a bounce came back to its VERP address);
/// false when no such delivery was on its way or delivered.
pub async fn mark_bounced(
    conn: &mut AnyConnection,
    id: &str,
    answer: &str,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE deliveries SET state = 'bounced', answer = $2, updated_at = $3 \
         WHERE id = $1 AND state IN ('sending', 'sent', 'deferred')",
    )
    .bind(id)
    .bind(answer)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One member id per contact who would be cleared for the list but has not
/// accepted `policy_version` (every such contact when there is no policy):
/// those get nothing of an announcement. For the count an admin sees
/// before announcing.
pub async fn unaccepted_contacts(
    conn: &mut AnyConnection,
    policy_version: Option<i64>,
) -> Result<Vec<String>, DbError> {
    // A NULL version matches no acceptance, so every contact counts.
    sqlx::query_scalar(
        "SELECT c.member_id FROM member_contacts c \
         JOIN accounts a ON a.id = c.account_id \
         JOIN members m ON m.id = c.member_id \
         WHERE c.removed_at IS NULL AND m.status = 'active' AND a.disabled = 0 AND a.role = 'member' \
         AND NOT EXISTS (SELECT 1 FROM policy_acceptances p WHERE p.account_id = a.id AND p.version = $1) \
         ORDER BY c.member_id",
    )
    .bind(policy_version)
    .fetch_all(conn)
    .await
}

/// How many deliveries of each announcement of `advisory` are in each
/// state: (announcement id, state, count).
pub async fn state_counts(
    conn: &mut AnyConnection,
    advisory: &str,
) -> Result<Vec<(String, String, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT d.announcement_id, d.state, COUNT(*) AS n FROM deliveries d \
         JOIN announcements a ON a.id = d.announcement_id \
         WHERE a.advisory_id = $1 GROUP BY d.announcement_id, d.state",
    )
    .bind(advisory)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("announcement_id")?,
                r.try_get("state")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}
