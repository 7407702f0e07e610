//! `embargo db copy --to postgres://...`: a SQLite deployment's database
//! moved into an empty PostgreSQL database, ids and audit chain as they are.
//!
//! The source is read in one snapshot (so `serve` may run meanwhile; what
//! it writes after the snapshot is not copied), the target written in one
//! transaction (so a failure leaves it as empty as it was), then the
//! target's audit chain is verified as `embargo audit verify` does.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::{AnyConnection, Connection};

use crate::config::{Config, Paths};
use crate::db::copy::{self as sql, Kind, Table};
use crate::db::migrate::{self, Schema};
use crate::db::{Db, Engine};
use crate::domain::audit::ChainError;

/// What the command line shows while the copy runs.
pub trait Progress {
    /// Rows to copy in all.
    fn start(&self, total: u64);
    /// `n` more rows copied.
    fn rows(&self, n: u64);
    /// A table copied whole.
    fn table_done(&self, table: &str, rows: i64);
}

/// What a copy (or a dry run) found and did.
#[derive(Debug)]
pub struct Summary {
    /// Rows of each table, in the order they were (or would be) copied.
    pub tables: Vec<(String, i64)>,
    /// The target's audit chain (events, head); `None` in a dry run.
    pub verified: Option<Result<(i64, String), ChainError>>,
}

impl Summary {
    pub fn total(&self) -> i64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// `url` with its password left out, for messages.
pub fn shown(url: &str) -> String {
    crate::config::redact_url(url)
}

/// Copies the configured SQLite database into the PostgreSQL database at
/// `to`, which must hold no rows of embargo's tables; with `dry_run`,
/// checks both and counts the rows, writing nothing to the target.
pub async fn copy(
    config: &Config,
    paths: &Paths,
    to: &str,
    dry_run: bool,
    progress: &dyn Progress,
) -> anyhow::Result<Summary> {
    let from = config.database_url(&paths.data);
    if !from.starts_with("sqlite:") {
        bail!(
            "the configured database is not SQLite ({}): `embargo db copy` moves a SQLite deployment into PostgreSQL",
            shown(&from)
        );
    }
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        bail!("--to must name a PostgreSQL database (postgres://USER:PASSWORD@HOST/DATABASE)");
    }
    let file = crate::db::backup::sqlite_file(&from)?;
    if !file.is_file() {
        bail!(
            "no database at {}: is --data the deployment's data directory?",
            file.display()
        );
    }
    let source = Db::connect(&from)
        .await
        .with_context(|| format!("opening the database {}", file.display()))?;
    let mut target = Target::connect(to, dry_run).await?;
    let result = run(&source, &mut target, dry_run, progress).await;
    source.close().await;
    let verified = match (&result, &target) {
        (Ok(_), Target::Migrated(db)) => Some(
            crate::app::audit::verify_db(db, None)
                .await
                .context("verifying the audit log on the target"),
        ),
        _ => None,
    };
    target.close().await;
    Ok(Summary {
        tables: result?,
        verified: verified.transpose()?,
    })
}

/// The target: migrated for a copy, as it is for a dry run.
enum Target {
    Migrated(Db),
    AsIs(AnyConnection),
}

impl Target {
    async fn close(self) {
        match self {
            Self::Migrated(db) => db.close().await,
            Self::AsIs(conn) => {
                let _ = conn.close().await;
            }
        }
    }

    async fn connect(to: &str, dry_run: bool) -> anyhow::Result<Self> {
        let unreachable = || format!("connecting to the target {}", shown(to));
        if !dry_run {
            // The migrator `serve` uses: the target gets the same schema.
            let db = Db::connect(to).await.with_context(unreachable)?;
            if db.engine != Engine::Postgres {
                bail!("--to must name a PostgreSQL database");
            }
            return Ok(Self::Migrated(db));
        }
        let conn = tokio::time::timeout(Duration::from_secs(10), AnyConnection::connect(to))
            .await
            .map_err(|_| anyhow::anyhow!("no answer within 10 s"))
            .with_context(unreachable)?
            .with_context(unreachable)?;
        Ok(Self::AsIs(conn))
    }
}

async fn run(
    source: &Db,
    target: &mut Target,
    dry_run: bool,
    progress: &dyn Progress,
) -> anyhow::Result<Vec<(String, i64)>> {
    // One read transaction: every table from the same instant.
    let mut snapshot = source.begin_snapshot().await?;
    let found = sql::source_tables(&mut snapshot).await?;
    let (tables, counts) = match target {
        Target::Migrated(db) => {
            let mut conn = db.conn().await?;
            check_schema(&mut conn).await?;
            let tables = plan(found, &sql::target_columns(&mut conn).await?)?;
            refuse_rows(&mut conn, &tables).await?;
            let counts = counts(&mut snapshot, &tables).await?;
            (tables, counts)
        }
        Target::AsIs(conn) => {
            let columns = sql::target_columns(conn).await?;
            // Missing migrations are fine: the copy applies them first.
            if columns.contains_key("schema_migrations")
                && migrate::schema(conn).await? == Schema::Newer
            {
                check_schema(conn).await?;
            }
            let existing: Vec<_> = found
                .iter()
                .filter(|(t, _, _)| columns.contains_key(t))
                .cloned()
                .collect();
            refuse_rows(conn, &plan_names(existing)).await?;
            let all = plan_names(found);
            (Vec::new(), counts(&mut snapshot, &all).await?)
        }
    };
    if dry_run {
        snapshot.rollback().await?;
        return Ok(counts);
    }
    let Target::Migrated(db) = target else {
        bail!("a copy needs the migrated target");
    };
    let total = counts.iter().map(|(_, n)| *n).sum::<i64>();
    progress.start(u64::try_from(total).unwrap_or(0));
    let mut tx = db.pool.begin().await?;
    let copied = copy_all(&mut snapshot, &mut tx, &tables, &counts, progress).await;
    if let Err(e) = copied {
        // Nothing of it stays: the target is as empty as before.
        let _ = tx.rollback().await;
        return Err(e.context("the target was left as it was (the copy was rolled back)"));
    }
    tx.commit().await.context("committing the copy")?;
    snapshot.rollback().await?;
    Ok(counts)
}

async fn copy_all(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
    tables: &[Table],
    counts: &[(String, i64)],
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    sql::clear_seeded(target).await?;
    for (table, (_, expected)) in tables.iter().zip(counts) {
        let limit = table.rows_per_batch();
        let mut after = i64::MIN;
        let mut copied: i64 = 0;
        loop {
            let (last, rows) = sql::page(source, table, after, limit)
                .await
                .with_context(|| format!("reading {}", table.name))?;
            sql::insert(target, table, &rows)
                .await
                .with_context(|| format!("copying {}", table.name))?;
            copied += rows.len() as i64;
            progress.rows(rows.len() as u64);
            if rows.len() < limit {
                break;
            }
            after = last;
        }
        let written = sql::count(target, &table.name, false).await?;
        if copied != *expected || written != copied {
            bail!(
                "{}: {expected} rows in the snapshot, {copied} read, {written} in the target",
                table.name
            );
        }
        progress.table_done(&table.name, copied);
    }
    sql::reset_sequences(target).await?;
    Ok(())
}

/// Refuses a target whose migrations are not exactly this embargo's.
async fn check_schema(conn: &mut AnyConnection) -> anyhow::Result<()> {
    match migrate::schema(conn).await? {
        Schema::Current => Ok(()),
        Schema::Missing => bail!("the target's migrations are incomplete"),
        Schema::Newer => {
            bail!("the target was migrated by a newer embargo: copy with that version or newer")
        }
    }
}

/// Refuses a target with rows of its own in any of `tables`, naming them.
async fn refuse_rows(conn: &mut AnyConnection, tables: &[Table]) -> anyhow::Result<()> {
    let mut full = Vec::new();
    for t in tables {
        let n = sql::count(conn, &t.name, true).await?;
        if n > 0 {
            full.push(format!("{} ({n} rows)", t.name));
        }
    }
    if !full.is_empty() {
        bail!(
            "the target database is not empty: {} (nothing was copied; copy into a new, empty database)",
            full.join(", ")
        );
    }
    Ok(())
}

async fn counts(
    snapshot: &mut AnyConnection,
    tables: &[Table],
) -> anyhow::Result<Vec<(String, i64)>> {
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        out.push((t.name.clone(), sql::count(snapshot, &t.name, false).await?));
    }
    Ok(out)
}

/// The source's tables in an order that respects their foreign keys, each
/// with the target's type for each column.
fn plan(
    found: Vec<(String, Vec<String>, Vec<String>)>,
    target: &BTreeMap<String, BTreeMap<String, String>>,
) -> anyhow::Result<Vec<Table>> {
    let mut tables = Vec::with_capacity(found.len());
    for (name, columns, references) in found {
        let Some(types) = target.get(&name) else {
            bail!("the target has no table {name}: is it embargo's database at this version?");
        };
        let mut typed = Vec::with_capacity(columns.len());
        for c in &columns {
            let Some(ty) = types.get(c) else {
                bail!("the target's table {name} has no column {c}");
            };
            typed.push((c.clone(), kind(&name, c, ty)?));
        }
        if let Some(extra) = types.keys().find(|c| !columns.contains(c)) {
            bail!("the target's table {name} has a column {extra} the source lacks");
        }
        tables.push(Table {
            name,
            columns: typed,
            references,
        });
    }
    in_key_order(tables)
}

/// Tables by name only, for counting (a dry run on a target without them).
fn plan_names(found: Vec<(String, Vec<String>, Vec<String>)>) -> Vec<Table> {
    let tables = found
        .into_iter()
        .map(|(name, _, references)| Table {
            name,
            columns: Vec::new(),
            references,
        })
        .collect();
    in_key_order(tables).unwrap_or_default()
}

fn kind(table: &str, column: &str, ty: &str) -> anyhow::Result<Kind> {
    Ok(match ty {
        "bigint" | "integer" | "smallint" => Kind::Int,
        "text" | "character varying" => Kind::Text,
        "bytea" => Kind::Bytes,
        other => bail!("{table}.{column} is {other} on the target, which the copy does not know"),
    })
}

/// Orders tables so each comes after those it references (ties by name).
fn in_key_order(mut left: Vec<Table>) -> anyhow::Result<Vec<Table>> {
    let names: BTreeSet<String> = left.iter().map(|t| t.name.clone()).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(left.len());
    left.sort_by(|a, b| a.name.cmp(&b.name));
    while !left.is_empty() {
        let ready = left.iter().position(|t| {
            t.references
                .iter()
                .all(|r| done.contains(r) || !names.contains(r))
        });
        let Some(i) = ready else {
            let cycle: Vec<_> = left.iter().map(|t| t.name.as_str()).collect();
            bail!("the foreign keys of {} form a cycle", cycle.join(", "));
        };
        let t = left.remove(i);
        done.insert(t.name.clone());
        out.push(t);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{Table, in_key_order, shown};

    fn t(name: &str, refs: &[&str]) -> Table {
        Table {
            name: name.into(),
            columns: Vec::new(),
            references: refs.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn tables_come_after_the_tables_they_reference() {
        let order = in_key_order(vec![
            t("messages", &["reports"]),
            t("attachments", &["messages", "reports"]),
            t("reports", &["accounts"]),
            t("accounts", &[]),
            t("jobs", &["not_copied"]),
        ])
        .unwrap();
        let names: Vec<_> = order.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["accounts", "jobs", "reports", "messages", "attachments"]
        );
        let err = in_key_order(vec![t("a", &["b"]), t("b", &["a"])]).unwrap_err();
        assert!(err.to_string().contains("a, b form a cycle"), "{err}");
    }

    #[test]
    fn a_shown_url_hides_its_password() {
        let s = shown("postgres://embargo:s3cret@db.example/embargo");
        assert!(
            !s.contains("s3cret") && s.contains("db.example/embargo"),
            "{s}"
        );
    }
}
