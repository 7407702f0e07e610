//! The append-only, hash-chained audit log.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{DbError, Tx};
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

/// An audit event waiting for its place in the chain.
#[derive(Debug, Clone)]
pub struct Pending {
    at: i64,
    actor: String,
    ip: String,
    action: String,
    subject: String,
    detail: String,
}

impl Pending {
    /// An event that happened now, by the clock of the request or job.
    pub fn new(actor: &Actor, action: &str, subject: &str, detail: serde_json::Value) -> Self {
        Self {
            at: super::now(),
            actor: actor.who.clone(),
            ip: actor.ip.clone(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail: detail.to_string(),
        }
    }
}

/// Records an event of the change `tx` makes. It joins the chain when `tx`
/// commits and vanishes with it on rollback.
pub fn append(tx: &mut Tx, actor: &Actor, action: &str, subject: &str, detail: serde_json::Value) {
    tx.audit(Pending::new(actor, action, subject, detail));
}

/// Rows per INSERT: 9 values each.
const ROWS_PER_INSERT: usize = super::rows_per_statement(9);

/// Appends `events` to the chain in order, inside the caller's transaction.
/// Bumping the head first takes its row lock, so appenders queue here until
/// that transaction ends; callers do this last, just before committing.
pub async fn append_all(conn: &mut AnyConnection, events: &[Pending]) -> Result<(), DbError> {
    if events.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(events.len()).map_err(|e| DbError::Protocol(e.to_string()))?;
    let row = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(count)
        .fetch_one(&mut *conn)
        .await?;
    let last: i64 = row.try_get("seq")?;
    let mut prev_hash: String = row.try_get("hash")?;
    let mut chained = Vec::with_capacity(events.len());
    for (seq, p) in (last - count + 1..).zip(events) {
        let mut ev = AuditEvent {
            seq,
            at: p.at,
            actor: p.actor.clone(),
            action: p.action.clone(),
            subject: p.subject.clone(),
            ip: p.ip.clone(),
            detail: p.detail.clone(),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
        };
        ev.hash = ev.expected_hash();
        prev_hash = ev.hash.clone();
        chained.push(ev);
    }
    for rows in chained.chunks(ROWS_PER_INSERT) {
        let values = super::placeholders(rows.len(), 9);
        // Only placeholders are formatted in; every value is bound.
        let sql = format!(
            "INSERT INTO audit_events (seq, at, actor, action, subject, ip, detail, prev_hash, hash) \
             VALUES {values}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for ev in rows {
            q = q
                .bind(ev.seq)
                .bind(ev.at)
                .bind(&ev.actor)
                .bind(&ev.action)
                .bind(&ev.subject)
                .bind(&ev.ip)
                .bind(&ev.detail)
                .bind(&ev.prev_hash)
                .bind(&ev.hash);
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(prev_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
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
