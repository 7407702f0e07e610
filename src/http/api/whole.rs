//! Integers as JSON Schema counts them: `3` and `3.0` are both the integer
//! three, so a body the document allows is not refused for its spelling.

use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Deserializes an `i64` written as an integer or as a float with no
/// fraction (`deserialize_with = "whole::number"`).
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(Whole)
}

/// As [`number`], for a field that may be `null` or left out.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_option(OptionalWhole)
}

struct Whole;

impl Visitor<'_> for Whole {
    type Value = i64;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom("the integer is too large"))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<i64, E> {
        // 2^63 as f64 is the first value past i64::MAX.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v) {
            // In range and whole, so the cast is exact.
            Ok(v as i64)
        } else {
            Err(E::custom(format!(
                "invalid type: `{v}`, expected an integer"
            )))
        }
    }
}

struct OptionalWhole;

impl<'de> Visitor<'de> for OptionalWhole {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an integer or null")
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        number(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::number")]
        n: i64,
        #[serde(default, deserialize_with = "super::optional")]
        o: Option<i64>,
    }

    fn parse(s: &str) -> Result<(i64, Option<i64>), String> {
        serde_json::from_str::<Body>(s)
            .map(|b| (b.n, b.o))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_floats_are_integers_and_fractions_are_not() {
        assert_eq!(parse(r#"{"n": 3}"#), Ok((3, None)));
        assert_eq!(parse(r#"{"n": -53.0, "o": 7.0}"#), Ok((-53, Some(7))));
        assert_eq!(parse(r#"{"n": 1, "o": null}"#), Ok((1, None)));
        for bad in [
            r#"{"n": 1.5}"#,
            r#"{"n": 1e300}"#,
            r#"{"n": 9223372036854775808}"#,
            r#"{"n": "3"}"#,
            r#"{"n": 1, "o": 0.25}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
