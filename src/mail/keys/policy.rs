//! The policy checks: self-signatures, bindings, encryption candidates.

use super::*;
use jiff::Timestamp;
use pgp::composed::{SignedPublicKey, SignedPublicSubKey};
use pgp::crypto::ecc_curve::ECCCurve;
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{PublicKey, RevocationCode, Signature, SignatureType, SubpacketData};
use pgp::ser::Serialize;
use pgp::types::{
    EcdhPublicParams, EcdsaPublicParams, EddsaLegacyPublicParams, KeyDetails, PublicParams, Tag,
};

pub(super) struct PrimaryBinding<'a> {
    pub(super) signature: &'a Signature,
    pub(super) expires: Option<i64>,
    pub(super) user_ids: Vec<String>,
    pub(super) has_address: bool,
}

pub(super) fn bind_primary<'a>(
    cert: &'a SignedPublicKey,
    address: &str,
    now: i64,
) -> Result<PrimaryBinding<'a>, KeyError> {
    let primary = &cert.primary_key;
    let primary_created = i64::from(primary.created_at().as_secs());
    let mut weak_hash_seen = false;
    let mut binding: Option<&Signature> = None;
    let mut user_ids = Vec::new();
    let mut has_address = false;
    for user in &cert.details.users {
        let mut certified: Option<&Signature> = None;
        let mut revoked_at: Option<i64> = None;
        for sig in &user.signatures {
            // Third-party certifications fail here on their issuer, before
            // any cryptography.
            let verify = || {
                sig.verify_certification(primary, Tag::UserId, &user.id)
                    .is_ok()
            };
            if sig.typ() == Some(SignatureType::CertRevocation) {
                if verify() {
                    revoked_at = revoked_at.max(Some(created_at(sig)));
                }
                continue;
            }
            match check_self_signature(sig, primary_created, now, verify) {
                Verdict::Valid => certified = newer(certified, sig),
                Verdict::WeakHash => weak_hash_seen = true,
                Verdict::Invalid => {}
            }
        }
        let Some(certified) = certified else { continue };
        if revoked_at.is_some_and(|at| at >= created_at(certified)) {
            continue;
        }
        binding = newer(binding, certified);
        let id = String::from_utf8_lossy(user.id.id()).into_owned();
        has_address |= user_id_names(&id, address);
        user_ids.push(id);
    }
    for sig in &cert.details.direct_signatures {
        if sig.typ() != Some(SignatureType::Key) {
            continue;
        }
        match check_self_signature(sig, primary_created, now, || {
            sig.verify_key(primary).is_ok()
        }) {
            Verdict::Valid => binding = newer(binding, sig),
            Verdict::WeakHash => weak_hash_seen = true,
            Verdict::Invalid => {}
        }
    }
    let fingerprint = fingerprint_hex(primary);
    let Some(signature) = binding else {
        return Err(if weak_hash_seen {
            KeyError::Sha1SelfSignature { fingerprint }
        } else {
            KeyError::NoValidSelfSignature { fingerprint }
        });
    };
    Ok(PrimaryBinding {
        signature,
        expires: key_expiry(primary_created, signature),
        user_ids,
        has_address,
    })
}

/// A subkey as an encryption candidate (before the expiry and strength
/// checks), the reason it cannot be one, or `None` if it is not for
/// encryption at all.
pub(super) fn subkey_candidate<'a>(
    primary: &PublicKey,
    subkey: &'a SignedPublicSubKey,
    now: i64,
) -> Option<Result<Candidate<'a>, KeyError>> {
    let key = &subkey.key;
    if key.version() != primary.version() {
        return None;
    }
    let fingerprint = fingerprint_hex(key);
    let created = i64::from(key.created_at().as_secs());
    let mut binding: Option<&Signature> = None;
    let mut weak_binding: Option<&Signature> = None;
    let mut revocation: Option<&Signature> = None;
    for sig in &subkey.signatures {
        let verify = || sig.verify_subkey_binding(primary, key).is_ok();
        match sig.typ() {
            Some(SignatureType::SubkeyBinding) => {
                match check_self_signature(sig, created, now, verify) {
                    Verdict::Valid => binding = newer(binding, sig),
                    Verdict::WeakHash => weak_binding = newer(weak_binding, sig),
                    Verdict::Invalid => {}
                }
            }
            Some(SignatureType::SubkeyRevocation) if verify() => revocation = Some(sig),
            _ => {}
        }
    }
    let Some(binding) = binding else {
        // An encryption subkey bound only by SHA-1: say so, rather than that
        // there is no encryption key at all.
        return weak_binding
            .filter(|sig| can_encrypt_by_flags(sig, key.public_params()))
            .map(|_| Err(KeyError::Sha1SelfSignature { fingerprint }));
    };
    if !can_encrypt_by_flags(binding, key.public_params()) {
        return None;
    }
    Some(if let Some(revocation) = revocation {
        Err(KeyError::SubkeyRevoked {
            fingerprint,
            reason: revocation_reason(revocation),
        })
    } else if created > now {
        Err(KeyError::NotYetValid { fingerprint })
    } else {
        Ok(Candidate {
            fingerprint,
            params: key.public_params(),
            created,
            bound_at: created_at(binding),
            expires: key_expiry(created, binding),
        })
    })
}

/// An encryption-capable key with a valid binding, before the time checks.
pub(super) struct Candidate<'a> {
    pub(super) fingerprint: String,
    pub(super) params: &'a PublicParams,
    pub(super) created: i64,
    pub(super) bound_at: i64,
    pub(super) expires: Option<i64>,
}

/// Checks strength and expiry of an encryption candidate; returns when it
/// stops being usable (its own expiry or its primary's, whichever is earlier).
pub(super) fn check_candidate(
    candidate: &Candidate<'_>,
    primary_fpr: &str,
    primary_expires: Option<i64>,
    now: i64,
    min_valid_days: u32,
) -> Result<Option<i64>, KeyError> {
    if let Some(refusal) = encryption_support(candidate.params) {
        return Err(refusal);
    }
    let (fingerprint, expires) = match (candidate.expires, primary_expires) {
        (Some(own), Some(primary)) if primary < own => (primary_fpr, Some(primary)),
        (None, Some(primary)) => (primary_fpr, Some(primary)),
        (own, _) => (candidate.fingerprint.as_str(), own),
    };
    let Some(at) = expires else { return Ok(None) };
    if at <= now {
        return Err(KeyError::Expired {
            fingerprint: fingerprint.to_owned(),
            at: timestamp(at)?,
        });
    }
    if at < now + i64::from(min_valid_days) * SECONDS_PER_DAY {
        return Err(KeyError::ExpiresTooSoon {
            fingerprint: fingerprint.to_owned(),
            days_left: u32::try_from((at - now) / SECONDS_PER_DAY).unwrap_or(u32::MAX),
            at: timestamp(at)?,
            min_days: min_valid_days,
        });
    }
    Ok(Some(at))
}

/// Orders refusals so that the one closest to usable is reported: the member
/// can fix an expiry more easily than replace a key.
pub(super) fn refusal_rank(error: &KeyError) -> (u8, i64) {
    match error {
        KeyError::ExpiresTooSoon { days_left, .. } => (0, -i64::from(*days_left)),
        KeyError::Expired { at, .. } => (1, -at.as_second()),
        KeyError::SubkeyRevoked { .. } => (2, 0),
        KeyError::WeakAlgorithm { .. } => (3, 0),
        KeyError::UnsupportedAlgorithm { .. } => (4, 0),
        KeyError::Sha1SelfSignature { .. } => (5, 0),
        KeyError::NotYetValid { .. } => (6, 0),
        _ => (7, 0),
    }
}

/// Reads exactly one public certificate from an armored upload.
pub(super) enum Verdict {
    Valid,
    WeakHash,
    Invalid,
}

/// Checks a self-signature over a key made at `key_created`. `verify` runs
/// the cryptographic check, done after the cheap ones.
pub(super) fn check_self_signature(
    sig: &Signature,
    key_created: i64,
    now: i64,
    verify: impl FnOnce() -> bool,
) -> Verdict {
    let Some(created) = sig.created().map(|t| i64::from(t.as_secs())) else {
        return Verdict::Invalid;
    };
    if created > now || created < key_created {
        return Verdict::Invalid;
    }
    let lifetime = sig.signature_expiration_time().map_or(0, |d| d.as_secs());
    if lifetime != 0 && created + i64::from(lifetime) <= now {
        return Verdict::Invalid;
    }
    if !verify() {
        return Verdict::Invalid;
    }
    match sig.hash_alg() {
        Some(HashAlgorithm::Md5 | HashAlgorithm::Sha1 | HashAlgorithm::Ripemd160) | None => {
            Verdict::WeakHash
        }
        Some(_) => Verdict::Valid,
    }
}

pub(super) fn created_at(sig: &Signature) -> i64 {
    sig.created().map_or(0, |t| i64::from(t.as_secs()))
}

pub(super) fn newer<'a>(
    current: Option<&'a Signature>,
    candidate: &'a Signature,
) -> Option<&'a Signature> {
    match current {
        Some(current) if created_at(current) >= created_at(candidate) => Some(current),
        _ => Some(candidate),
    }
}

/// Expiry of a key made at `key_created`, from its binding signature (a
/// key-expiration time of zero means none).
pub(super) fn key_expiry(key_created: i64, binding: &Signature) -> Option<i64> {
    binding
        .key_expiration_time()
        .map(|d| d.as_secs())
        .filter(|&secs| secs != 0)
        .map(|secs| key_created + i64::from(secs))
}

/// The reason given in a revocation, for a person: its code and text.
pub(super) fn revocation_reason(sig: &Signature) -> Option<String> {
    let code = match sig.revocation_reason_code() {
        Some(RevocationCode::KeySuperseded) => Some("key superseded"),
        Some(RevocationCode::KeyCompromised) => Some("key compromised"),
        Some(RevocationCode::KeyRetired) => Some("key retired"),
        _ => None,
    };
    // The text is the owner's own words; keep a damaged or hostile upload
    // from filling the page.
    let text = sig
        .revocation_reason_string()
        .map(|r| {
            String::from_utf8_lossy(r)
                .trim()
                .chars()
                .take(200)
                .collect::<String>()
        })
        .filter(|r| !r.is_empty());
    match (code, text) {
        (Some(code), Some(text)) => Some(format!("{code}: {text}")),
        (Some(code), None) => Some(code.to_owned()),
        (None, text) => text,
    }
}

/// Whether a binding signature lets its key encrypt. Without a key-flags
/// subpacket (old keys), usage follows from the algorithm, as in GnuPG.
pub(super) fn can_encrypt_by_flags(binding: &Signature, params: &PublicParams) -> bool {
    let has_flags = binding.config().is_some_and(|config| {
        config
            .hashed_subpackets()
            .any(|p| matches!(p.data, SubpacketData::KeyFlags(_)))
    });
    if has_flags {
        let flags = binding.key_flags();
        flags.encrypt_comms() || flags.encrypt_storage()
    } else {
        matches!(
            params,
            PublicParams::RSA(_)
                | PublicParams::ECDH(_)
                | PublicParams::Elgamal(_)
                | PublicParams::X25519(_)
                | PublicParams::X448(_)
        )
    }
}

/// Refuses primary-key algorithms that are weak or that rPGP cannot verify.
pub(super) fn check_signing_algorithm(params: &PublicParams) -> Result<(), KeyError> {
    match params {
        PublicParams::RSA(_) => check_rsa_size(params),
        PublicParams::DSA(_) | PublicParams::Elgamal(_) => Err(KeyError::WeakAlgorithm {
            what: describe(params),
        }),
        PublicParams::EdDSALegacy(EddsaLegacyPublicParams::Ed25519 { .. })
        | PublicParams::Ed25519(_)
        | PublicParams::Ed448(_)
        | PublicParams::ECDSA(
            EcdsaPublicParams::P256 { .. }
            | EcdsaPublicParams::P384 { .. }
            | EcdsaPublicParams::P521 { .. },
        ) => Ok(()),
        _ => Err(KeyError::UnsupportedAlgorithm {
            what: describe(params),
        }),
    }
}

/// `None` if rPGP can encrypt to this key at an acceptable strength, else
/// why not. Signing-only algorithms are never candidates in the first place.
pub(super) fn encryption_support(params: &PublicParams) -> Option<KeyError> {
    match params {
        PublicParams::RSA(_) => check_rsa_size(params).err(),
        PublicParams::Elgamal(_) => Some(KeyError::WeakAlgorithm {
            what: describe(params),
        }),
        PublicParams::ECDH(
            EcdhPublicParams::Curve25519Legacy { .. }
            | EcdhPublicParams::P256 { .. }
            | EcdhPublicParams::P384 { .. }
            | EcdhPublicParams::P521 { .. },
        )
        | PublicParams::X25519(_)
        | PublicParams::X448(_) => None,
        _ => Some(KeyError::UnsupportedAlgorithm {
            what: describe(params),
        }),
    }
}

pub(super) fn check_rsa_size(params: &PublicParams) -> Result<(), KeyError> {
    if leading_mpi_bits(params) < MIN_RSA_BITS {
        Err(KeyError::WeakAlgorithm {
            what: describe(params),
        })
    } else {
        Ok(())
    }
}

/// Bit length of the first MPI of the key material: the modulus for RSA, the
/// prime for DSA and ElGamal. An MPI is written as its exact bit count (two
/// bytes, big-endian) followed by the number, so no RSA crate is needed.
pub(super) fn leading_mpi_bits(params: &PublicParams) -> u32 {
    params
        .to_bytes()
        .ok()
        .and_then(|bytes| {
            Some(u32::from(u16::from_be_bytes([
                *bytes.first()?,
                *bytes.get(1)?,
            ])))
        })
        .unwrap_or(0)
}

/// Names a key's algorithm for a person.
pub(super) fn describe(params: &PublicParams) -> String {
    match params {
        PublicParams::RSA(_) => format!("RSA {}", leading_mpi_bits(params)),
        PublicParams::DSA(_) => format!("DSA {}", leading_mpi_bits(params)),
        PublicParams::Elgamal(_) => format!("ElGamal {}", leading_mpi_bits(params)),
        PublicParams::EdDSALegacy(p) => match p.curve() {
            ECCCurve::Ed25519Legacy => "Ed25519".to_owned(),
            curve => format!("EdDSA {curve}"),
        },
        PublicParams::ECDH(p) => match p.curve() {
            ECCCurve::Curve25519Legacy => "Curve25519".to_owned(),
            curve => format!("ECDH {curve}"),
        },
        PublicParams::ECDSA(p) => format!("ECDSA {}", p.curve()),
        PublicParams::Ed25519(_) => "Ed25519".to_owned(),
        PublicParams::X25519(_) => "X25519".to_owned(),
        PublicParams::Ed448(_) => "Ed448".to_owned(),
        PublicParams::X448(_) => "X448".to_owned(),
        _ => "an unknown algorithm".to_owned(),
    }
}

pub(super) fn fingerprint_hex(key: &impl KeyDetails) -> String {
    format!("{:X}", key.fingerprint())
}

pub(super) fn timestamp(seconds: i64) -> Result<Timestamp, KeyError> {
    Timestamp::from_second(seconds).map_err(|e| KeyError::Unparsable {
        reason: format!("time out of range: {e}"),
    })
}

/// Whether a user id (`Name <address>` or a bare address) names `address`:
/// the local part must match exactly, the domain in any case.
pub(super) fn user_id_names(user_id: &str, address: &str) -> bool {
    let named = match (user_id.rfind('<'), user_id.rfind('>')) {
        (Some(open), Some(close)) if open < close => &user_id[open + 1..close],
        _ => user_id,
    };
    match (
        named.trim().rsplit_once('@'),
        address.trim().rsplit_once('@'),
    ) {
        (Some((local, domain)), Some((want_local, want_domain))) => {
            !local.is_empty() && local == want_local && domain.eq_ignore_ascii_case(want_domain)
        }
        _ => false,
    }
}
