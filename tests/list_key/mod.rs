//! The list's OpenPGP key: made once at first start, kept in private files
//! and never in the database, published (API, `/list-key.asc`, the Web Key
//! Directory, security.txt), rotated with the old key kept, and read by
//! GnuPG 2.2 both ways (`gnupg.rs`).

pub mod gnupg;
mod sealed;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

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
pub async fn published(app: &TestApp) -> (String, String) {
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
    assert!(secret.starts_with("embargo-sealed:v1:"), "sealed");
    let opened = open_key_file(&file);
    assert!(opened.starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----"));
}

/// The armored secret key of a key file, opened with the data key (which
/// this process holds: every in-process deployment shares it).
pub fn open_key_file(file: &Path) -> String {
    let fingerprint = file
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a fingerprint");
    let stored = std::fs::read_to_string(file).expect("key file");
    embargo::db::sealed::open_text(
        embargo::mail::list_key::SEALED_AS,
        fingerprint,
        stored.trim_end().to_owned(),
    )
    .expect("the key file opens with the data key")
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
            let text = open_key_file(&path);
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
