use std::os::unix::fs::PermissionsExt;

use pgp::composed::{MessageBuilder, SignedPublicKey};
use pgp::packet::SubpacketData;
use pgp::types::{CompressionAlgorithm, PublicParams};

use super::*;
use crate::mail::keys;

const UID: &str = "Test Project <security@project.test>";

/// Installs the data key the list key's files are sealed with. The keyring
/// is the process's: other tests may make another key current meanwhile,
/// and every key installed stays to open what it sealed.
pub(super) fn data_key() {
    crate::db::sealed::install(crate::db::sealed::DataKey::from_bytes(&[0x4c; 32]), []);
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

fn public(key: &ListKey) -> SignedPublicKey {
    keys::parse_certificate(key.armored_public()).expect("our public key parses")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_new_key_has_the_settings_gnupg_2_2_needs() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let key = ListKey::load_or_create(&dir.path().join("list-key"), UID).unwrap();
    let cert = public(&key);
    assert_eq!(cert.primary_key.version(), KeyVersion::V4);
    assert!(matches!(
        cert.primary_key.public_params(),
        PublicParams::EdDSALegacy(_)
    ));
    assert_eq!(cert.public_subkeys.len(), 1);
    assert!(matches!(
        cert.public_subkeys[0].key.public_params(),
        PublicParams::ECDH(_)
    ));
    let user = &cert.details.users[0];
    assert_eq!(user.id.id(), UID.as_bytes());
    let sig = &user.signatures[0];
    let flags = sig.key_flags();
    assert!(flags.certify() && flags.sign() && !flags.encrypt_comms());
    let subpackets = sig
        .config()
        .expect("v4 signature")
        .hashed_subpackets
        .clone();
    let symmetric = subpackets.iter().find_map(|p| match &p.data {
        SubpacketData::PreferredSymmetricAlgorithms(a) => Some(a.to_vec()),
        _ => None,
    });
    assert_eq!(
        symmetric,
        Some(vec![
            SymmetricKeyAlgorithm::AES256,
            SymmetricKeyAlgorithm::AES128
        ])
    );
    let hashes = subpackets.iter().find_map(|p| match &p.data {
        SubpacketData::PreferredHashAlgorithms(a) => Some(a.to_vec()),
        _ => None,
    });
    assert_eq!(
        hashes,
        Some(vec![HashAlgorithm::Sha512, HashAlgorithm::Sha256])
    );
    let info = keys::check_certificate(&cert, "security@project.test", now(), 0).unwrap();
    assert_eq!(info.fingerprint, key.fingerprint());
    assert!(info.warnings.is_empty(), "{:?}", info.warnings);
    assert_eq!(info.encryption_subkey, hex(&cert.public_subkeys[0].key));
}

#[test]
fn the_key_is_made_once_and_loaded_again_from_private_files() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("list-key");
    let first = ListKey::load_or_create(&at, UID).unwrap();
    let again = ListKey::load_or_create(&at, "Other <other@example.org>").unwrap();
    assert_eq!(first.fingerprint(), again.fingerprint());
    assert_eq!(first.armored_public(), again.armored_public());
    assert_eq!(mode(&at), 0o700);
    let file = store::key_path(&at, first.fingerprint());
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&at.join(store::CURRENT)), 0o600);
    let names: Vec<_> = std::fs::read_dir(&at)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "one key and the marker, no leftovers: {names:?}"
    );
}

#[test]
fn debug_shows_fingerprints_and_no_key_material() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let key = ListKey::load_or_create(dir.path(), UID).unwrap();
    let shown = format!("{key:?}");
    assert!(shown.contains(key.fingerprint()), "{shown}");
    assert!(!shown.contains("PRIVATE") && !shown.contains("secret_params"));
    assert!(shown.len() < 200, "{shown}");
}

#[test]
fn what_it_signs_and_encrypts_decrypts_with_the_recipients_key() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let list = ListKey::load_or_create(&dir.path().join("a"), UID).unwrap();
    let member = ListKey::load_or_create(&dir.path().join("b"), "M <m@example.org>").unwrap();
    let armored = list
        .sign_and_encrypt(b"embargoed text", &public(&member), now())
        .unwrap();
    assert!(armored.starts_with("-----BEGIN PGP MESSAGE-----"));
    assert_eq!(
        member.decrypt(armored.as_bytes()).unwrap(),
        b"embargoed text"
    );
    let refused = list.decrypt(armored.as_bytes()).unwrap_err();
    assert!(
        matches!(&refused, ListKeyError::NotForUs { recipients } if recipients.len() == 1),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("it is for key ids "),
        "{refused}"
    );
}

#[test]
fn a_detached_signature_verifies_with_the_list_key_over_the_data_only() {
    data_key();
    use pgp::composed::{Deserializable, DetachedSignature};
    let dir = tempfile::tempdir().unwrap();
    let list = ListKey::load_or_create(&dir.path().join("a"), UID).unwrap();
    let data = b"Content-Type: text/plain\r\n\r\nEmbargoed until Friday.\r\n";
    let armored = list.sign_detached(data).unwrap();
    assert!(
        armored.starts_with("-----BEGIN PGP SIGNATURE-----"),
        "{armored}"
    );
    let (sig, _) = DetachedSignature::from_armor_single(armored.as_bytes()).unwrap();
    let cert = public(&list);
    sig.verify(&cert.primary_key, data).expect("verifies");
    // A text signature: the same lines with LF endings verify too.
    let lf = String::from_utf8_lossy(data).replace("\r\n", "\n");
    sig.verify(&cert.primary_key, lf.as_bytes())
        .expect("line endings do not matter");
    let tampered = b"Content-Type: text/plain\r\n\r\nEmbargoed until Monday.\r\n";
    assert!(sig.verify(&cert.primary_key, tampered).is_err());
    let other = ListKey::load_or_create(&dir.path().join("b"), UID).unwrap();
    assert!(sig.verify(&public(&other).primary_key, data).is_err());
}

#[test]
fn after_a_rotation_mail_to_the_old_key_still_decrypts() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let old = ListKey::load_or_create(dir.path(), UID).unwrap();
    let to_old = old
        .sign_and_encrypt(b"for the old key", &public(&old), now())
        .unwrap();
    let rotation = ListKey::rotate(dir.path(), UID).unwrap();
    assert_eq!(rotation.previous, old.fingerprint());
    let new = ListKey::load_or_create(dir.path(), UID).unwrap();
    assert_eq!(new.fingerprint(), rotation.current);
    assert_ne!(new.fingerprint(), old.fingerprint());
    assert_eq!(
        new.previous_fingerprints().collect::<Vec<_>>(),
        [old.fingerprint()]
    );
    assert_eq!(new.decrypt(to_old.as_bytes()).unwrap(), b"for the old key");
    let opened = new.open(to_old.as_bytes(), 1024).unwrap();
    assert_eq!(opened.fingerprint, old.fingerprint(), "named: the old key");
    let to_new = new
        .sign_and_encrypt(b"for the new key", &public(&new), now())
        .unwrap();
    let opened = new.open(to_new.as_bytes(), 1024).unwrap();
    assert_eq!(opened.fingerprint, new.fingerprint());
    assert_eq!(opened.plaintext, b"for the new key");
    assert!(!format!("{opened:?}").contains("for the new key"));
    rotation.undo().unwrap();
    let back = ListKey::load_or_create(dir.path(), UID).unwrap();
    assert_eq!(back.fingerprint(), old.fingerprint());
}

#[test]
fn a_compressed_message_that_expands_past_the_limit_is_refused() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let list = ListKey::load_or_create(dir.path(), UID).unwrap();
    let cert = public(&list);
    let mut rng = OsRng;
    let mut builder = MessageBuilder::from_bytes("", vec![0u8; 2 * 1024 * 1024])
        .seipd_v1(&mut rng, SymmetricKeyAlgorithm::AES256);
    builder.compression(CompressionAlgorithm::ZLIB);
    builder
        .encrypt_to_key(&mut rng, &cert.public_subkeys[0].key)
        .unwrap();
    let bomb = builder.to_vec(rng).unwrap();
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let refused = list.decrypt_within(&bomb, MAX_MESSAGE_BYTES, 1024 * 1024);
    assert!(
        matches!(refused, Err(ListKeyError::TooLarge { max_bytes }) if max_bytes == 1024 * 1024),
        "{refused:?}"
    );
    let taken = list.decrypt_within(&bomb, MAX_MESSAGE_BYTES, 2 * 1024 * 1024);
    assert_eq!(taken.unwrap().len(), 2 * 1024 * 1024);
    let too_big = list.decrypt_within(&bomb, 1024, MAX_PLAINTEXT_BYTES);
    assert!(matches!(
        too_big,
        Err(ListKeyError::TooLarge { max_bytes: 1024 })
    ));
}

#[test]
fn damaged_or_missing_key_files_stop_the_load_with_a_reason() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    let key = ListKey::load_or_create(dir.path(), UID).unwrap();
    let file = store::key_path(dir.path(), key.fingerprint());
    let armored = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, &armored[..armored.len() / 2]).unwrap();
    let err = ListKey::load_or_create(dir.path(), UID).unwrap_err();
    assert!(matches!(err, ListKeyError::Corrupt { .. }), "{err}");
    std::fs::remove_file(&file).unwrap();
    let err = ListKey::load_or_create(dir.path(), UID).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn stored_keys_without_a_current_marker_use_the_newest() {
    data_key();
    let dir = tempfile::tempdir().unwrap();
    ListKey::load_or_create(dir.path(), UID).unwrap();
    // Key times are whole seconds: make the second one visibly newer.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let rotation = ListKey::rotate(dir.path(), UID).unwrap();
    std::fs::remove_file(dir.path().join(store::CURRENT)).unwrap();
    let key = ListKey::load_or_create(dir.path(), UID).unwrap();
    assert_eq!(key.fingerprint(), rotation.current);
}

#[test]
fn the_user_id_names_the_organisation_and_the_address() {
    data_key();
    assert_eq!(
        user_id("Example <Project>", "security@example.org"),
        "Example Project <security@example.org>"
    );
    assert_eq!(user_id(" ", "s@example.org"), "<s@example.org>");
}
