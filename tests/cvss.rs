//! `embargo cvss VECTOR`: needs neither configuration nor a data directory.

use std::process::{Command, Output};

fn embargo_cvss(vector: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_embargo"))
        .args(["cvss", vector])
        .env_remove("EMBARGO_CONFIG")
        .env_remove("EMBARGO_DATA")
        .env_remove("EMBARGO_DATABASE_URL")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn cvss_3_1_prints_base_score_and_rating() {
    let o = embargo_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "9.8 CRITICAL\n");
    assert_eq!(stderr(&o), "");

    // FIRST's CVSS v3.1 examples: SSLv3 POODLE (CVE-2014-3566).
    let o = embargo_cvss("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N");
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "3.1 LOW\n");

    let o = embargo_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N");
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "0.0 NONE\n");
}

#[test]
fn cvss_4_0_prints_first_score() {
    // FIRST's CVSS v4.0 examples document.
    let o = embargo_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "9.3 CRITICAL\n");

    let o = embargo_cvss("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U");
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "5.2 MEDIUM\n");

    // FIRST's reference set (FIRSTdotorg/cvss-resources): threat,
    // environmental and supplemental metrics.
    let o = embargo_cvss(
        "CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:N/VC:N/VI:H/VA:L/SC:L/SI:H/SA:N/E:U/CR:X/IR:L/AR:H\
         /MAV:P/MAC:L/MAT:P/MPR:X/MUI:A/MVC:N/MVI:X/MVA:X/MSC:L/MSI:H/MSA:X\
         /S:N/AU:X/R:X/V:C/RE:H/U:Amber",
    );
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "0.6 LOW\n");
}

#[test]
fn cvss_invalid_metric_value_is_named() {
    let o = embargo_cvss("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(!o.status.success(), "{o:?}");
    assert_eq!(o.status.code(), Some(65));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(err.starts_with("embargo cvss: "), "{err}");
    assert!(err.contains("AV"), "{err}");
}

#[test]
fn cvss_garbage_is_rejected() {
    for garbage in ["garbage", "", "CVSS:9.9/AV:N", "CVSS:4.0/AV:N/AC:L"] {
        let o = embargo_cvss(garbage);
        assert!(!o.status.success(), "{garbage:?}: {o:?}");
        assert_eq!(stdout(&o), "", "{garbage:?}");
        assert!(
            stderr(&o).starts_with("embargo cvss: "),
            "{garbage:?}: {o:?}"
        );
    }
    let o = embargo_cvss("CVSS:4.0/AV:N/AC:L");
    assert!(stderr(&o).contains("AT (Attack Requirements)"), "{o:?}");
}
