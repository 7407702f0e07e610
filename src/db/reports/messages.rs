//! A report's thread (messages both ways) and the Message-IDs of the mail
//! we sent about reports.

use sqlx::{AnyConnection, Row};

use super::super::{DbError, sealed};
use crate::domain::id::{MessageId, ReportId};

/// A message's body is sealed (`db::sealed`).
pub const MESSAGE_BODY: &str = "messages.body";

/// A message of a report's thread.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: String,
    /// `in` from the reporter, `out` from the team.
    #[schema(pattern = "^(in|out)$")]
    pub direction: String,
    /// `reporter`, or `account:ID` of the admin who wrote.
    pub author: String,
    pub body: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

pub async fn insert_message(
    conn: &mut AnyConnection,
    report: &ReportId,
    direction: &str,
    author: &str,
    body: &str,
    mail_message_id: Option<&str>,
) -> Result<MessageId, DbError> {
    let id = MessageId::generate();
    sqlx::query(
        "INSERT INTO messages (id, report_id, direction, author, body, mail_message_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.as_str())
    .bind(report.as_str())
    .bind(direction)
    .bind(author)
    .bind(sealed::seal_text(MESSAGE_BODY, id.as_str(), body)?)
    .bind(mail_message_id)
    .bind(super::super::now())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE reports SET updated_at = $1 WHERE id = $2")
        .bind(super::super::now())
        .bind(report.as_str())
        .execute(conn)
        .await?;
    Ok(id)
}

/// Whether an inbound mail with this Message-ID was already taken (MTA retry).
pub async fn has_mail_message(
    conn: &mut AnyConnection,
    mail_message_id: &str,
) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM messages WHERE mail_message_id = $1) + \
         (SELECT COUNT(*) FROM reports WHERE origin_message_id = $1)",
    )
    .bind(mail_message_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn messages(
    conn: &mut AnyConnection,
    report: &ReportId,
) -> Result<Vec<Message>, DbError> {
    let rows = sqlx::query(
        "SELECT id, direction, author, body, created_at FROM messages WHERE report_id = $1 ORDER BY created_at, id",
    )
    .bind(report.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            Ok(Message {
                body: sealed::open_text(MESSAGE_BODY, &id, r.try_get("body")?)?,
                id,
                direction: r.try_get("direction")?,
                author: r.try_get("author")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Remembers the Message-IDs of mails we sent about reports (`None`: about
/// none); one already known is kept as it is.
pub async fn record_sent_mails(
    conn: &mut AnyConnection,
    mails: &[(&str, Option<&ReportId>)],
) -> Result<(), DbError> {
    let now = super::super::now();
    for rows in mails.chunks(super::super::rows_per_statement(3)) {
        // Only placeholders are formatted in; every value is bound.
        let sql = format!(
            "INSERT INTO sent_mail (mail_message_id, report_id, created_at) VALUES {} \
             ON CONFLICT (mail_message_id) DO NOTHING",
            super::super::placeholders(rows.len(), 3)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (message_id, report) in rows {
            q = q
                .bind(*message_id)
                .bind(report.map(|r| r.as_str()))
                .bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
