use super::*;

mod props;
mod vectors;

use vectors::*;

fn check(cases: &[(&str, f64)]) {
    let mut failures = Vec::new();
    for &(vector, expected) in cases {
        match score(vector) {
            Ok(s) if s.score == expected => {}
            Ok(s) => failures.push(format!("{vector}: got {}, want {expected}", s.score)),
            Err(e) => failures.push(format!("{vector}: error {e}, want {expected}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn error_of(vector: &str) -> String {
    match score(vector) {
        Ok(s) => panic!("{vector} scored {} but should be rejected", s.score),
        Err(e) => e.0,
    }
}

#[test]
fn v31_first_examples() {
    check(V31_FIRST_EXAMPLES);
}

#[test]
fn v31_hand_computed() {
    check(V31_BY_HAND);
}

#[test]
fn v30_first_examples() {
    check(V30_FIRST_EXAMPLES);
    assert_eq!(
        score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
            .unwrap()
            .version,
        CvssVersion::V3
    );
}

#[test]
fn v40_first_examples() {
    check(V40_FIRST_EXAMPLES);
}

#[test]
fn v40_first_reference_set() {
    check(V40_FIRST_REFERENCE_SET);
}

#[test]
fn v40_no_impact_scores_zero() {
    // FIRST's cvss40.js: "Exception for no impact on system": every
    // VC/VI/VA/SC/SI/SA (after modification) None -> 0.0.
    let s = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N").unwrap();
    assert_eq!((s.score_text(), s.rating), ("0.0".to_owned(), Rating::None));
    let s = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/MVC:N").unwrap();
    assert_eq!(s.score, 0.0);
}

#[test]
fn result_fields() {
    let s = score("  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n").unwrap();
    assert_eq!(s.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert_eq!(s.version, CvssVersion::V3);
    assert_eq!(s.osv_type(), "CVSS_V3");
    assert_eq!(
        (s.score_text(), s.rating.as_str()),
        ("9.8".into(), "CRITICAL")
    );

    let s = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H").unwrap();
    assert_eq!(s.version, CvssVersion::V4);
    assert_eq!(s.osv_type(), "CVSS_V4");
    assert_eq!(
        (s.score_text(), s.rating),
        ("10.0".into(), Rating::Critical)
    );

    let s = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N").unwrap();
    assert_eq!((s.score_text(), s.rating), ("0.0".into(), Rating::None));
}

#[test]
fn ratings_follow_the_qualitative_scale() {
    for (value, rating) in [
        (0.0, Rating::None),
        (0.1, Rating::Low),
        (3.9, Rating::Low),
        (4.0, Rating::Medium),
        (6.9, Rating::Medium),
        (7.0, Rating::High),
        (8.9, Rating::High),
        (9.0, Rating::Critical),
        (10.0, Rating::Critical),
    ] {
        assert_eq!(Rating::of_score(value), rating, "{value}");
    }
    // The rating printed is always the one of the printed score.
    for &(vector, _) in V31_FIRST_EXAMPLES
        .iter()
        .chain(V40_FIRST_EXAMPLES)
        .chain(V40_FIRST_REFERENCE_SET)
    {
        let s = score(vector).unwrap();
        assert_eq!(s.rating, Rating::of_score(s.score), "{vector}");
    }
}

#[test]
fn roundup_follows_the_3_1_specification() {
    // Spec section 7.4: "Round up (4.02) is 4.1; and Round up (4.00) is 4.0."
    assert_eq!(roundup_v31(4.02), 41);
    assert_eq!(roundup_v31(4.00), 40);
    // Floating-point noise just above a tenth is not rounded up:
    // 0.1 + 0.2 = 0.30000000000000004, and naive ceil(x * 10) / 10 gives 0.4.
    let noisy = 0.1 + 0.2;
    assert!(noisy > 0.3);
    assert_eq!(roundup_v31(noisy), 3);
    assert_eq!(roundup_v30(noisy), 4);
    // ...but a real excess of more than 5e-6 is (the `cvss` crate's own
    // roundup truncates x * 100000 and returns 4.0 here).
    assert_eq!(roundup_v31(4.000007), 41);
    assert_eq!(roundup_v31(10.0), 100);
    assert_eq!(roundup_v31(0.0), 0);
}

/// `base` extended with every combination of values of the listed metrics.
fn with_each_value(base: &str, table: &[MetricDef], ids: &[&str]) -> Vec<String> {
    let mut vectors = vec![base.to_owned()];
    for def in table.iter().filter(|d| ids.contains(&d.id)) {
        let mut next = Vec::new();
        for v in &vectors {
            for value in def.values {
                next.push(format!("{v}/{}:{value}", def.id));
            }
        }
        vectors = next;
    }
    vectors
}

#[test]
fn v40_supplemental_metrics_never_change_the_score() {
    let supplemental = ["S", "AU", "R", "V", "RE", "U"];
    for &(base, _) in V40_FIRST_EXAMPLES.iter().chain(V40_FIRST_REFERENCE_SET) {
        if base.contains("/S:")
            || base.contains("/AU:")
            || base.contains("/R:")
            || base.contains("/V:")
            || base.contains("/RE:")
            || base.contains("/U:")
        {
            continue;
        }
        let expected = score(base).unwrap().score;
        // 3 * 3 * 4 * 3 * 4 * 5 = 2,160 combinations per vector.
        for v in with_each_value(base, V4_METRICS, &supplemental) {
            assert_eq!(score(&v).unwrap().score, expected, "{v}");
        }
    }
}

#[test]
fn not_defined_equals_omitted() {
    // 4.0: X (Not Defined) is the same as leaving the metric out, and E:X,
    // CR/IR/AR:X mean the worst case (E:A, CR/IR/AR:H).
    for &(vector, _) in V40_FIRST_EXAMPLES {
        if vector.matches('/').count() != V4_BASE {
            continue; // base-only vectors
        }
        let expected = score(vector).unwrap().score;
        let all_x = format!(
            "{vector}/E:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X\
             /MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X"
        );
        assert_eq!(score(&all_x).unwrap().score, expected, "{all_x}");
        let worst = format!("{vector}/E:A/CR:H/IR:H/AR:H");
        assert_eq!(score(&worst).unwrap().score, expected, "{worst}");
    }
    // 3.x: only the Base score is printed; Temporal and Environmental
    // metrics are validated but do not change it.
    for &(vector, expected) in V31_FIRST_EXAMPLES {
        let extended = format!(
            "{vector}/E:U/RL:O/RC:U/CR:H/IR:L/AR:M/MAV:P/MAC:H/MPR:H/MUI:R/MS:U/MC:N/MI:N/MA:N"
        );
        assert_eq!(score(&extended).unwrap().score, expected, "{extended}");
    }
}

#[test]
fn v3_every_base_vector_scores_in_range() {
    let mut count = 0;
    for version in ["3.0", "3.1"] {
        let base = format!("CVSS:{version}");
        let ids = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
        for v in with_each_value(&base, V3_METRICS, &ids) {
            let s = score(&v).unwrap();
            assert!((0.0..=10.0).contains(&s.score), "{v}");
            assert_eq!(s.score_text().parse::<f64>().unwrap(), s.score, "{v}");
            count += 1;
        }
    }
    assert_eq!(count, 2 * 2592);
}

#[test]
fn errors_name_the_problem() {
    let cases: &[(&str, &[&str])] = &[
        ("", &["empty"]),
        ("   ", &["empty"]),
        ("garbage", &["prefix", "garbage"]),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", &["prefix"]),
        ("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &["prefix"]),
        ("CVSS:/AV:N", &["version"]),
        ("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", &["version", "2.0"]),
        (
            "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["version", "3.2"],
        ),
        ("CVSS:5.0/AV:N", &["version", "5.0"]),
        (
            "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["AV", "Attack Vector", "`X`"],
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:U/UI:N/S:U/C:H/I:H/A:H",
            &["PR", "`U`"],
        ),
        (
            "CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["AV", "`n`"],
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z",
            &["E", "Exploit Code Maturity"],
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:N",
            &["unknown metric", "XX"],
        ),
        (
            "CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["unknown metric", "av", "`AV`"],
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L",
            &["AV", "more than once"],
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
            &["missing", "A (Availability)"],
        ),
        (
            "CVSS:3.1/AV:N/AC:L/UI:N/C:H/I:H/A:H",
            &["missing", "PR (Privileges Required)", "S (Scope)"],
        ),
        ("CVSS:3.1", &["missing", "AV", "AC", "A (Availability)"]),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
            &["empty metric"],
        ),
        (
            "CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["empty metric"],
        ),
        (
            "CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["malformed", "AVN"],
        ),
        (
            "CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["malformed", "AV:N:L"],
        ),
        // 4.0; several taken from the negative tests of FIRST's reference
        // set (FIRSTdotorg/cvss-resources, vectorFiles/reference-scores).
        (
            "CVSS:4.0/AV:A/AC:T/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
            &["AC", "`T`"],
        ),
        (
            "CVSS:4.0/AV:N/AC:H/AT:X/PR:N/UI:N/VC:H/VI:N/VA:H/SC:H/SI:H/SA:N",
            &["AT", "`X`"],
        ),
        (
            "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:S/SC:N/SI:L/SA:N",
            &["VA", "`S`"],
        ),
        (
            "CVSS:4.0/AV:A/AC:L/AT:P/PR:H/UI:A/VC:L/VI:H/SC:H/SI:L/SA:H/S:N/AU:Y/R:A/V:D/RE:H/U:Amber",
            &["missing", "VA (Vulnerable System Availability)"],
        ),
        (
            "AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:N/SC:N/SI:H/SA:N/S:X/AU:N/R:I/V:X/RE:L/U:Clear",
            &["prefix"],
        ),
        (
            "CVSS:4.0/AV:A/AC:L/AT:N/PR:L/:P/VC:L/VI:H/VA:N/SC:N/SI:N/SA:H",
            &["malformed", "`:P`"],
        ),
        (
            "CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["malformed", "`AV:`"],
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSI:T",
            &["MSI", "`T`"],
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red",
            &["U (Provider Urgency)", "`red`", "Red"],
        ),
        (
            "CVSS:4.0/AV:N/AT:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            &[
                "AC (Attack Complexity)",
                "out of order",
                "AT (Attack Requirements)",
            ],
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/E:A",
            &["E (Exploit Maturity)", "out of order", "CR"],
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N",
            &["out of order"],
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/E:P",
            &["E (Exploit Maturity)", "more than once"],
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/SI:N",
            &["SI", "more than once"],
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
            &["missing", "SA"],
        ),
        (
            "CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["S (Safety)", "`U`"],
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/C:H",
            &["unknown metric", "`C`", "CVSS 4.0"],
        ),
        (
            "CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H",
            &["unknown metric", "`AT`", "CVSS 3.1"],
        ),
    ];
    for &(vector, needles) in cases {
        let message = error_of(vector);
        for needle in needles {
            assert!(
                message.contains(needle),
                "error for {vector:?} is {message:?}, which does not mention {needle:?}"
            );
        }
    }
}
