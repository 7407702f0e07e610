//! What the benchmark announces and to whom: N members with one cleared
//! contact each (policy accepted, own key stored as an upload stores it),
//! written with a few multi-row statements; and an embargoed advisory of
//! about 4 KiB of text with a 20 KiB patch, made through the use cases the
//! API calls.

use embargo::app::AppState;
use embargo::db::audit::Actor;
use embargo::domain::id::{AccountId, KeyId, MemberId};
use serde_json::json;
use sqlx::AssertSqlSafe;

/// Text that only the encrypted part of a message may hold: the sink
/// counts messages where it appears in clear.
pub const SECRET: &str = "FANOUT-7f3a-container-escape-via-crafted-symlinks";

/// Rows per statement (at most 8 values each; SQLite's cost per statement
/// grows with the square of its parameters).
const ROWS: usize = 50;

/// One contact with their key, checked as an upload is.
struct Contact {
    member: MemberId,
    account: AccountId,
    email: String,
    info: embargo::mail::keys::CertificateInfo,
    armored: String,
    /// The packet of the key chosen to encrypt to, as an upload stores it.
    packet: Vec<u8>,
}

/// Writes `keys.len()` members, each with one contact who accepted the
/// current policy and has `keys[i]` as their current key.
pub async fn members(state: &AppState, keys: Vec<String>) -> anyhow::Result<()> {
    let (policy, _, _) = embargo::app::membership::current_policy(state).await?;
    let now = embargo::db::now();
    let at = jiff::Timestamp::now();
    let contacts: Vec<Contact> = tokio::task::spawn_blocking(move || {
        keys.into_iter()
            .enumerate()
            .map(|(i, armored)| {
                let email = super::keys::email(i);
                let info = embargo::mail::keys::validate_certificate(&armored, &email, at, 0)?;
                let packet = embargo::mail::keys::packet_of(&armored, &info.encryption_subkey)?;
                Ok(Contact {
                    packet,
                    member: MemberId::generate(),
                    account: AccountId::generate(),
                    email,
                    info,
                    armored,
                })
            })
            .collect::<anyhow::Result<_>>()
    })
    .await??;
    let mut tx = state.db.begin().await?;
    for (n, rows) in contacts.chunks(ROWS).enumerate() {
        let base = n * ROWS;
        insert(
            &mut tx,
            "members (id, organization, website, security_alias, status, joined_at)",
            rows,
            |q, i, c| {
                let i = base + i;
                q.bind(c.member.as_str().to_owned())
                    .bind(format!("Org {i}"))
                    .bind(format!("https://o{i}.example"))
                    .bind(format!("security@o{i}.example"))
                    .bind("active")
                    .bind(now)
            },
            6,
        )
        .await?;
        insert(
            &mut tx,
            "accounts (id, email, role, created_at)",
            rows,
            |q, _, c| {
                q.bind(c.account.as_str().to_owned())
                    .bind(c.email.clone())
                    .bind("member")
                    .bind(now)
            },
            4,
        )
        .await?;
        insert(
            &mut tx,
            "member_contacts (account_id, member_id, name, added_at)",
            rows,
            |q, i, c| {
                q.bind(c.account.as_str().to_owned())
                    .bind(c.member.as_str().to_owned())
                    .bind(format!("Contact {}", base + i))
                    .bind(now)
            },
            4,
        )
        .await?;
        insert(
            &mut tx,
            "policy_acceptances (account_id, version, accepted_at, how)",
            rows,
            |q, _, c| {
                q.bind(c.account.as_str().to_owned())
                    .bind(policy)
                    .bind(now)
                    .bind("accepted")
            },
            4,
        )
        .await?;
        insert(
            &mut tx,
            "contact_keys (id, account_id, fingerprint, encryption_subkey, algorithm, armored, encryption_key, expires_at, uploaded_at)",
            rows,
            |q, _, c| {
                q.bind(KeyId::generate().as_str().to_owned())
                    .bind(c.account.as_str().to_owned())
                    .bind(c.info.fingerprint.clone())
                    .bind(c.info.encryption_subkey.clone())
                    .bind(c.info.algorithm.clone())
                    .bind(c.armored.clone())
                    .bind(c.packet.clone())
                    .bind(c.info.expires_at.map(|t| t.as_microsecond()))
                    .bind(now)
            },
            9,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// `INSERT INTO {table} VALUES (...), (...)` for `rows`, each bound by `bind`.
async fn insert<'r>(
    tx: &mut embargo::db::Tx,
    table: &str,
    rows: &'r [Contact],
    bind: impl Fn(Query<'static>, usize, &'r Contact) -> Query<'static>,
    width: usize,
) -> anyhow::Result<()> {
    let values: Vec<String> = (0..rows.len())
        .map(|r| {
            let p: Vec<String> = (1..=width).map(|k| format!("${}", r * width + k)).collect();
            format!("({})", p.join(", "))
        })
        .collect();
    // Only placeholders are formatted in; every value is bound.
    let sql = format!("INSERT INTO {table} VALUES {}", values.join(", "));
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for (i, c) in rows.iter().enumerate() {
        q = bind(q, i, c);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// About 4 KiB of advisory text: the summary and details hold [`SECRET`].
pub fn details() -> String {
    let paragraph = "A crafted image whose layers hold symbolic links into the host's \
        filesystem lets a container process write outside its root when the runtime \
        unpacks the layers. The link is followed before the path is checked, so a \
        relative target escapes the bundle directory. Any user who can pull an \
        image from an untrusted registry can overwrite files the runtime's user can \
        write, which on most installations includes the runtime binary itself.\n\n";
    let mut text = format!("{SECRET}\n\n");
    while text.len() < 4000 {
        text.push_str(paragraph);
    }
    text
}

/// A 20 KiB unified diff.
pub fn patch() -> Vec<u8> {
    let mut diff = String::from(
        "From 1f2e3d Mon Sep 17 00:00:00 2001\nSubject: [PATCH] unpack: check the target before following a link\n\n\
         --- a/unpack/layer.go\n+++ b/unpack/layer.go\n",
    );
    let mut hunk = 0;
    while diff.len() < 20 * 1024 {
        hunk += 1;
        diff.push_str(&format!(
            "@@ -{0},7 +{0},9 @@ func extract(dst string, hdr *tar.Header) error {{\n \
             \ttarget := filepath.Join(dst, hdr.Name)\n\
             -\tif err := os.Symlink(hdr.Linkname, target); err != nil {{\n\
             +\tresolved, err := securejoin.SecureJoin(dst, hdr.Linkname)\n\
             +\tif err != nil {{\n+\t\treturn fmt.Errorf(\"link %q escapes the bundle: %w\", hdr.Name, err)\n+\t}}\n\
             +\tif err := os.Symlink(resolved, target); err != nil {{\n \t\treturn err\n \t}}\n",
            hunk * 40
        ));
    }
    diff.truncate(20 * 1024);
    diff.into_bytes()
}

/// An embargoed advisory (three days out) with its patch, made through the
/// use cases the API calls; its id.
pub async fn advisory(state: &AppState, actor: &Actor) -> anyhow::Result<String> {
    use embargo::app::advisories as usecase;
    let content = usecase::parse_content(json!({
        "summary": format!("Container escape through crafted symlinks ({SECRET})"),
        "details": details(),
        "affected": [{
            "package": { "ecosystem": "Go", "name": "example.org/runtime", "purl": "pkg:golang/example.org/runtime" },
            "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "1.0.0" }, { "fixed": "1.4.2" }] }]
        }],
        "severity": [{ "type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
        "database_specific": { "cwe_ids": ["CWE-59"] },
        "aliases": ["CVE-2026-12345"],
        "credits": [{ "name": "Rita Reporter", "type": "FINDER" }],
        "references": [{ "type": "FIX", "url": "https://example.org/runtime/commit/abc" }]
    }))
    .map_err(|e| anyhow::anyhow!("advisory content: {e:?}"))?;
    let id = usecase::create(state, actor, content, None)
        .await
        .map_err(|e| anyhow::anyhow!("creating the advisory: {e:?}"))?;
    let until = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(72))?
        .to_string();
    usecase::set_embargo(
        state,
        actor,
        id.as_str(),
        usecase::EmbargoRequest {
            until: &until,
            time_zone: "Europe/Berlin",
            reason: "agreed with upstream",
            override_reason: "",
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("setting the embargo: {e:?}"))?;
    let patch = embargo::db::reports::NewAttachment {
        filename: "0001-unpack-check-the-target-before-following-a-link.patch".into(),
        content_type: "text/x-diff".into(),
        content: patch(),
    };
    usecase::add_patch(state, actor, id.as_str(), &patch)
        .await
        .map_err(|e| anyhow::anyhow!("adding the patch: {e:?}"))?;
    Ok(id.to_string())
}
