//! The OpenPGP Web Key Directory, direct method
//! (draft-koch-openpgp-webkey-service, section 3.1): a key for
//! `local@domain` is served at `/.well-known/openpgpkey/hu/{HASH}`, where
//! HASH is the z-base-32 encoding of the SHA-1 digest of the local part in
//! ASCII lower case.

use sha1::{Digest, Sha1};

/// z-base-32's alphabet (RFC 6189, section 5.1.6).
const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// The `{HASH}` path segment for an address's local part.
pub fn local_part_hash(local_part: &str) -> String {
    zbase32(&Sha1::digest(local_part.to_ascii_lowercase().as_bytes()))
}

/// The local part of `address` (before the last `@`), or all of it.
pub fn local_part(address: &str) -> &str {
    address.rsplit_once('@').map_or(address, |(local, _)| local)
}

/// `bytes` in z-base-32: five bits a character, most significant first; a
/// last partial group is padded with zero bits.
pub fn zbase32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drafts_example_address_hashes_to_its_path() {
        // draft-koch-openpgp-webkey-service, section 3.1: Joe.Doe@Example.ORG.
        assert_eq!(
            local_part_hash(local_part("Joe.Doe@Example.ORG")),
            "iy9q119eutrkn8s1mk4r39qejnbu3n5q"
        );
    }

    #[test]
    fn zbase32_matches_known_encodings() {
        assert_eq!(zbase32(b""), "");
        assert_eq!(zbase32(&[0]), "yy");
        assert_eq!(zbase32(&[0xff]), "9h");
        assert_eq!(zbase32(&[0xf0, 0xbf, 0xc7]), "6n9hq");
        assert_eq!(zbase32(&[0xd4, 0x7a, 0x04]), "4t7ye");
        assert_eq!(zbase32(&[0u8; 20]).len(), 32);
    }
}
