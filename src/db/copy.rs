//! The SQL of `embargo db copy` (`app::db_copy`): the tables of a SQLite
//! database, read from one snapshot, written set-wise into PostgreSQL.
//!
//! Tables and columns come from the schema the migrations made (SQLite's
//! `sqlite_master` and `pragma_table_info`), not from a list kept here, so
//! a new migration's table is copied without a change to this file; only
//! the rows the migrations themselves insert ([`SEEDED`]) are named.

use std::collections::BTreeMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::DbError;

/// Tables the migrations fill with rows of their own (the start of the
/// audit chain, counters at zero, the health probe's row), with the
/// condition a row of a deployment's own meets: the target is empty when
/// no row meets it; the copy replaces these rows with the source's.
pub const SEEDED: &[(&str, &str)] = &[
    ("audit_head", "seq <> 0"),
    ("counters", "value <> 0"),
    ("health_probe", "1 = 0"),
];

/// The migrator's own table: each side keeps its own.
const MIGRATIONS_TABLE: &str = "schema_migrations";

/// Most values one INSERT binds. PostgreSQL takes up to 65,535 and parses
/// a statement once, so the cost that matters is round trips: this makes
/// a few hundred rows a statement for most tables.
const VALUES_PER_INSERT: usize = 4096;
/// Rows a statement takes at most, however narrow the table.
const MAX_ROWS: usize = 500;
/// Rows a statement takes from a table with a binary column (attachments,
/// ciphertexts), so a batch of large files stays a few of them in memory.
const BLOB_ROWS: usize = 8;

/// How a column's values are read and bound: the target's column type
/// decides, since that is what the value must become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Bytes,
}

/// One table to copy: its columns in the source's order.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<(String, Kind)>,
    /// Tables its foreign keys reference (itself excluded).
    pub references: Vec<String>,
}

impl Table {
    /// Rows one INSERT (and one page of the source) holds.
    pub fn rows_per_batch(&self) -> usize {
        if self.columns.iter().any(|(_, k)| *k == Kind::Bytes) {
            return BLOB_ROWS;
        }
        (VALUES_PER_INSERT / self.columns.len().max(1)).clamp(1, MAX_ROWS)
    }

    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A name as an SQL identifier; names come from the schema, and quoting
/// keeps one like `"table"` a name.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The application's tables in SQLite, with their columns and the tables
/// they reference: all of `sqlite_master` but SQLite's own and the
/// migrator's.
pub async fn source_tables(
    conn: &mut AnyConnection,
) -> Result<Vec<(String, Vec<String>, Vec<String>)>, DbError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> $1 ORDER BY name",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?;
        let mut references: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?;
        references.retain(|r| r != &name);
        out.push((name, columns, references));
    }
    Ok(out)
}

/// The target's tables in the current schema, each with its columns'
/// PostgreSQL types (`bigint`, `text`, `bytea`, ...).
pub async fn target_columns(
    conn: &mut AnyConnection,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, DbError> {
    let rows = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for r in rows {
        let table: String = r.try_get(0)?;
        out.entry(table)
            .or_default()
            .insert(r.try_get(1)?, r.try_get(2)?);
    }
    Ok(out)
}

/// Rows of `table` the copy would bring: on the target, those that are
/// not a migration's own ([`SEEDED`]).
pub async fn count(conn: &mut AnyConnection, table: &str, own_only: bool) -> Result<i64, DbError> {
    let seeded = SEEDED.iter().find(|(t, _)| *t == table).map(|(_, w)| *w);
    let filter = match (own_only, seeded) {
        (true, Some(condition)) => format!(" WHERE {condition}"),
        _ => String::new(),
    };
    sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {}{filter}",
        quote(table)
    )))
    .fetch_one(conn)
    .await
}

/// Removes the migrations' own rows of the [`SEEDED`] tables, which the
/// source's rows replace.
pub async fn clear_seeded(conn: &mut AnyConnection) -> Result<(), DbError> {
    for (table, _) in SEEDED {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", quote(table))))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// One page of `table`'s rows after SQLite's `rowid` `after`, in rowid
/// order: the rowid of the last, and the rows.
pub async fn page(
    conn: &mut AnyConnection,
    table: &Table,
    after: i64,
    limit: usize,
) -> Result<(i64, Vec<AnyRow>), DbError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT rowid, {} FROM {} WHERE rowid > $1 ORDER BY rowid LIMIT $2",
        table.column_list(),
        quote(&table.name)
    )))
    .bind(after)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(conn)
    .await?;
    let last = match rows.last() {
        Some(r) => r.try_get(0)?,
        None => after,
    };
    Ok((last, rows))
}

/// Writes `rows` (as [`page`] read them) into the target in one INSERT.
pub async fn insert(
    conn: &mut AnyConnection,
    table: &Table,
    rows: &[AnyRow],
) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    let width = table.columns.len();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        quote(&table.name),
        table.column_list(),
        super::placeholders(rows.len(), width)
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        // Index 0 is the rowid.
        for (i, (column, kind)) in table.columns.iter().enumerate() {
            let at = i + 1;
            let bad = |e: DbError| DbError::Protocol(format!("{}.{column}: {e}", table.name));
            q = match kind {
                Kind::Int => q.bind(row.try_get::<Option<i64>, _>(at).map_err(bad)?),
                Kind::Text => q.bind(row.try_get::<Option<String>, _>(at).map_err(bad)?),
                Kind::Bytes => q.bind(row.try_get::<Option<Vec<u8>>, _>(at).map_err(bad)?),
            };
        }
    }
    q.execute(conn).await?;
    Ok(())
}

/// Sets every sequence behind a target column (serial or identity) past
/// the largest value copied, so new rows do not collide; answers how many.
pub async fn reset_sequences(conn: &mut AnyConnection) -> Result<usize, DbError> {
    let rows = sqlx::query(
        "SELECT table_name::text, column_name::text, \
         pg_get_serial_sequence(quote_ident(table_name::text), column_name::text) \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND pg_get_serial_sequence(quote_ident(table_name::text), column_name::text) IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let (table, column, sequence): (String, String, String) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        sqlx::query(AssertSqlSafe(format!(
            "SELECT setval($1, COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
            quote(&column),
            quote(&table)
        )))
        .bind(sequence)
        .fetch_one(&mut *conn)
        .await?;
    }
    Ok(rows.len())
}
