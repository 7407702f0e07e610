//! `embargo member import`: migrating an existing distribution list from JSON
//! or CSV, all or nothing, with attested policy acceptances.

use std::path::PathBuf;
use std::process::Output;

use sqlx::{AssertSqlSafe, Connection};

use crate::common::process::{Env, last_line};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
        .display()
        .to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn explain(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        stdout(out),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn import(env: &Env, args: &[&str]) -> Output {
    let mut all = vec!["member", "import"];
    all.extend_from_slice(args);
    env.run(&all, b"")
}

/// The `.eml` files in DATA/outbox.
fn outbox(env: &Env) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(env.dir.path().join("outbox")) else {
        return Vec::new();
    };
    dir.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect()
}

async fn text(env: &Env, sql: &str) -> String {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&env.database_url)
        .await
        .unwrap();
    sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

const TABLES: [&str; 8] = [
    "members",
    "accounts",
    "member_contacts",
    "setup_links",
    "policy_versions",
    "policy_acceptances",
    "jobs",
    "audit_events",
];

async fn counts(env: &Env) -> Vec<(&'static str, i64)> {
    let mut all = Vec::new();
    for t in TABLES {
        all.push((t, env.scalar(&format!("SELECT COUNT(*) FROM {t}")).await));
    }
    all
}

async fn cleared(env: &Env, email: &str) -> bool {
    let id = text(
        env,
        &format!("SELECT id FROM accounts WHERE email = '{email}'"),
    )
    .await;
    let id = embargo::domain::id::AccountId::parse(&id).unwrap();
    let mut conn = sqlx::AnyConnection::connect(&env.database_url)
        .await
        .unwrap();
    embargo::app::membership::contact_facts(&mut conn, &id)
        .await
        .unwrap()
        .is_some_and(|c| c.cleared())
}

#[tokio::test]
async fn a_json_import_creates_members_contacts_setup_mails_and_attested_acceptances() {
    let env = Env::new().await;
    let out = import(&env, &[&fixture("members.json")]);
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    assert_eq!(
        last_line(&out),
        "imported 2 members, 3 contacts (2 policy attestations)"
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM members WHERE status = 'active'")
            .await,
        2
    );
    assert_eq!(
        env.scalar(
            "SELECT COUNT(*) FROM member_contacts c JOIN accounts a ON a.id = c.account_id \
             JOIN members m ON m.id = c.member_id \
             WHERE a.role = 'member' AND m.organization = 'Example Linux'"
        )
        .await,
        2
    );
    assert_eq!(env.scalar("SELECT COUNT(*) FROM setup_links").await, 3);

    // One set-up mail per contact, delivered to DATA/outbox.
    let mails = outbox(&env);
    assert_eq!(mails.len(), 3, "{mails:#?}");
    for to in [
        "alice@example.org",
        "bruno@example-linux.org",
        "carla@beta-bsd.example",
    ] {
        let mail = mails
            .iter()
            .find(|m| m.contains(&format!("To: {to}")))
            .unwrap_or_else(|| panic!("no mail to {to}"));
        assert!(mail.contains("/setup/"), "{mail}");
    }

    // Acceptances of the current policy, attested, not accepted in embargo.
    let version = env.scalar("SELECT MAX(version) FROM policy_versions").await;
    assert_eq!(
        env.scalar(&format!(
            "SELECT COUNT(*) FROM policy_acceptances WHERE how = 'attested' AND version = {version}"
        ))
        .await,
        2
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM policy_acceptances WHERE how <> 'attested'")
            .await,
        0
    );
    assert_eq!(
        env.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'policy.attested' AND actor = 'cli'"
        )
        .await,
        2
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'policy.accepted'")
            .await,
        0
    );
    let detail = text(
        &env,
        "SELECT e.detail FROM audit_events e JOIN accounts a ON e.detail LIKE '%' || a.id || '%' \
         WHERE e.action = 'policy.attested' AND a.email = 'alice@example.org'",
    )
    .await;
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["original_accepted_at"], "2024-05-17");
    assert_eq!(detail["how"], "attested");
    assert!(
        detail["attestation"]
            .as_str()
            .unwrap()
            .contains("previous distribution list"),
        "{detail}"
    );
    assert_eq!(detail["imported_from"], "members.json");
    let bruno = text(
        &env,
        "SELECT e.detail FROM audit_events e JOIN accounts a ON e.detail LIKE '%' || a.id || '%' \
         WHERE e.action = 'policy.attested' AND a.email = 'bruno@example-linux.org'",
    )
    .await;
    assert!(bruno.contains("2025-01-10T09:30:00+01:00"), "{bruno}");
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'members.imported'")
            .await,
        1
    );

    // An attested contact is cleared for embargoed material; one without an
    // attestation must accept the policy first.
    assert!(cleared(&env, "alice@example.org").await);
    assert!(!cleared(&env, "carla@beta-bsd.example").await);

    let verify = env.run(&["audit", "verify"], b"");
    assert_eq!(verify.status.code(), Some(0), "{}", explain(&verify));
}

#[tokio::test]
async fn a_csv_import_groups_rows_and_reads_key_files_next_to_the_csv() {
    let env = Env::new().await;
    let out = import(&env, &[&fixture("members.csv")]);
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    assert_eq!(
        last_line(&out),
        "imported 2 members, 3 contacts (1 policy attestations)"
    );
    // A key without a user id for the address only warns.
    assert!(
        stdout(&out).contains(
            "line 4: openpgp_key_file: warning: no user id of this key names trent@delta.example"
        ),
        "{}",
        explain(&out)
    );
    assert_eq!(
        env.scalar(
            "SELECT COUNT(*) FROM member_contacts c JOIN members m ON m.id = c.member_id \
             WHERE m.organization = 'Gamma, Inc.' AND m.website = 'https://gamma.example'"
        )
        .await,
        2
    );
    assert_eq!(
        env.scalar(
            "SELECT COUNT(*) FROM policy_acceptances p JOIN accounts a ON a.id = p.account_id \
             WHERE a.email = 'dave@example.org' AND p.how = 'attested'"
        )
        .await,
        1
    );
    assert_eq!(outbox(&env).len(), 3);
    assert!(cleared(&env, "dave@example.org").await);
    assert!(!cleared(&env, "gina@gamma.example").await);
}

#[tokio::test]
async fn a_dry_run_reports_every_problem_by_line_and_changes_nothing() {
    let env = Env::new().await;
    let out = import(&env, &[&fixture("members.json")]);
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let before = counts(&env).await;
    let mails = outbox(&env).len();

    let out = import(&env, &["--dry-run", &fixture("problems.csv")]);
    assert_eq!(out.status.code(), Some(65), "{}", explain(&out));
    let report = stdout(&out);
    let expected = [
        "line 2: organization: is already a member here",
        "line 3: website: must be an http(s) URL",
        "line 3: contact_email: must be an e-mail address",
        "line 4: openpgp_key_file: the key F078AEAA99E6FF55DE287FB8CDE71371F9CF8ED0 expired",
        "line 5: openpgp_key_file: ../keys/missing.asc: cannot be read",
        "line 6: contact_email: already has an account here",
        "line 6: policy_accepted_at: \"2024-13-01\" is not an RFC 3339 date",
        "line 7: openpgp_key_file: this is not an ASCII-armored OpenPGP public key",
        "line 7: policy_accepted_at: 2999-01-01 is in the future",
        "line 8: contact_email: is listed twice",
        "line 9: contact_email: is also a contact at line 5",
    ];
    for line in expected {
        assert!(
            report.lines().any(|l| l.starts_with(line)),
            "missing {line:?} in\n{report}"
        );
    }
    let problems = report.lines().filter(|l| l.starts_with("line ")).count();
    assert_eq!(problems, expected.len(), "{report}");
    // The valid row is not a problem.
    assert!(!report.contains("line 10:"), "{report}");
    assert_eq!(
        last_line(&out),
        format!(
            "dry run: {} problems found; nothing changed",
            expected.len()
        )
    );

    // JSON problems are placed by member and field.
    let out = import(&env, &["--dry-run", &fixture("problems.json")]);
    assert_eq!(out.status.code(), Some(65), "{}", explain(&out));
    let report = stdout(&out);
    for line in [
        "members[0]: phone: is not a known field",
        "members[0]: contacts[0].email: must be an e-mail address",
        "members[0]: contacts[1].policy_accepted_at: \"yesterday\" is not an RFC 3339 date",
        "members[1]: organization: is listed twice (first at members[0])",
        "members[1]: contacts[0].email: is also a contact at members[0].contacts[1]",
    ] {
        assert!(
            report.lines().any(|l| l.starts_with(line)),
            "missing {line:?} in\n{report}"
        );
    }

    // A clean file passes the dry run, and still nothing is written.
    let out = import(&env, &["--dry-run", &fixture("members.csv")]);
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    assert_eq!(
        last_line(&out),
        "dry run: would import 2 members, 3 contacts (1 policy attestation); nothing changed"
    );
    assert!(stdout(&out).contains("\"Gamma, Inc.\", 2 contacts"));

    assert_eq!(counts(&env).await, before);
    assert_eq!(outbox(&env).len(), mails);
}

#[tokio::test]
async fn one_bad_row_imports_nothing() {
    let env = Env::new().await;
    let out = import(&env, &[&fixture("one_bad_row.csv")]);
    assert_eq!(out.status.code(), Some(65), "{}", explain(&out));
    let report = stdout(&out);
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("line 5: contact_email: must be an e-mail address")),
        "{report}"
    );
    assert_eq!(last_line(&out), "1 problem; nothing imported");
    // Not even the default policy was seeded, nor an audit event written.
    for (table, n) in counts(&env).await {
        assert_eq!(n, 0, "{table}");
    }
    assert!(outbox(&env).is_empty());
}

#[tokio::test]
async fn a_duplicate_organisation_is_reported_not_merged() {
    let env = Env::new().await;
    assert_eq!(
        import(&env, &[&fixture("members.json")]).status.code(),
        Some(0)
    );
    let before = counts(&env).await;
    let out = import(&env, &[&fixture("duplicate_org.json")]);
    assert_eq!(out.status.code(), Some(65), "{}", explain(&out));
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("members[0]: organization: is already a member here")),
        "{}",
        explain(&out)
    );
    assert_eq!(counts(&env).await, before);
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM accounts WHERE email = 'xavier@example-linux.org'")
            .await,
        0
    );
    // Importing the same file twice is refused for every member and contact.
    let again = import(&env, &[&fixture("members.json")]);
    assert_eq!(again.status.code(), Some(65), "{}", explain(&again));
    assert_eq!(last_line(&again), "5 problems; nothing imported");
    assert_eq!(counts(&env).await, before);
}

#[tokio::test]
async fn help_documents_both_formats_and_unknown_extensions_need_format() {
    let env = Env::new().await;
    let help = env.run(&["member", "import", "--help"], b"");
    assert_eq!(help.status.code(), Some(0));
    let help = stdout(&help);
    for needle in [
        "organization,website,security_alias,contact_name,contact_email,openpgp_key_file,policy_accepted_at",
        "{\"members\": [",
        "\"policy_accepted_at\"",
        "--dry-run",
        "attested",
    ] {
        assert!(help.contains(needle), "{needle:?} not in\n{help}");
    }
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    std::fs::copy(fixture("members.csv"), &list).unwrap();
    let out = import(&env, &["--dry-run", list.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(64), "{}", explain(&out));
    // With --format the extension does not matter; the key files are then
    // missing next to the copy, which is reported.
    let out = import(
        &env,
        &["--dry-run", "--format", "csv", list.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(65), "{}", explain(&out));
    assert!(
        stdout(&out)
            .contains("line 2: openpgp_key_file: ../keys/rsa4096_certified.asc: cannot be read")
    );
}
