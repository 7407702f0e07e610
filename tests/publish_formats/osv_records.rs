//! OSV records.

use super::*;

// ---- OSV --------------------------------------------------------------------

#[test]
pub(super) fn osv_records_are_valid() {
    for (adv, site) in fixtures() {
        let rec = osv::render(&adv, &site);
        let errors = schema_errors(osv_schema(), &rec);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{rec:#}", adv.id);
        assert_eq!(rec["schema_version"], "1.7.0");
    }
}

#[test]
pub(super) fn osv_record_fields() {
    let rec = osv::render(&rich(), &site());
    assert_eq!(rec["id"], "x_OCI-2026-0001");
    assert_eq!(rec["published"], "2026-03-02T10:00:00Z");
    assert_eq!(rec["modified"], "2026-03-05T08:30:00Z");
    assert!(rec.get("withdrawn").is_none());
    assert_eq!(
        rec["aliases"],
        json!(["CVE-2026-12345", "GHSA-abcd-efgh-ijkl"])
    );
    assert_eq!(rec["summary"], "Heap overflow in the image decoder");
    assert_eq!(
        rec["severity"],
        json!([{"type": "CVSS_V3", "score": V3}, {"type": "CVSS_V4", "score": V4}])
    );
    let npm = &rec["affected"][0];
    assert_eq!(
        npm["package"],
        json!({"ecosystem": "npm", "name": "@example/imagekit", "purl": "pkg:npm/%40example/imagekit"})
    );
    assert_eq!(npm["ranges"][0]["type"], "SEMVER");
    assert!(npm["ranges"][0].get("repo").is_none());
    assert_eq!(
        npm["ranges"][1]["repo"],
        "https://github.com/example/imagekit"
    );
    assert_eq!(npm["ranges"][1]["events"][1], json!({"fixed": FIX_COMMIT}));
    assert_eq!(npm["versions"], json!(["1.2.0", "1.2.1", "1.2.2", "2.0.4"]));
    assert_eq!(
        rec["affected"][1]["ranges"][0]["events"],
        json!([{"introduced": "1.0"}, {"last_affected": "1.4.2"}])
    );
    assert_eq!(
        rec["references"][0],
        json!({"type": "ADVISORY", "url": "https://security.example.org/advisories/OCI-2026-0001"})
    );
    assert_eq!(rec["references"].as_array().unwrap().len(), 4);
    assert_eq!(
        rec["credits"][0],
        json!({"name": "Rita Finder", "type": "FINDER", "contact": [
            "mailto:rita@example.net", "https://rita.example.net", "https://github.com/rita-f"
        ]})
    );
    assert_eq!(
        rec["credits"][1]["contact"],
        json!(["https://github.com/tomfix"])
    );
    assert_eq!(
        rec["database_specific"],
        json!({
            "cwe_ids": ["CWE-787", "CWE-79"],
            "unaffected_versions": ["3.0.0"],
            "url": "https://security.example.org/advisories/OCI-2026-0001"
        })
    );

    let min = osv::render(&minimal(), &site());
    for absent in ["aliases", "details", "severity", "credits", "withdrawn"] {
        assert!(min.get(absent).is_none(), "{absent} in {min:#}");
    }
    assert!(min["affected"][0].get("ranges").is_none());
    assert!(min["affected"][0]["package"].get("purl").is_none());
    assert_eq!(min["references"].as_array().unwrap().len(), 1);

    let w = osv::render(&withdrawn(), &coordinator());
    assert_eq!(w["withdrawn"], "2026-01-10T12:00:00Z");
    assert_eq!(w["modified"], "2026-01-10T12:00:00Z");
    assert!(w["database_specific"].get("unaffected_versions").is_none());
}

#[test]
pub(super) fn a_withdrawn_osv_record_says_why_in_its_details() {
    let w = osv::render(&withdrawn(), &coordinator());
    let details = w["details"].as_str().expect("details");
    assert!(
        details.starts_with(
            "This advisory was withdrawn: The comparison is constant-time; the report was mistaken."
        ),
        "{details}"
    );
    assert!(details.ends_with("Token comparison was thought to leak timing."));
    assert!(schema_errors(osv_schema(), &w).is_empty());

    let mut no_details = withdrawn();
    no_details.content.details = String::new();
    let w = osv::render(&no_details, &coordinator());
    assert_eq!(
        w["details"],
        "This advisory was withdrawn: The comparison is constant-time; the report was mistaken."
    );
}

#[test]
pub(super) fn a_git_reference_is_a_valid_osv_reference() {
    let mut adv = rich();
    adv.content.references[0].kind = "GIT".into();
    adv.content.references[0].url = "https://github.com/example/imagekit".into();
    adv.content
        .validate()
        .expect("GIT is an OSV reference type");
    let rec = osv::render(&adv, &site());
    assert!(schema_errors(osv_schema(), &rec).is_empty(), "{rec:#}");
    assert!(
        rec["references"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "GIT")
    );
}

#[test]
pub(super) fn osv_schema_rejects_broken_records() {
    let good = osv::render(&rich(), &site());
    assert!(schema_errors(osv_schema(), &good).is_empty());
    let mut no_id = good.clone();
    no_id.as_object_mut().unwrap().remove("id");
    let mut bad_prefix = good.clone();
    bad_prefix["id"] = json!("OCI-2026-0001");
    let mut short_commit = good.clone();
    short_commit["affected"][0]["ranges"][1]["events"][1] = json!({"fixed": "89abcdef"});
    let mut bad_date = good.clone();
    bad_date["modified"] = json!("2026-03-05 08:30");
    for (what, doc) in [
        ("no id", no_id),
        ("unregistered prefix", bad_prefix),
        ("short commit", short_commit),
        ("bad date", bad_date),
    ] {
        assert!(
            !schema_errors(osv_schema(), &doc).is_empty(),
            "{what} accepted"
        );
    }
}
