//! The audit log's hash chain. Each event's hash covers its own fields and the
//! previous event's hash, so editing, removing or reordering any row breaks
//! every hash after it.

use super::secret::sha256_hex;

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    /// `account:ID`, `reporter:REPORT`, `system` or `cli`.
    pub actor: String,
    /// Dotted verb, such as `report.created` or `report.read`.
    pub action: String,
    /// The resource acted on, such as a report id.
    pub subject: String,
    /// Remote address, when the action came over HTTP.
    pub ip: String,
    /// Small JSON object with non-secret details.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The hash this event must carry: over its fields and the previous
    /// hash, each length-prefixed so no two different events serialise alike.
    pub fn expected_hash(&self) -> String {
        let (seq, at) = (self.seq.to_string(), self.at.to_string());
        let fields = [
            &seq,
            &at,
            &self.actor,
            &self.action,
            &self.subject,
            &self.ip,
            &self.detail,
            &self.prev_hash,
        ];
        let mut buf = String::new();
        for field in fields {
            buf.push_str(&field.len().to_string());
            buf.push(':');
            buf.push_str(field);
            buf.push('\n');
        }
        sha256_hex(buf.as_bytes())
    }
}

/// Why a chain is not whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("event {seq}: expected sequence number {expected} (a row was removed or reordered)")]
    Gap { seq: i64, expected: i64 },
    #[error("event {seq}: its prev_hash does not match the event before it")]
    Link { seq: i64 },
    #[error("event {seq}: its contents do not match its hash (the row was edited)")]
    Tampered { seq: i64 },
    #[error(
        "the chain ends at event {last} but the head records {head}: events were removed from the end"
    )]
    Truncated { last: i64, head: i64 },
    #[error(
        "event {seq} does not carry the anchored hash: the log before the anchor was rewritten"
    )]
    AnchorMismatch { seq: i64 },
    #[error("the anchor names event {seq}, which is no longer in the log")]
    AnchorMissing { seq: i64 },
}

/// A head kept outside the database (`SEQ:HASH`, as `embargo audit head`
/// prints it). A chain that still holds this event with this hash was not
/// rewritten up to it, even by someone who recomputed every later hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

impl std::str::FromStr for Anchor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (seq, hash) = s
            .trim()
            .split_once(':')
            .ok_or("an anchor is SEQ:HASH, as `embargo audit head` prints it")?;
        let seq: i64 = seq
            .parse()
            .map_err(|_| format!("{seq:?} is not a sequence number"))?;
        let hash = hash.to_ascii_lowercase();
        if seq < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("an anchor is SEQ:HASH with a positive SEQ and a SHA-256 hash".into());
        }
        Ok(Self { seq, hash })
    }
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// Checks events one at a time, in storage order, so a long log is verified
/// page by page without holding it all in memory.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev: String,
    anchor: Option<Anchor>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS.to_owned(),
            anchor: None,
        }
    }
}

impl ChainVerifier {
    /// A verifier that also checks the chain passes through `anchor`.
    pub fn anchored(anchor: Anchor) -> Self {
        Self {
            anchor: Some(anchor),
            ..Self::default()
        }
    }

    pub fn push(&mut self, ev: &AuditEvent) -> Result<(), ChainError> {
        if ev.seq != self.expected_seq {
            return Err(ChainError::Gap {
                seq: ev.seq,
                expected: self.expected_seq,
            });
        }
        if ev.prev_hash != self.prev {
            return Err(ChainError::Link { seq: ev.seq });
        }
        if ev.expected_hash() != ev.hash {
            return Err(ChainError::Tampered { seq: ev.seq });
        }
        if let Some(a) = &self.anchor
            && a.seq == ev.seq
            && a.hash != ev.hash
        {
            return Err(ChainError::AnchorMismatch { seq: ev.seq });
        }
        self.prev = ev.hash.clone();
        self.expected_seq += 1;
        Ok(())
    }

    /// Compares the end of the walked chain with the recorded head; returns
    /// the number of events.
    pub fn finish(self, head: (i64, &str)) -> Result<i64, ChainError> {
        let last = self.expected_seq - 1;
        if last != head.0 || (last > 0 && self.prev != head.1) {
            return Err(ChainError::Truncated { last, head: head.0 });
        }
        if let Some(a) = &self.anchor
            && a.seq > last
        {
            return Err(ChainError::AnchorMissing { seq: a.seq });
        }
        Ok(last)
    }
}

/// Verifies a whole chain against its recorded head.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a AuditEvent>,
    head: (i64, &str),
) -> Result<i64, ChainError> {
    let mut v = ChainVerifier::default();
    for ev in events {
        v.push(ev)?;
    }
    v.finish(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut ev = AuditEvent {
                    seq,
                    at: 1_700_000_000_000_000 + seq,
                    actor: "system".into(),
                    action: "report.created".into(),
                    subject: format!("rpt_{seq}"),
                    ip: String::new(),
                    detail: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                ev.hash = ev.expected_hash();
                prev = ev.hash.clone();
                ev
            })
            .collect()
    }

    fn head(c: &[AuditEvent]) -> (i64, String) {
        c.last()
            .map(|e| (e.seq, e.hash.clone()))
            .unwrap_or((0, GENESIS.into()))
    }

    #[test]
    fn whole_chain_verifies() {
        let c = chain(5);
        let (s, h) = head(&c);
        assert_eq!(verify_chain(&c, (s, &h)), Ok(5));
        assert_eq!(verify_chain(&[], (0, GENESIS)), Ok(0));
    }

    #[test]
    fn edits_removals_and_reorders_are_named() {
        let c = chain(5);
        let (s, h) = head(&c);

        let mut edited = c.clone();
        edited[2].subject = "rpt_other".into();
        assert_eq!(
            verify_chain(&edited, (s, &h)),
            Err(ChainError::Tampered { seq: 3 })
        );

        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(
            verify_chain(&removed, (s, &h)),
            Err(ChainError::Gap {
                seq: 3,
                expected: 2
            })
        );

        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert!(verify_chain(&swapped, (s, &h)).is_err());

        let truncated = &c[..4];
        assert_eq!(
            verify_chain(truncated, (s, &h)),
            Err(ChainError::Truncated { last: 4, head: 5 })
        );
    }

    #[test]
    fn rehashing_an_edited_row_still_breaks_the_next_link() {
        let mut c = chain(3);
        let (s, h) = head(&c);
        c[0].detail = "{\"x\":1}".into();
        c[0].hash = c[0].expected_hash();
        assert_eq!(verify_chain(&c, (s, &h)), Err(ChainError::Link { seq: 2 }));
    }

    #[test]
    fn an_anchor_catches_a_history_rewritten_with_fresh_hashes() {
        let original = chain(5);
        let anchor = Anchor {
            seq: 3,
            hash: original[2].hash.clone(),
        };
        let mut v = ChainVerifier::anchored(anchor.clone());
        for ev in &original {
            v.push(ev).unwrap();
        }
        let h = head(&original);
        assert_eq!(v.finish((h.0, &h.1)), Ok(5));

        // Event 2 edited and every hash recomputed: the chain alone is whole.
        let mut forged = chain(5);
        forged[1].detail = "{\"forged\":true}".into();
        let mut prev = GENESIS.to_owned();
        for ev in forged.iter_mut() {
            ev.prev_hash = prev.clone();
            ev.hash = ev.expected_hash();
            prev = ev.hash.clone();
        }
        let h = head(&forged);
        assert_eq!(verify_chain(&forged, (h.0, &h.1)), Ok(5));
        let mut v = ChainVerifier::anchored(anchor);
        let err = forged.iter().try_for_each(|ev| v.push(ev));
        assert_eq!(err, Err(ChainError::AnchorMismatch { seq: 3 }));
    }

    #[test]
    fn an_anchor_past_the_end_means_events_were_removed() {
        let c = chain(2);
        let mut v = ChainVerifier::anchored(Anchor {
            seq: 4,
            hash: "a".repeat(64),
        });
        for ev in &c {
            v.push(ev).unwrap();
        }
        let h = head(&c);
        assert_eq!(
            v.finish((h.0, &h.1)),
            Err(ChainError::AnchorMissing { seq: 4 })
        );
    }

    #[test]
    fn anchors_parse_as_printed() {
        let a: Anchor = format!("12:{}", "AB".repeat(32)).parse().unwrap();
        assert_eq!(a.to_string(), format!("12:{}", "ab".repeat(32)));
        assert!("12".parse::<Anchor>().is_err());
        assert!("x:00".parse::<Anchor>().is_err());
        assert!(format!("0:{}", "a".repeat(64)).parse::<Anchor>().is_err());
    }
}
