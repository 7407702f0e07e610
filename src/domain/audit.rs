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
}

/// Checks events one at a time, in storage order, so a long log is verified
/// page by page without holding it all in memory.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS.to_owned(),
        }
    }
}

impl ChainVerifier {
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
}
