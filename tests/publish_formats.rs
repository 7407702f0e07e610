//! OSV and CSAF 2.0 output: every record and document is validated against
//! the official schemas (copied unchanged into tests/data/schemas, with the
//! schemas they refer to served locally: no network), every CSAF document
//! runs through the mandatory tests of CSAF 2.0 section 6.1 that apply to
//! `csaf_security_advisory`, and the checks are shown to fail on broken input.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::sync::OnceLock;

use embargo::domain::advisory::{AdvisoryId, Content, ScoredSeverity};
use embargo::publish::{Public, Revision, Site, Withdrawal, csaf, osv};
use jiff::Timestamp;
use jsonschema::{Retrieve, Uri, Validator};
use serde_json::{Value, json};

// ---- schemas ----------------------------------------------------------------

fn schema(path: &str) -> Value {
    let full = format!("{}/tests/data/schemas/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Serves the schemas the CSAF and provider schemas refer to by URL from
/// tests/data/schemas; anything else is an error (nothing is fetched).
struct LocalSchemas;

impl Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let url = uri.as_str();
        let url = url.split('#').next().unwrap_or(url);
        let file = match url {
            "https://www.first.org/cvss/cvss-v2.0.json" => "csaf-2.0/cvss-v2.0.json",
            "https://www.first.org/cvss/cvss-v3.0.json" => "csaf-2.0/cvss-v3.0.json",
            "https://www.first.org/cvss/cvss-v3.1.json" => "csaf-2.0/cvss-v3.1.json",
            "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json" => {
                "csaf-2.0/csaf_json_schema.json"
            }
            other => return Err(format!("no local copy of {other}").into()),
        };
        Ok(schema(file))
    }
}

fn validator(path: &str) -> Validator {
    jsonschema::options()
        .with_retriever(LocalSchemas)
        .should_validate_formats(true)
        .build(&schema(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn osv_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("osv/schema.json"))
}

fn csaf_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("csaf-2.0/csaf_json_schema.json"))
}

fn provider_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("csaf-2.0/provider_json_schema.json"))
}

fn cvss_schema(version: &str) -> &'static Validator {
    static V30: OnceLock<Validator> = OnceLock::new();
    static V31: OnceLock<Validator> = OnceLock::new();
    match version {
        "3.0" => V30.get_or_init(|| validator("csaf-2.0/cvss-v3.0.json")),
        "3.1" => V31.get_or_init(|| validator("csaf-2.0/cvss-v3.1.json")),
        other => panic!("no CVSS schema for {other}"),
    }
}

fn schema_errors(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

// ---- fixtures ---------------------------------------------------------------

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn site() -> Site {
    Site {
        org: "Example Project".into(),
        base_url: "https://security.example.org".into(),
        osv_id_prefix: "x_".into(),
        csaf_namespace: "https://example.org".into(),
        csaf_category: "vendor".into(),
        contact_details: "security@example.org".into(),
    }
}

fn coordinator() -> Site {
    Site {
        org: "Example Coordination Team".into(),
        csaf_category: "coordinator".into(),
        contact_details: String::new(),
        ..site()
    }
}

const V3: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const V4: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
const INTRODUCED: &str = "0123456789abcdef0123456789abcdef01234567";
const FIX_COMMIT: &str = "89abcdef0123456789abcdef0123456789abcdef";

fn scored(vector: &str, base_score: f64, rating: &'static str) -> ScoredSeverity {
    ScoredSeverity {
        kind: if vector.starts_with("CVSS:4") {
            "CVSS_V4"
        } else {
            "CVSS_V3"
        }
        .into(),
        score: vector.into(),
        base_score,
        rating,
    }
}

/// Two packages, SEMVER (given out of order) + GIT + ECOSYSTEM ranges,
/// explicit versions, purls, CVSS 3.1 and 4.0, two CWEs, a CVE and a GHSA
/// alias, credits with GitHub handles, references, two revisions.
fn rich() -> Public {
    let content: Content = serde_json::from_value(json!({
        "summary": "Heap overflow in the image decoder",
        "details": "A crafted PNG makes `decode()` write past the end of its buffer.\n\nUpgrade.",
        "affected": [
            {
                "package": {"ecosystem": "npm", "name": "@example/imagekit",
                            "purl": "pkg:npm/%40example/imagekit"},
                "ranges": [
                    {"type": "SEMVER", "events": [
                        {"introduced": "2.0.0"}, {"fixed": "2.0.5"},
                        {"introduced": "0"}, {"fixed": "1.2.3"}
                    ]},
                    {"type": "GIT", "repo": "https://github.com/example/imagekit", "events": [
                        {"introduced": INTRODUCED}, {"fixed": FIX_COMMIT}
                    ]}
                ],
                "versions": ["1.2.0", "1.2.1", "1.2.2", "2.0.4"]
            },
            {
                "package": {"ecosystem": "PyPI", "name": "imagekit-py", "purl": "pkg:pypi/imagekit-py"},
                "ranges": [{"type": "ECOSYSTEM", "events": [
                    {"introduced": "1.0"}, {"last_affected": "1.4.2"}
                ]}],
                "versions": ["1.4.2"]
            }
        ],
        "severity": [
            {"type": "CVSS_V3", "score": V3},
            {"type": "CVSS_V4", "score": V4}
        ],
        "database_specific": {"cwe_ids": ["CWE-787", "CWE-79"], "unaffected_versions": ["3.0.0"]},
        "aliases": ["CVE-2026-12345", "GHSA-abcd-efgh-ijkl"],
        "credits": [
            {"name": "Rita Finder", "type": "FINDER",
             "contact": ["mailto:rita@example.net", "https://rita.example.net"], "github": "rita-f"},
            {"name": "Tom Fixer", "type": "REMEDIATION_DEVELOPER", "github": "@tomfix"}
        ],
        "references": [
            {"type": "FIX", "url": format!("https://github.com/example/imagekit/commit/{FIX_COMMIT}")},
            {"type": "REPORT", "url": "https://github.com/example/imagekit/issues/42"},
            {"type": "WEB", "url": "https://blog.example.net/imagekit-overflow"}
        ]
    }))
    .unwrap();
    Public {
        id: AdvisoryId::parse("OCI-2026-0001").unwrap(),
        content,
        scored: vec![scored(V3, 9.8, "CRITICAL"), scored(V4, 9.3, "CRITICAL")],
        published_at: ts("2026-03-02T10:00:00Z"),
        modified_at: ts("2026-03-05T08:30:00Z"),
        withdrawn: None,
        revisions: vec![
            Revision {
                number: 1,
                at: ts("2026-03-02T10:00:00Z"),
                summary: "Initial publication.".into(),
            },
            Revision {
                number: 2,
                at: ts("2026-03-05T08:30:00Z"),
                summary: "Added the PyPI package.".into(),
            },
        ],
    }
}

/// One package, explicit versions only, no severity, one unaffected version.
fn minimal() -> Public {
    let content: Content = serde_json::from_value(json!({
        "summary": "Tiny leaks a token in its logs",
        "affected": [{
            "package": {"ecosystem": "Go", "name": "example.org/tiny"},
            "versions": ["1.0.0", "1.0.1"]
        }],
        "database_specific": {"cwe_ids": ["CWE-532"], "unaffected_versions": ["1.1.0"]}
    }))
    .unwrap();
    Public {
        id: AdvisoryId::parse("OCI-2026-0002").unwrap(),
        content,
        scored: Vec::new(),
        published_at: ts("2026-04-01T09:00:00Z"),
        modified_at: ts("2026-04-01T09:00:00Z"),
        withdrawn: None,
        revisions: vec![Revision {
            number: 1,
            at: ts("2026-04-01T09:00:00Z"),
            summary: "Initial publication.".into(),
        }],
    }
}

/// Withdrawn; allocated in 2025, published on 30 December 2025, withdrawn
/// in 2026; CVSS 3.0; no CWE known to the table.
fn withdrawn() -> Public {
    let content: Content = serde_json::from_value(json!({
        "summary": "Timing side channel in token comparison",
        "details": "Token comparison was thought to leak timing.",
        "affected": [{
            "package": {"ecosystem": "crates.io", "name": "tokencmp", "purl": "pkg:cargo/tokencmp"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.3.0"}, {"last_affected": "0.3.9"}]}]
        }],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N"}],
        "database_specific": {"cwe_ids": ["CWE-208"]},
        "aliases": ["GHSA-wxyz-wxyz-wxyz"]
    }))
    .unwrap();
    Public {
        id: AdvisoryId::parse("OCI-2025-0007").unwrap(),
        content,
        scored: vec![scored(
            "CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N",
            2.5,
            "LOW",
        )],
        published_at: ts("2025-12-30T23:00:00Z"),
        modified_at: ts("2026-01-10T12:00:00Z"),
        withdrawn: Some(Withdrawal {
            at: ts("2026-01-10T12:00:00Z"),
            reason: "The comparison is constant-time; the report was mistaken.".into(),
        }),
        revisions: vec![
            Revision {
                number: 1,
                at: ts("2025-12-30T23:00:00Z"),
                summary: "Initial publication.".into(),
            },
            Revision {
                number: 2,
                at: ts("2026-01-10T12:00:00Z"),
                summary: "Withdrawn: not a vulnerability.".into(),
            },
        ],
    }
}

fn fixtures() -> Vec<(Public, Site)> {
    vec![
        (rich(), site()),
        (rich(), coordinator()),
        (minimal(), site()),
        (withdrawn(), coordinator()),
    ]
}

// ---- OSV --------------------------------------------------------------------

#[test]
fn osv_records_are_valid() {
    for (adv, site) in fixtures() {
        let rec = osv::render(&adv, &site);
        let errors = schema_errors(osv_schema(), &rec);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{rec:#}", adv.id);
        assert_eq!(rec["schema_version"], "1.7.0");
    }
}

#[test]
fn osv_record_fields() {
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
fn osv_schema_rejects_broken_records() {
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

// ---- CSAF: the documents ----------------------------------------------------

#[test]
fn csaf_documents_are_valid_and_pass_the_mandatory_tests() {
    for (adv, site) in fixtures() {
        let doc = csaf::render(&adv, &site);
        let errors = schema_errors(csaf_schema(), &doc);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{doc:#}", adv.id);
        let failures = mandatory_tests(&doc);
        assert!(failures.is_empty(), "{}: {failures:#?}\n{doc:#}", adv.id);
    }
}

/// Every `product_id` of the tree with the branch path that leads to it.
fn products(doc: &Value) -> BTreeMap<String, (Vec<String>, Value)> {
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

fn id_of(doc: &Value, product_name: &str) -> String {
    products(doc)
        .into_iter()
        .find(|(_, (_, p))| p["name"] == product_name)
        .unwrap_or_else(|| panic!("no product {product_name}"))
        .0
}

#[test]
fn csaf_document_fields() {
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
fn csaf_minimal_and_withdrawn_documents() {
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
    // CWE-208 is not in the table: no `cwe`, but a note.
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
            .any(|n| n["text"].as_str().unwrap().contains("CWE-208"))
    );
}

#[test]
fn csaf_schema_rejects_broken_documents() {
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
fn mandatory_tests_catch_broken_documents() {
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

fn rename_product(doc: &mut Value, from: &str, to: &str) {
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
fn csaf_without_packages_is_still_a_security_advisory() {
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
fn vers_and_purl_helpers() {
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

// ---- CSAF: directory, file names, provider metadata ---------------------------

#[test]
fn file_names_follow_section_5_1() {
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
fn index_txt_and_changes_csv() {
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
fn provider_metadata_is_valid() {
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
fn fixture_scores_are_the_real_ones() {
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

// ---- CSAF 2.0 section 6.1: mandatory tests ------------------------------------
//
// Checked here on our documents: 6.1.1 to 6.1.33, with these not applicable
// to what we publish and checked only as far as the data allows (they pass
// vacuously): 6.1.3 (no relationships), 6.1.5 (no product groups), 6.1.15
// (we are not a translator), 6.1.17 and 6.1.19 (status final, integer
// versions), 6.1.24 (no involvements), 6.1.25 (no hashes), 6.1.33 (no flags),
// 6.1.27.1 to 6.1.27.3 (informational advisory and incident response
// profiles), 6.1.27.7 to 6.1.27.10 (VEX profile).

const PROFILES: [&str; 5] = [
    "csaf_base",
    "csaf_security_incident_response",
    "csaf_informational_advisory",
    "csaf_security_advisory",
    "csaf_vex",
];

/// Runs the mandatory tests; each failure starts with the test's number.
fn mandatory_tests(doc: &Value) -> Vec<String> {
    let mut f: Vec<String> = Vec::new();
    let d = &doc["document"];
    let vulns: Vec<&Value> = doc["vulnerabilities"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let tree = &doc["product_tree"];

    // Definitions of product ids.
    let mut defined: Vec<String> = Vec::new();
    fn walk_defs(
        b: &Value,
        out: &mut Vec<String>,
        purls: &mut Vec<String>,
        versions: &mut Vec<(String, String)>,
    ) {
        for branch in b.as_array().into_iter().flatten() {
            let cat = branch["category"].as_str().unwrap_or_default().to_owned();
            let name = branch["name"].as_str().unwrap_or_default().to_owned();
            versions.push((cat, name));
            if let Some(p) = branch.get("product") {
                out.push(p["product_id"].as_str().unwrap_or_default().to_owned());
                if let Some(purl) = p["product_identification_helper"]["purl"].as_str() {
                    purls.push(purl.to_owned());
                }
            }
            if let Some(sub) = branch.get("branches") {
                walk_defs(sub, out, purls, versions);
            }
        }
    }
    let mut purls = Vec::new();
    let mut branch_names = Vec::new();
    walk_defs(
        &tree["branches"],
        &mut defined,
        &mut purls,
        &mut branch_names,
    );
    for p in tree["full_product_names"].as_array().into_iter().flatten() {
        defined.push(p["product_id"].as_str().unwrap_or_default().to_owned());
        if let Some(purl) = p["product_identification_helper"]["purl"].as_str() {
            purls.push(purl.to_owned());
        }
    }
    let relationships: Vec<&Value> = tree["relationships"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    for r in &relationships {
        defined.push(
            r["full_product_name"]["product_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }

    // References to product ids and group ids.
    let mut refs: Vec<(String, String)> = Vec::new();
    let mut group_refs: Vec<(String, String)> = Vec::new();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    for g in tree["product_groups"].as_array().into_iter().flatten() {
        for id in strings(&g["product_ids"]) {
            refs.push((id, "product_groups".into()));
        }
    }
    for r in &relationships {
        for k in ["product_reference", "relates_to_product_reference"] {
            if let Some(id) = r[k].as_str() {
                refs.push((id.to_owned(), format!("relationships.{k}")));
            }
        }
    }
    const STATUSES: [&str; 8] = [
        "first_affected",
        "first_fixed",
        "fixed",
        "known_affected",
        "known_not_affected",
        "last_affected",
        "recommended",
        "under_investigation",
    ];
    for (i, v) in vulns.iter().enumerate() {
        for s in STATUSES {
            for id in strings(&v["product_status"][s]) {
                refs.push((id, format!("vulnerabilities[{i}].product_status.{s}")));
            }
        }
        for list in ["scores", "remediations", "threats", "flags"] {
            for item in v[list].as_array().into_iter().flatten() {
                let key = if list == "scores" {
                    "products"
                } else {
                    "product_ids"
                };
                for id in strings(&item[key]) {
                    refs.push((id, format!("vulnerabilities[{i}].{list}")));
                }
                for id in strings(&item["group_ids"]) {
                    group_refs.push((id, format!("vulnerabilities[{i}].{list}")));
                }
            }
        }
    }

    // 6.1.1 Missing Definition of Product ID
    for (id, at) in &refs {
        if !defined.contains(id) {
            f.push(format!("6.1.1 {id} used at {at} is not defined"));
        }
    }
    // 6.1.2 Multiple Definition of Product ID
    let mut seen = BTreeSet::new();
    for id in &defined {
        if !seen.insert(id) {
            f.push(format!("6.1.2 {id} is defined more than once"));
        }
    }
    // 6.1.3 Circular Definition of Product ID
    let mut edges: HashMap<String, Vec<String>> = HashMap::new();
    for r in &relationships {
        let new = r["full_product_name"]["product_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for k in ["product_reference", "relates_to_product_reference"] {
            let to = r[k].as_str().unwrap_or_default().to_owned();
            if to == new {
                f.push(format!("6.1.3 {new} refers to itself"));
            }
            edges.entry(new.clone()).or_default().push(to);
        }
    }
    fn cyclic(n: &str, edges: &HashMap<String, Vec<String>>, stack: &mut Vec<String>) -> bool {
        if stack.iter().any(|s| s == n) {
            return true;
        }
        stack.push(n.to_owned());
        let c = edges
            .get(n)
            .into_iter()
            .flatten()
            .any(|m| cyclic(m, edges, stack));
        stack.pop();
        c
    }
    for n in edges.keys() {
        if cyclic(n, &edges, &mut Vec::new()) {
            f.push(format!("6.1.3 {n} is defined through a cycle"));
        }
    }
    // 6.1.4 / 6.1.5 product group ids
    let groups: Vec<String> = tree["product_groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| g["group_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    for (id, at) in &group_refs {
        if !groups.contains(id) {
            f.push(format!("6.1.4 group {id} used at {at} is not defined"));
        }
    }
    let mut seen = BTreeSet::new();
    for g in &groups {
        if !seen.insert(g) {
            f.push(format!("6.1.5 group {g} is defined more than once"));
        }
    }

    for (i, v) in vulns.iter().enumerate() {
        // 6.1.6 Contradicting Product Status
        let group = |keys: &[&str]| -> BTreeSet<String> {
            keys.iter()
                .flat_map(|k| strings(&v["product_status"][*k]))
                .collect()
        };
        let status_groups = [
            (
                "affected",
                group(&["first_affected", "known_affected", "last_affected"]),
            ),
            ("not affected", group(&["known_not_affected"])),
            ("fixed", group(&["first_fixed", "fixed"])),
            ("under investigation", group(&["under_investigation"])),
        ];
        for (a, (na, sa)) in status_groups.iter().enumerate() {
            for (nb, sb) in &status_groups[a + 1..] {
                for id in sa.intersection(sb) {
                    f.push(format!(
                        "6.1.6 {id} is both {na} and {nb} in vulnerability {i}"
                    ));
                }
            }
        }
        // 6.1.7 Multiple Scores with same Version per Product
        let mut per_product: BTreeMap<(String, String), usize> = BTreeMap::new();
        for s in v["scores"].as_array().into_iter().flatten() {
            for kind in ["cvss_v2", "cvss_v3"] {
                if let Some(version) = s[kind]["version"].as_str() {
                    for p in strings(&s["products"]) {
                        *per_product.entry((p, version.to_owned())).or_default() += 1;
                    }
                }
            }
        }
        for ((p, version), n) in per_product {
            if n > 1 {
                f.push(format!("6.1.7 {p} has {n} CVSS {version} scores"));
            }
        }
        for s in v["scores"].as_array().into_iter().flatten() {
            if s.get("cvss_v2").is_some() {
                f.push("6.1.8 unexpected cvss_v2 (not produced by us, not checked)".into());
            }
            let Some(c) = s.get("cvss_v3") else { continue };
            // 6.1.8 Invalid CVSS: FIRST's schema for the version.
            let version = c["version"].as_str().unwrap_or_default();
            if !["3.0", "3.1"].contains(&version) {
                f.push(format!("6.1.8 CVSS version {version}"));
                continue;
            }
            for e in schema_errors(cvss_schema(version), c) {
                f.push(format!("6.1.8 {e}"));
            }
            let vector = c["vectorString"].as_str().unwrap_or_default();
            // 6.1.9 Invalid CVSS computation
            match cvss::v3::Vector::from_str(vector) {
                Ok(parsed) => {
                    let base = parsed.base_score();
                    if c["baseScore"].as_f64() != Some(base.value()) {
                        f.push(format!(
                            "6.1.9 baseScore {} but {vector} is {}",
                            c["baseScore"],
                            base.value()
                        ));
                    }
                    if c["baseSeverity"].as_str()
                        != Some(base.severity().as_str().to_uppercase().as_str())
                    {
                        f.push(format!(
                            "6.1.9 baseSeverity {} for {}",
                            c["baseSeverity"],
                            base.value()
                        ));
                    }
                }
                Err(e) => f.push(format!("6.1.9 {vector}: {e}")),
            }
            for k in [
                "temporalScore",
                "temporalSeverity",
                "environmentalScore",
                "environmentalSeverity",
            ] {
                if c.get(k).is_some() {
                    f.push(format!(
                        "6.1.9 {k} present (we do not produce it; not checked)"
                    ));
                }
            }
            // 6.1.10 Inconsistent CVSS
            let metrics: HashMap<&str, &str> = vector
                .split('/')
                .skip(1)
                .filter_map(|p| p.split_once(':'))
                .collect();
            for (prop, key, values) in CVSS3_PROPERTIES {
                let Some(given) = c.get(*prop) else { continue };
                let expected = metrics
                    .get(key)
                    .and_then(|m| values.iter().find(|(abbr, _)| abbr == m))
                    .map(|(_, full)| *full);
                if given.as_str() != expected {
                    f.push(format!(
                        "6.1.10 {prop} is {given} but the vector says {expected:?}"
                    ));
                }
            }
        }
        // 6.1.11 CWE
        if let Some(cwe) = v.get("cwe") {
            let id = cwe["id"].as_str().unwrap_or_default();
            match CWE_CATALOGUE.iter().find(|(i, _)| *i == id) {
                Some((_, name)) if cwe["name"] == *name => {}
                Some((_, name)) => f.push(format!(
                    "6.1.11 {id} is named {name:?}, not {}",
                    cwe["name"]
                )),
                None => f.push(format!(
                    "6.1.11 {id} is not in the test's catalogue excerpt"
                )),
            }
        }
        // 6.1.24 Multiple Definition in Involvements
        let mut seen = BTreeSet::new();
        for inv in v["involvements"].as_array().into_iter().flatten() {
            if !seen.insert((inv["party"].to_string(), inv["date"].to_string())) {
                f.push(format!("6.1.24 involvement {inv} twice"));
            }
        }
        // 6.1.27.5 Vulnerability Notes, 6.1.27.6 Product Status
        if (d["category"] == "csaf_security_advisory" || d["category"] == "csaf_vex")
            && v.get("notes").is_none()
        {
            f.push(format!("6.1.27.5 vulnerability {i} has no notes"));
        }
        if d["category"] == "csaf_security_advisory" && v.get("product_status").is_none() {
            f.push(format!("6.1.27.6 vulnerability {i} has no product_status"));
        }
        // 6.1.29 Remediation without Product Reference
        for r in v["remediations"].as_array().into_iter().flatten() {
            if r.get("product_ids").is_none() && r.get("group_ids").is_none() {
                f.push(format!("6.1.29 remediation {r} names no product"));
            }
        }
        // 6.1.32 Flag without Product Reference, 6.1.33 Multiple Flags
        let mut flagged = BTreeSet::new();
        for fl in v["flags"].as_array().into_iter().flatten() {
            if fl.get("product_ids").is_none() && fl.get("group_ids").is_none() {
                f.push(format!("6.1.32 flag {fl} names no product"));
            }
            for p in strings(&fl["product_ids"]) {
                if !flagged.insert(p.clone()) {
                    f.push(format!("6.1.33 {p} has several flags"));
                }
            }
        }
    }

    // 6.1.12 Language, 6.1.28 Translation, 6.1.15 Translator
    for k in ["lang", "source_lang"] {
        if let Some(tag) = d[k].as_str()
            && !valid_language(tag)
        {
            f.push(format!("6.1.12 {k} {tag} is not a known language"));
        }
    }
    if d.get("source_lang").is_some() && d["source_lang"] == d["lang"] {
        f.push("6.1.28 lang equals source_lang".into());
    }
    if d["publisher"]["category"] == "translator" && d.get("source_lang").is_none() {
        f.push("6.1.15 a translator must give source_lang".into());
    }
    // 6.1.13 PURL
    for p in &purls {
        if let Err(e) = check_purl(p) {
            f.push(format!("6.1.13 {p}: {e}"));
        }
    }
    // 6.1.25 Multiple Use of Same Hash Algorithm (we give no hashes)
    fn walk_hashes(v: &Value, f: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(hashes)) = m.get("file_hashes") {
                    let mut seen = BTreeSet::new();
                    for h in hashes {
                        if !seen.insert(h["algorithm"].to_string()) {
                            f.push(format!("6.1.25 algorithm {} twice", h["algorithm"]));
                        }
                    }
                }
                m.values().for_each(|x| walk_hashes(x, f));
            }
            Value::Array(a) => a.iter().for_each(|x| walk_hashes(x, f)),
            _ => {}
        }
    }
    walk_hashes(tree, &mut f);

    // Revision history: 6.1.14, 6.1.16 to 6.1.22, 6.1.30
    let t = &d["tracking"];
    let revs: Vec<(String, String)> = t["revision_history"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["number"].as_str().unwrap_or_default().to_owned(),
                r["date"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let version = t["version"].as_str().unwrap_or_default();
    let status = t["status"].as_str().unwrap_or_default();
    let all_numbers: Vec<&str> = revs
        .iter()
        .map(|(n, _)| n.as_str())
        .chain([version])
        .collect();
    let integer = |n: &str| n.parse::<u64>().ok().filter(|_| !n.contains('+'));
    let integers = all_numbers.iter().all(|n| integer(n).is_some());
    let semvers = all_numbers.iter().all(|n| n.split('.').count() == 3);
    if !integers && !semvers {
        f.push(format!(
            "6.1.30 mixed integer and semantic versions: {all_numbers:?}"
        ));
    }
    // Dates compare as instants.
    let date = |s: &str| s.parse::<Timestamp>().ok();
    let major = |n: &str| {
        n.split(['.', '-', '+'])
            .next()
            .and_then(|m| m.parse::<u64>().ok())
    };
    let number_key = |n: &str| -> Vec<u64> {
        n.split(['-', '+'])
            .next()
            .unwrap_or(n)
            .split('.')
            .filter_map(|x| x.parse().ok())
            .collect()
    };
    let mut by_date = revs.clone();
    by_date.sort_by_key(|(_, d)| date(d));
    let mut by_number = revs.clone();
    by_number.sort_by_key(|(n, _)| number_key(n));
    if by_date
        .iter()
        .map(|r| &r.0)
        .ne(by_number.iter().map(|r| &r.0))
    {
        f.push("6.1.14 revision history sorted by date and by number differ".into());
    }
    match by_date.last() {
        Some((n, _)) if number_key(n) == number_key(version) => {}
        last => f.push(format!(
            "6.1.16 version {version} is not the latest revision {last:?}"
        )),
    }
    let zero_or_pre =
        |n: &str| major(n) == Some(0) || n.split('+').next().unwrap_or(n).contains('-');
    if status == "draft" && !zero_or_pre(version) {
        f.push(format!("6.1.17 draft with version {version}"));
    }
    if status == "final" || status == "interim" {
        for (n, _) in &revs {
            if major(n) == Some(0) {
                f.push(format!("6.1.18 released document has revision {n}"));
            }
            if n.split('+').next().unwrap_or(n).contains('-') {
                f.push(format!(
                    "6.1.19 released document has pre-release revision {n}"
                ));
            }
        }
        if zero_or_pre(version) {
            f.push(format!("6.1.20 released document has version {version}"));
        }
    }
    let mut majors: Vec<u64> = revs.iter().filter_map(|(n, _)| major(n)).collect();
    majors.sort();
    majors.dedup();
    if let Some(first) = majors.first()
        && (*first > 1
            || majors
                .iter()
                .enumerate()
                .any(|(i, m)| *m != first + i as u64))
    {
        f.push(format!("6.1.21 revision history misses items: {majors:?}"));
    }
    let mut seen = BTreeSet::new();
    for (n, _) in &revs {
        if !seen.insert(n) {
            f.push(format!("6.1.22 revision {n} twice"));
        }
    }
    // 6.1.23 Multiple Use of Same CVE
    let mut seen = BTreeSet::new();
    for v in &vulns {
        if let Some(cve) = v["cve"].as_str()
            && !seen.insert(cve)
        {
            f.push(format!("6.1.23 {cve} twice"));
        }
    }
    // 6.1.26 Prohibited Document Category Name
    let category = d["category"].as_str().unwrap_or_default();
    if !PROFILES.contains(&category) {
        let norm = |s: &str| -> String {
            s.chars()
                .filter(|c| {
                    !c.is_whitespace()
                        && !matches!(c, '-' | '_' | '\u{2010}'..='\u{2015}' | '\u{2212}')
                })
                .collect::<String>()
                .to_lowercase()
        };
        let n = norm(category);
        for p in &PROFILES[1..] {
            if n == norm(p) || n == norm(p.trim_start_matches("csaf_")) {
                f.push(format!("6.1.26 category {category} is the profile {p}"));
            }
        }
    }
    // 6.1.27 profile tests
    let informational = [
        "csaf_informational_advisory",
        "csaf_security_incident_response",
    ];
    if informational.contains(&category) {
        let notes = d["notes"].as_array().into_iter().flatten();
        if !notes.into_iter().any(|n| {
            ["description", "details", "general", "summary"]
                .contains(&n["category"].as_str().unwrap_or_default())
        }) {
            f.push("6.1.27.1 no descriptive document note".into());
        }
        if !d["references"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["category"] == "external")
        {
            f.push("6.1.27.2 no external document reference".into());
        }
    }
    if category == "csaf_informational_advisory" && doc.get("vulnerabilities").is_some() {
        f.push("6.1.27.3 informational advisory with vulnerabilities".into());
    }
    if ["csaf_security_advisory", "csaf_vex"].contains(&category) {
        if doc.get("product_tree").is_none() {
            f.push("6.1.27.4 no product_tree".into());
        }
        if doc.get("vulnerabilities").is_none() {
            f.push("6.1.27.11 no vulnerabilities".into());
        }
    }
    // 6.1.31 Version Range in Product Version
    for (cat, name) in &branch_names {
        if cat != "product_version" {
            continue;
        }
        let lower = name.to_lowercase();
        let words = [
            "after", "all", "before", "earlier", "later", "prior", "versions",
        ];
        if lower.contains('<')
            || lower.contains('>')
            || lower.split_whitespace().any(|w| words.contains(&w))
        {
            f.push(format!("6.1.31 product_version {name} is a range"));
        }
    }
    f
}

/// `(property, vector key, [(abbreviation, value)])` for CVSS v3, written
/// from the CVSS 3.1 specification independently of the renderer.
type Cvss3Property = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);
const NLH: &[(&str, &str)] = &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")];
const XNLH: &[(&str, &str)] = &[
    ("X", "NOT_DEFINED"),
    ("N", "NONE"),
    ("L", "LOW"),
    ("H", "HIGH"),
];
const XLMH: &[(&str, &str)] = &[
    ("X", "NOT_DEFINED"),
    ("L", "LOW"),
    ("M", "MEDIUM"),
    ("H", "HIGH"),
];
const CVSS3_PROPERTIES: &[Cvss3Property] = &[
    (
        "attackVector",
        "AV",
        &[
            ("N", "NETWORK"),
            ("A", "ADJACENT_NETWORK"),
            ("L", "LOCAL"),
            ("P", "PHYSICAL"),
        ],
    ),
    ("attackComplexity", "AC", &[("L", "LOW"), ("H", "HIGH")]),
    ("privilegesRequired", "PR", NLH),
    ("userInteraction", "UI", &[("N", "NONE"), ("R", "REQUIRED")]),
    ("scope", "S", &[("U", "UNCHANGED"), ("C", "CHANGED")]),
    ("confidentialityImpact", "C", NLH),
    ("integrityImpact", "I", NLH),
    ("availabilityImpact", "A", NLH),
    (
        "exploitCodeMaturity",
        "E",
        &[
            ("X", "NOT_DEFINED"),
            ("U", "UNPROVEN"),
            ("P", "PROOF_OF_CONCEPT"),
            ("F", "FUNCTIONAL"),
            ("H", "HIGH"),
        ],
    ),
    (
        "remediationLevel",
        "RL",
        &[
            ("X", "NOT_DEFINED"),
            ("O", "OFFICIAL_FIX"),
            ("T", "TEMPORARY_FIX"),
            ("W", "WORKAROUND"),
            ("U", "UNAVAILABLE"),
        ],
    ),
    (
        "reportConfidence",
        "RC",
        &[
            ("X", "NOT_DEFINED"),
            ("U", "UNKNOWN"),
            ("R", "REASONABLE"),
            ("C", "CONFIRMED"),
        ],
    ),
    ("confidentialityRequirement", "CR", XLMH),
    ("integrityRequirement", "IR", XLMH),
    ("availabilityRequirement", "AR", XLMH),
    (
        "modifiedAttackVector",
        "MAV",
        &[
            ("X", "NOT_DEFINED"),
            ("N", "NETWORK"),
            ("A", "ADJACENT_NETWORK"),
            ("L", "LOCAL"),
            ("P", "PHYSICAL"),
        ],
    ),
    (
        "modifiedAttackComplexity",
        "MAC",
        &[("X", "NOT_DEFINED"), ("L", "LOW"), ("H", "HIGH")],
    ),
    ("modifiedPrivilegesRequired", "MPR", XNLH),
    (
        "modifiedUserInteraction",
        "MUI",
        &[("X", "NOT_DEFINED"), ("N", "NONE"), ("R", "REQUIRED")],
    ),
    (
        "modifiedScope",
        "MS",
        &[("X", "NOT_DEFINED"), ("U", "UNCHANGED"), ("C", "CHANGED")],
    ),
    ("modifiedConfidentialityImpact", "MC", XNLH),
    ("modifiedIntegrityImpact", "MI", XNLH),
    ("modifiedAvailabilityImpact", "MA", XNLH),
];

/// An excerpt of the CWE catalogue (names as cwe.mitre.org gives them), for
/// the weaknesses our fixtures use.
const CWE_CATALOGUE: &[(&str, &str)] = &[
    (
        "CWE-79",
        "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
    ),
    ("CWE-208", "Observable Timing Discrepancy"),
    (
        "CWE-532",
        "Insertion of Sensitive Information into Log File",
    ),
    ("CWE-787", "Out-of-bounds Write"),
];

/// BCP 47 shape, with the primary language subtag from a short list of
/// registered ISO 639-1 codes (enough for what we emit).
fn valid_language(tag: &str) -> bool {
    const KNOWN: [&str; 12] = [
        "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "sv", "zh",
    ];
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default().to_ascii_lowercase();
    KNOWN.contains(&primary.as_str())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The package-url grammar: `pkg:type/namespace/name@version?qualifiers#subpath`.
fn check_purl(purl: &str) -> Result<(), String> {
    let rest = purl.strip_prefix("pkg:").ok_or("no pkg: scheme")?;
    let rest = rest.trim_start_matches('/');
    let (rest, subpath) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, qualifiers) = rest.split_once('?').unwrap_or((rest, ""));
    let (ty, path) = rest.split_once('/').ok_or("no type")?;
    if !ty.starts_with(|c: char| c.is_ascii_alphabetic())
        || !ty
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c))
    {
        return Err(format!("bad type {ty}"));
    }
    let (path, version) = match path
        .rfind('/')
        .map_or(path.find('@'), |i| path[i..].find('@').map(|j| i + j))
    {
        Some(at) => (&path[..at], Some(&path[at + 1..])),
        None => (path, None),
    };
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    if name.is_empty() {
        return Err("no name".into());
    }
    if version == Some("") {
        return Err("empty version".into());
    }
    for part in [path, version.unwrap_or_default(), qualifiers, subpath] {
        check_percent_encoding(part)?;
    }
    for q in qualifiers.split('&').filter(|q| !q.is_empty()) {
        let (k, v) = q
            .split_once('=')
            .ok_or(format!("qualifier {q} without value"))?;
        if k.is_empty()
            || v.is_empty()
            || !k
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
        {
            return Err(format!("bad qualifier {q}"));
        }
    }
    Ok(())
}

fn check_percent_encoding(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
            if !hex {
                return Err(format!("bad percent-encoding in {s}"));
            }
            i += 3;
        } else if b[i].is_ascii_graphic() {
            i += 1;
        } else {
            return Err(format!("unencoded character in {s}"));
        }
    }
    Ok(())
}
