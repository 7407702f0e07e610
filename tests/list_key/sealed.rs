//! The list key's secret files sealed with the data key, run as the binary:
//! no file of `DATA/list-key/` and no backup holds the secret key in clear,
//! after the first start, a rotation, or an upgrade from files in clear;
//! mail encrypted to the list still decrypts, in the deployment and in
//! one restored from a backup, which needs the data key.

use std::path::{Path, PathBuf};
use std::process::Output;

use pgp::composed::{Deserializable, SignedSecretKey};
use pgp::ser::Serialize;
use pgp::types::{KeyVersion, SecretParams};

use super::open_key_file;
use crate::common::process::Env;
use crate::ingest_encrypted::{SUBJECT, encrypt, gpg_with, inner_entity, pgp_mime};

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn err(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The current list key of `env`: (fingerprint, armored public key).
fn shown(env: &Env) -> (String, String) {
    let out = ok(&env.run(&["list-key", "show"], b""));
    let fingerprint = out
        .lines()
        .find_map(|l| l.strip_prefix("fingerprint: "))
        .expect("fingerprint")
        .trim()
        .to_owned();
    let armored = out[out
        .find("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        .expect("key")..]
        .to_owned();
    (fingerprint, armored)
}

fn key_files(data: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("list-key"))
        .expect("list-key dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "asc"))
        .collect();
    files.sort();
    files
}

/// The secret scalars of every list key of `data` (primary keys and
/// subkeys), opened with its data key: what must appear in no file.
fn secret_material(data: &Path) -> Vec<Vec<u8>> {
    embargo::app::data_key::load_for_reading(data).expect("the data key");
    let mut out = Vec::new();
    for file in key_files(data) {
        let (secret, _) =
            SignedSecretKey::from_armor_single(open_key_file(&file).as_bytes()).expect("a key");
        let packets = secret.to_bytes().expect("bytes");
        let params = std::iter::once(secret.primary_key.secret_params())
            .chain(secret.secret_subkeys.iter().map(|s| s.key.secret_params()));
        for p in params {
            let SecretParams::Plain(plain) = p else {
                panic!("a locked key")
            };
            let mut bytes = Vec::new();
            plain.to_writer(&mut bytes, KeyVersion::V4).expect("bytes");
            // Without the MPI's length and the checksum around the scalar.
            let core = bytes[2..bytes.len() - 2].to_vec();
            assert!(core.len() >= 30);
            assert!(packets.windows(core.len()).any(|w| w == core));
            out.push(core);
        }
    }
    assert!(!out.is_empty());
    out
}

/// Fails if `bytes` (the file `name`) holds any of `material` or an
/// armored secret key.
fn assert_no_secret(name: &str, bytes: &[u8], material: &[Vec<u8>]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(
        !text.contains("PRIVATE KEY"),
        "{name} holds an armored secret key"
    );
    for m in material {
        assert!(
            !bytes.windows(m.len()).any(|w| w == m),
            "{name} holds secret key material"
        );
    }
}

/// Fails unless every file of `DATA/list-key/` is free of the secret keys
/// and every key file is sealed.
fn assert_sealed(data: &Path) {
    let material = secret_material(data);
    for entry in std::fs::read_dir(data.join("list-key")).expect("dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("file");
        assert_no_secret(&path.display().to_string(), &bytes, &material);
    }
    for file in key_files(data) {
        let text = std::fs::read_to_string(&file).expect("key file");
        assert!(text.starts_with("embargo-sealed:v1:"), "{}", file.display());
    }
}

/// Mails `env` a report encrypted (by GnuPG) to its current list key and
/// checks that intake decrypted it.
async fn mail_an_encrypted_report(env: &Env, message_id: &str) {
    let (fingerprint, armored) = shown(env);
    let gpg = gpg_with(&armored);
    let ciphertext = encrypt(&gpg, &fingerprint, inner_entity().as_bytes());
    let mail = pgp_mime(message_id, "security@project.test", &ciphertext);
    let out = env.run(&["ingest"], mail.as_bytes());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(env.report_titles().await.iter().any(|t| t == SUBJECT));
}

/// A key file of `data` written back in clear, as embargo stored it before
/// sealing; answers its path.
fn unseal_one(data: &Path) -> PathBuf {
    embargo::app::data_key::load_for_reading(data).expect("the data key");
    let file = key_files(data).into_iter().next().expect("a key file");
    std::fs::write(&file, open_key_file(&file)).expect("write");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("PRIVATE KEY BLOCK")
    );
    file
}

#[tokio::test]
async fn no_list_key_file_holds_the_secret_in_clear_after_start_or_rotation_and_mail_still_decrypts()
 {
    let env = Env::new().await;
    let (first, _) = shown(&env);
    assert_sealed(env.dir.path());

    ok(&env.run(&["list-key", "rotate"], b""));
    let (second, _) = shown(&env);
    assert_ne!(first, second);
    assert_eq!(key_files(env.dir.path()).len(), 2);
    assert_sealed(env.dir.path());
    mail_an_encrypted_report(&env, "sealed1@example.net").await;
}

#[tokio::test]
async fn a_list_key_stored_in_clear_is_read_and_sealed_at_the_next_start() {
    let env = Env::new().await;
    let (fingerprint, _) = shown(&env);
    let file = unseal_one(env.dir.path());

    // The next start (here: a command) reads it and seals it in place.
    assert_eq!(shown(&env).0, fingerprint);
    assert_sealed(env.dir.path());
    assert_eq!(super::mode(&file), 0o600);
    let names: Vec<_> = std::fs::read_dir(env.dir.path().join("list-key"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "one key and the marker: {names:?}");
    mail_an_encrypted_report(&env, "clear1@example.net").await;
}

/// `embargo --data DATA ARGS` on the default SQLite database of DATA.
fn embargo(data: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("EMBARGO_CONFIG")
        .env_remove("EMBARGO_DATABASE_URL")
        .env_remove("EMBARGO_DATA_KEY")
        .output()
        .expect("run embargo")
}

/// A private directory holding only `key` as its data key file.
fn data_dir_with_key(parent: &Path, name: &str, key: &[u8]) -> PathBuf {
    use std::os::unix::fs::DirBuilderExt;
    let data = parent.join(name);
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&data)
        .unwrap();
    std::fs::write(data.join("data-key"), key).unwrap();
    std::fs::set_permissions(
        data.join("data-key"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    data
}

#[tokio::test]
async fn a_backup_holds_the_list_key_sealed_and_restores_only_with_the_data_key() {
    let env = Env::new().await;
    if !env.database_url.starts_with("sqlite:") {
        return; // `embargo backup` copies SQLite databases only
    }
    shown(&env);
    mail_an_encrypted_report(&env, "before@example.net").await;
    let material = secret_material(env.dir.path());
    // A key file still in clear (not started since the upgrade) is sealed
    // before it goes into the backup.
    unseal_one(env.dir.path());
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("embargo.backup");
    let path = file.to_str().unwrap();
    ok(&env.run(&["backup", path], b""));
    assert_sealed(env.dir.path());
    assert_no_secret(path, &std::fs::read(&file).unwrap(), &material);

    let targets = tempfile::tempdir().unwrap();
    refused_without_the_data_key(
        targets.path(),
        |data| embargo(data, &["restore", path]),
        "does not open",
    );

    let key = std::fs::read(env.dir.path().join("data-key")).unwrap();
    let restored = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        restored.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    std::fs::write(restored.path().join("data-key"), &key).unwrap();
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        restored.path().join("embargo.db").display()
    );
    let restored = Env::at(restored, database_url);
    let printed = ok(&restored.run(&["restore", path], b""));
    assert!(printed.contains("audit log OK"), "{printed}");
    assert_sealed(restored.dir.path());
    mail_an_encrypted_report(&restored, "after@example.net").await;
    assert_eq!(
        restored
            .scalar("SELECT COUNT(*) FROM reports WHERE encrypted = 0")
            .await,
        2,
        "the report from before the backup and the new one, both decrypted"
    );
}

/// The id of the data key a sealed key file names (hex of its first bytes).
fn sealing_key_id(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("key file");
    let sealed = text
        .trim_end()
        .strip_prefix("embargo-sealed:v1:")
        .expect("sealed");
    let raw = base64::Engine::decode(&base64::engine::general_purpose::STANDARD_NO_PAD, sealed)
        .expect("base64");
    raw[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_data_key_rotation_seals_the_list_key_under_the_new_key_alone() {
    let env = Env::new().await;
    ok(&env.run(&["list-key", "rotate"], b""));
    let rotated = ok(&env.run(&["key", "rotate"], b""));
    let current = rotated
        .lines()
        .find_map(|l| l.strip_prefix("current:"))
        .expect("current")
        .trim()
        .to_owned();
    assert!(rotated.contains("list key: 2 files sealed"), "{rotated}");
    for file in key_files(env.dir.path()) {
        assert_eq!(sealing_key_id(&file), current, "{}", file.display());
    }
    let again = ok(&env.run(&["key", "seal"], b""));
    assert!(
        again.contains("list key: 0 files sealed (2 already"),
        "{again}"
    );

    // Everything is under the new key: the old one can go.
    let key_file = env.dir.path().join("data-key");
    let keys = std::fs::read_to_string(&key_file).unwrap();
    let newest = keys.lines().last().unwrap();
    std::fs::write(&key_file, format!("{newest}\n")).unwrap();
    assert_sealed(env.dir.path());
    mail_an_encrypted_report(&env, "rotated@example.net").await;
}

#[tokio::test]
async fn a_keys_only_backup_restores_only_with_the_data_key_and_a_clear_key_without_one_is_not_backed_up()
 {
    let env = Env::new().await;
    shown(&env);
    let material = secret_material(env.dir.path());
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("keys.backup");
    let path = file.to_str().unwrap();
    ok(&env.run(&["backup", "--keys-only", path], b""));
    assert_no_secret(path, &std::fs::read(&file).unwrap(), &material);

    // The PostgreSQL procedure; nobody listens there, nor needs to.
    let pg = "postgres://embargo@127.0.0.1:9/embargo";
    let restore = |data: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_embargo"))
            .arg("--data")
            .arg(data)
            .args(["restore", path])
            .env_remove("EMBARGO_CONFIG")
            .env_remove("EMBARGO_DATA_KEY")
            .env("EMBARGO_DATABASE_URL", pg)
            .output()
            .expect("run embargo")
    };
    let targets = tempfile::tempdir().unwrap();
    refused_without_the_data_key(targets.path(), restore, "does not open the list key");
    let key = std::fs::read(env.dir.path().join("data-key")).unwrap();
    let right = data_dir_with_key(targets.path(), "right", &key);
    ok(&restore(&right));
    assert_sealed(&right);

    // A key file in clear and no data key to seal it with: no backup.
    unseal_one(env.dir.path());
    std::fs::remove_file(env.dir.path().join("data-key")).unwrap();
    let second = out_dir.path().join("second.backup");
    let e = err(&env.run(&["backup", "--keys-only", second.to_str().unwrap()], b""));
    assert!(
        e.contains("stored in clear") && e.contains("no data key"),
        "{e}"
    );
    assert!(!second.exists());
}

/// `restore` into a directory without a data key, then into one holding
/// another deployment's key, is refused (the second saying `wrong_key`)
/// and writes nothing but that key.
fn refused_without_the_data_key(
    targets: &Path,
    restore: impl Fn(&Path) -> Output,
    wrong_key: &str,
) {
    let bare = targets.join("bare");
    let e = err(&restore(&bare));
    assert!(
        e.contains("no backup contains") && e.contains("data-key"),
        "{e}"
    );
    assert!(!bare.exists());
    let other_key = format!("{}\n", embargo::app::data_key::new_key_line());
    let wrong = data_dir_with_key(targets, "wrong", other_key.as_bytes());
    let e = err(&restore(&wrong));
    assert!(e.contains(wrong_key), "{e}");
    let left: Vec<_> = std::fs::read_dir(&wrong)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["data-key"]);
}
