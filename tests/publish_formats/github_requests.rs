//! What embargo sends GitHub for a repository security advisory, checked
//! against the request schemas of GitHub's own REST description.

use super::*;
use crate::common::github_fake::github_schema;
use embargo::publish::github;

fn create_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| github_schema("repository-advisory-create"))
}

#[test]
fn create_and_update_bodies_are_what_githubs_description_accepts() {
    let update = github_schema("repository-advisory-update");
    for (adv, _) in fixtures() {
        let body = github::advisory_request(&adv.content, &adv.scored);
        let errors = schema_errors(create_schema(), &body);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{body:#}", adv.id);
        let errors = schema_errors(&update, &body);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{body:#}", adv.id);
    }
}

#[test]
fn the_schema_refuses_what_github_would() {
    let body = github::advisory_request(&rich().content, &rich().scored);
    for (pointer, bad) in [
        ("/vulnerabilities/0/package/ecosystem", json!("PyPI")),
        ("/credits/0/type", json!("FINDER")),
        ("/summary", json!("x".repeat(1025))),
    ] {
        let mut broken = body.clone();
        *broken.pointer_mut(pointer).unwrap() = bad;
        assert!(
            !schema_errors(create_schema(), &broken).is_empty(),
            "{pointer} not checked"
        );
    }
    let mut extra = body.clone();
    extra["aliases"] = json!([]);
    assert!(!schema_errors(create_schema(), &extra).is_empty());
}

#[test]
fn github_request_fields() {
    let adv = rich();
    let body = github::advisory_request(&adv.content, &adv.scored);
    assert_eq!(body["summary"], "Heap overflow in the image decoder");
    assert_eq!(body["cve_id"], "CVE-2026-12345");
    assert_eq!(body["cvss_vector_string"], V3);
    assert_eq!(body["cwe_ids"], json!(["CWE-787", "CWE-79"]));
    let vulns = body["vulnerabilities"].as_array().unwrap();
    let npm: Vec<_> = vulns
        .iter()
        .filter(|v| v["package"]["ecosystem"] == "npm")
        .map(|v| {
            (
                v["vulnerable_version_range"].clone(),
                v["patched_versions"].clone(),
            )
        })
        .collect();
    assert_eq!(
        npm,
        vec![
            (json!(">= 2.0.0, < 2.0.5"), json!("2.0.5")),
            (json!("< 1.2.3"), json!("1.2.3")),
        ],
        "the GIT range is left out: GitHub takes versions, not commits"
    );
    let pip: Vec<_> = vulns
        .iter()
        .filter(|v| v["package"]["ecosystem"] == "pip")
        .collect();
    assert_eq!(pip.len(), 1);
    assert_eq!(pip[0]["package"]["name"], "imagekit-py");
    assert_eq!(pip[0]["vulnerable_version_range"], ">= 1.0, <= 1.4.2");
    assert_eq!(
        body["credits"],
        json!([
            {"login": "rita-f", "type": "finder"},
            {"login": "tomfix", "type": "remediation_developer"}
        ])
    );

    let minimal = minimal();
    let body = github::advisory_request(&minimal.content, &minimal.scored);
    assert_eq!(body["cve_id"], Value::Null);
    assert_eq!(
        body["description"], body["summary"],
        "no details: the summary"
    );
    let ranges: Vec<_> = body["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["vulnerable_version_range"].clone())
        .collect();
    assert_eq!(ranges, vec![json!("= 1.0.0"), json!("= 1.0.1")]);
    assert_eq!(body["vulnerabilities"][0]["package"]["ecosystem"], "go");
}
