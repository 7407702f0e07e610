//! OpenPGP certificate checks for member contacts: decides whether an uploaded
//! certificate can receive embargoed mail, and which of its keys to encrypt to.
//!
//! rPGP parses certificates and verifies signatures; the policy is ours (see
//! the shared OPENPGP.md). What is checked, in this order:
//!
//! 1. The upload is at most [`MAX_CERTIFICATE_BYTES`], one ASCII-armored
//!    `PGP PUBLIC KEY BLOCK` holding exactly one certificate, with no secret
//!    key packets and no damaged packets, and a v4 or v6 primary key. Packets
//!    are read here before rPGP assembles the key: its key parser ends a key
//!    at the first trust packet (`gpg --export-options backup` writes them),
//!    silently dropping the user ids and subkeys after it, and it skips
//!    packets it finds incomplete.
//! 2. The primary key is RSA of at least 2048 bits or an elliptic-curve
//!    algorithm; DSA and ElGamal are refused.
//! 3. The primary key has no valid self-revocation (revocations are honoured
//!    whatever their date or hash; designated revokers are not considered).
//! 4. The primary key has a valid self-signature (a certification of one of
//!    its user ids, or a direct-key signature). Signatures are verified one by
//!    one, never with `verify_bindings()`, which fails on the third-party
//!    certifications that keyring exports carry. A self-signature is valid if
//!    it verifies, is made after the key and not after `now`, has not expired,
//!    and uses neither MD5, SHA-1 nor RIPEMD-160: rPGP exposes the hash
//!    algorithm of each signature and accepts all of them, so weak ones are
//!    refused here. The newest valid self-signature gives the primary key's
//!    expiry and flags; the key must not have expired.
//! 5. Among the primary key and its subkeys, the encryption keys are those
//!    whose newest valid binding signature carries the encrypt-communications
//!    or encrypt-storage flag (or, without a key-flags subpacket, whose
//!    algorithm can encrypt), with an algorithm rPGP can encrypt to. A
//!    candidate is refused if revoked, created after `now`, weak, expired, or
//!    expiring (itself or through its primary key) within `min_valid_days`.
//!    The newest usable one is chosen; if none is usable, the error describes
//!    the candidate that came closest.
//!
//! A missing user id for the member's address is a warning, not an error.

use jiff::Timestamp;
use pgp::types::KeyDetails;

mod parse;
mod policy;
mod recipient;

use parse::*;
use policy::*;
pub use recipient::{RecipientKey, packet_of};

/// Largest upload accepted, armored. Real certificates are a few KiB; even
/// keyring exports with hundreds of certifications stay far below this.
pub const MAX_CERTIFICATE_BYTES: usize = 1024 * 1024;

/// RSA keys below this size are refused.
pub const MIN_RSA_BITS: u32 = 2048;

const SECONDS_PER_DAY: i64 = 86_400;

/// What an accepted certificate offers for encrypting mail to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Fingerprint of the primary key, upper-case hex without spaces.
    pub fingerprint: String,
    /// User ids with a valid, unrevoked self-signature, as in the certificate
    /// (invalid UTF-8 replaced).
    pub user_ids: Vec<String>,
    /// Fingerprint of the key to encrypt to (a subkey, or the primary key).
    pub encryption_subkey: String,
    /// Algorithms for a person, e.g. "Ed25519 + Curve25519" or "RSA 3072".
    pub algorithm: String,
    /// When the chosen key stops being usable: its own expiry or the primary
    /// key's, whichever is earlier. `None` means it does not expire.
    pub expires_at: Option<Timestamp>,
    /// Problems that do not make the certificate unusable.
    pub warnings: Vec<KeyWarning>,
}

/// Something a member should know about an accepted certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyWarning {
    /// No valid user id carries the address it was uploaded for.
    #[error(
        "no user id of this key names {address}; check that it is the right key, \
         or add that address as a user id (gpg --quick-add-uid)"
    )]
    NoUserIdForAddress { address: String },
}

/// Why an uploaded certificate cannot be used. Each message is written for
/// the member who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the upload is larger than {max_bytes} bytes; an OpenPGP public key is a few KiB")]
    TooLarge { max_bytes: usize },
    #[error(
        "this is not an ASCII-armored OpenPGP public key: paste the block from \
         \"-----BEGIN PGP PUBLIC KEY BLOCK-----\" to its END line \
         (gpg --armor --export YOUR-ADDRESS)"
    )]
    NotArmored,
    #[error(
        "this is a private key: do not share it. Upload only your public key \
         (gpg --armor --export YOUR-ADDRESS)"
    )]
    PrivateKey,
    #[error("this armored block is a {found}, not a PGP PUBLIC KEY BLOCK")]
    NotAPublicKey { found: String },
    #[error("the upload holds {count} armored blocks; upload exactly one public key block")]
    MultipleBlocks { count: usize },
    #[error("the upload holds {count} certificates; upload only yours")]
    MultipleCertificates { count: usize },
    #[error("the public key could not be read ({reason}); it may be truncated or damaged")]
    Unparsable { reason: String },
    #[error("version {version} OpenPGP keys are not supported; use a version 4 key")]
    UnsupportedVersion { version: u8 },
    #[error("the key {fingerprint} carries no valid self-signature")]
    NoValidSelfSignature { fingerprint: String },
    #[error("the key has been revoked by its owner{}", reason_suffix(.reason))]
    Revoked { reason: Option<String> },
    #[error("the encryption subkey {fingerprint} has been revoked{}", reason_suffix(.reason))]
    SubkeyRevoked {
        fingerprint: String,
        reason: Option<String>,
    },
    #[error("the key {fingerprint} expired at {at}; extend its expiry and upload it again")]
    Expired { fingerprint: String, at: Timestamp },
    #[error(
        "the key {fingerprint} expires at {at}, in {days_left} days; it must stay valid \
         for at least {min_days} days: extend its expiry and upload it again"
    )]
    ExpiresTooSoon {
        fingerprint: String,
        days_left: u32,
        at: Timestamp,
        min_days: u32,
    },
    #[error("the key {fingerprint} is dated in the future; check the clock it was made with")]
    NotYetValid { fingerprint: String },
    #[error(
        "{what} is too weak; use Ed25519 with Curve25519, or RSA of at least {MIN_RSA_BITS} bits"
    )]
    WeakAlgorithm { what: String },
    #[error("{what} is not supported; use Ed25519 with Curve25519, or RSA")]
    UnsupportedAlgorithm { what: String },
    #[error(
        "the self-signatures of {fingerprint} use SHA-1, which is broken; renew them \
         (gpg --quick-set-expire FINGERPRINT 2y, then again with '*' for the subkeys) \
         and upload the key again"
    )]
    Sha1SelfSignature { fingerprint: String },
    #[error(
        "the key has no usable encryption key; add an encryption subkey \
         (gpg --quick-add-key FINGERPRINT cv25519 encr 2y) and upload it again"
    )]
    NoEncryptionKey,
}

fn reason_suffix(reason: &Option<String>) -> String {
    reason
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default()
}

/// [`validate_certificate`] on tokio's blocking pool, for async callers:
/// parsing a certificate and verifying its signatures (RSA up to 4096 bits)
/// costs milliseconds of CPU that would otherwise stall an async worker and
/// every request queued on it. The outer error means the task could not run.
pub async fn validate_certificate_blocking(
    armored: &str,
    address: &str,
    now: Timestamp,
    min_valid_days: u32,
) -> Result<Result<CertificateInfo, KeyError>, tokio::task::JoinError> {
    let (armored, address) = (armored.to_owned(), address.to_owned());
    tokio::task::spawn_blocking(move || {
        validate_certificate(&armored, &address, now, min_valid_days)
    })
    .await
}

/// Decides whether `armored` can receive embargoed mail for `address`, as of
/// `now`, for at least `min_valid_days` more days.
pub fn validate_certificate(
    armored: &str,
    address: &str,
    now: Timestamp,
    min_valid_days: u32,
) -> Result<CertificateInfo, KeyError> {
    let cert = parse_single_certificate(armored)?;
    check_certificate(&cert, address, now, min_valid_days)
}

/// Reads one armored public certificate with the checks of step 1 (see the
/// module comment), without deciding whether it is usable: for a
/// certificate accepted earlier and stored, which [`check_certificate`]
/// then checks again at the time of use.
pub fn parse_certificate(armored: &str) -> Result<pgp::composed::SignedPublicKey, KeyError> {
    parse_single_certificate(armored)
}

/// Steps 2 to 5 of the module comment on a parsed certificate:
/// [`validate_certificate`] without the parsing.
pub fn check_certificate(
    cert: &pgp::composed::SignedPublicKey,
    address: &str,
    now: Timestamp,
    min_valid_days: u32,
) -> Result<CertificateInfo, KeyError> {
    let now = now.as_second();
    let primary = &cert.primary_key;
    let primary_fpr = fingerprint_hex(primary);
    let primary_created = i64::from(primary.created_at().as_secs());

    check_signing_algorithm(primary.public_params())?;
    if primary_created > now {
        return Err(KeyError::NotYetValid {
            fingerprint: primary_fpr,
        });
    }
    if let Some(revocation) = cert
        .details
        .revocation_signatures
        .iter()
        .find(|sig| sig.verify_key(primary).is_ok())
    {
        return Err(KeyError::Revoked {
            reason: revocation_reason(revocation),
        });
    }
    let binding = bind_primary(cert, address, now)?;
    if let Some(at) = binding.expires.filter(|&at| at <= now) {
        return Err(KeyError::Expired {
            fingerprint: primary_fpr,
            at: timestamp(at)?,
        });
    }

    // Every encryption-capable key, usable or with the reason it is not.
    let mut outcomes: Vec<Result<Candidate, KeyError>> = Vec::new();
    if can_encrypt_by_flags(binding.signature, primary.public_params()) {
        outcomes.push(Ok(Candidate {
            fingerprint: primary_fpr.clone(),
            params: primary.public_params(),
            created: primary_created,
            bound_at: created_at(binding.signature),
            expires: binding.expires,
        }));
    }
    outcomes.extend(
        cert.public_subkeys
            .iter()
            .filter_map(|subkey| subkey_candidate(primary, subkey, now)),
    );
    let mut usable = Vec::new();
    let mut refusals = Vec::new();
    for outcome in outcomes {
        let checked = outcome.and_then(|candidate| {
            let expires = check_candidate(
                &candidate,
                &primary_fpr,
                binding.expires,
                now,
                min_valid_days,
            )?;
            Ok((candidate, expires))
        });
        match checked {
            Ok(ok) => usable.push(ok),
            Err(e) => refusals.push(e),
        }
    }
    let Some((chosen, expires)) = usable
        .into_iter()
        .max_by_key(|(c, _)| (c.created, c.bound_at))
    else {
        return Err(refusals
            .into_iter()
            .min_by_key(refusal_rank)
            .unwrap_or(KeyError::NoEncryptionKey));
    };

    let primary_name = describe(primary.public_params());
    let chosen_name = describe(chosen.params);
    let algorithm = if chosen.fingerprint == primary_fpr || chosen_name == primary_name {
        primary_name
    } else {
        format!("{primary_name} + {chosen_name}")
    };
    let warnings = if binding.has_address {
        Vec::new()
    } else {
        vec![KeyWarning::NoUserIdForAddress {
            address: address.to_owned(),
        }]
    };
    Ok(CertificateInfo {
        fingerprint: primary_fpr,
        user_ids: binding.user_ids,
        encryption_subkey: chosen.fingerprint,
        algorithm,
        expires_at: expires.map(timestamp).transpose()?,
        warnings,
    })
}

/// The primary key's binding: its newest valid self-signature, over a user id
/// that is not revoked or directly over the key, and what it certifies.
#[cfg(test)]
mod paste_tests;
#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
