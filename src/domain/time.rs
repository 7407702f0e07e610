//! How pages speak of instants: relative wording ("in 4 days", "3 h ago"),
//! a person's chosen time zone, and the zones offered to choose from (the
//! IANA database bundled with jiff, so every name is known offline).

use jiff::Timestamp;

/// A time zone by its IANA name, known to the bundled database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {0:?}: choose one from the list, such as Europe/Berlin or UTC")]
pub struct UnknownZone(pub String);

impl ZoneName {
    /// One of [`zone_names`], exactly as it is spelled there.
    pub fn parse(name: &str) -> Result<Self, UnknownZone> {
        // Bounded: the name is echoed in the error and stored.
        if name.len() > 64 || !is_zone_name(name) {
            let shown: String = name.chars().take(64).collect();
            return Err(UnknownZone(shown));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Every zone name of the bundled database (old aliases such as
/// `US/Eastern` included), sorted: the names the API takes.
fn zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Whether `name` is one of [`zone_names`], spelled as there (the
/// database's own look-up also takes other cases).
pub fn is_zone_name(name: &str) -> bool {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES
        .get_or_init(zone_names)
        .binary_search_by(|n| n.as_str().cmp(name))
        .is_ok()
}

/// The regions offered as groups of zones, in the database's own naming.
const REGIONS: [&str; 10] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

/// The zones a person chooses from, by region (`("Europe", ["Europe/Amsterdam", ...])`),
/// UTC first on its own. Old aliases (`US/Eastern`, `EST5EDT`) are left
/// out of the list; they are still accepted where a name is typed (the API).
pub fn zone_groups() -> Vec<(&'static str, Vec<String>)> {
    let mut groups: Vec<(&'static str, Vec<String>)> = vec![("UTC", vec!["UTC".to_owned()])];
    groups.extend(REGIONS.iter().map(|r| (*r, Vec::new())));
    for name in jiff::tz::db().available() {
        let name = name.as_str();
        let region = name.split('/').next().unwrap_or_default();
        if let Some((_, names)) = groups.iter_mut().find(|(r, _)| *r == region)
            && region != "UTC"
        {
            names.push(name.to_owned());
        }
    }
    for (_, names) in &mut groups {
        names.sort();
    }
    groups.retain(|(_, names)| !names.is_empty());
    groups
}

/// How far `at` is from `now`, as a person says it: `in 4 days`,
/// `3 h ago`, `just now`. Rounded to the nearest whole unit, and the unit
/// grows with the distance (minutes, hours, days up to two months, months
/// up to a year, then years), so the text stays short in a table.
pub fn relative(now: Timestamp, at: Timestamp) -> String {
    let secs = now.duration_until(at).as_secs();
    let future = secs > 0;
    let s = secs.unsigned_abs();
    if s < 30 {
        return if future {
            "in less than a minute".to_owned()
        } else {
            "just now".to_owned()
        };
    }
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let round = |unit: u64| (s + unit / 2) / unit;
    let (n, one, many) = if round(MINUTE) < 60 {
        (round(MINUTE), "min", "min")
    } else if round(HOUR) < 24 {
        (round(HOUR), "h", "h")
    } else if round(DAY) < 60 {
        (round(DAY), "day", "days")
    } else if round(30 * DAY) < 12 {
        (round(30 * DAY), "month", "months")
    } else {
        (round(365 * DAY), "year", "years")
    };
    let unit = if n == 1 { one } else { many };
    if future {
        format!("in {n} {unit}")
    } else {
        format!("{n} {unit} ago")
    }
}

/// Whether an advisory published at `published` went out before the end
/// of the embargo it had (`until`): an early publication.
pub fn published_early(published: Option<i64>, until: Option<i64>) -> bool {
    matches!((published, until), (Some(p), Some(u)) if p < u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn relative_wording_rounds_to_the_nearest_unit_both_ways() {
        let now = ts("2026-11-25T12:00:00Z");
        let at = |s: &str| relative(now, ts(s));
        assert_eq!(at("2026-11-25T12:00:00Z"), "just now");
        assert_eq!(at("2026-11-25T11:59:40Z"), "just now");
        assert_eq!(at("2026-11-25T12:00:20Z"), "in less than a minute");
        assert_eq!(at("2026-11-25T12:01:00Z"), "in 1 min");
        assert_eq!(at("2026-11-25T11:35:00Z"), "25 min ago");
        assert_eq!(at("2026-11-25T09:00:00Z"), "3 h ago");
        // 2 h 40 min is nearer 3 h than 2 h.
        assert_eq!(at("2026-11-25T09:20:00Z"), "3 h ago");
        assert_eq!(at("2026-11-25T13:00:00Z"), "in 1 h");
        assert_eq!(at("2026-11-26T11:40:00Z"), "in 1 day");
        // A moment less than four days away still reads as four days.
        assert_eq!(at("2026-11-29T11:59:59Z"), "in 4 days");
        assert_eq!(at("2026-11-24T12:00:00Z"), "1 day ago");
        assert_eq!(at("2027-01-20T12:00:00Z"), "in 56 days");
        assert_eq!(at("2027-02-25T12:00:00Z"), "in 3 months");
        assert_eq!(at("2026-10-25T12:00:00Z"), "31 days ago");
        assert_eq!(at("2025-11-25T12:00:00Z"), "1 year ago");
        assert_eq!(at("2029-11-25T12:00:00Z"), "in 3 years");
    }

    #[test]
    fn zone_names_are_known_iana_names_only() {
        assert_eq!(
            ZoneName::parse("Europe/Berlin").unwrap().as_str(),
            "Europe/Berlin"
        );
        // Spelled as the database spells it, as the API's list says.
        for other in [" Europe/Berlin ", "europe/berlin", ""] {
            assert!(ZoneName::parse(other).is_err(), "{other:?}");
        }
        assert!(
            ZoneName::parse("US/Eastern").is_ok(),
            "old aliases are taken"
        );
        assert!(ZoneName::parse("UTC").is_ok());
        assert_eq!(
            ZoneName::parse("Mars/Olympus"),
            Err(UnknownZone("Mars/Olympus".into()))
        );
        assert!(ZoneName::parse("").is_err());
        assert!(ZoneName::parse(&"A".repeat(500)).is_err());
    }

    #[test]
    fn zones_are_offered_by_region_with_utc_first() {
        let groups = zone_groups();
        assert_eq!(groups[0], ("UTC", vec!["UTC".to_owned()]));
        let europe = &groups.iter().find(|(r, _)| *r == "Europe").unwrap().1;
        assert!(europe.iter().any(|z| z == "Europe/Berlin"));
        assert!(europe.windows(2).all(|w| w[0] < w[1]), "sorted");
        let all: Vec<&String> = groups.iter().flat_map(|(_, z)| z).collect();
        assert!(all.len() > 300, "{}", all.len());
        assert!(
            !all.iter().any(|z| z.as_str() == "US/Eastern"),
            "aliases left out"
        );
        assert!(all.iter().all(|z| TimeZone::get(z).is_ok()));
    }

    #[test]
    fn early_means_published_before_the_embargo_end() {
        assert!(published_early(Some(1), Some(2)));
        assert!(!published_early(Some(2), Some(2)), "on time, by the lift");
        assert!(!published_early(Some(3), Some(2)));
        assert!(!published_early(Some(1), None), "no embargo");
        assert!(!published_early(None, Some(2)), "not published");
    }
}
