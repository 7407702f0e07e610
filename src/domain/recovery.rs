//! TOTP recovery codes: ten one-time codes an account with TOTP gets, each
//! usable once in place of an authenticator code. A code is 100 random
//! bits (20 letters and digits of base32), so like the other bearer
//! secrets (`secret.rs`) it is stored as a SHA-256, here under a label and
//! the account's id, and compared in constant time.

use sha2::{Digest, Sha256};

use super::id::AccountId;
use super::secret::{constant_time_eq, hex};

/// Codes an account gets at once; new ones void the old.
pub const COUNT: usize = 10;

/// Characters of a code: RFC 4648 base32, lower case.
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Characters of a code, without its dashes.
const LEN: usize = 20;

/// A code as shown, from 20 random bytes: `xxxxx-xxxxx-xxxxx-xxxxx`.
pub fn format(random: &[u8; LEN]) -> String {
    let chars: Vec<char> = random
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A typed code as compared: lower case, without spaces and dashes;
/// `None` when it cannot be a recovery code (so a TOTP code never is).
pub fn normalize(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let ok = code.len() == LEN && code.bytes().all(|b| ALPHABET.contains(&b));
    ok.then_some(code)
}

/// What the database keeps of `account`'s code `normalized`.
pub fn hash(account: &AccountId, normalized: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"embargo recovery code v1\0");
    h.update(account.as_str().as_bytes());
    h.update(b"\0");
    h.update(normalized.as_bytes());
    hex(&h.finalize())
}

/// Which of `stored` hashes `candidate` is, looking at every one (so the
/// time taken does not say which, or whether an early one matched).
pub fn matching<'a>(stored: &'a [String], candidate: &str) -> Option<&'a String> {
    let mut found = None;
    for s in stored {
        if constant_time_eq(s, candidate) && found.is_none() {
            found = Some(s);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_shown_in_groups_and_read_back_however_typed() {
        let shown = format(&[
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 31, 32, 255,
        ]);
        assert_eq!(shown, "abcde-fghij-klmno-pq7a7");
        let typed = " ABCDE fghij-KLMNO-pq7a7 ";
        assert_eq!(normalize(typed).as_deref(), Some("abcdefghijklmnopq7a7"));
        assert_eq!(normalize("123456"), None, "a TOTP code is none");
        assert_eq!(normalize("abcde-fghij-klmno-pq7a1"), None, "not base32");
        assert_eq!(normalize("abcde-fghij-klmno-pq7a"), None, "too short");
    }

    #[test]
    fn a_code_hashes_per_account_and_matches_only_itself() {
        let (a, b) = (AccountId::generate(), AccountId::generate());
        let code = "abcdefghijklmnopq7a7";
        assert_ne!(hash(&a, code), hash(&b, code));
        let stored = vec![hash(&a, "bbbbbbbbbbbbbbbbbbbb"), hash(&a, code)];
        assert_eq!(matching(&stored, &hash(&a, code)), Some(&stored[1]));
        assert_eq!(matching(&stored, &hash(&b, code)), None);
    }
}
