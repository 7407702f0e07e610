//! The member import's readers against input nobody thought of: CSV
//! splits back into exactly the fields written, and no file, CSV or JSON,
//! makes the reader panic: it says what is wrong instead.

use proptest::collection::vec;
use proptest::prelude::*;

use super::Plan;
use super::parse::{parse_csv_file, parse_json, split_csv};

fn plan() -> Plan {
    Plan {
        file_name: "members".into(),
        sha256: String::new(),
        members: Vec::new(),
        problems: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Text that leans on what CSV and the import's columns care about.
fn csvish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(",".to_owned()),
        Just("\"".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("organization,website,security_alias,contact_name,contact_email,key_file".to_owned()),
        Just("a@example.org".to_owned()),
        Just("https://example.org".to_owned()),
        Just("../etc/passwd".to_owned()),
        any::<String>(),
    ];
    vec(piece, 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn quoted_csv_splits_back_into_the_fields_written(
        records in vec(vec(any::<String>(), 1..5), 0..8),
        crlf in any::<bool>(),
    ) {
        let quote = |f: &String| format!("\"{}\"", f.replace('"', "\"\""));
        let end = if crlf { "\r\n" } else { "\n" };
        let text: String = records
            .iter()
            .map(|r| r.iter().map(quote).collect::<Vec<_>>().join(",") + end)
            .collect();
        let read: Vec<Vec<String>> = split_csv(&text).unwrap().into_iter().map(|(_, r)| r).collect();
        prop_assert_eq!(read, records);
    }

    #[test]
    fn any_csv_file_is_read_or_refused_with_a_problem(text in csvish()) {
        let _ = split_csv(&text);
        let dir = std::env::temp_dir();
        let mut plan = plan();
        parse_csv_file(text.as_bytes(), &dir, &mut plan);
        // Whatever it held, each problem says where and what.
        for p in &plan.problems {
            prop_assert!(!p.message.is_empty());
        }
    }

    #[test]
    fn any_bytes_as_json_are_read_or_refused_with_a_problem(
        bytes in prop_oneof![vec(any::<u8>(), 0..200), csvish().prop_map(String::into_bytes)],
    ) {
        let mut plan = plan();
        parse_json(&bytes, &mut plan);
        if serde_json::from_slice::<serde_json::Value>(&bytes).is_err() {
            prop_assert!(!plan.problems.is_empty(), "not JSON, yet no problem");
        }
    }
}
