//! The audit log as a whole: verifying its chain in one snapshot, and the
//! daily mail of its head to the admins (a copy outside the database, for
//! `embargo audit verify --anchor`).

use serde_json::json;

use super::AppState;
use super::mailer::{self, Mail};
use crate::db::{self, accounts, audit};
use crate::domain::audit::{Anchor, ChainError, ChainVerifier};
use crate::domain::mail_kind::MailKind;
use crate::jobs::{self, Job};

const DAY_SECONDS: i64 = 86_400;
/// Events read per query while verifying.
const PAGE: i64 = 1000;

/// Walks the whole chain in one snapshot, so events appended meanwhile are
/// neither half-seen nor mistaken for removals. The outer error is the
/// database's; the inner one says where the chain breaks. `Ok(Ok(n))`: `n`
/// events, whole (and through `anchor`, when given).
pub async fn verify(
    state: &AppState,
    anchor: Option<Anchor>,
) -> anyhow::Result<Result<(i64, String), ChainError>> {
    verify_db(&state.db, anchor).await
}

/// [`verify`] on a database without the rest of the service (the target
/// of `embargo db copy`).
pub async fn verify_db(
    db: &db::Db,
    anchor: Option<Anchor>,
) -> anyhow::Result<Result<(i64, String), ChainError>> {
    let mut tx = db.begin_snapshot().await?;
    let (head_seq, head_hash) = audit::head(&mut tx).await?;
    let mut verifier = anchor.map(ChainVerifier::anchored).unwrap_or_default();
    let mut after = 0;
    loop {
        let page = audit::page(&mut tx, after, PAGE).await?;
        for ev in &page {
            if let Err(e) = verifier.push(ev) {
                return Ok(Err(e));
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    tx.rollback().await?;
    Ok(verifier
        .finish((head_seq, &head_hash))
        .map(|n| (n, head_hash)))
}

/// Makes sure today's mail is scheduled; idempotent (`serve` calls it at
/// start).
pub async fn ensure_daily(state: &AppState) -> anyhow::Result<()> {
    let mut conn = state.db.conn().await?;
    schedule(&mut conn, state, db::now()).await
}

async fn schedule(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    run_at: i64,
) -> anyhow::Result<()> {
    let job = Job::MailAuditHead {
        date: jobs::day_of(run_at),
    };
    jobs::enqueue(conn, &state.config.jobs, &job, run_at).await?;
    Ok(())
}

/// The `mail_audit_head` job: schedules tomorrow's, then mails today's head
/// to every admin.
pub async fn mail_head(state: &AppState) -> anyhow::Result<()> {
    let now = db::now();
    let mut tx = state.db.begin().await?;
    schedule(&mut tx, state, now + db::seconds(DAY_SECONDS)).await?;
    let (seq, hash) = audit::head(&mut tx).await?;
    let admins = accounts::admin_addresses(&mut tx).await?;
    if seq > 0 && !admins.is_empty() {
        let date = jobs::day_of(now);
        let anchor = Anchor { seq, hash }.to_string();
        let mail = Mail::new(
            format!("audit_head:{date}"),
            MailKind::AuditHead,
            json!({ "date": date, "seq": seq, "anchor": anchor }),
            admins,
        );
        mailer::queue(&mut tx, state, mail).await?;
    }
    tx.commit().await?;
    Ok(())
}
