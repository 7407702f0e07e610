//! Typed identifiers. Each is 16 characters with a short kind prefix, so
//! ids of different kinds can never be mixed up in a URL or a log line.
//!
//! The ids one process makes sort in the order it made them: 8 characters
//! of a counter that starts at a random place, then 8 random ones. New rows
//! then land next to each other in an index of ids, instead of on pages
//! all over it: a transaction inserting a thousand rows changes a few
//! pages of each such index, not a thousand (the difference was most of
//! what SQLite wrote on a busy intake). They say nothing of when they were
//! made, and are no more guessable than needed: nothing is granted by
//! knowing an id.

use rand::Rng;
use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// [`ALPHABET`] in byte order, for the counter: its text sorts as its value.
const SORTED: &[u8] = b"23456789abcdefghijkmnpqrstuvwxyz";

fn suffix() -> String {
    let mut s = ordered_prefix();
    s.push_str(&random_chars(8));
    s
}

/// 8 characters that sort in the order this process makes them: a counter
/// from a random start, so they tell no time. Ids, tracking tokens and
/// reply tags begin with them, so that a batch's new rows land together
/// in each index instead of each on a page of its own.
pub fn ordered_prefix() -> String {
    static NEXT: OnceLock<AtomicU64> = OnceLock::new();
    let n = NEXT
        .get_or_init(|| AtomicU64::new(rand::rng().random()))
        .fetch_add(1, Ordering::Relaxed);
    // 40 bits of the counter, 5 to a character, the highest first.
    (0..8)
        .rev()
        .map(|i| SORTED[((n >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// Whether `s` is what [`ordered_prefix`] makes.
pub fn is_ordered_prefix(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| SORTED.contains(&b))
}

/// `n` random characters of the ids' alphabet (5 bits each): lowercase
/// letters and digits, safe in a mail address.
pub fn random_chars(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a valid {0} id")]
pub struct InvalidId(pub &'static str);

macro_rules! typed_id {
    ($name:ident, $prefix:literal, $kind:literal) => {
        #[doc = concat!("Identifier of a ", $kind, " (`", $prefix, "_...`).")]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn generate() -> Self {
                Self(format!("{}_{}", $prefix, suffix()))
            }

            pub fn parse(s: &str) -> Result<Self, InvalidId> {
                let rest = s
                    .strip_prefix(concat!($prefix, "_"))
                    .ok_or(InvalidId($kind))?;
                if rest.len() == 16 && rest.bytes().all(|b| ALPHABET.contains(&b)) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(InvalidId($kind))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The characters that sort in the order ids are made
            /// ([`ordered_prefix`]).
            pub fn ordered_part(&self) -> &str {
                let suffix = &self.0[self.0.len() - 16..];
                &suffix[..8]
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

typed_id!(ReportId, "rpt", "report");
typed_id!(AccountId, "acc", "account");
typed_id!(MessageId, "msg", "message");
typed_id!(AttachmentId, "att", "attachment");
typed_id!(TokenId, "tok", "token");
typed_id!(JobId, "job", "job");
typed_id!(MemberId, "mem", "member");
typed_id!(ApplicationId, "app", "application");
typed_id!(PatchId, "pat", "patch");
typed_id!(KeyId, "key", "key");
typed_id!(PingId, "png", "liveness ping");
typed_id!(ReviewId, "rev", "member review");
typed_id!(AnnouncementId, "ann", "announcement");
typed_id!(DeliveryId, "dlv", "delivery");
typed_id!(ShareId, "shr", "share");
typed_id!(CiphertextId, "ctx", "kept ciphertext");
typed_id!(LeakId, "lk", "leak");
typed_id!(CommentId, "cmt", "comment");
typed_id!(TestReportId, "trp", "test report");
typed_id!(TaskId, "tsk", "task");
typed_id!(PasskeyId, "psk", "passkey");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_other_kinds() {
        let r = ReportId::generate();
        assert_eq!(ReportId::parse(r.as_str()).unwrap(), r);
        assert!(AccountId::parse(r.as_str()).is_err());
        assert!(ReportId::parse("rpt_short").is_err());
        assert!(ReportId::parse("rpt_ABCDEFGHJKLMNPQR").is_err());
    }

    #[test]
    fn ids_made_one_after_another_sort_in_that_order() {
        let ids: Vec<JobId> = (0..1000).map(|_| JobId::generate()).collect();
        // (The counter's 40 bits wrap once in 2^40 ids; a thousand from a
        // random start cross that point once in a billion runs.)
        assert!(ids.windows(2).all(|w| w[0].as_str() < w[1].as_str()));
        assert!(ids.iter().all(|id| JobId::parse(id.as_str()).is_ok()));
        let mut sorted = SORTED.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, SORTED, "the counter's alphabet is in byte order");
        let mut alphabet = ALPHABET.to_vec();
        alphabet.sort_unstable();
        assert_eq!(alphabet, SORTED, "and holds the same characters");
    }
}
