//! Rows for the paging tests, written straight into the database: a few
//! of each kind, some sharing an instant so the cursor's tie-break on the
//! id counts.

use sqlx::AssertSqlSafe;

use crate::common::TestApp;

const T0: i64 = 1_700_000_000_000_000;

/// Instant of row `i`: every two rows share one.
fn at(i: usize) -> i64 {
    T0 + (i as i64 / 2) * 1_000_000
}

/// A typed id's shape (`mem_` and 16 of its alphabet) for row `i`.
fn typed(prefix: &str, i: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let tail: String = (0..16)
        .map(|k| ALPHABET[(i * 7 + k * 3) % ALPHABET.len()] as char)
        .collect();
    format!("{prefix}_{tail}")
}

/// Runs `sql` once for each of `n` rows, with the row's values bound.
async fn each(app: &TestApp, sql: &str, n: usize, values: impl Fn(usize) -> Vec<Bind>) {
    let mut conn = app.state.db.conn().await.unwrap();
    for i in 0..n {
        let mut q = sqlx::query(AssertSqlSafe(sql.to_owned()));
        for v in values(i) {
            q = match v {
                Bind::Text(s) => q.bind(s),
                Bind::Int(n) => q.bind(n),
            };
        }
        q.execute(&mut *conn).await.unwrap();
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

fn t(s: impl Into<String>) -> Bind {
    Bind::Text(s.into())
}

fn int(n: i64) -> Bind {
    Bind::Int(n)
}

/// `n` reports, `rpt_seed1` ... (the highest newest).
pub async fn reports(app: &TestApp, n: usize) {
    each(
        app,
        "INSERT INTO reports (id, title, description, affected_versions, unaffected_versions, \
         credit_consent, status, source, tracking_hash, reply_tag, created_at, updated_at) \
         VALUES ($1, 'Seeded', 'd', '', '', 0, 'new', 'api', $2, $3, $4, $4)",
        n,
        |i| {
            vec![
                t(format!("rpt_seed{}", i + 1)),
                t(format!("hash{i}")),
                t(format!("tag{i}")),
                int(at(i + 1)),
            ]
        },
    )
    .await;
}

/// `n` published advisories, SA-2020-1001 ...
pub async fn published(app: &TestApp, n: usize) {
    let content = crate::advisories::advisory_body().to_string();
    each(
        app,
        "INSERT INTO advisories (id, year, seq, state, content, revision, published_at, created_at, updated_at) \
         VALUES ($1, 2020, $2, 'published', $3, 1, $4, $4, $4)",
        n,
        |i| {
            vec![
                t(format!("SA-2020-{}", 1001 + i)),
                int(1001 + i as i64),
                t(content.clone()),
                int(at(i)),
            ]
        },
    )
    .await;
}

pub async fn tokens(app: &TestApp, account: &str, n: usize) {
    each(
        app,
        "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at) VALUES ($1, $2, 'seeded', $3, $4)",
        n,
        |i| vec![t(typed("tok", i)), t(account), t(format!("hash{i}")), int(at(i))],
    )
    .await;
}

pub async fn keys(app: &TestApp, account: &str, n: usize) {
    each(
        app,
        "INSERT INTO contact_keys (id, account_id, fingerprint, encryption_subkey, algorithm, armored, uploaded_at, replaced_at) \
         VALUES ($1, $2, 'F', 'S', 'ed25519', 'K', $3, $3)",
        n,
        |i| vec![t(typed("key", i)), t(account), int(at(i))],
    )
    .await;
}

/// `n` dead jobs.
pub async fn jobs(app: &TestApp, n: usize) {
    each(
        app,
        "INSERT INTO jobs (id, kind, payload, idempotency_key, state, run_at, max_attempts, created_at, updated_at) \
         VALUES ($1, 'seeded', '{}', $1, 'dead', $2, 1, $2, $2)",
        n,
        |i| vec![t(typed("job", i)), int(at(i))],
    )
    .await;
}

/// `n` members named `Org 1` ... (by name: their ids in the order
/// returned); the last removed.
pub async fn members(app: &TestApp, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|i| typed("mem", i + 100)).collect();
    each(
        app,
        "INSERT INTO members (id, organization, website, security_alias, status, joined_at) \
         VALUES ($1, $2, 'https://example.org', 'security@example.org', $3, $4)",
        n,
        |i| {
            let status = if i + 1 == n && n > 2 {
                "removed"
            } else {
                "active"
            };
            vec![t(&ids[i]), t(format!("Org {i}")), t(status), int(at(i))]
        },
    )
    .await;
    ids
}

pub async fn applications(app: &TestApp, voucher: &str, n: usize) {
    each(
        app,
        "INSERT INTO applications (id, organization, website, security_alias, criteria_version, answers, \
         contacts, voucher_member_id, status, status_hash, confirm_hash, expires_at, created_at) \
         VALUES ($1, 'Applicant', 'https://example.net', 'security@example.net', 1, '{}', '[]', $2, \
         'in_review', $3, $4, $5, $5)",
        n,
        |i| {
            vec![
                t(typed("app", i)),
                t(voucher),
                t(format!("s{i}")),
                t(format!("c{i}")),
                int(at(i)),
            ]
        },
    )
    .await;
}

pub async fn reviews(app: &TestApp, member: &str, n: usize) {
    each(
        app,
        "INSERT INTO member_reviews (id, member_id, at, actor, outcome, notes) VALUES ($1, $2, $3, 'cli', 'keep', '')",
        n,
        |i| vec![t(typed("rev", i)), t(member), int(at(i))],
    )
    .await;
}

pub async fn shares(app: &TestApp, advisory: &str, member: &str, account: &str, n: usize) {
    each(
        app,
        "INSERT INTO shares (id, advisory_id, member_id, shared_by, delegate_id, name, reason, created_at) \
         VALUES ($1, $2, $3, $4, $4, 'Colleague', 'need to know', $5)",
        n,
        |i| vec![t(typed("shr", i)), t(advisory), t(member), t(account), int(at(i))],
    )
    .await;
}

pub async fn tasks(app: &TestApp, advisory: &str, members: &[String], account: &str, n: usize) {
    each(
        app,
        "INSERT INTO tasks (id, advisory_id, kind, title, primary_member, backup_member, due_at, created_by, created_at) \
         VALUES ($1, $2, 'other', 'Seeded', $3, $4, $5, $6, $5)",
        n,
        |i| {
            vec![
                t(typed("tsk", i)),
                t(advisory),
                t(&members[0]),
                t(&members[1]),
                int(at(i)),
                t(account),
            ]
        },
    )
    .await;
}

pub async fn test_reports(app: &TestApp, advisory: &str, member: &str, account: &str, n: usize) {
    each(
        app,
        "INSERT INTO test_reports (id, advisory_id, member_id, author, result, tested, visibility, created_at) \
         VALUES ($1, $2, $3, $4, 'works', 'x86_64', 'members', $5)",
        n,
        |i| vec![t(typed("trp", i)), t(advisory), t(member), t(account), int(at(i))],
    )
    .await;
}

pub async fn leaks(app: &TestApp, advisory: &str, member: &str, account: &str, n: usize) {
    // Within the strike window: now.
    let now = app.now();
    each(
        app,
        "INSERT INTO leaks (id, advisory_id, member_id, reported_by, what, to_whom, created_at) \
         VALUES ($1, $2, $3, $4, 'the patch', 'a blog', $5)",
        n,
        |i| {
            vec![
                t(typed("lek", i)),
                t(advisory),
                t(member),
                t(account),
                int(now - (i as i64 / 2)),
            ]
        },
    )
    .await;
}

/// `n` versions of `name` in German and in English each.
pub async fn template_versions(app: &TestApp, name: &str, n: usize) {
    for lang in ["en", "de"] {
        each(
            app,
            "INSERT INTO template_versions (name, lang, version, subject, body_text, action, actor, created_at) \
             VALUES ($1, $2, $3, 'Subject', 'Text', 'edit', 'cli', $4)",
            n,
            |i| vec![t(name), t(lang), int(i as i64 + 1), int(at(i))],
        )
        .await;
    }
}
