//! How pages show an instant: `{{ t|when }}` writes a `<time>` element
//! with the instant in UTC, in the viewer's zone and relative to now
//! ("in 4 days"); `{{ t|when(zone) }}` also shows it in `zone`, the zone
//! it was agreed in. `zone_groups()` lists the zones a person chooses from.
//!
//! The clock's now and the viewer's zone come from `clock` in the page's
//! context (`{"now": micros, "zone": "Europe/Berlin"}`), which every page
//! render sets. A page rendered once and stored (a public advisory) has no
//! clock: it shows UTC only, since "3 h ago" would be wrong the next day.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use minijinja::{HtmlEscape, State, Value};

use crate::domain::time::{relative, zone_groups as groups};

/// An instant as templates hold one: microseconds since the epoch, or
/// RFC 3339 text.
fn instant(v: &Value) -> Option<Timestamp> {
    if let Some(s) = v.as_str() {
        return s.parse().ok();
    }
    let micros = i64::try_from(v.clone()).ok()?;
    Timestamp::from_microsecond(micros).ok()
}

/// The `<time>` element of `at`: UTC first, then `at` in each of `zones`
/// (UTC, repeated and unknown names skipped), then how far from `now`.
pub fn when_html(at: Timestamp, zones: &[&str], now: Option<Timestamp>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut shown: Vec<&str> = vec!["UTC"];
    for &name in zones {
        if shown.contains(&name) {
            continue;
        }
        let Ok(tz) = TimeZone::get(name) else {
            continue;
        };
        shown.push(name);
        let local = at.to_zoned_datetime(tz).strftime("%Y-%m-%d %H:%M %Z");
        parts.push(format!("{local} ({})", HtmlEscape(name)));
    }
    if let Some(now) = now {
        parts.push(relative(now, at));
    }
    let extra = match parts.is_empty() {
        true => String::new(),
        false => format!(" <span class=\"when\">· {}</span>", parts.join(" · ")),
    };
    format!(
        "<time datetime=\"{}\">{}{extra}</time>",
        crate::publish::rfc3339(at),
        at.strftime("%Y-%m-%d %H:%M UTC"),
    )
}

/// `{{ t|when }}` and `{{ t|when(zone) }}`; empty for a missing instant.
pub(super) fn when(state: &State, value: Value, zone: Option<Value>) -> Value {
    let Some(at) = instant(&value) else {
        return Value::from("");
    };
    let clock = state.lookup("clock").unwrap_or_default();
    let now = clock.get_attr("now").ok().and_then(|n| instant(&n));
    let viewer = clock.get_attr("zone").ok();
    let agreed = zone.as_ref().and_then(Value::as_str);
    let zones: Vec<&str> = agreed
        .into_iter()
        .chain(viewer.as_ref().and_then(Value::as_str))
        .collect();
    Value::from_safe_string(when_html(at, &zones, now))
}

static ZONE_GROUPS: LazyLock<Value> = LazyLock::new(|| Value::from_serialize(groups()));

/// `zone_groups()`: `[[region, [zone, ...]], ...]`, UTC first.
pub(super) fn zone_groups() -> Value {
    ZONE_GROUPS.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// Zone names are HTML-escaped as templates escape (`/` too).
    fn when_html(at: Timestamp, zones: &[&str], now: Option<Timestamp>) -> String {
        super::when_html(at, zones, now).replace("&#x2f;", "/")
    }

    #[test]
    fn an_instant_shows_in_utc_each_zone_and_relative() {
        let at = ts("2026-12-01T13:00:00Z");
        let html = when_html(
            at,
            &["Europe/Berlin", "America/New_York"],
            Some(ts("2026-11-27T13:00:00Z")),
        );
        assert_eq!(
            html,
            "<time datetime=\"2026-12-01T13:00:00Z\">2026-12-01 13:00 UTC <span class=\"when\">\
             · 2026-12-01 14:00 CET (Europe/Berlin) · 2026-12-01 08:00 EST (America/New_York) \
             · in 4 days</span></time>"
        );
    }

    #[test]
    fn utc_repeats_and_unknown_zones_are_not_shown_twice() {
        let at = ts("2026-12-01T13:00:00Z");
        let html = when_html(
            at,
            &["UTC", "Mars/Olympus", "Asia/Tokyo", "Asia/Tokyo"],
            None,
        );
        assert_eq!(
            html,
            "<time datetime=\"2026-12-01T13:00:00Z\">2026-12-01 13:00 UTC <span class=\"when\">\
             · 2026-12-01 22:00 JST (Asia/Tokyo)</span></time>"
        );
        assert_eq!(
            when_html(at, &[], None),
            "<time datetime=\"2026-12-01T13:00:00Z\">2026-12-01 13:00 UTC</time>"
        );
    }

    fn render(src: &str, ctx: Value) -> String {
        let mut env = minijinja::Environment::new();
        env.add_filter("when", when);
        env.add_function("zone_groups", zone_groups);
        env.add_template("t.html", src).unwrap();
        let out = env.get_template("t.html").unwrap().render(ctx).unwrap();
        out.replace("&#x2f;", "/")
    }

    #[test]
    fn the_filter_reads_the_clock_and_the_viewer_zone_from_the_page() {
        let now = ts("2026-11-30T13:00:00Z").as_microsecond();
        let at = ts("2026-12-01T13:00:00Z").as_microsecond();
        let ctx = minijinja::context! {
            clock => minijinja::context! { now => now, zone => "Asia/Tokyo" },
            t => at, s => "2026-12-01T13:00:00Z", z => "Europe/Berlin", none => (),
        };
        let out = render("{{ t|when }}|{{ s|when(z) }}|{{ none|when }}", ctx);
        let parts: Vec<&str> = out.split('|').collect();
        assert!(
            parts[0].contains("22:00 JST (Asia/Tokyo) · in 1 day</span>"),
            "{out}"
        );
        assert!(!parts[0].contains("Berlin"), "{out}");
        assert!(
            parts[1].contains("14:00 CET (Europe/Berlin) · 2026-12-01 22:00 JST"),
            "{out}"
        );
        assert_eq!(parts[2], "");
        // Without a clock: UTC only, nothing relative.
        let out = render("{{ t|when }}", minijinja::context! { t => at });
        assert_eq!(
            out,
            "<time datetime=\"2026-12-01T13:00:00Z\">2026-12-01 13:00 UTC</time>"
        );
    }

    #[test]
    fn zone_names_are_escaped_and_groups_are_listed() {
        let at = ts("2026-12-01T13:00:00Z").as_microsecond();
        let ctx = minijinja::context! { t => at };
        let out = render("{{ t|when(\"<b>\") }}{{ zone_groups()[0][0] }}", ctx);
        assert!(!out.contains("<b>"), "an unknown zone is not shown: {out}");
        assert!(out.ends_with("UTC"), "{out}");
    }
}
