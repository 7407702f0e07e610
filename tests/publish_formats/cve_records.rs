//! CVE records (CVE Record Format 5.1), validated against the official
//! bundled schema.

use super::*;
use embargo::publish::{Cna, cve};

pub(crate) fn cve_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&schema("cve/CVE_Record_Format_bundled.json"))
            .expect("the CVE schema")
    })
}

const ORG: &str = "b3476cb9-2e3d-41a6-98d0-0f47421a65b6";

fn cna_site(base: Site) -> Site {
    Site {
        cve: Some(Cna {
            org_id: ORG.into(),
            short_name: Some("example".into()),
        }),
        ..base
    }
}

/// The fixtures, each with a CVE id.
fn with_cve_ids() -> Vec<(Public, Site)> {
    fixtures()
        .into_iter()
        .enumerate()
        .map(|(i, (mut a, s))| {
            if cve::cve_id(&a.content).is_none() {
                a.content.aliases.push(format!("CVE-2026-{:04}", 9000 + i));
            }
            (a, cna_site(s))
        })
        .collect()
}

#[test]
fn the_schema_accepts_its_own_example_and_rejects_a_broken_one() {
    let example = schema("cve/examples/full-record-basic-example.json");
    assert!(schema_errors(cve_schema(), &example).is_empty());
    let mut broken = example.clone();
    broken["containers"]["cna"]["affected"][0]["versions"][0]
        .as_object_mut()
        .unwrap()
        .remove("versionType");
    assert!(!schema_errors(cve_schema(), &broken).is_empty());
}

#[test]
fn cve_records_are_valid() {
    for (adv, site) in with_cve_ids() {
        let rec = cve::render(&adv, &site).unwrap();
        let errors = schema_errors(cve_schema(), &rec);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{rec:#}", adv.id);
        let expected = if adv.withdrawn.is_some() {
            "REJECTED"
        } else {
            "PUBLISHED"
        };
        assert_eq!(rec["cveMetadata"]["state"], expected, "{}", adv.id);
        assert_eq!(rec["cveMetadata"]["assignerOrgId"], ORG);
    }
}

#[test]
fn a_draft_record_is_valid_before_publication() {
    for (adv, site) in with_cve_ids() {
        let rec =
            cve::render_draft(&adv.id, &adv.content, &adv.scored, adv.modified_at, &site).unwrap();
        let errors = schema_errors(cve_schema(), &rec);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{rec:#}", adv.id);
        assert!(rec["cveMetadata"].get("datePublished").is_none());
        assert!(rec["containers"]["cna"].get("timeline").is_none());
    }
}

#[test]
fn cve_record_fields() {
    let rec = cve::render(&rich(), &cna_site(site())).unwrap();
    assert_eq!(rec["dataVersion"], "5.1");
    let meta = &rec["cveMetadata"];
    assert_eq!(meta["cveId"], "CVE-2026-12345");
    assert_eq!(meta["assignerShortName"], "example");
    assert_eq!(meta["datePublished"], "2026-03-02T10:00:00Z");
    let cna = &rec["containers"]["cna"];
    assert_eq!(cna["title"], "Heap overflow in the image decoder");
    assert!(
        cna["descriptions"][0]["value"]
            .as_str()
            .unwrap()
            .starts_with("A crafted PNG")
    );
    let npm = &cna["affected"][0];
    assert_eq!(npm["collectionURL"], "https://www.npmjs.com");
    assert_eq!(npm["packageName"], "@example/imagekit");
    assert_eq!(npm["vendor"], "Example Project");
    assert_eq!(npm["repo"], "https://github.com/example/imagekit");
    assert_eq!(npm["defaultStatus"], "unaffected");
    let versions = npm["versions"].as_array().unwrap();
    assert!(versions.contains(&json!({"version": "2.0.0", "status": "affected", "versionType": "semver", "lessThan": "2.0.5"})));
    assert!(versions.contains(
        &json!({"version": "0", "status": "affected", "versionType": "semver", "lessThan": "1.2.3"})
    ));
    assert!(versions.contains(&json!({"version": INTRODUCED, "status": "affected", "versionType": "git", "lessThan": FIX_COMMIT})));
    assert!(versions.contains(&json!({"version": "2.0.4", "status": "affected"})));
    let pypi = &cna["affected"][1];
    assert!(pypi["versions"].as_array().unwrap().contains(
        &json!({"version": "1.0", "status": "affected", "versionType": "pypi", "lessThanOrEqual": "1.4.2"})
    ));
    assert_eq!(
        cna["problemTypes"][0]["descriptions"][0]["cweId"],
        "CWE-787"
    );
    assert_eq!(
        cna["problemTypes"][0]["descriptions"][0]["description"],
        "CWE-787 Out-of-bounds Write"
    );
    assert_eq!(cna["metrics"][0]["cvssV3_1"]["baseScore"], 9.8);
    assert_eq!(cna["metrics"][0]["cvssV3_1"]["attackVector"], "NETWORK");
    let v4 = &cna["metrics"][1]["cvssV4_0"];
    assert_eq!(v4["baseScore"], 9.3);
    assert_eq!(v4["baseSeverity"], "CRITICAL");
    assert_eq!(v4["attackRequirements"], "NONE");
    assert_eq!(v4["subIntegrityImpact"], "NONE");
    assert_eq!(
        cna["references"][0],
        json!({"url": "https://security.example.org/advisories/OCI-2026-0001", "tags": ["vendor-advisory"]})
    );
    assert_eq!(cna["references"][1]["tags"], json!(["patch"]));
    assert_eq!(
        cna["credits"],
        json!([
            {"lang": "en", "value": "Rita Finder", "type": "finder"},
            {"lang": "en", "value": "Tom Fixer", "type": "remediation developer"}
        ])
    );
    assert_eq!(cna["datePublic"], "2026-03-02T10:00:00Z");
    let timeline = cna["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[1]["value"], "Revision 2: Added the PyPI package.");
}

#[test]
fn a_withdrawn_advisory_is_a_rejected_record_that_says_why() {
    let mut adv = withdrawn();
    adv.content.aliases.push("CVE-2025-40001".into());
    let rec = cve::render(&adv, &cna_site(coordinator())).unwrap();
    assert_eq!(rec["cveMetadata"]["state"], "REJECTED");
    assert_eq!(rec["cveMetadata"]["dateRejected"], "2026-01-10T12:00:00Z");
    let reasons = &rec["containers"]["cna"]["rejectedReasons"][0]["value"];
    assert!(
        reasons
            .as_str()
            .unwrap()
            .contains("the report was mistaken"),
        "{reasons}"
    );
    assert!(rec["containers"]["cna"].get("affected").is_none());
}

#[test]
fn no_record_without_a_cna_or_a_cve_id() {
    assert_eq!(
        cve::render(&rich(), &site()).unwrap_err(),
        cve::Unavailable::NotConfigured
    );
    assert_eq!(
        cve::render(&minimal(), &cna_site(site())).unwrap_err(),
        cve::Unavailable::NoCveId
    );
}

#[test]
fn a_package_without_versions_is_affected_in_every_version() {
    let mut adv = minimal();
    adv.content.aliases.push("CVE-2026-0002".into());
    adv.content.affected[0].versions.clear();
    let rec = cve::render(&adv, &cna_site(site())).unwrap();
    assert!(schema_errors(cve_schema(), &rec).is_empty(), "{rec:#}");
    let go = &rec["containers"]["cna"]["affected"][0];
    assert_eq!(go["defaultStatus"], "affected");
    assert_eq!(go["collectionURL"], "https://pkg.go.dev");
    assert!(go.get("versions").is_none());
}

#[test]
fn the_schema_checks_the_cvss_objects_inside_our_records() {
    let rec = cve::render(&rich(), &cna_site(site())).unwrap();
    for (metric, field) in [
        ("cvssV3_1", "attackVector"),
        ("cvssV4_0", "attackRequirements"),
    ] {
        let mut broken = rec.clone();
        let metrics = broken["containers"]["cna"]["metrics"]
            .as_array_mut()
            .unwrap();
        let m = metrics
            .iter_mut()
            .find(|m| m.get(metric).is_some())
            .unwrap();
        m[metric][field] = json!("SOMETIMES");
        assert!(
            !schema_errors(cve_schema(), &broken).is_empty(),
            "{metric}.{field} not checked"
        );
    }
}
