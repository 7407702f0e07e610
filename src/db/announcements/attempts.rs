//! A delivery's attempts: started (`sending`, one more attempt), ended
//! (with the server's answer), reopened after an admin's retry.

use sqlx::{AnyConnection, AssertSqlSafe};

use super::{DELIVERY_COLUMNS, DeliveryRow, ROWS_PER_UPDATE, delivery};
use crate::db::{DbError, Params, list, padded};
use crate::domain::announcement::DeliveryState;

/// Starts attempts: each delivery still to send is `sending` with one
/// more attempt; those finished already (sent, bounced, failed) or unknown
/// are left out. The rows started, in no particular order.
pub async fn start_attempts(
    conn: &mut AnyConnection,
    ids: &[&str],
    now: i64,
) -> Result<Vec<DeliveryRow>, DbError> {
    let mut started = Vec::with_capacity(ids.len());
    let p = Params::of(conn);
    for chunk in ids.chunks(ROWS_PER_UPDATE) {
        let chunk = padded(chunk, ROWS_PER_UPDATE);
        // Only placeholders are formatted in; every value is bound.
        let sql = format!(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, updated_at = {} \
             WHERE id IN ({}) AND state IN ('queued', 'sending', 'deferred') RETURNING {DELIVERY_COLUMNS}",
            p.at(1),
            p.list(2, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(now);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            started.push(delivery(&r)?);
        }
    }
    Ok(started)
}

/// Records how each of many attempts went (its state and the server's
/// answer, which names its own queue id, so no two are alike), unless a
/// delivery finished meanwhile (a bounce that arrived first stays a
/// bounce): one statement for many rows rather than one a delivery.
pub async fn finish_each(
    conn: &mut AnyConnection,
    ended: &[(&str, DeliveryState, &str)],
    now: i64,
) -> Result<(), DbError> {
    let p = Params::of(conn);
    for rows in ended.chunks(p.rows(3)) {
        // A repeated row sets the same state and answer again.
        let rows = padded(rows, p.rows(3));
        // Only placeholders are formatted in; every value is bound.
        let sql = format!(
            "WITH ended (id, state, answer) AS (VALUES {}) \
             UPDATE deliveries SET state = ended.state, answer = ended.answer, updated_at = {} \
             FROM ended WHERE deliveries.id = ended.id AND deliveries.state = 'sending'",
            p.placeholders(rows.len(), 3),
            p.at(rows.len() * 3 + 1)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (id, state, answer) in rows {
            q = q.bind(id).bind(state.as_str()).bind(answer);
        }
        q.bind(now).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records how attempts that ended alike went, unless a delivery finished
/// meanwhile (a bounce that arrived first stays a bounce).
pub async fn finish_attempts(
    conn: &mut AnyConnection,
    ids: &[&str],
    state: DeliveryState,
    answer: &str,
    now: i64,
) -> Result<(), DbError> {
    for chunk in ids.chunks(ROWS_PER_UPDATE) {
        let sql = format!(
            "UPDATE deliveries SET state = $1, answer = $2, updated_at = $3 \
             WHERE id IN ({}) AND state = 'sending'",
            list(4, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(state.as_str())
            .bind(answer)
            .bind(now);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A failed delivery waits again (its dead job was retried).
pub async fn reopen(conn: &mut AnyConnection, id: &str, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE deliveries SET state = 'queued', updated_at = $2 WHERE id = $1 AND state = 'failed'",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
