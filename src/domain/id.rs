//! Typed identifiers. Each is random text with a short kind prefix, so ids of
//! different kinds can never be mixed up in a URL or a log line.

use rand::Rng;
use std::fmt;

const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";

fn random_suffix() -> String {
    let mut rng = rand::rng();
    (0..16)
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
                Self(format!("{}_{}", $prefix, random_suffix()))
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
}
