//! The list key's files sealed with the data key: no secret in clear on
//! disk, files in clear from before sealing read and sealed in place, a
//! sealed file bound to its key's fingerprint.

use pgp::types::{KeyVersion, SecretParams};

use super::tests::data_key;
use super::*;

const UID: &str = "Test Project <security@project.test>";

/// The secret key material of every key `key` holds (primary keys and
/// subkeys): each secret scalar's bytes, without the MPI's length and the
/// checksum OpenPGP puts around them.
fn secret_material(key: &ListKey) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for held in std::iter::once(&key.0.current).chain(&key.0.previous) {
        let packets = held.secret.to_bytes().unwrap();
        let params = std::iter::once(held.secret.primary_key.secret_params()).chain(
            held.secret
                .secret_subkeys
                .iter()
                .map(|s| s.key.secret_params()),
        );
        for p in params {
            let SecretParams::Plain(plain) = p else {
                panic!("a locked key")
            };
            let mut bytes = Vec::new();
            plain.to_writer(&mut bytes, KeyVersion::V4).unwrap();
            let core = bytes[2..bytes.len() - 2].to_vec();
            assert!(core.len() >= 30, "{}", core.len());
            // What the key's own serialisation holds: the check below can fail.
            assert!(packets.windows(core.len()).any(|w| w == core));
            out.push(core);
        }
    }
    out
}

/// Every file of `dir`: (name, bytes).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn assert_no_secret_in_clear(dir: &Path, key: &ListKey) {
    let material = secret_material(key);
    let found = files(dir);
    assert!(found.len() >= 2, "{found:?}");
    for (name, bytes) in found {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("PRIVATE KEY"), "{name}");
        for m in &material {
            assert!(!bytes.windows(m.len()).any(|w| w == m), "{name}");
        }
        if name.ends_with(".asc") {
            assert!(crate::db::sealed::is_sealed_text(text.trim_end()), "{name}");
        }
    }
}

#[test]
fn key_files_are_sealed_at_creation_and_rotation_and_still_decrypt() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let first = ListKey::load_or_create(dir.path(), UID).unwrap();
    assert_no_secret_in_clear(dir.path(), &first);
    ListKey::rotate(dir.path(), UID).unwrap();
    let key = ListKey::load_or_create(dir.path(), UID).unwrap();
    assert_eq!(key.previous_fingerprints().count(), 1);
    assert_no_secret_in_clear(dir.path(), &key);
    let cert = crate::mail::keys::parse_certificate(first.armored_public()).unwrap();
    let to_first = key
        .sign_and_encrypt(b"to the first key", &cert, jiff::Timestamp::now())
        .unwrap();
    assert_eq!(
        key.decrypt(to_first.as_bytes()).unwrap(),
        b"to the first key"
    );
}

#[test]
fn a_key_file_in_clear_is_read_and_sealed_in_place() {
    use std::os::unix::fs::PermissionsExt;
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let made = ListKey::load_or_create(dir.path(), UID).unwrap();
    // As embargo wrote it before sealing: the armored key itself.
    let file = store::key_path(dir.path(), made.fingerprint());
    let armored = store::read_key(dir.path(), made.fingerprint()).unwrap();
    std::fs::write(&file, armored.armored()).unwrap();
    assert!(ListKey::any_clear(dir.path()).unwrap());

    let key = ListKey::load_or_create(dir.path(), UID).unwrap();
    assert_eq!(key.fingerprint(), made.fingerprint());
    assert!(!ListKey::any_clear(dir.path()).unwrap());
    assert_no_secret_in_clear(dir.path(), &key);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(files(dir.path()).len(), 2, "no temporary file left");
    let again = ListKey::load_or_create(dir.path(), UID).unwrap();
    assert_eq!(again.armored_public(), made.armored_public());
    assert_eq!(
        ListKey::seal_stored(dir.path(), false).unwrap(),
        SealedFiles {
            sealed: 0,
            current: 1
        }
    );
}

#[test]
fn a_sealed_key_file_moved_to_another_keys_name_does_not_open() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let old = ListKey::load_or_create(dir.path(), UID).unwrap();
    let rotation = ListKey::rotate(dir.path(), UID).unwrap();
    let new_file = store::key_path(dir.path(), &rotation.current);
    std::fs::copy(store::key_path(dir.path(), old.fingerprint()), &new_file).unwrap();
    let err = ListKey::load_or_create(dir.path(), UID).unwrap_err();
    assert!(matches!(err, ListKeyError::Corrupt { .. }), "{err}");
    let content = std::fs::read(&new_file).unwrap();
    let name = format!("{}.asc", rotation.current);
    assert!(ListKey::check_backed_up(&name, &content).is_err());
    let name = format!("{}.asc", old.fingerprint());
    assert!(ListKey::check_backed_up(&name, &content).is_ok());
}

#[test]
fn a_key_file_sealed_with_a_data_key_not_loaded_is_refused_naming_the_data_key() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let key = ListKey::load_or_create(dir.path(), UID).unwrap();
    let file = store::key_path(dir.path(), key.fingerprint());
    let text = std::fs::read_to_string(&file).unwrap();
    // The file as another data key (another key id) would have sealed it.
    let prefix = "embargo-sealed:v1:";
    let mut raw = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        text.trim_end().strip_prefix(prefix).unwrap(),
    )
    .unwrap();
    raw[..8].copy_from_slice(&[0xee; 8]);
    let reid = format!(
        "{prefix}{}\n",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD_NO_PAD, &raw)
    );
    std::fs::write(&file, reid).unwrap();
    let err = ListKey::load_or_create(dir.path(), UID).unwrap_err();
    assert!(
        matches!(
            &err,
            ListKeyError::Sealed {
                source: crate::db::sealed::SealError::UnknownKey(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("data key"), "{err}");
}

#[test]
fn sealing_all_again_rewrites_every_key_file_and_the_keys_still_load() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let key = ListKey::load_or_create(dir.path(), UID).unwrap();
    ListKey::rotate(dir.path(), UID).unwrap();
    let before = files(dir.path());
    // A new current data key (the older stays loaded, as after a rotation).
    crate::db::sealed::install(
        crate::db::sealed::DataKey::from_bytes(&rand::random::<[u8; 32]>()),
        [],
    );
    let done = ListKey::seal_stored(dir.path(), true).unwrap();
    assert_eq!(done.sealed + done.current, 2);
    assert!(done.sealed >= 1, "{done:?}");
    let after = files(dir.path());
    assert_ne!(before, after);
    let again = ListKey::load_or_create(dir.path(), UID).unwrap();
    assert_eq!(
        again.previous_fingerprints().collect::<Vec<_>>(),
        [key.fingerprint()]
    );
}
