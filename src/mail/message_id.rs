//! Message-IDs of queued mail, derived from what the mail is about.

use crate::domain::id::ReportId;

/// The Message-ID of the mail whose job has idempotency key `key`: the
/// same work always carries the same id, so a resend after a crash is
/// recognisable. The key itself (which names reports and keys) stays out of
/// the header; only its digest shows.
pub fn message_id_for(key: &str, domain: &str) -> String {
    format!("<{}@{domain}>", key_digest(key))
}

/// [`message_id_for`] for a mail about a report, whose reader knows the
/// report's id: its ordered characters come first, so the Message-IDs a
/// batch of new reports records (`sent_mail`) land on a few pages of their
/// index, where digests alone put each on a page of its own (a tenth more
/// reports/s in `bench/load.sh`, README run 10).
pub fn report_message_id_for(key: &str, report: &ReportId, domain: &str) -> String {
    format!("<{}.{}@{domain}>", report.ordered_part(), key_digest(key))
}

fn key_digest(key: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::domain::secret::hex(&Sha256::digest(key.as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_makes_one_message_id() {
        let a = message_id_for("ack:rpt_1", "example.org");
        assert_eq!(a, message_id_for("ack:rpt_1", "example.org"));
        assert_ne!(a, message_id_for("ack:rpt_2", "example.org"));
        assert!(a.starts_with('<') && a.ends_with("@example.org>"));
        assert!(!a.contains("rpt_1"));
    }

    #[test]
    fn mail_about_reports_made_in_order_has_message_ids_in_that_order() {
        let reports: Vec<ReportId> = (0..100).map(|_| ReportId::generate()).collect();
        let ids: Vec<String> = reports
            .iter()
            .map(|r| report_message_id_for(&format!("ack:{r}"), r, "example.org"))
            .collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        let r = &reports[0];
        assert_eq!(
            ids[0],
            report_message_id_for(&format!("ack:{r}"), r, "example.org")
        );
        assert_ne!(
            ids[0],
            report_message_id_for(&format!("reply:{r}"), r, "example.org")
        );
        assert!(!ids[0].contains(r.as_str()), "{}", ids[0]);
    }
}
