//! The CSAF directory: file names, index, changes, provider metadata.

use super::*;

// ---- CSAF: directory, file names, provider metadata ---------------------------

#[test]
pub(super) fn file_names_follow_section_5_1() {
    assert_eq!(csaf::file_name("OCI-2026-0001"), "oci-2026-0001.json");
    assert_eq!(csaf::file_name("Foo/Bar 1"), "foo_bar_1.json");
    assert_eq!(
        csaf::file_name("KUBE-SEC-2026-12345"),
        "kube-sec-2026-12345.json"
    );
    // A run of other characters becomes one underscore; `+` stays.
    assert_eq!(
        csaf::file_name("Example Company -- 2019:YH3234+x"),
        "example_company_--_2019_yh3234+x.json"
    );
    assert_eq!(csaf::file_name("a  /  b"), "a_b.json");
}

#[test]
pub(super) fn index_txt_and_changes_csv() {
    let all = [rich(), minimal(), withdrawn()];
    assert_eq!(
        csaf::index_txt(&all),
        "2025/oci-2025-0007.json\n2026/oci-2026-0001.json\n2026/oci-2026-0002.json\n"
    );
    assert_eq!(
        csaf::changes_csv(&all),
        "\"2026/oci-2026-0002.json\",\"2026-04-01T09:00:00Z\"\n\
         \"2026/oci-2026-0001.json\",\"2026-03-05T08:30:00Z\"\n\
         \"2025/oci-2025-0007.json\",\"2026-01-10T12:00:00Z\"\n"
    );
    assert_eq!(csaf::index_txt(&[]), "");
    assert_eq!(csaf::changes_csv(&[]), "");
    // Each path is where the document's self reference points.
    for (adv, site) in fixtures() {
        let doc = csaf::render(&adv, &site);
        let url = doc["document"]["references"][0]["url"].as_str().unwrap();
        assert!(url.ends_with(&csaf::path(&adv)));
        assert!(csaf::index_txt(std::slice::from_ref(&adv)).contains(&csaf::path(&adv)));
        assert_eq!(
            doc["document"]["tracking"]["current_release_date"],
            embargo::publish::rfc3339(csaf::current_release_date(&adv))
        );
    }
}

#[test]
pub(super) fn provider_metadata_is_valid() {
    let m = csaf::provider_metadata(&site(), ts("2026-04-01T09:00:00Z"));
    let errors = schema_errors(provider_schema(), &m);
    assert!(errors.is_empty(), "{errors:#?}\n{m:#}");
    assert_eq!(
        m["canonical_url"],
        "https://security.example.org/.well-known/csaf/provider-metadata.json"
    );
    assert_eq!(
        m["distributions"],
        json!([{"directory_url": "https://security.example.org/.well-known/csaf/white/"}])
    );
    assert_eq!(m["last_updated"], "2026-04-01T09:00:00Z");
    assert_eq!(m["list_on_CSAF_aggregators"], false);
    assert_eq!(m["mirror_on_CSAF_aggregators"], false);
    assert_eq!(m["metadata_version"], "2.0");
    assert_eq!(m["role"], "csaf_publisher");
    assert!(m.get("public_openpgp_keys").is_none());
    // The same publisher as the documents (requirement 7).
    assert_eq!(
        m["publisher"],
        csaf::render(&rich(), &site())["document"]["publisher"]
    );

    let mut bad_role = m.clone();
    bad_role["role"] = json!("csaf_aggregator");
    let mut bad_url = m.clone();
    bad_url["canonical_url"] = json!("https://security.example.org/provider.json");
    // The publisher is checked through the CSAF schema, found by its $id.
    let mut bad_publisher = m.clone();
    bad_publisher["publisher"]["category"] = json!("hero");
    for (what, doc) in [
        ("bad role", bad_role),
        ("bad canonical URL", bad_url),
        ("bad publisher", bad_publisher),
    ] {
        assert!(
            !schema_errors(provider_schema(), &doc).is_empty(),
            "{what} accepted"
        );
    }
}

#[test]
pub(super) fn fixture_scores_are_the_real_ones() {
    // The fixtures carry scores by hand (domain::cvss may still be a
    // placeholder); check them against the `cvss` crate.
    for s in rich().scored.iter().chain(&withdrawn().scored) {
        let (score, severity) = if s.kind == "CVSS_V4" {
            let v = cvss::v4::Vector::from_str(&s.score).unwrap();
            (v.score().value(), v.score().severity())
        } else {
            let v = cvss::v3::Vector::from_str(&s.score).unwrap();
            (v.base_score().value(), v.base_score().severity())
        };
        assert_eq!(score, s.base_score, "{}", s.score);
        assert_eq!(severity.as_str().to_uppercase(), s.rating, "{}", s.score);
    }
}
