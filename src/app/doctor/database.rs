//! The database checks: reachable, migrated, a supported PostgreSQL, its
//! clock against this machine's, and the first-admin set-up link.

use sqlx::AnyConnection;

use crate::config::{Config, Paths};
use crate::db::doctor::{self as store, Target};
use crate::db::migrate::Schema;
use crate::db::{DbError, Engine};
use crate::domain::doctor::{
    Finding, POSTGRES_MINIMUM, SKEW_OK_SECONDS, Status, postgres_status, skew_status,
};

/// `database`, `migrations`, then (with a schema) `postgres`, `clock` and
/// `first_admin`.
pub async fn check(config: &Config, paths: &Paths) -> Vec<Finding> {
    let url = config.database_url(&paths.data);
    let target = store::target(&url);
    let shown = shown(&target);
    if let Target::SqliteFile(path) = &target
        && !path.exists()
    {
        return vec![Finding::new(
            Status::Fail,
            "database",
            format!("{shown} does not exist"),
            "start `embargo serve` once: it creates and migrates the database",
        )];
    }
    let (mut conn, engine) = match store::open_read_only(&target).await {
        Ok(c) => c,
        Err(e) => {
            return vec![Finding::new(
                Status::Fail,
                "database",
                format!("cannot open {shown}: {}", error_text(&e)),
                "check database_url, that the database runs, and that this user may read it",
            )];
        }
    };
    let mut out = vec![Finding::ok("database", format!("{shown} answers"))];
    let migrated = migrations(&mut conn, engine).await;
    let current = migrated.status == Status::Ok;
    out.push(migrated);
    if engine == Engine::Postgres {
        out.push(postgres_version(&mut conn).await);
    }
    out.push(clock(&mut conn, engine).await);
    if current {
        out.push(first_admin(&mut conn).await);
    }
    out
}

/// Where the database is, without user or password.
fn shown(target: &Target) -> String {
    match target {
        Target::SqliteFile(path) => format!("SQLite {}", path.display()),
        Target::SqliteMemory => "SQLite in memory".to_owned(),
        Target::Postgres(url) => match url::Url::parse(url) {
            Ok(u) => format!(
                "PostgreSQL {}{}",
                u.host_str().unwrap_or("(local socket)"),
                u.path()
            ),
            Err(_) => "PostgreSQL".to_owned(),
        },
    }
}

/// A database error without anything a URL could carry: sqlx's messages
/// name hosts and users at most, never the password, but the connect
/// options' own text is left out anyway.
fn error_text(e: &DbError) -> String {
    match e {
        DbError::Configuration(_) => "database_url is not valid".to_owned(),
        DbError::PoolTimedOut => "no answer within 10 s".to_owned(),
        other => other.to_string(),
    }
}

async fn migrations(conn: &mut AnyConnection, engine: Engine) -> Finding {
    const CHECK: &str = "migrations";
    let start = "start `embargo serve` once: it applies migrations at start";
    match store::schema(conn, engine).await {
        Ok(Some(Schema::Current)) => Finding::ok(CHECK, "all applied"),
        Ok(Some(Schema::Missing)) => Finding::new(
            Status::Fail,
            CHECK,
            "migrations missing: this binary has migrations the database lacks",
            start,
        ),
        Ok(Some(Schema::Newer)) => Finding::new(
            Status::Fail,
            CHECK,
            "the database has migrations this binary does not know (a newer embargo ran on it)",
            "run the newer embargo, or restore a backup made before the upgrade",
        ),
        Ok(None) => Finding::new(
            Status::Fail,
            CHECK,
            "migrations missing: the database has no embargo tables",
            start,
        ),
        Err(e) => Finding::new(
            Status::Fail,
            CHECK,
            format!("cannot read the applied migrations: {}", error_text(&e)),
            "check that database_url names embargo's database",
        ),
    }
}

async fn postgres_version(conn: &mut AnyConnection) -> Finding {
    const CHECK: &str = "postgres";
    match store::postgres_version(conn).await {
        Ok((num, shown)) => match postgres_status(num) {
            Status::Ok => Finding::ok(
                CHECK,
                format!("PostgreSQL {shown} (at least {POSTGRES_MINIMUM} needed)"),
            ),
            status => Finding::new(
                status,
                CHECK,
                format!(
                    "PostgreSQL {shown} is older than {POSTGRES_MINIMUM}, the oldest supported"
                ),
                format!("upgrade PostgreSQL to {POSTGRES_MINIMUM} or later (pg_upgrade)"),
            ),
        },
        Err(e) => Finding::new(
            Status::Fail,
            CHECK,
            format!("cannot read the server version: {}", error_text(&e)),
            "check the PostgreSQL server",
        ),
    }
}

async fn clock(conn: &mut AnyConnection, engine: Engine) -> Finding {
    const CHECK: &str = "clock";
    if engine == Engine::Sqlite {
        return Finding::ok(
            CHECK,
            "skipped: SQLite has no clock of its own, only this machine's",
        );
    }
    let before = crate::clock::now();
    let theirs = store::postgres_now(conn).await;
    let after = crate::clock::now();
    let theirs = match theirs {
        Ok(t) => t,
        Err(e) => {
            return Finding::new(
                Status::Fail,
                CHECK,
                format!("cannot read the database's clock: {}", error_text(&e)),
                "check the PostgreSQL server",
            );
        }
    };
    // This machine's instant halfway through the round trip.
    let ours = before + (after - before) / 2;
    let skew = (theirs - ours) as f64 / 1e6;
    let detail = format!(
        "the database's clock is {:.1} s {} this machine's",
        skew.abs(),
        if skew >= 0.0 { "ahead of" } else { "behind" }
    );
    match skew_status(skew) {
        Status::Ok => Finding::ok(CHECK, detail),
        status => Finding::new(
            status,
            CHECK,
            format!("{detail} (more than {SKEW_OK_SECONDS:.0} s): embargoes lift early or late"),
            "synchronise both machines' clocks with NTP (timedatectl set-ntp true)",
        ),
    }
}

async fn first_admin(conn: &mut AnyConnection) -> Finding {
    const CHECK: &str = "first_admin";
    match store::first_admin(conn, crate::clock::now()).await {
        Ok((admins, _)) if admins > 0 => Finding::ok(CHECK, format!("{admins} active admin(s)")),
        Ok((_, Some(until))) => {
            let until = jiff::Timestamp::from_microsecond(until)
                .map(crate::publish::rfc3339)
                .unwrap_or_default();
            Finding::new(
                Status::Warn,
                CHECK,
                format!(
                    "the first-admin set-up link serve printed is open until {until}: whoever has it becomes admin"
                ),
                "open the link and create the admin now (or `embargo admin add EMAIL` and set that one up)",
            )
        }
        Ok((_, None)) => Finding::new(
            Status::Warn,
            CHECK,
            "no active admin and no open set-up link",
            "run `embargo admin add EMAIL` and open the link it prints",
        ),
        Err(e) => Finding::new(
            Status::Fail,
            CHECK,
            format!("cannot read the accounts: {}", error_text(&e)),
            "check the database",
        ),
    }
}
