//! The embargo: one UTC instant plus the time zone it was agreed in, and the
//! policy a proposed instant must meet.

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// An agreed embargo end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embargo {
    pub until: Timestamp,
    /// IANA name of the zone it was agreed in.
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbargoInputError {
    #[error("unknown time zone {0:?}: use an IANA name such as Europe/Berlin or UTC")]
    UnknownZone(String),
    #[error(
        "{0:?} is not a time: use RFC 3339 with an offset (2026-12-01T14:00:00+01:00) or a local time (2026-12-01T14:00) with time_zone"
    )]
    Unparsable(String),
    #[error("{0} does not exist or is ambiguous in {1} (a daylight-saving change): give an offset")]
    Ambiguous(String, String),
}

impl Embargo {
    /// Parses an RFC 3339 instant with offset, or a local date-time taken in
    /// `time_zone`. The zone must be a known IANA name either way.
    pub fn parse(until: &str, time_zone: &str) -> Result<Self, EmbargoInputError> {
        let zone_name = time_zone;
        let unknown = || EmbargoInputError::UnknownZone(zone_name.chars().take(64).collect());
        if !crate::domain::time::is_zone_name(zone_name) {
            return Err(unknown());
        }
        let tz = TimeZone::get(zone_name).map_err(|_| unknown())?;
        let until = until.trim();
        let instant = match until.parse::<Timestamp>() {
            Ok(ts) => ts,
            Err(_) => {
                let local: DateTime = until
                    .parse()
                    .map_err(|_| EmbargoInputError::Unparsable(until.to_owned()))?;
                tz.to_ambiguous_zoned_datetime(local)
                    .unambiguous()
                    .map_err(|_| {
                        EmbargoInputError::Ambiguous(until.to_owned(), zone_name.to_owned())
                    })?
                    .timestamp()
            }
        };
        Ok(Self {
            until: instant,
            time_zone: zone_name.to_owned(),
        })
    }

    /// The instant in the zone it was agreed in, as `2026-12-01 14:00 CET (+01:00)`.
    pub fn in_agreed_zone(&self) -> String {
        in_zone(self.until, &self.time_zone)
    }
}

/// `ts` shown in zone `name` (UTC when the name is unknown).
pub fn in_zone(ts: Timestamp, name: &str) -> String {
    let tz = TimeZone::get(name).unwrap_or(TimeZone::UTC);
    ts.to_zoned_datetime(tz)
        .strftime("%Y-%m-%d %H:%M %Z (%:z)")
        .to_string()
}

/// How long until an embargo ends, as pages show it next to the instant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Countdown {
    /// `in 3 days 4 hours`: the two largest units, whole, rounded down;
    /// `ended` once the instant has passed (the lift is then due).
    pub text: String,
    /// The same span as an HTML duration (`P3DT4H`), for the `datetime`
    /// of a `time` element; `None` once ended.
    pub duration: Option<String>,
    pub ended: bool,
}

/// The countdown from `now` to `until`.
pub fn countdown(now: Timestamp, until: Timestamp) -> Countdown {
    let secs = now.duration_until(until).as_secs();
    if secs <= 0 {
        return Countdown {
            text: "ended".to_owned(),
            duration: None,
            ended: true,
        };
    }
    let (days, hours) = (secs / 86_400, secs % 86_400 / 3_600);
    let (minutes, seconds) = (secs % 3_600 / 60, secs % 60);
    let unit = |n: i64, name: &str| match n {
        1 => format!("1 {name}"),
        n => format!("{n} {name}s"),
    };
    // The two largest units; the second only when it is not zero.
    let (text, duration) = if days > 0 {
        match hours {
            0 => (unit(days, "day"), format!("P{days}D")),
            h => (
                format!("{} {}", unit(days, "day"), unit(h, "hour")),
                format!("P{days}DT{h}H"),
            ),
        }
    } else if hours > 0 {
        match minutes {
            0 => (unit(hours, "hour"), format!("PT{hours}H")),
            m => (
                format!("{} {}", unit(hours, "hour"), unit(m, "minute")),
                format!("PT{hours}H{m}M"),
            ),
        }
    } else if minutes > 0 {
        (unit(minutes, "minute"), format!("PT{minutes}M"))
    } else {
        ("less than a minute".to_owned(), format!("PT{seconds}S"))
    };
    Countdown {
        text: format!("in {text}"),
        duration: Some(duration),
        ended: false,
    }
}

/// Limits on a proposed embargo (configurable).
#[derive(Debug, Clone)]
pub struct Policy {
    /// Longest embargo, counted from the first distribution to the list (or
    /// from now while nothing was distributed).
    pub max_days: u32,
    /// Shortest notice between now and the end of the embargo.
    pub min_notice_hours: u32,
    /// Public holidays to warn about, as dates in the agreed zone.
    pub holidays: Vec<Date>,
}

/// A rule a proposal breaks; an override reason lets it through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("the embargo must end in the future")]
    InThePast,
    #[error("the embargo may last at most {max_days} days from the first distribution to the list")]
    TooLong { max_days: u32 },
    #[error("the embargo must end at least {hours} hours from now")]
    TooSoon { hours: u32 },
}

impl Violation {
    /// Whether `override_reason` may set the rule aside. An end in the past
    /// never can: publish now instead.
    pub fn overridable(&self) -> bool {
        !matches!(self, Violation::InThePast)
    }
}

/// Whether a proposal that breaks `violations` may stand: every rule it
/// breaks must be one an override may set aside, and an override needs a
/// reason, which the embargo's history keeps. Who may override is
/// [`super::authz::Action::OverrideEmbargoPolicy`].
pub fn admits(violations: &[Violation], override_reason: &str) -> bool {
    violations.iter().all(Violation::overridable)
        && (violations.is_empty() || !override_reason.trim().is_empty())
}

/// Things worth a second look that do not block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    Weekend,
    Friday,
    PublicHoliday,
}

impl Warning {
    pub fn message(self) -> &'static str {
        match self {
            Warning::Weekend => "the embargo ends on a weekend in the agreed time zone",
            Warning::Friday => "the embargo ends on a Friday: fixes land before a weekend",
            Warning::PublicHoliday => "the embargo ends on a configured public holiday",
        }
    }
}

/// Checks a proposal: the rules it breaks, and warnings either way.
pub fn check(
    embargo: &Embargo,
    now: Timestamp,
    first_distribution: Option<Timestamp>,
    policy: &Policy,
) -> (Vec<Violation>, Vec<Warning>) {
    let mut violations = Vec::new();
    if embargo.until <= now {
        violations.push(Violation::InThePast);
    }
    let start = first_distribution.unwrap_or(now);
    // Days of 24 hours: an instant, not a calendar, bounds the embargo.
    let longest = start
        .checked_add((i64::from(policy.max_days) * 24).hours())
        .unwrap_or(Timestamp::MAX);
    if embargo.until > longest {
        violations.push(Violation::TooLong {
            max_days: policy.max_days,
        });
    }
    let notice = now
        .checked_add(i64::from(policy.min_notice_hours).hours())
        .unwrap_or(now);
    if policy.min_notice_hours > 0 && embargo.until < notice && embargo.until > now {
        violations.push(Violation::TooSoon {
            hours: policy.min_notice_hours,
        });
    }
    let tz = TimeZone::get(&embargo.time_zone).unwrap_or(TimeZone::UTC);
    let local = embargo.until.to_zoned_datetime(tz);
    let mut warnings = Vec::new();
    match local.weekday() {
        Weekday::Saturday | Weekday::Sunday => warnings.push(Warning::Weekend),
        Weekday::Friday => warnings.push(Warning::Friday),
        _ => {}
    }
    if policy.holidays.contains(&local.date()) {
        warnings.push(Warning::PublicHoliday);
    }
    (violations, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            max_days: 14,
            min_notice_hours: 0,
            holidays: vec![],
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn parses_offsets_and_local_times_in_the_agreed_zone() {
        let a = Embargo::parse("2026-12-01T14:00:00+01:00", "Europe/Berlin").unwrap();
        assert_eq!(a.until, ts("2026-12-01T13:00:00Z"));
        let b = Embargo::parse("2026-12-01T14:00", "Europe/Berlin").unwrap();
        assert_eq!(a, b);
        let c = Embargo::parse("2026-07-01T09:00", "America/New_York").unwrap();
        assert_eq!(c.until, ts("2026-07-01T13:00:00Z"));
        assert!(c.in_agreed_zone().starts_with("2026-07-01 09:00 EDT"));
    }

    #[test]
    fn rejects_unknown_zones_garbage_and_dst_gaps() {
        assert!(matches!(
            Embargo::parse("2026-12-01T14:00Z", "Mars/Olympus"),
            Err(EmbargoInputError::UnknownZone(_))
        ));
        assert!(matches!(
            Embargo::parse("next tuesday", "UTC"),
            Err(EmbargoInputError::Unparsable(_))
        ));
        // 02:30 does not exist in Berlin on 2026-03-29.
        assert!(matches!(
            Embargo::parse("2026-03-29T02:30", "Europe/Berlin"),
            Err(EmbargoInputError::Ambiguous(..))
        ));
    }

    #[test]
    fn policy_limits_and_warnings() {
        let now = ts("2026-11-25T12:00:00Z");
        let tuesday = Embargo::parse("2026-12-01T14:00", "UTC").unwrap();
        assert_eq!(check(&tuesday, now, None, &policy()), (vec![], vec![]));

        let far = Embargo::parse("2026-12-15T14:00", "UTC").unwrap();
        assert_eq!(
            check(&far, now, None, &policy()).0,
            vec![Violation::TooLong { max_days: 14 }]
        );
        // Counted from the first distribution, not from now.
        let first = ts("2026-11-20T12:00:00Z");
        let nine_days = Embargo::parse("2026-12-05T12:00", "UTC").unwrap();
        assert_eq!(
            check(&nine_days, now, Some(first), &policy()).0,
            vec![Violation::TooLong { max_days: 14 }]
        );

        let past = Embargo::parse("2026-11-24T12:00", "UTC").unwrap();
        assert!(
            check(&past, now, None, &policy())
                .0
                .contains(&Violation::InThePast)
        );
        assert!(!Violation::InThePast.overridable());

        let strict = Policy {
            min_notice_hours: 48,
            ..policy()
        };
        let soon = Embargo::parse("2026-11-26T12:00", "UTC").unwrap();
        assert_eq!(
            check(&soon, now, None, &strict).0,
            vec![Violation::TooSoon { hours: 48 }]
        );

        let friday = Embargo::parse("2026-11-27T18:00", "UTC").unwrap();
        assert_eq!(
            check(&friday, now, None, &policy()).1,
            vec![Warning::Friday]
        );
        // Saturday 00:30 in Tokyo is still Friday in UTC: the agreed zone decides.
        let tokyo = Embargo::parse("2026-11-28T00:30", "Asia/Tokyo").unwrap();
        assert_eq!(
            check(&tokyo, now, None, &policy()).1,
            vec![Warning::Weekend]
        );
        let holiday = Policy {
            holidays: vec!["2026-12-01".parse().unwrap()],
            ..policy()
        };
        assert_eq!(
            check(&tuesday, now, None, &holiday).1,
            vec![Warning::PublicHoliday]
        );
    }

    #[test]
    fn a_proposal_within_the_policy_needs_no_override() {
        assert!(admits(&[], ""));
        assert!(admits(&[], "no reason needed"));
    }

    #[test]
    fn an_override_sets_a_rule_aside_only_with_a_reason() {
        let too_long = [Violation::TooLong { max_days: 14 }];
        assert!(!admits(&too_long, ""));
        assert!(!admits(&too_long, "  "));
        assert!(admits(&too_long, "hardware vendor needs time"));
        let both = [
            Violation::TooLong { max_days: 14 },
            Violation::TooSoon { hours: 48 },
        ];
        assert!(admits(&both, "agreed with the reporter"));
    }

    #[test]
    fn a_countdown_names_the_two_largest_units_rounded_down() {
        let now = ts("2026-11-25T12:00:00Z");
        let at = |s: &str| countdown(now, ts(s));
        let c = at("2026-11-28T16:59:59Z");
        assert_eq!(c.text, "in 3 days 4 hours");
        assert_eq!(c.duration.as_deref(), Some("P3DT4H"));
        assert_eq!(at("2026-11-26T12:30:00Z").text, "in 1 day");
        assert_eq!(at("2026-11-26T12:30:00Z").duration.as_deref(), Some("P1D"));
        assert_eq!(at("2026-11-25T13:01:00Z").text, "in 1 hour 1 minute");
        assert_eq!(at("2026-11-25T14:00:00Z").text, "in 2 hours");
        assert_eq!(at("2026-11-25T12:05:30Z").text, "in 5 minutes");
        assert_eq!(at("2026-11-25T12:05:30Z").duration.as_deref(), Some("PT5M"));
        let soon = at("2026-11-25T12:00:20Z");
        assert_eq!(
            (soon.text.as_str(), soon.duration.as_deref()),
            ("in less than a minute", Some("PT20S"))
        );
        for past in ["2026-11-25T12:00:00Z", "2026-11-24T12:00:00Z"] {
            let c = at(past);
            assert!(c.ended && c.text == "ended" && c.duration.is_none());
        }
    }

    #[test]
    fn no_reason_overrides_an_end_in_the_past() {
        let past = [Violation::InThePast, Violation::TooSoon { hours: 48 }];
        assert!(!admits(&past, "please"));
    }
}
