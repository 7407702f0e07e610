//! Bearer secrets (session cookies, API tokens, capability links): generated
//! with 256 random bits, stored only as a SHA-256 hash, compared in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A freshly generated secret. `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// [`Secret::generate`] behind [`super::id::ordered_prefix`] and a dot,
    /// for secrets made in bulk (tracking links): its hash keeps the
    /// prefix, so new hashes land together in their index. The prefix
    /// tells only the order of making; the 256 random bits are the secret.
    pub fn generate_ordered() -> Self {
        let random = Self::generate();
        Self(format!("{}.{}", super::id::ordered_prefix(), random.0))
    }

    /// Wraps a secret presented by a client.
    pub fn from_presented(s: &str) -> Self {
        Self(s.to_owned())
    }

    /// The value to hand to its owner, exactly once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the whole secret as hex, behind the secret's ordered
    /// prefix when it has one ([`Secret::generate_ordered`]).
    pub fn hash(&self) -> SecretHash {
        let digest = sha256_hex(self.0.as_bytes());
        match self.0.split_once('.') {
            Some((prefix, _)) if super::id::is_ordered_prefix(prefix) => {
                SecretHash(format!("{prefix}.{digest}"))
            }
            _ => SecretHash(digest),
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// What the database keeps of a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHash(pub String);

impl SecretHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Constant-time equality for secrets compared outside a hash lookup (CSRF tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// SHA-256 of `data` as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_long_and_distinct() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert!(a.expose().len() >= 43);
        assert_ne!(a.expose(), b.expose());
        assert_ne!(a.hash(), b.hash());
        assert_eq!(Secret::from_presented(a.expose()).hash(), a.hash());
    }

    #[test]
    fn ordered_secrets_hash_behind_their_prefix_in_making_order() {
        let a = Secret::generate_ordered();
        let b = Secret::generate_ordered();
        let (prefix, random) = a.expose().split_once('.').unwrap();
        assert_eq!(prefix.len(), 8);
        assert!(random.len() >= 43);
        assert!(a.hash().as_str().starts_with(&format!("{prefix}.")));
        assert!(a.hash().as_str() < b.hash().as_str());
        assert_eq!(Secret::from_presented(a.expose()).hash(), a.hash());
        // Another prefix, or none, is another hash.
        let forged = format!("{}.{random}", b.expose().split_once('.').unwrap().0);
        assert_ne!(Secret::from_presented(&forged).hash(), a.hash());
        assert_eq!(Secret::from_presented(random).hash().as_str().len(), 64);
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
    }

    #[test]
    fn debug_hides_the_value() {
        let s = Secret::generate();
        assert!(!format!("{s:?}").contains(s.expose()));
    }

    #[test]
    fn constant_time_eq_matches_equality() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
