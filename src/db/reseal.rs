//! Sealing every protected value under the current data key: what
//! `embargo key rotate` does after adding a key, and what seals values
//! written before sealing existed.

use sqlx::{AnyConnection, Row};

use super::{Db, DbError, sealed};

/// A sealed column: its table, its name, whether it holds bytes, the
/// expression of the row id its values are bound to, and which rows are
/// sealed (SQL, on the table's own columns).
struct Column {
    table: &'static str,
    column: &'static str,
    blob: bool,
    row: &'static str,
    rows: &'static str,
}

const fn text(table: &'static str, column: &'static str) -> Column {
    Column {
        table,
        column,
        blob: false,
        row: "id",
        rows: "1 = 1",
    }
}

const fn blob(table: &'static str, column: &'static str) -> Column {
    Column {
        blob: true,
        ..text(table, column)
    }
}

/// Every sealed column; each module's own names, in one list here.
const COLUMNS: [Column; 13] = [
    text("reports", "title"),
    text("reports", "description"),
    text("reports", "affected_versions"),
    text("reports", "unaffected_versions"),
    text("messages", "body"),
    blob("ciphertexts", "content"),
    text("attachments", "filename"),
    blob("attachments", "content"),
    text("advisory_patches", "filename"),
    blob("advisory_patches", "content"),
    // Published content is public and stays in clear.
    Column {
        rows: "state IN ('draft', 'embargoed') OR published_at IS NULL",
        ..text("advisories", "content")
    },
    // Finished jobs' payloads are emptied; queued and dead ones sealed.
    Column {
        rows: "state <> 'done'",
        ..text("jobs", "payload")
    },
    Column {
        row: "advisory_id || ':' || revision",
        ..text("advisory_revisions", "content")
    },
];

/// Rows read and written per transaction.
const BATCH: i64 = 200;

/// What [`reseal_all`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Resealed {
    /// Values sealed again (or for the first time) under the current key.
    pub sealed: u64,
    /// Values already under the current key.
    pub current: u64,
}

/// Seals every value of every sealed column under the current key, a
/// batch per transaction; `progress` hears each batch. A value changed by
/// the service meanwhile is left as the service wrote it (under its key).
pub async fn reseal_all(db: &Db, progress: impl Fn(&str, u64)) -> Result<Resealed, DbError> {
    let mut done = Resealed::default();
    for c in &COLUMNS {
        let mut after = String::new();
        loop {
            let mut tx = db.begin().await?;
            let (last, counts) = reseal_batch(&mut tx, c, &after).await?;
            tx.commit().await?;
            done.sealed += counts.sealed;
            done.current += counts.current;
            progress(&format!("{}.{}", c.table, c.column), counts.sealed);
            match last {
                Some(id) => after = id,
                None => break,
            }
        }
    }
    Ok(done)
}

/// Opens one sealed value of each column, if there is one: fails with
/// [`sealed::SealError::UnknownKey`] when the loaded keys are not those
/// that sealed this database (a restored database without its key).
pub async fn check_keys(conn: &mut AnyConnection) -> Result<(), DbError> {
    for c in &COLUMNS {
        let (table, column, row, rows) = (c.table, c.column, c.row, c.rows);
        let name = format!("{table}.{column}");
        // Only names from the list above are formatted in.
        let sql =
            format!("SELECT {row} AS row_id, {column} AS value FROM {table} WHERE {rows} LIMIT 1");
        let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_optional(&mut *conn)
            .await?
        else {
            continue;
        };
        let id: String = r.try_get("row_id")?;
        if c.blob {
            sealed::open_blob(&name, &id, r.try_get("value")?)?;
        } else {
            sealed::open_text(&name, &id, r.try_get("value")?)?;
        }
    }
    Ok(())
}

/// One batch of `c` after the id `after`: the last id read (`None` at the end).
async fn reseal_batch(
    conn: &mut AnyConnection,
    c: &Column,
    after: &str,
) -> Result<(Option<String>, Resealed), DbError> {
    let (table, column, row, rows) = (c.table, c.column, c.row, c.rows);
    let name = format!("{table}.{column}");
    // Only names from the list above are formatted in; values are bound.
    let select = format!(
        "SELECT {row} AS row_id, {column} AS value FROM {table} \
         WHERE {row} > $1 AND ({rows}) ORDER BY {row} LIMIT {BATCH}"
    );
    let update = format!("UPDATE {table} SET {column} = $1 WHERE {row} = $2 AND {column} = $3");
    let rows = sqlx::query(sqlx::AssertSqlSafe(select))
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
    let mut counts = Resealed::default();
    let mut last = None;
    for r in &rows {
        let id: String = r.try_get("row_id")?;
        if c.blob {
            let stored: Vec<u8> = r.try_get("value")?;
            if sealed::sealed_with_current(&stored) {
                counts.current += 1;
            } else {
                let clear = sealed::open_blob(&name, &id, stored.clone())?;
                sqlx::query(sqlx::AssertSqlSafe(update.clone()))
                    .bind(sealed::seal_blob(&name, &id, &clear)?)
                    .bind(&id)
                    .bind(stored)
                    .execute(&mut *conn)
                    .await?;
                counts.sealed += 1;
            }
        } else {
            let stored: String = r.try_get("value")?;
            if sealed::sealed_with_current(stored.as_bytes()) {
                counts.current += 1;
            } else {
                let clear = sealed::open_text(&name, &id, stored.clone())?;
                sqlx::query(sqlx::AssertSqlSafe(update.clone()))
                    .bind(sealed::seal_text(&name, &id, &clear)?)
                    .bind(&id)
                    .bind(stored)
                    .execute(&mut *conn)
                    .await?;
                counts.sealed += 1;
            }
        }
        last = Some(id);
    }
    Ok((last, counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_each_modules_sealed_columns() {
        let names: Vec<String> = COLUMNS
            .iter()
            .map(|c| format!("{}.{}", c.table, c.column))
            .collect();
        for column in crate::db::reports::SEALED {
            assert!(names.contains(&format!("reports.{column}")));
        }
        for name in [
            crate::db::reports::MESSAGE_BODY,
            crate::db::report_attachments::FILENAME,
            crate::db::report_attachments::CONTENT,
            crate::db::advisory_patches::FILENAME,
            crate::db::advisory_patches::CONTENT,
            crate::db::advisories::CONTENT,
            crate::db::advisories::REVISION_CONTENT,
            crate::db::jobs::PAYLOAD,
            crate::db::reports::CIPHERTEXT,
        ] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
        assert_eq!(names.len(), 13);
    }
}
