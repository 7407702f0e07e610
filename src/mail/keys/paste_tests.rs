//! What a member may paste that is not one public certificate: private
//! keys, several blocks, no armor, damaged armor, backups, oversize input.

use super::tests::*;
use super::*;
use pgp::composed::{Deserializable, SignedPublicKey};

#[test]
fn private_key_export_is_refused() {
    assert_eq!(
        validate(PRIVATE_KEY, "alice@example.org"),
        Err(KeyError::PrivateKey)
    );
}

#[test]
fn private_key_packets_under_a_public_key_label_are_refused() {
    let relabelled = PRIVATE_KEY.replace("PRIVATE KEY BLOCK", "PUBLIC KEY BLOCK");

    assert_eq!(
        validate(&relabelled, "alice@example.org"),
        Err(KeyError::PrivateKey)
    );
}

#[test]
fn two_certificates_in_one_block_are_refused() {
    assert_eq!(
        validate(TWO_CERTIFICATES, "alice@example.org"),
        Err(KeyError::MultipleCertificates { count: 2 })
    );
}

#[test]
fn two_armored_blocks_are_refused() {
    let both = format!("{ED25519}{RSA3072}");

    assert_eq!(
        validate(&both, "alice@example.org"),
        Err(KeyError::MultipleBlocks { count: 2 })
    );
}

#[test]
fn text_without_armor_is_refused() {
    assert_eq!(
        validate(GARBAGE, "alice@example.org"),
        Err(KeyError::NotArmored)
    );
    assert_eq!(validate("", "alice@example.org"), Err(KeyError::NotArmored));
}

#[test]
fn armored_block_of_another_kind_is_refused() {
    let message = "-----BEGIN PGP MESSAGE-----\n\nwV4D\n-----END PGP MESSAGE-----\n";

    assert_eq!(
        validate(message, "alice@example.org"),
        Err(KeyError::NotAPublicKey {
            found: "PGP MESSAGE".to_owned()
        })
    );
}

#[test]
fn truncated_armor_is_refused() {
    let result = validate(TRUNCATED, "alice@example.org");

    assert!(
        matches!(result, Err(KeyError::Unparsable { .. })),
        "{result:?}"
    );
}

#[test]
fn backup_export_with_trust_packets_is_read_whole() {
    assert_eq!(
        validate(BACKUP_EXPORT, "alice@example.org"),
        validate(ED25519, "alice@example.org")
    );
}

#[test]
fn rpgp_alone_loses_user_ids_and_subkeys_after_a_trust_packet() {
    // Why packets are read before rPGP assembles the key.
    let (key, _) = SignedPublicKey::from_string(BACKUP_EXPORT).unwrap();

    assert_eq!(key.details.users.len(), 0);
    assert_eq!(key.public_subkeys.len(), 0);
}

#[test]
fn armor_checksum_is_ignored_as_rfc_9580_requires() {
    let crc_line = ED25519.lines().find(|l| l.starts_with('=')).unwrap();
    let damaged = ED25519.replace(crc_line, "=AAAA");

    assert_eq!(
        validate(&damaged, "alice@example.org"),
        validate(ED25519, "alice@example.org")
    );
}

#[test]
fn oversized_upload_is_refused_before_parsing() {
    let huge = format!("{ED25519}{}", " ".repeat(MAX_CERTIFICATE_BYTES));

    assert_eq!(
        validate(&huge, "alice@example.org"),
        Err(KeyError::TooLarge {
            max_bytes: MAX_CERTIFICATE_BYTES
        })
    );
}

#[test]
fn damaged_certificates_never_yield_another_key() {
    // One character of the base64 body changed at a time. A damaged copy
    // is refused, or (when the damage hits an unhashed byte, or a subkey
    // binding that is then ignored) accepted with the same primary key and
    // one of its original encryption subkeys. No panics either way.
    for (fixture, address) in [
        (ED25519, "alice@example.org"),
        (SEVERAL_SUBKEYS, "judy@example.org"),
    ] {
        let (original, _) = SignedPublicKey::from_string(fixture).unwrap();
        let primary = fingerprint_hex(&original.primary_key);
        let subkeys: Vec<String> = original
            .public_subkeys
            .iter()
            .map(|s| fingerprint_hex(&s.key))
            .collect();
        let body_start = fixture.find("\n\n").unwrap() + 2;
        let body_end = fixture.rfind("\n=").unwrap();
        for i in (body_start..body_end).step_by(9) {
            let mut damaged = fixture.as_bytes().to_vec();
            damaged[i] = match damaged[i] {
                b'\n' => continue,
                b'A' => b'B',
                _ => b'A',
            };
            let damaged = String::from_utf8(damaged).unwrap();
            if let Ok(info) = validate(&damaged, address) {
                assert_eq!(info.fingerprint, primary, "offset {i}");
                assert!(subkeys.contains(&info.encryption_subkey), "offset {i}");
            }
        }
    }
}
