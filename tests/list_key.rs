//! The list's OpenPGP key: made once at first start, kept in private files
//! and never in the database, published (API, `/list-key.asc`, the Web Key
//! Directory, security.txt), rotated with the old key kept, and read by
//! GnuPG 2.2 both ways.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use axum::http::StatusCode;
use embargo::app::AppState;
use embargo::config::Paths;
use embargo::db::audit::Actor;
use embargo::mail::Transport;
use embargo::mail::keys::parse_certificate;
use embargo::publish::wkd;
use sqlx::AssertSqlSafe;

use crate::common::TestApp;
use crate::common::process::{Env, http, serve};

/// `{"fingerprint", "armored"}` from the API.
async fn published(app: &TestApp) -> (String, String) {
    let resp = app.get("/api/v1/list-key", None).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let json = resp.json();
    let fingerprint = json["fingerprint"].as_str().expect("fingerprint");
    let armored = json["armored"].as_str().expect("armored");
    (fingerprint.to_owned(), armored.to_owned())
}

/// The app's state as a restart builds it, on the same data directory and
/// database.
fn restarted(app: &TestApp) -> AppState {
    let paths = Paths {
        data: app.dir.path().to_owned(),
    };
    let (transport, _) = Transport::memory();
    let config = app.state.config.clone();
    AppState::new(config, paths, app.state.db.clone(), transport).expect("state")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn the_list_key_is_made_at_first_start_and_the_same_after_a_restart() {
    let app = TestApp::new().await;
    let (fingerprint, armored) = published(&app).await;
    assert_eq!(fingerprint.len(), 40, "{fingerprint}");
    assert!(
        fingerprint
            .chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)),
        "{fingerprint}"
    );
    assert!(armored.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    let cert = parse_certificate(&armored).expect("the published key parses");
    assert_eq!(format!("{:X}", pgp_fingerprint(&cert)), fingerprint);

    let again = restarted(&app);
    assert_eq!(again.list_key.fingerprint(), fingerprint);
    assert_eq!(again.list_key.armored_public(), armored);

    let dir = app.dir.path().join("list-key");
    assert_eq!(mode(&dir), 0o700, "the list-key directory");
    let file = dir.join(format!("{fingerprint}.asc"));
    assert_eq!(mode(&file), 0o600, "the secret key file");
    let secret = std::fs::read_to_string(&file).expect("key file");
    assert!(secret.starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----"));
}

fn pgp_fingerprint(cert: &pgp::composed::SignedPublicKey) -> pgp::types::Fingerprint {
    use pgp::types::KeyDetails;
    cert.primary_key.fingerprint()
}

#[tokio::test]
async fn the_secret_key_is_never_written_to_the_database() {
    let app = TestApp::new().await;
    embargo::app::list_key::rotate(&app.state, &Actor::cli())
        .await
        .expect("rotate");
    let again = restarted(&app);
    let admin = app.admin_token().await;
    app.report("A report", Some("r@example.net")).await;
    for path in [
        "/api/v1/list-key",
        "/list-key.asc",
        "/.well-known/security.txt",
    ] {
        assert_eq!(app.get(path, Some(&admin)).await.status, StatusCode::OK);
    }

    // Every line of the secret keys' armor that the public key does not
    // share, and the armor's own header.
    let dir = app.dir.path().join("list-key");
    let public = again.list_key.armored_public().to_owned();
    let mut needles = vec!["PRIVATE KEY BLOCK".to_owned()];
    for entry in std::fs::read_dir(&dir).expect("list-key dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "asc") {
            let text = std::fs::read_to_string(&path).expect("key");
            needles.extend(
                text.lines()
                    .filter(|l| l.len() >= 40 && !l.starts_with('-') && !public.contains(*l))
                    .map(str::to_owned),
            );
        }
    }
    assert!(needles.len() > 2, "{needles:?}");

    let columns = text_columns(&app).await;
    assert!(columns.len() > 20, "{columns:?}");
    let mut conn = app.state.db.conn().await.expect("conn");
    for (table, column) in &columns {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE $1 \
             OR CAST({column} AS TEXT) LIKE $2 OR CAST({column} AS TEXT) LIKE $3"
        );
        let found: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(format!("%{}%", needles[0]))
            .bind(format!("%{}%", needles[1]))
            .bind(format!("%{}%", needles[needles.len() - 1]))
            .fetch_one(&mut *conn)
            .await
            .expect("scan");
        assert_eq!(found, 0, "secret key material in {table}.{column}");
    }
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'list_key.rotated'")
            .fetch_one(&mut *conn)
            .await
            .expect("events");
    assert_eq!(events, 1);
}

/// Every (table, column) of the test database, on either engine.
async fn text_columns(app: &TestApp) -> Vec<(String, String)> {
    let sql = match app.state.db.engine {
        embargo::db::Engine::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        embargo::db::Engine::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema()"
        }
    };
    let mut conn = app.state.db.conn().await.expect("conn");
    sqlx::query_as::<_, (String, String)>(sql)
        .fetch_all(&mut *conn)
        .await
        .expect("columns")
}

#[tokio::test]
async fn a_rotation_makes_a_new_key_keeps_the_old_for_decrypting_and_is_audited() {
    let app = TestApp::new().await;
    let (old, old_armored) = published(&app).await;
    let old_cert = parse_certificate(&old_armored).expect("old key");
    let to_old = app
        .state
        .list_key
        .sign_and_encrypt(b"sent to the old key", &old_cert, jiff::Timestamp::now())
        .expect("encrypt");

    let rotation = embargo::app::list_key::rotate(&app.state, &Actor::cli())
        .await
        .expect("rotate");
    assert_eq!(rotation.previous, old);
    assert_ne!(rotation.current, old);

    let after = restarted(&app);
    assert_eq!(after.list_key.fingerprint(), rotation.current);
    assert_eq!(
        after.list_key.previous_fingerprints().collect::<Vec<_>>(),
        [old.as_str()]
    );
    assert_eq!(
        after.list_key.decrypt(to_old.as_bytes()).expect("decrypt"),
        b"sent to the old key"
    );
    let mut conn = app.state.db.conn().await.expect("conn");
    let (subject, detail): (String, String) = sqlx::query_as(
        "SELECT subject, detail FROM audit_events WHERE action = 'list_key.rotated'",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("the rotation's audit event");
    assert_eq!(subject, rotation.current);
    assert!(detail.contains(&old), "{detail}");
}

/// A GnuPG home of its own; its agent is stopped on drop.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Self {
        let version = Command::new("gpg").arg("--version").output();
        let found = version.as_ref().is_ok_and(|o| o.status.success());
        assert!(
            found,
            "GnuPG (`gpg`, 2.2 or later) is needed for the OpenPGP interoperability tests \
             and was not found on PATH: install it (Debian: apt-get install gnupg); .ci/run does"
        );
        Self {
            home: tempfile::tempdir().expect("GNUPGHOME"),
        }
    }

    /// Runs gpg with `args` in batch mode, `input` on stdin.
    fn run(&self, args: &[&str], input: &[u8]) -> Output {
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args(["--batch", "--no-tty", "--pinentry-mode", "loopback"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg runs");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input).expect("gpg stdin");
        drop(stdin);
        let out = child.wait_with_output().expect("gpg output");
        assert!(
            out.status.success(),
            "gpg {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// A new ed25519/cv25519 key without a password, as `gpg
    /// --quick-gen-key ... future-default` makes it; its armored export.
    fn member_key(&self, uid: &str) -> String {
        self.run(
            &[
                "--passphrase",
                "",
                "--quick-gen-key",
                uid,
                "future-default",
                "default",
                "never",
            ],
            b"",
        );
        let out = self.run(&["--armor", "--export", uid], b"");
        String::from_utf8(out.stdout).expect("armored")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

#[tokio::test]
async fn gnupg_decrypts_what_the_list_signs_and_encrypts_and_finds_a_good_signature() {
    let app = TestApp::new().await;
    let (fingerprint, armored) = published(&app).await;
    let gpg = Gpg::new();
    gpg.run(&["--import"], armored.as_bytes());
    let member = gpg.member_key("Test <t@example.org>");
    let cert = parse_certificate(&member).expect("gpg's key parses");

    let plaintext = b"Embargoed: heap overflow in the parser.\nFixed in 1.4.2.\n";
    let list_key = app.state.list_key.clone();
    let now = jiff::Timestamp::now();
    let message =
        tokio::task::spawn_blocking(move || list_key.sign_and_encrypt(plaintext, &cert, now))
            .await
            .expect("task")
            .expect("sign and encrypt");
    assert!(message.starts_with("-----BEGIN PGP MESSAGE-----"));

    let output = gpg.path("out.txt");
    let out = gpg.run(
        &[
            "--status-fd",
            "1",
            "--output",
            output.to_str().expect("path"),
            "--decrypt",
        ],
        message.as_bytes(),
    );
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(status.contains("[GNUPG:] GOODSIG "), "{status}");
    assert!(
        status.contains(&format!("[GNUPG:] VALIDSIG {fingerprint} ")),
        "the signature is the list key's ({fingerprint}):\n{status}"
    );
    assert!(status.contains("[GNUPG:] DECRYPTION_OKAY"), "{status}");
    assert!(status.contains("[GNUPG:] GOODMDC"), "{status}");
    // Cipher 9 is AES-256.
    assert!(status.contains("[GNUPG:] DECRYPTION_INFO 2 9"), "{status}");
    assert_eq!(std::fs::read(&output).expect("plaintext"), plaintext);
}

#[tokio::test]
async fn what_gnupg_encrypts_to_the_list_key_decrypts() {
    let app = TestApp::new().await;
    let (fingerprint, armored) = published(&app).await;
    let gpg = Gpg::new();
    gpg.run(&["--import"], armored.as_bytes());
    gpg.member_key("Test <t@example.org>");
    let plaintext = b"A report: the parser overflows on long headers.\n";

    // Signed, armored, compressed as the key's preferences allow.
    let signed = gpg.run(
        &[
            "--trust-model",
            "always",
            "--armor",
            "--sign",
            "--local-user",
            "t@example.org",
            "--encrypt",
            "--recipient",
            &fingerprint,
        ],
        plaintext,
    );
    // Binary, unsigned, uncompressed, recipient hidden.
    let hidden = gpg.run(
        &[
            "--trust-model",
            "always",
            "--compress-algo",
            "none",
            "--throw-keyids",
            "--encrypt",
            "--recipient",
            &fingerprint,
        ],
        plaintext,
    );
    for message in [signed.stdout, hidden.stdout] {
        let list_key = app.state.list_key.clone();
        let decrypted = tokio::task::spawn_blocking(move || list_key.decrypt(&message))
            .await
            .expect("task")
            .expect("decrypt");
        assert_eq!(decrypted, plaintext);
    }
}

#[tokio::test]
async fn the_web_key_directory_serves_the_list_key_for_the_security_address_only() {
    let app = TestApp::new().await;
    let (fingerprint, armored) = published(&app).await;
    let local = wkd::local_part(&app.state.config.security_address);
    assert_eq!(local, "security");
    let path = format!("/.well-known/openpgpkey/hu/{}", wkd::local_part_hash(local));

    let resp = app.get(&path, None).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        resp.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    assert_ne!(resp.header("cache-control"), Some("no-store"));
    // The same key as the armored one, in binary.
    let binary: pgp::composed::SignedPublicKey =
        pgp::composed::Deserializable::from_bytes(&resp.body[..]).expect("a binary key");
    let published = parse_certificate(&armored).expect("armored key");
    assert_eq!(binary, published);
    assert_eq!(format!("{:X}", pgp_fingerprint(&binary)), fingerprint);
    assert!(!resp.body.starts_with(b"-----"));

    let with_l = app.get(&format!("{path}?l=security"), None).await;
    assert_eq!(with_l.status, StatusCode::OK);
    assert_eq!(with_l.body, resp.body);
    let other = format!(
        "/.well-known/openpgpkey/hu/{}",
        wkd::local_part_hash("someone")
    );
    assert_eq!(app.get(&other, None).await.status, StatusCode::NOT_FOUND);

    let policy = app.get("/.well-known/openpgpkey/policy", None).await;
    assert_eq!(policy.status, StatusCode::OK);
    assert!(policy.body.is_empty());
    assert_eq!(policy.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn the_wkd_name_of_the_drafts_example_is_its_z_base_32_vector() {
    // draft-koch-openpgp-webkey-service, section 3.1.
    let local = wkd::local_part("Joe.Doe@Example.ORG");
    assert_eq!(local, "Joe.Doe");
    assert_eq!(
        wkd::local_part_hash(local),
        "iy9q119eutrkn8s1mk4r39qejnbu3n5q"
    );
}

#[tokio::test]
async fn security_txt_points_at_the_list_key_unless_another_key_is_configured() {
    let app = TestApp::new().await;
    let txt = app.get("/.well-known/security.txt", None).await.text();
    assert!(
        txt.contains("Encryption: http://embargo.test/list-key.asc\n"),
        "{txt}"
    );
    let asc = app.get("/list-key.asc", None).await;
    assert_eq!(asc.status, StatusCode::OK);
    assert_eq!(
        asc.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(asc.text(), app.state.list_key.armored_public());

    let configured = TestApp::with_config(|c| {
        c.publication.encryption_key_url = "https://keys.example.org/team.asc".into();
    })
    .await;
    let txt = configured
        .get("/.well-known/security.txt", None)
        .await
        .text();
    assert!(
        txt.contains("Encryption: https://keys.example.org/team.asc\n"),
        "{txt}"
    );
    assert!(!txt.contains("list-key.asc"), "{txt}");
}

#[tokio::test]
async fn serve_makes_the_key_and_list_key_show_and_rotate_manage_it() {
    let env = Env::new().await;
    let served = {
        let server = serve(&env);
        let (status, body) =
            http(server.port, "GET", "/api/v1/list-key", None, "").expect("answer");
        assert_eq!(status, 200, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        json["fingerprint"]
            .as_str()
            .expect("fingerprint")
            .to_owned()
    };
    let key_file = env
        .dir
        .path()
        .join("list-key")
        .join(format!("{served}.asc"));
    assert_eq!(mode(&key_file), 0o600);

    let show = env.run(&["list-key", "show"], b"");
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    let shown = String::from_utf8_lossy(&show.stdout).into_owned();
    assert!(
        shown.starts_with(&format!("fingerprint: {served}\n")),
        "{shown}"
    );
    assert!(
        shown.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----"),
        "{shown}"
    );

    let rotate = env.run(&["list-key", "rotate"], b"");
    assert!(
        rotate.status.success(),
        "{}",
        String::from_utf8_lossy(&rotate.stderr)
    );
    let show = env.run(&["list-key", "show"], b"");
    let shown = String::from_utf8_lossy(&show.stdout).into_owned();
    assert!(
        !shown.starts_with(&format!("fingerprint: {served}\n")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("previous:    {served}\n")),
        "{shown}"
    );
    let events = env
        .scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'list_key.rotated'")
        .await;
    assert_eq!(events, 1);
    let verify = env.run(&["audit", "verify"], b"");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
