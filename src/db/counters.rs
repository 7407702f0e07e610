//! Named counters for numbers that must never be handed out twice (criteria
//! and policy versions). Advisory numbers have their own per-year counter.

use sqlx::AnyConnection;

use super::DbError;

/// The counter of criteria versions.
pub const CRITERIA_VERSIONS: &str = "criteria_versions";
/// The counter of list policy versions.
pub const POLICY_VERSIONS: &str = "policy_versions";

/// Takes the next number of `name`. The row stays locked until the
/// transaction ends, so a concurrent taker waits and gets the number after;
/// a rollback gives the number back.
pub async fn next(conn: &mut AnyConnection, name: &str) -> Result<i64, DbError> {
    sqlx::query_scalar("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value")
        .bind(name)
        .fetch_one(conn)
        .await
}

/// Locks `name` without taking a number, for a use case that must decide
/// under the lock whether to take one (seeding the first version once).
pub async fn lock(conn: &mut AnyConnection, name: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE counters SET value = value WHERE name = $1")
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}
