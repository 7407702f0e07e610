use super::*;

#[test]
fn advisory_ids() {
    let id = AdvisoryId::new("OCI", 2026, 7);
    assert_eq!(id.as_str(), "OCI-2026-0007");
    assert_eq!(id.year(), "2026");
    assert_eq!(
        AdvisoryId::parse("KUBE-SEC-2026-12345").unwrap().year(),
        "2026"
    );
    for bad in [
        "",
        "OCI-26-0001",
        "oci-2026-0001",
        "OCI-2026-01",
        "OCI-2026-00x1",
        "-2026-0001",
    ] {
        assert!(AdvisoryId::parse(bad).is_err(), "{bad}");
    }
    assert!(is_prefix("OCI") && is_prefix("KUBE-SEC") && !is_prefix("oci") && !is_prefix("A-"));
}

#[test]
fn state_machine() {
    use AdvisoryState::*;
    assert_eq!(Draft.embargo(), Ok(Embargoed));
    assert_eq!(Embargoed.embargo(), Ok(Embargoed));
    assert_eq!(Embargoed.publish(), Ok(Published));
    assert!(Published.embargo().is_err());
    assert!(Published.publish().is_err());
    assert_eq!(Published.withdraw(), Ok(Withdrawn));
    assert!(Withdrawn.withdraw().is_err());
    assert!(Withdrawn.edit().is_err());
    assert!(!Embargoed.is_public() && Withdrawn.is_public());
}

#[test]
fn osv_shaped_json_round_trips() {
    let json = serde_json::json!({
        "summary": "Overflow",
        "affected": [{
            "package": {"ecosystem": "Go", "name": "example.org/x", "purl": "pkg:golang/example.org/x"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}],
            "versions": ["1.0.0"]
        }],
        "credits": [{"name": "Rita", "type": "FINDER", "contact": "mailto:rita@example.net"}],
        "references": [{"type": "FIX", "url": "https://example.org/fix"}]
    });
    let mut c: Content = serde_json::from_value(json).unwrap();
    assert_eq!(c.credits[0].contact, vec!["mailto:rita@example.net"]);
    assert_eq!(c.fixed_versions(), vec!["1.2.3"]);
    c.validate().unwrap();
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(
        back["affected"][0]["ranges"][0]["events"][1]["fixed"],
        "1.2.3"
    );
}

#[test]
fn ecosystems_and_git_commits_follow_osv() {
    assert!(is_ecosystem("Go") && is_ecosystem("Debian:12") && is_ecosystem("crates.io"));
    assert!(!is_ecosystem("go") && !is_ecosystem("Debian:") && !is_ecosystem(""));
    let commit = "a".repeat(40);
    let mut c: Content = serde_json::from_value(serde_json::json!({
        "summary": "s",
        "affected": [{"package": {"ecosystem": "GIT", "name": "https://example.org/r.git"},
                      "ranges": [{"type": "GIT", "repo": "https://example.org/r.git",
                                  "events": [{"introduced": "0"}, {"fixed": commit}]}]}]
    }))
    .unwrap();
    c.validate().unwrap();
    c.affected[0].ranges[0].events[1] = Event::Fixed("abc123".into());
    assert!(
        c.validate()
            .unwrap_err()
            .get("affected[0].ranges[0].events")
            .is_some()
    );
}

#[test]
fn validation_names_each_bad_field() {
    let mut c: Content = serde_json::from_value(serde_json::json!({
        "summary": "",
        "affected": [{"package": {"ecosystem": "", "name": "x"},
                      "ranges": [{"type": "GIT", "events": [{"fixed": "abc"}]}]}],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/garbage"}],
        "database_specific": {"cwe_ids": ["79"]},
        "aliases": ["CVE-26-1"],
        "credits": [{"name": "", "type": "HERO"}],
        "references": [{"type": "BLOG", "url": "ftp://x"}]
    }))
    .unwrap();
    let e = c.validate().unwrap_err();
    for f in [
        "summary",
        "affected[0].package.ecosystem",
        "affected[0].ranges[0].repo",
        "affected[0].ranges[0].events",
        "severity[0].score",
        "database_specific.cwe_ids[0]",
        "aliases[0]",
        "credits[0].name",
        "credits[0].type",
        "references[0].type",
        "references[0].url",
    ] {
        assert!(e.get(f).is_some(), "no error for {f}: {e}");
    }
}

#[test]
fn semver_means_semver_2_0() {
    for good in [
        "0.0.0",
        "1.2.3",
        "10.20.30",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-0.3.7",
        "1.0.0-x-y-z.--",
        "1.0.0+20130313144700",
        "1.0.0-beta+exp.sha.5114f85",
    ] {
        assert!(validate::is_semver(good), "{good}");
    }
    for bad in [
        "",
        "1",
        "1.2",
        "v1.2.3",
        "1.2.3.4",
        "01.1.1",
        "1.01.1",
        "1.1.01",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-01",
        "1.2.3-a..b",
        "1.2.3-a_b",
        " 1.2.3",
        "1.2.3 ",
        "-1.2.3",
    ] {
        assert!(!validate::is_semver(bad), "{bad}");
    }
}

#[test]
fn cwe_ids_must_be_in_the_catalogue() {
    let mut c = Content {
        summary: "s".into(),
        ..Content::default()
    };
    c.database_specific.cwe_ids = vec!["CWE-79".into(), "CWE-99999".into()];
    let e = c.validate().unwrap_err();
    assert_eq!(e.get("database_specific.cwe_ids[0]"), None);
    let unknown = e.get("database_specific.cwe_ids[1]").unwrap();
    assert!(unknown.contains("not in the CWE catalogue"), "{unknown}");
    // Content stored before the catalogue was checked keeps its scores.
    c.severity = vec![Severity {
        kind: "CVSS_V3".into(),
        score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
    }];
    assert_eq!(c.scored()[0].base_score, 9.8);
}

#[test]
fn the_bad_event_of_a_range_is_named() {
    let range = |kind, events: &[Event]| Range {
        kind,
        repo: None,
        events: events.to_vec(),
    };
    let ok = [Event::Introduced("0".into()), Event::Fixed("1.2.3".into())];
    assert_eq!(range(RangeType::Semver, &ok).bad_event(), None);
    let bad = [
        Event::Introduced("1.0.0".into()),
        Event::Fixed("1.2.3".into()),
        Event::Limit("v2".into()),
    ];
    assert_eq!(range(RangeType::Semver, &bad).bad_event(), Some(2));
    assert_eq!(range(RangeType::Ecosystem, &bad).bad_event(), None);
    assert_eq!(range(RangeType::Git, &bad).bad_event(), Some(0));
    let empty = [Event::Introduced("0".into()), Event::Fixed(" ".into())];
    assert_eq!(range(RangeType::Ecosystem, &empty).bad_event(), Some(1));
}
