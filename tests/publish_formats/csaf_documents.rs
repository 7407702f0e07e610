//! CSAF documents: validity and fields.

use super::*;

// ---- CSAF: the documents ----------------------------------------------------

#[test]
pub(super) fn csaf_documents_are_valid_and_pass_the_mandatory_tests() {
    for (adv, site) in fixtures() {
        let doc = csaf::render(&adv, &site);
        let errors = schema_errors(csaf_schema(), &doc);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{doc:#}", adv.id);
        let failures = mandatory_tests(&doc);
        assert!(failures.is_empty(), "{}: {failures:#?}\n{doc:#}", adv.id);
    }
}

/// Every `product_id` of the tree with the branch path that leads to it.
pub(super) fn products(doc: &Value) -> BTreeMap<String, (Vec<String>, Value)> {
    fn walk(b: &Value, path: Vec<String>, out: &mut BTreeMap<String, (Vec<String>, Value)>) {
        for branch in b.as_array().into_iter().flatten() {
            let mut p = path.clone();
            p.push(format!(
                "{}={}",
                branch["category"].as_str().unwrap(),
                branch["name"].as_str().unwrap()
            ));
            if let Some(prod) = branch.get("product") {
                out.insert(
                    prod["product_id"].as_str().unwrap().to_owned(),
                    (p.clone(), prod.clone()),
                );
            }
            if let Some(sub) = branch.get("branches") {
                walk(sub, p, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&doc["product_tree"]["branches"], Vec::new(), &mut out);
    out
}

pub(super) fn id_of(doc: &Value, product_name: &str) -> String {
    products(doc)
        .into_iter()
        .find(|(_, (_, p))| p["name"] == product_name)
        .unwrap_or_else(|| panic!("no product {product_name}"))
        .0
}

#[test]
pub(super) fn csaf_document_fields() {
    let adv = rich();
    let doc = csaf::render(&adv, &site());
    let d = &doc["document"];
    assert_eq!(d["category"], "csaf_security_advisory");
    assert_eq!(d["csaf_version"], "2.0");
    assert_eq!(d["title"], "Heap overflow in the image decoder");
    assert_eq!(d["lang"], "en");
    assert_eq!(
        d["publisher"],
        json!({"category": "vendor", "name": "Example Project",
               "namespace": "https://example.org", "contact_details": "security@example.org"})
    );
    assert_eq!(d["distribution"]["tlp"]["label"], "WHITE");
    assert_eq!(d["aggregate_severity"]["text"], "CRITICAL");
    assert_eq!(
        d["references"][0],
        json!({"category": "self", "summary": "This CSAF document",
               "url": "https://security.example.org/.well-known/csaf/white/2026/oci-2026-0001.json"})
    );
    assert_eq!(
        d["references"][1]["url"],
        "https://security.example.org/advisories/OCI-2026-0001"
    );
    assert_eq!(d["references"].as_array().unwrap().len(), 5);
    let notes = d["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["category"] == "summary"));
    assert!(notes.iter().any(|n| n["category"] == "description"
        && n["text"].as_str().unwrap().starts_with("A crafted PNG")));

    let t = &d["tracking"];
    assert_eq!(t["id"], "OCI-2026-0001");
    assert_eq!(t["status"], "final");
    assert_eq!(t["version"], "2");
    assert_eq!(t["initial_release_date"], "2026-03-02T10:00:00Z");
    assert_eq!(t["current_release_date"], "2026-03-05T08:30:00Z");
    assert_eq!(
        t["revision_history"],
        json!([
            {"date": "2026-03-02T10:00:00Z", "number": "1", "summary": "Initial publication."},
            {"date": "2026-03-05T08:30:00Z", "number": "2", "summary": "Added the PyPI package."}
        ])
    );
    assert_eq!(t["generator"]["engine"]["name"], "embargo");
    assert_eq!(
        t["generator"]["engine"]["version"],
        env!("CARGO_PKG_VERSION")
    );

    // The tree: vendor → product_name → versions and ranges.
    let prods = products(&doc);
    let range = id_of(&doc, "@example/imagekit vers:semver/<1.2.3|>=2.0.0|<2.0.5");
    assert_eq!(
        prods[&range].0,
        [
            "vendor=Example Project",
            "product_name=@example/imagekit",
            "product_version_range=vers:semver/<1.2.3|>=2.0.0|<2.0.5"
        ]
    );
    assert_eq!(
        prods[&range].1["product_identification_helper"]["purl"],
        "pkg:npm/%40example/imagekit"
    );
    let git = id_of(
        &doc,
        &format!(
            "@example/imagekit vers:generic/>={INTRODUCED}|<{FIX_COMMIT} (commits of https://github.com/example/imagekit)"
        ),
    );
    let eco = id_of(&doc, "imagekit-py vers:pypi/>=1.0|<=1.4.2");
    let v120 = id_of(&doc, "@example/imagekit 1.2.0");
    assert_eq!(
        prods[&v120].1["product_identification_helper"]["purl"],
        "pkg:npm/%40example/imagekit@1.2.0"
    );
    let fixed_123 = id_of(&doc, "@example/imagekit 1.2.3");
    let fixed_205 = id_of(&doc, "@example/imagekit 2.0.5");
    let fixed_commit = id_of(
        &doc,
        &format!("@example/imagekit commit {FIX_COMMIT} of https://github.com/example/imagekit"),
    );
    assert!(
        prods[&fixed_commit]
            .1
            .get("product_identification_helper")
            .is_none()
    );
    let py142 = id_of(&doc, "imagekit-py 1.4.2");
    assert_eq!(
        prods[&py142].1["product_identification_helper"]["purl"],
        "pkg:pypi/imagekit-py@1.4.2"
    );
    assert_eq!(prods.len(), 11, "{prods:#?}");

    let v = &doc["vulnerabilities"][0];
    assert_eq!(v["cve"], "CVE-2026-12345");
    assert_eq!(
        v["ids"],
        json!([{"system_name": "GitHub Security Advisories", "text": "GHSA-abcd-efgh-ijkl"}])
    );
    assert_eq!(
        v["cwe"],
        json!({"id": "CWE-787", "name": "Out-of-bounds Write"})
    );
    assert_eq!(v["release_date"], "2026-03-02T10:00:00Z");
    let notes = v["notes"].as_array().unwrap();
    let text = |title: &str| {
        notes
            .iter()
            .find(|n| n["title"] == title)
            .unwrap_or_else(|| panic!("no note {title}: {notes:#?}"))["text"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(text("Vulnerability description").starts_with("A crafted PNG"));
    let weaknesses = text("Weaknesses (CWE)");
    assert!(
        weaknesses.contains("CWE-787: Out-of-bounds Write"),
        "{weaknesses}"
    );
    assert!(weaknesses.contains("CWE-79: Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"));
    let further = text("Further CVSS scores");
    assert!(
        further.contains(V4) && further.contains("9.3") && further.contains("CRITICAL"),
        "{further}"
    );
    // Two packages: the unaffected version is not pinned on either.
    assert!(text("Versions reported as not affected").contains("3.0.0"));

    let status = &v["product_status"];
    let set = |k: &str| -> BTreeSet<String> {
        status[k]
            .as_array()
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        set("fixed"),
        BTreeSet::from([fixed_123.clone(), fixed_205, fixed_commit])
    );
    let affected = set("known_affected");
    for id in [&range, &git, &eco, &v120, &py142] {
        assert!(affected.contains(id), "{id} not affected");
    }
    assert_eq!(affected.len(), 8);
    assert!(status.get("known_not_affected").is_none());

    let scores = v["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 1);
    assert_eq!(
        scores[0]["cvss_v3"],
        json!({
            "version": "3.1", "vectorString": V3, "baseScore": 9.8, "baseSeverity": "CRITICAL",
            "attackVector": "NETWORK", "attackComplexity": "LOW", "privilegesRequired": "NONE",
            "userInteraction": "NONE", "scope": "UNCHANGED", "confidentialityImpact": "HIGH",
            "integrityImpact": "HIGH", "availabilityImpact": "HIGH"
        })
    );
    let scored: BTreeSet<String> = scores[0]["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(scored, affected);

    let rem = v["remediations"].as_array().unwrap();
    assert_eq!(rem.len(), 2);
    assert_eq!(rem[0]["category"], "vendor_fix");
    assert_eq!(
        rem[0]["url"],
        "https://security.example.org/advisories/OCI-2026-0001"
    );
    let details = rem[0]["details"].as_str().unwrap();
    assert!(
        details.contains("1.2.3, 2.0.5") && details.contains(FIX_COMMIT),
        "{details}"
    );
    assert!(
        rem[0]["product_ids"]
            .as_array()
            .unwrap()
            .contains(&json!(range))
    );
    assert_eq!(rem[1]["category"], "none_available");
    assert!(
        rem[1]["product_ids"]
            .as_array()
            .unwrap()
            .contains(&json!(eco))
    );

    assert_eq!(
        v["acknowledgments"],
        json!([
            {"names": ["Rita Finder"], "summary": "found the vulnerability",
             "urls": ["https://rita.example.net", "https://github.com/rita-f"]},
            {"names": ["Tom Fixer"], "summary": "developed the fix",
             "urls": ["https://github.com/tomfix"]}
        ])
    );
    assert_eq!(v["references"].as_array().unwrap().len(), 3);
    assert_eq!(v["references"][0]["summary"], "Fix");
}

#[test]
pub(super) fn csaf_minimal_and_withdrawn_documents() {
    let doc = csaf::render(&minimal(), &site());
    let d = &doc["document"];
    assert!(d.get("aggregate_severity").is_none());
    assert_eq!(d["tracking"]["version"], "1");
    assert_eq!(
        d["references"][0]["url"],
        "https://security.example.org/.well-known/csaf/white/2026/oci-2026-0002.json"
    );
    let v = &doc["vulnerabilities"][0];
    assert!(v.get("scores").is_none() && v.get("cve").is_none() && v.get("ids").is_none());
    assert_eq!(
        v["cwe"],
        json!({"id": "CWE-532", "name": "Insertion of Sensitive Information into Log File"})
    );
    // The summary stands in for the missing details.
    assert_eq!(v["notes"][0]["text"], "Tiny leaks a token in its logs");
    let prods = products(&doc);
    assert_eq!(prods.len(), 3);
    let not_affected = id_of(&doc, "example.org/tiny 1.1.0");
    assert_eq!(
        v["product_status"]["known_not_affected"],
        json!([not_affected])
    );
    assert_eq!(
        v["product_status"]["known_affected"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        prods
            .values()
            .all(|(_, p)| p.get("product_identification_helper").is_none())
    );
    assert_eq!(v["remediations"][0]["category"], "none_available");

    let adv = withdrawn();
    let doc = csaf::render(&adv, &coordinator());
    let d = &doc["document"];
    assert_eq!(d["tracking"]["status"], "final");
    assert_eq!(d["tracking"]["version"], "2");
    assert_eq!(
        d["tracking"]["current_release_date"],
        "2026-01-10T12:00:00Z"
    );
    assert!(d["publisher"].get("contact_details").is_none());
    let note = &d["notes"][0];
    assert_eq!(note["title"], "Withdrawn");
    let text = note["text"].as_str().unwrap();
    assert!(
        text.contains("2026-01-10T12:00:00Z") && text.contains("constant-time"),
        "{text}"
    );
    // The folder is the year of the initial release (requirement 11).
    assert_eq!(
        d["references"][0]["url"],
        "https://security.example.org/.well-known/csaf/white/2025/oci-2025-0007.json"
    );
    assert_eq!(d["aggregate_severity"]["text"], "LOW");
    // A coordinator's vendor branch is the ecosystem.
    let prods = products(&doc);
    assert_eq!(
        prods.values().next().unwrap().0,
        [
            "vendor=crates.io",
            "product_name=tokencmp",
            "product_version_range=vers:semver/>=0.3.0|<=0.3.9"
        ]
    );
    let v = &doc["vulnerabilities"][0];
    assert_eq!(v["scores"][0]["cvss_v3"]["version"], "3.0");
    assert_eq!(v["scores"][0]["cvss_v3"]["attackVector"], "LOCAL");
    // CWE-189 is a category, which `cwe` may not name: only a note.
    assert!(v.get("cwe").is_none());
    // The withdrawal is said next to the vulnerability too, and nothing is
    // recommended any more.
    assert_eq!(v["notes"][0]["title"], "Withdrawn");
    assert!(v.get("remediations").is_none());
    assert!(
        v["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"].as_str().unwrap().contains("CWE-189"))
    );
}

#[test]
pub(super) fn csaf_schema_rejects_broken_documents() {
    let good = csaf::render(&rich(), &site());
    assert!(schema_errors(csaf_schema(), &good).is_empty());
    let mut no_tracking = good.clone();
    no_tracking["document"]
        .as_object_mut()
        .unwrap()
        .remove("tracking");
    let mut bad_version = good.clone();
    bad_version["document"]["tracking"]["version"] = json!("v2");
    // Only FIRST's CVSS schema (found through the local retriever) knows
    // the severity names.
    let mut bad_severity = good.clone();
    bad_severity["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"] = json!("SEVERE");
    let mut bad_vector = good.clone();
    bad_vector["vulnerabilities"][0]["scores"][0]["cvss_v3"]["vectorString"] =
        json!("CVSS:3.1/AV:Q/AC:L");
    let mut bad_branch = good.clone();
    bad_branch["product_tree"]["branches"][0]["category"] = json!("maker");
    for (what, doc) in [
        ("no tracking", no_tracking),
        ("bad version", bad_version),
        ("bad CVSS severity", bad_severity),
        ("bad CVSS vector", bad_vector),
        ("bad branch category", bad_branch),
    ] {
        assert!(
            !schema_errors(csaf_schema(), &doc).is_empty(),
            "{what} accepted"
        );
    }
}

#[test]
fn any_weakness_of_the_catalogue_is_named_in_csaf() {
    let mut adv = rich();
    adv.content.database_specific.cwe_ids = vec!["CWE-1321".into()];
    let doc = csaf::render(&adv, &site());
    let failures = mandatory_tests(&doc);
    assert!(failures.is_empty(), "{failures:#?}");
    let expected = CWE_CATALOGUE
        .iter()
        .find(|(id, _)| *id == "CWE-1321")
        .unwrap()
        .1;
    assert_eq!(
        doc["vulnerabilities"][0]["cwe"],
        json!({"id": "CWE-1321", "name": expected})
    );
}
