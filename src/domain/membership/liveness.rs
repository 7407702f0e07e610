//! Liveness: when members are pinged and reviewed, and how a ping stands.
//! Instants in microseconds; day counts come from configuration.

/// A liveness ping's state at `now`: `answered` (in time), `late`
/// (answered after `due_at`), `overdue` (unanswered past `due_at`) or
/// `open`. Instants in microseconds.
pub fn ping_state(due_at: i64, answered_at: Option<i64>, now: i64) -> &'static str {
    match answered_at {
        Some(at) if at <= due_at => "answered",
        Some(_) => "late",
        None if due_at < now => "overdue",
        None => "open",
    }
}

/// Microseconds in `n` days of 24 hours; saturating, as the day counts
/// come from configuration.
fn days(n: u32) -> i64 {
    i64::from(n).saturating_mul(86_400_000_000)
}

/// `every_days` after `last` (a ping or a review), or after joining,
/// whichever is later: nothing recorded before joining counts.
fn due_after(joined_at: i64, last: Option<i64>, every_days: u32) -> i64 {
    last.unwrap_or(joined_at)
        .max(joined_at)
        .saturating_add(days(every_days))
}

/// When a member's next liveness ping is due. Instants in microseconds.
pub fn next_ping_at(joined_at: i64, last_ping_at: Option<i64>, every_days: u32) -> i64 {
    due_after(joined_at, last_ping_at, every_days)
}

/// When a member's next periodic review is due. Instants in microseconds.
pub fn review_due_at(joined_at: i64, last_review_at: Option<i64>, every_days: u32) -> i64 {
    due_after(joined_at, last_review_at, every_days)
}

/// By when a ping sent at `sent_at` must be answered not to be overdue.
pub fn ping_answer_due_at(sent_at: i64, answer_days: u32) -> i64 {
    sent_at.saturating_add(days(answer_days))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000_000;

    #[test]
    fn the_first_ping_and_review_count_from_joining() {
        assert_eq!(next_ping_at(5, None, 90), 5 + 90 * DAY);
        assert_eq!(review_due_at(5, None, 365), 5 + 365 * DAY);
    }

    #[test]
    fn later_pings_and_reviews_count_from_the_last_one() {
        assert_eq!(next_ping_at(0, Some(10 * DAY), 90), 100 * DAY);
        assert_eq!(review_due_at(0, Some(10 * DAY), 365), 375 * DAY);
    }

    #[test]
    fn a_ping_or_review_before_joining_does_not_count() {
        assert_eq!(next_ping_at(50 * DAY, Some(DAY), 90), 140 * DAY);
        assert_eq!(review_due_at(50 * DAY, Some(DAY), 365), 415 * DAY);
    }

    #[test]
    fn a_ping_is_due_its_answer_days_after_sending() {
        assert_eq!(ping_answer_due_at(3, 14), 3 + 14 * DAY);
        assert_eq!(
            ping_state(ping_answer_due_at(0, 14), None, 14 * DAY + 1),
            "overdue"
        );
    }

    #[test]
    fn huge_day_counts_saturate_instead_of_overflowing() {
        assert_eq!(next_ping_at(DAY, None, u32::MAX), i64::MAX);
        assert_eq!(ping_answer_due_at(DAY, u32::MAX), i64::MAX);
    }
}
