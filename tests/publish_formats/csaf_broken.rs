//! Broken CSAF documents are caught; helpers for products and purls.

use super::*;

#[test]
pub(super) fn mandatory_tests_catch_broken_documents() {
    let good = csaf::render(&rich(), &site());
    assert!(mandatory_tests(&good).is_empty());
    let ids: Vec<String> = products(&good).into_keys().collect();
    let (first, second) = (ids[0].clone(), ids[1].clone());
    fn vuln(d: &mut Value) -> &mut Value {
        &mut d["vulnerabilities"][0]
    }
    fn remove(v: &mut Value, key: &str) {
        v.as_object_mut().unwrap().remove(key);
    }
    fn revision(d: &mut Value, key: &str, value: &str) {
        d["document"]["tracking"]["revision_history"][0][key] = json!(value);
    }
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "6.1.1",
            Box::new(|d| vuln(d)["product_status"]["known_affected"] = json!(["CSAFPID-9999"])),
        ),
        (
            "6.1.2",
            Box::new(move |d| rename_product(d, &second, &first)),
        ),
        (
            "6.1.4",
            Box::new(|d| vuln(d)["remediations"][0]["group_ids"] = json!(["CSAFGID-1"])),
        ),
        ("6.1.6", {
            let id = ids[0].clone();
            Box::new(move |d| vuln(d)["product_status"]["fixed"] = json!([id]))
        }),
        (
            "6.1.7",
            Box::new(|d| {
                let s = vuln(d)["scores"][0].clone();
                vuln(d)["scores"].as_array_mut().unwrap().push(s);
            }),
        ),
        (
            "6.1.8",
            Box::new(|d| vuln(d)["scores"][0]["cvss_v3"]["baseSeverity"] = json!("SEVERE")),
        ),
        (
            "6.1.9",
            Box::new(|d| vuln(d)["scores"][0]["cvss_v3"]["baseScore"] = json!(9.1)),
        ),
        (
            "6.1.10",
            Box::new(|d| vuln(d)["scores"][0]["cvss_v3"]["attackVector"] = json!("LOCAL")),
        ),
        (
            "6.1.11",
            Box::new(|d| vuln(d)["cwe"]["name"] = json!("Buffer Overflow")),
        ),
        ("6.1.12", Box::new(|d| d["document"]["lang"] = json!("qq"))),
        (
            "6.1.13",
            Box::new(|d| {
                d["product_tree"]["branches"][0]["branches"][0]["branches"][0]["product"]["product_identification_helper"]
                    ["purl"] = json!("pkg:npm/%4gexample/x");
            }),
        ),
        (
            "6.1.14",
            Box::new(|d| revision(d, "date", "2026-03-06T00:00:00Z")),
        ),
        (
            "6.1.16",
            Box::new(|d| d["document"]["tracking"]["version"] = json!("1")),
        ),
        ("6.1.18", Box::new(|d| revision(d, "number", "0"))),
        (
            "6.1.20",
            Box::new(|d| d["document"]["tracking"]["version"] = json!("0")),
        ),
        ("6.1.21", Box::new(|d| revision(d, "number", "0"))),
        ("6.1.22", Box::new(|d| revision(d, "number", "2"))),
        (
            "6.1.26",
            Box::new(|d| d["document"]["category"] = json!("Security Advisory")),
        ),
        ("6.1.27.4", Box::new(|d| remove(d, "product_tree"))),
        ("6.1.27.5", Box::new(|d| remove(vuln(d), "notes"))),
        ("6.1.27.6", Box::new(|d| remove(vuln(d), "product_status"))),
        ("6.1.27.11", Box::new(|d| remove(d, "vulnerabilities"))),
        (
            "6.1.28",
            Box::new(|d| d["document"]["source_lang"] = json!("en")),
        ),
        (
            "6.1.29",
            Box::new(|d| remove(&mut vuln(d)["remediations"][0], "product_ids")),
        ),
        ("6.1.30", Box::new(|d| revision(d, "number", "1.0.0"))),
        (
            "6.1.31",
            Box::new(|d| {
                d["product_tree"]["branches"][0]["branches"][0]["branches"][0]["category"] =
                    json!("product_version");
            }),
        ),
        (
            "6.1.32",
            Box::new(|d| vuln(d)["flags"] = json!([{"label": "component_not_present"}])),
        ),
    ];
    for (test, mutate) in cases {
        let mut doc = good.clone();
        mutate(&mut doc);
        let failures = mandatory_tests(&doc);
        assert!(
            failures.iter().any(|f| f.starts_with(&format!("{test} "))),
            "{test} not caught; got {failures:#?}"
        );
    }
}

pub(super) fn rename_product(doc: &mut Value, from: &str, to: &str) {
    fn walk(b: &mut Value, from: &str, to: &str) {
        for branch in b.as_array_mut().into_iter().flatten() {
            if let Some(p) = branch.get_mut("product")
                && p["product_id"] == from
            {
                p["product_id"] = json!(to);
            }
            if let Some(sub) = branch.get_mut("branches") {
                walk(sub, from, to);
            }
        }
    }
    walk(&mut doc["product_tree"]["branches"], from, to);
}

#[test]
pub(super) fn csaf_without_packages_is_still_a_security_advisory() {
    let mut adv = minimal();
    adv.content.affected.clear();
    adv.content.database_specific.unaffected_versions = vec!["1.1.0".into()];
    let doc = csaf::render(&adv, &site());
    assert!(schema_errors(csaf_schema(), &doc).is_empty());
    assert_eq!(mandatory_tests(&doc), Vec::<String>::new());
    assert_eq!(
        doc["product_tree"]["full_product_names"][0]["name"],
        "Products named in advisory OCI-2026-0002"
    );
    let v = &doc["vulnerabilities"][0];
    assert_eq!(
        v["product_status"]["known_affected"],
        json!(["CSAFPID-0001"])
    );
    assert!(v["product_status"].get("known_not_affected").is_none());
}

#[test]
pub(super) fn vers_and_purl_helpers() {
    use embargo::domain::advisory::Range;
    let range = |v: Value| -> Range { serde_json::from_value(v).unwrap() };
    let semver = range(json!({"type": "SEMVER", "events": [
        {"fixed": "1.10.0"}, {"introduced": "1.2.0-rc.1"}, {"introduced": "0"}, {"fixed": "1.2.0-beta"}
    ]}));
    assert_eq!(
        csaf::vers(&semver, "semver"),
        "vers:semver/<1.2.0-beta|>=1.2.0-rc.1|<1.10.0"
    );
    let open = range(json!({"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}));
    assert_eq!(csaf::vers(&open, "npm"), "vers:npm/*");
    let limited = range(json!({"type": "ECOSYSTEM", "events": [
        {"introduced": "1:2.0-1"}, {"limit": "1:2.5-1"}
    ]}));
    assert_eq!(csaf::vers(&limited, "deb"), "vers:deb/>=1:2.0-1|<1:2.5-1");
    assert_eq!(
        csaf::vers_scheme(Some("pkg:deb/debian/openssl"), "Debian:12"),
        "deb"
    );
    assert_eq!(csaf::vers_scheme(None, "crates.io"), "cargo");
    assert_eq!(csaf::vers_scheme(None, "Debian:12"), "deb");
    assert_eq!(csaf::vers_scheme(None, "Linux"), "generic");
    assert_eq!(
        csaf::purl_with_version("pkg:deb/debian/openssl?arch=amd64", "1:3.0.11-1"),
        "pkg:deb/debian/openssl@1%3A3.0.11-1?arch=amd64"
    );
    assert_eq!(
        csaf::purl_with_version("pkg:npm/%40scope/x@1.0.0", "2.0.0"),
        "pkg:npm/%40scope/x@2.0.0"
    );
    assert_eq!(
        csaf::versionless_purl("pkg:npm/@scope/x@1.0.0#sub"),
        "pkg:npm/@scope/x#sub"
    );
    for p in [
        "pkg:deb/debian/openssl@1%3A3.0.11-1?arch=amd64",
        "pkg:npm/%40example/imagekit@1.2.0",
        "pkg:golang/example.org/tiny@v1.0.0",
    ] {
        assert_eq!(check_purl(p), Ok(()), "{p}");
    }
    for p in [
        "npm/x",
        "pkg:/x",
        "pkg:npm/",
        "pkg:npm/x@",
        "pkg:npm/a b",
        "pkg:1npm/x",
    ] {
        assert!(check_purl(p).is_err(), "{p}");
    }
    assert!(csaf::is_plain_version("1.2.3") && csaf::is_plain_version("1:2.0-1"));
    for v in ["<1.2", "all", "1.2 and later", "1.x || 2.x", "*"] {
        assert!(!csaf::is_plain_version(v), "{v}");
    }
}
