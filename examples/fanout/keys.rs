//! The recipients' own keys: v4 Ed25519 + Curve25519, as GnuPG 2.2 makes
//! them, generated with rPGP once and cached in a file (only the public
//! halves: nothing here decrypts). Generation is not part of any figure.

use std::path::Path;

use pgp::composed::{
    ArmorOptions, EncryptionCaps, KeyType, SecretKeyParamsBuilder, SubkeyParamsBuilder,
};
use pgp::crypto::ecc_curve::ECCCurve;
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::types::KeyVersion;
use rand_core_06::OsRng;

/// What separates two keys in the cache file (each key is armored).
const END: &str = "-----END PGP PUBLIC KEY BLOCK-----";

/// Recipient `i`'s address; their key's user id names it.
pub fn email(i: usize) -> String {
    format!("c{i}@o{i}.example")
}

/// The armored public keys of recipients `0..n`: read from `cache`, the
/// missing ones generated (on every core) and added to it. The second
/// value is how many were generated.
pub fn load_or_generate(n: usize, cache: &Path) -> anyhow::Result<(Vec<String>, usize)> {
    let mut keys: Vec<String> = match std::fs::read_to_string(cache) {
        Ok(text) => text
            .split_inclusive(END)
            .map(str::trim)
            .filter(|k| k.ends_with(END))
            .map(|k| format!("{k}\n"))
            .collect(),
        Err(_) => Vec::new(),
    };
    keys.truncate(n);
    let have = keys.len();
    if have == n {
        return Ok((keys, 0));
    }
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let missing: Vec<usize> = (have..n).collect();
    let made: Vec<anyhow::Result<Vec<String>>> = std::thread::scope(|scope| {
        let chunk = missing.len().div_ceil(threads);
        let handles: Vec<_> = missing
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|&i| generate(i)).collect()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("panicked")))
            })
            .collect()
    });
    for part in made {
        keys.extend(part?);
    }
    // Written whole and renamed, so a run stopped halfway leaves the old
    // cache, never half a key.
    let tmp = cache.with_extension("tmp");
    std::fs::write(&tmp, keys.concat())?;
    std::fs::rename(&tmp, cache)?;
    Ok((keys, n - have))
}

/// Recipient `i`'s key, armored public half.
fn generate(i: usize) -> anyhow::Result<String> {
    let subkey = SubkeyParamsBuilder::default()
        .version(KeyVersion::V4)
        .key_type(KeyType::ECDH(ECCCurve::Curve25519Legacy))
        .can_sign(false)
        .can_encrypt(EncryptionCaps::All)
        .can_authenticate(false)
        .build()?;
    let params = SecretKeyParamsBuilder::default()
        .version(KeyVersion::V4)
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .can_encrypt(EncryptionCaps::None)
        .primary_user_id(format!("Contact {i} <{}>", email(i)))
        .preferred_symmetric_algorithms(
            [SymmetricKeyAlgorithm::AES256, SymmetricKeyAlgorithm::AES128]
                .into_iter()
                .collect(),
        )
        .preferred_hash_algorithms(
            [HashAlgorithm::Sha512, HashAlgorithm::Sha256]
                .into_iter()
                .collect(),
        )
        .feature_seipd_v1(true)
        .feature_seipd_v2(false)
        .subkey(subkey)
        .build()?;
    let secret = params.generate(OsRng)?;
    Ok(secret
        .to_public_key()
        .to_armored_string(ArmorOptions::default())?)
}
