//! The append-only, hash-chained audit log.

use sqlx::{AnyConnection, Row};

use super::DbError;
use crate::domain::audit::AuditEvent;

/// Who did it, from where: the fields every audit event shares.
#[derive(Debug, Clone)]
pub struct Actor {
    pub who: String,
    pub ip: String,
}

impl Actor {
    pub fn system() -> Self {
        Self {
            who: "system".into(),
            ip: String::new(),
        }
    }

    pub fn cli() -> Self {
        Self {
            who: "cli".into(),
            ip: String::new(),
        }
    }
}

/// Appends one event. Call it inside the transaction that makes the change.
pub async fn append(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<i64, DbError> {
    // Bumping the head first takes its row lock, so appenders queue here.
    let row = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = row.try_get("seq")?;
    let prev_hash: String = row.try_get("hash")?;
    let mut ev = AuditEvent {
        seq,
        at: super::now(),
        actor: actor.who.clone(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        ip: actor.ip.clone(),
        detail: detail.to_string(),
        prev_hash,
        hash: String::new(),
    };
    ev.hash = ev.expected_hash();
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor, action, subject, ip, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(ev.seq)
    .bind(ev.at)
    .bind(&ev.actor)
    .bind(&ev.action)
    .bind(&ev.subject)
    .bind(&ev.ip)
    .bind(&ev.detail)
    .bind(&ev.prev_hash)
    .bind(&ev.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&ev.hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

/// The recorded end of the chain: (sequence number, hash).
pub async fn head(conn: &mut AnyConnection) -> Result<(i64, String), DbError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// Events in storage order, `limit` at a time after `after_seq`.
pub async fn page(
    conn: &mut AnyConnection,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditEvent>, DbError> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, subject, ip, detail, prev_hash, hash FROM audit_events \
         WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(event).collect()
}

/// Events about one subject, newest first (report history pages).
pub async fn for_subject(
    conn: &mut AnyConnection,
    subject: &str,
) -> Result<Vec<AuditEvent>, DbError> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, subject, ip, detail, prev_hash, hash FROM audit_events \
         WHERE subject = $1 ORDER BY seq DESC LIMIT 200",
    )
    .bind(subject)
    .fetch_all(conn)
    .await?;
    rows.iter().map(event).collect()
}

fn event(r: &sqlx::any::AnyRow) -> Result<AuditEvent, DbError> {
    Ok(AuditEvent {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        subject: r.try_get("subject")?,
        ip: r.try_get("ip")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}
