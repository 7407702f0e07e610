//! Vectors nobody wrote by hand: every combination of valid Base metrics
//! scores within 0-10 with the rating of its score, a vector missing any
//! one metric is refused, and no text at all makes the parser panic.

use proptest::prelude::*;
use proptest::sample::{Index, select};

use super::*;

/// A version and a value picked for each of its Base metrics, in order.
fn vector() -> impl Strategy<Value = (bool, Vec<String>)> {
    any::<bool>().prop_flat_map(|v4| {
        let parts: Vec<_> = base_metrics(v4)
            .into_iter()
            .map(|(id, _, values)| select(values.to_vec()).prop_map(move |v| format!("{id}:{v}")))
            .collect();
        (Just(v4), parts)
    })
}

fn text(v4: bool, parts: &[String]) -> String {
    let prefix = if v4 { "CVSS:4.0/" } else { "CVSS:3.1/" };
    format!("{prefix}{}", parts.join("/"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_valid_vector_scores_within_range_with_its_rating((v4, parts) in vector()) {
        let text = text(v4, &parts);
        let scored = score(&text).unwrap();
        prop_assert!((0.0..=10.0).contains(&scored.score), "{text}: {}", scored.score);
        prop_assert_eq!(scored.rating, Rating::of_score(scored.score));
    }

    #[test]
    fn a_vector_missing_any_base_metric_is_refused((v4, mut parts) in vector(), drop in any::<Index>()) {
        parts.remove(drop.index(parts.len()));
        let text = text(v4, &parts);
        prop_assert!(score(&text).is_err(), "{text}");
    }

    #[test]
    fn no_text_makes_the_parser_panic(text in prop_oneof![
        any::<String>(),
        any::<String>().prop_map(|s| format!("CVSS:3.1/{s}")),
        any::<String>().prop_map(|s| format!("CVSS:4.0/AV:N/{s}")),
    ]) {
        let _ = score(&text);
    }
}
