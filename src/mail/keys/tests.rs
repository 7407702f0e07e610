//! Fixtures and the commands that made them: tests/data/keys/README.md.

use super::*;
use pgp::composed::{Deserializable, SignedPublicKey};

pub(super) const ED25519: &str = include_str!("../../../tests/data/keys/ed25519_cv25519.asc");
pub(super) const RSA3072: &str = include_str!("../../../tests/data/keys/rsa3072.asc");
pub(super) const RSA4096_CERTIFIED: &str =
    include_str!("../../../tests/data/keys/rsa4096_certified.asc");
pub(super) const SIGN_ONLY: &str = include_str!("../../../tests/data/keys/sign_only.asc");
pub(super) const SUBKEY_EXPIRED: &str = include_str!("../../../tests/data/keys/subkey_expired.asc");
pub(super) const SUBKEY_EXPIRES_SOON: &str =
    include_str!("../../../tests/data/keys/subkey_expires_soon.asc");
pub(super) const REVOKED_PRIMARY: &str =
    include_str!("../../../tests/data/keys/revoked_primary.asc");
pub(super) const REVOKED_SUBKEY: &str = include_str!("../../../tests/data/keys/revoked_subkey.asc");
pub(super) const SEVERAL_SUBKEYS: &str =
    include_str!("../../../tests/data/keys/several_subkeys.asc");
pub(super) const RSA1024: &str = include_str!("../../../tests/data/keys/rsa1024.asc");
pub(super) const DSA_ELGAMAL: &str = include_str!("../../../tests/data/keys/dsa_elgamal.asc");
pub(super) const SHA1: &str = include_str!("../../../tests/data/keys/sha1_self_signatures.asc");
pub(super) const OTHER_ADDRESS: &str = include_str!("../../../tests/data/keys/other_address.asc");
pub(super) const PRIVATE_KEY: &str = include_str!("../../../tests/data/keys/private_key.asc");
pub(super) const TWO_CERTIFICATES: &str =
    include_str!("../../../tests/data/keys/two_certificates.asc");
pub(super) const BACKUP_EXPORT: &str = include_str!("../../../tests/data/keys/backup_export.asc");
pub(super) const GARBAGE: &str = include_str!("../../../tests/data/keys/garbage.asc");
pub(super) const TRUNCATED: &str = include_str!("../../../tests/data/keys/truncated.asc");

pub(super) const MIN_DAYS: u32 = 30;

pub(super) fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The fixed "now" of these tests; the fixtures were made around it.
pub(super) fn now() -> Timestamp {
    at("2026-02-01T00:00:00Z")
}

pub(super) fn validate(armored: &str, address: &str) -> Result<CertificateInfo, KeyError> {
    validate_certificate(armored, address, now(), MIN_DAYS)
}

#[test]
fn ed25519_key_with_curve25519_subkey_is_accepted() {
    let info = validate(ED25519, "alice@example.org").unwrap();

    assert_eq!(
        info,
        CertificateInfo {
            fingerprint: "ADCB187C8A7C644B0BB2DDFE5AD6B343E302344B".to_owned(),
            user_ids: vec!["Alice Example <alice@example.org>".to_owned()],
            encryption_subkey: "081314EFD9E44B04C2EB4F620A49E8270DD5959C".to_owned(),
            algorithm: "Ed25519 + Curve25519".to_owned(),
            expires_at: None,
            warnings: vec![],
        }
    );
}

#[test]
fn armor_pasted_from_a_form_with_crlf_and_surrounding_text_is_accepted() {
    let pasted = format!(
        "Here is my key:\r\n\r\n{}\r\nThanks\r\n",
        ED25519.replace('\n', "\r\n")
    );

    assert_eq!(
        validate(&pasted, "alice@example.org"),
        validate(ED25519, "alice@example.org")
    );
    assert!(validate(&pasted, "alice@example.org").is_ok());
}

#[test]
fn address_domain_matches_in_any_case_but_local_part_exactly() {
    let upper_domain = validate(ED25519, "alice@EXAMPLE.Org").unwrap();
    let upper_local = validate(ED25519, "Alice@example.org").unwrap();

    assert_eq!(upper_domain.warnings, vec![]);
    assert_eq!(
        upper_local.warnings,
        vec![KeyWarning::NoUserIdForAddress {
            address: "Alice@example.org".to_owned()
        }]
    );
}

#[test]
fn rsa3072_key_is_accepted_with_its_expiry() {
    let info = validate(RSA3072, "bob@example.org").unwrap();

    assert_eq!(
        info,
        CertificateInfo {
            fingerprint: "E140A0B1D8B8058FE57FC2A76B854FF68FAA877F".to_owned(),
            user_ids: vec!["Bob Example <bob@example.org>".to_owned()],
            encryption_subkey: "91C8161FB06718E3C0CAC61D3CAFD201F908951C".to_owned(),
            algorithm: "RSA 3072".to_owned(),
            expires_at: Some(at("2028-01-01T12:00:00Z")),
            warnings: vec![],
        }
    );
}

#[test]
fn third_party_certification_does_not_prevent_acceptance() {
    let info = validate(RSA4096_CERTIFIED, "dave@example.org").unwrap();

    assert_eq!(info.fingerprint, "71FFA448A67A811DEEEB14477BAED9EFF9802097");
    assert_eq!(
        info.encryption_subkey,
        "742E448C25CA1BE848EE4CDBAA0F0B8BCFF87C13"
    );
    assert_eq!(info.algorithm, "RSA 4096");
    assert_eq!(info.user_ids, vec!["Dave Example <dave@example.org>"]);
    assert_eq!(info.warnings, vec![]);
}

#[test]
fn rpgp_verify_bindings_rejects_the_certified_key_which_is_why_it_is_not_used() {
    let (key, _) = SignedPublicKey::from_string(RSA4096_CERTIFIED).unwrap();

    assert_eq!(key.details.users[0].signatures.len(), 2);
    assert!(key.verify_bindings().is_err());
}

#[test]
fn sign_only_key_has_no_encryption_key() {
    assert_eq!(
        validate(SIGN_ONLY, "erin@example.org"),
        Err(KeyError::NoEncryptionKey)
    );
}

#[test]
fn expired_encryption_subkey_is_refused() {
    assert_eq!(
        validate(SUBKEY_EXPIRED, "frank@example.org"),
        Err(KeyError::Expired {
            fingerprint: "F078AEAA99E6FF55DE287FB8CDE71371F9CF8ED0".to_owned(),
            at: at("2025-07-01T00:00:00Z"),
        })
    );
}

#[test]
fn subkey_expiring_within_the_minimum_is_refused() {
    assert_eq!(
        validate(SUBKEY_EXPIRES_SOON, "grace@example.org"),
        Err(KeyError::ExpiresTooSoon {
            fingerprint: "D0F8EB51D6FAD19F5797E9C0CC1C931887DB3295".to_owned(),
            days_left: 10,
            at: at("2026-02-11T00:00:00Z"),
            min_days: MIN_DAYS,
        })
    );
}

#[test]
fn subkey_expiring_after_a_shorter_minimum_is_accepted() {
    let info = validate_certificate(SUBKEY_EXPIRES_SOON, "grace@example.org", now(), 10).unwrap();

    assert_eq!(
        info.encryption_subkey,
        "D0F8EB51D6FAD19F5797E9C0CC1C931887DB3295"
    );
    assert_eq!(info.expires_at, Some(at("2026-02-11T00:00:00Z")));
}

#[test]
fn primary_key_expiry_limits_the_certificate() {
    let soon = validate_certificate(
        RSA3072,
        "bob@example.org",
        at("2027-12-20T12:00:00Z"),
        MIN_DAYS,
    );
    let later = validate_certificate(RSA3072, "bob@example.org", at("2028-06-01T00:00:00Z"), 0);

    assert_eq!(
        soon,
        Err(KeyError::ExpiresTooSoon {
            fingerprint: "91C8161FB06718E3C0CAC61D3CAFD201F908951C".to_owned(),
            days_left: 12,
            at: at("2028-01-01T12:00:00Z"),
            min_days: MIN_DAYS,
        })
    );
    assert_eq!(
        later,
        Err(KeyError::Expired {
            fingerprint: "E140A0B1D8B8058FE57FC2A76B854FF68FAA877F".to_owned(),
            at: at("2028-01-01T12:00:00Z"),
        })
    );
}

#[test]
fn revoked_primary_key_is_refused() {
    assert_eq!(
        validate(REVOKED_PRIMARY, "heidi@example.org"),
        Err(KeyError::Revoked { reason: None })
    );
}

#[test]
fn revoked_encryption_subkey_is_refused() {
    assert_eq!(
        validate(REVOKED_SUBKEY, "ivan@example.org"),
        Err(KeyError::SubkeyRevoked {
            fingerprint: "E89D06EFBC0EFC4F1836188286D7FDAA7FD51C17".to_owned(),
            reason: Some("key superseded: replaced by a new subkey".to_owned()),
        })
    );
}

#[test]
fn newest_unrevoked_encryption_subkey_is_chosen() {
    let info = validate(SEVERAL_SUBKEYS, "judy@example.org").unwrap();

    assert_eq!(info.fingerprint, "A4A15DBF64211914C0ABCEFF89E83AE58E68CDD7");
    assert_eq!(
        info.encryption_subkey,
        "1C80EA7F0CE6D9D1167448DC01F5D909AB6FCECB"
    );
}

#[test]
fn rsa1024_key_is_refused_as_weak() {
    assert_eq!(
        validate(RSA1024, "mallory@example.org"),
        Err(KeyError::WeakAlgorithm {
            what: "RSA 1024".to_owned()
        })
    );
}

#[test]
fn dsa_key_with_elgamal_subkey_is_refused_as_weak() {
    assert_eq!(
        validate(DSA_ELGAMAL, "oscar@example.org"),
        Err(KeyError::WeakAlgorithm {
            what: "DSA 2048".to_owned()
        })
    );
}

#[test]
fn sha1_self_signatures_are_refused() {
    assert_eq!(
        validate(SHA1, "peggy@example.org"),
        Err(KeyError::Sha1SelfSignature {
            fingerprint: "A38C73CF061A3C518923B15E38A9F5BA7D2F6148".to_owned()
        })
    );
}

#[test]
fn user_id_for_another_address_is_only_a_warning() {
    let info = validate(OTHER_ADDRESS, "trent@example.org").unwrap();

    assert_eq!(info.fingerprint, "6495C534F0729E8781697D2B4D7126E796B92BCE");
    assert_eq!(
        info.encryption_subkey,
        "7317E6EA273D06F932A99E6118DF55E2193E2522"
    );
    assert_eq!(
        info.warnings,
        vec![KeyWarning::NoUserIdForAddress {
            address: "trent@example.org".to_owned()
        }]
    );
}

#[test]
fn user_id_matching_accepts_name_and_bare_address_forms() {
    assert!(user_id_names(
        "Alice <alice@example.org>",
        "alice@example.org"
    ));
    assert!(user_id_names("alice@Example.ORG", "alice@example.org"));
    assert!(!user_id_names(
        "Alice <alice@example.org.evil>",
        "alice@example.org"
    ));
    assert!(!user_id_names("Alice", "alice@example.org"));
    assert!(!user_id_names("<@example.org>", "@example.org"));
}

#[test]
fn errors_read_as_sentences_for_the_member() {
    assert_eq!(
        KeyError::ExpiresTooSoon {
            fingerprint: "ABCD".to_owned(),
            days_left: 10,
            at: at("2026-02-11T00:00:00Z"),
            min_days: 30,
        }
        .to_string(),
        "the key ABCD expires at 2026-02-11T00:00:00Z, in 10 days; it must stay valid \
         for at least 30 days: extend its expiry and upload it again"
    );
    assert!(
        KeyError::PrivateKey
            .to_string()
            .contains("only your public key")
    );
    assert_eq!(
        KeyError::WeakAlgorithm {
            what: "RSA 1024".to_owned()
        }
        .to_string(),
        "RSA 1024 is too weak; use Ed25519 with Curve25519, or RSA of at least 2048 bits"
    );
}
