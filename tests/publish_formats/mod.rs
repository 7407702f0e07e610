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

mod csaf_broken;
mod csaf_documents;
pub(crate) mod cve_records;
mod directory;
mod github_requests;
mod mandatory;
mod mandatory_document;
mod osv_records;
mod tables;

#[allow(unused_imports)]
use csaf_broken::*;
#[allow(unused_imports)]
use csaf_documents::*;
#[allow(unused_imports)]
use directory::*;
#[allow(unused_imports)]
use mandatory::*;
#[allow(unused_imports)]
use mandatory_document::*;
#[allow(unused_imports)]
use osv_records::*;
#[allow(unused_imports)]
use tables::*;

// ---- schemas ----------------------------------------------------------------

pub(super) fn schema(path: &str) -> Value {
    let full = format!("{}/tests/data/schemas/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Serves the schemas the CSAF and provider schemas refer to by URL from
/// tests/data/schemas; anything else is an error (nothing is fetched).
pub(super) struct LocalSchemas;

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

pub(super) fn validator(path: &str) -> Validator {
    jsonschema::options()
        .with_retriever(LocalSchemas)
        .should_validate_formats(true)
        .build(&schema(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(super) fn osv_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("osv/schema.json"))
}

pub(super) fn csaf_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("csaf-2.0/csaf_json_schema.json"))
}

pub(super) fn provider_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("csaf-2.0/provider_json_schema.json"))
}

pub(super) fn cvss_schema(version: &str) -> &'static Validator {
    static V30: OnceLock<Validator> = OnceLock::new();
    static V31: OnceLock<Validator> = OnceLock::new();
    match version {
        "3.0" => V30.get_or_init(|| validator("csaf-2.0/cvss-v3.0.json")),
        "3.1" => V31.get_or_init(|| validator("csaf-2.0/cvss-v3.1.json")),
        other => panic!("no CVSS schema for {other}"),
    }
}

pub(super) fn schema_errors(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

// ---- fixtures ---------------------------------------------------------------

pub(super) fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub(super) fn site() -> Site {
    Site {
        org: "Example Project".into(),
        base_url: "https://security.example.org".into(),
        osv_id_prefix: "x_".into(),
        csaf_namespace: "https://example.org".into(),
        csaf_category: "vendor".into(),
        contact_details: "security@example.org".into(),
        cve: None,
    }
}

pub(super) fn coordinator() -> Site {
    Site {
        org: "Example Coordination Team".into(),
        csaf_category: "coordinator".into(),
        contact_details: String::new(),
        ..site()
    }
}

pub(super) const V3: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
pub(super) const V4: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
pub(super) const INTRODUCED: &str = "0123456789abcdef0123456789abcdef01234567";
pub(super) const FIX_COMMIT: &str = "89abcdef0123456789abcdef0123456789abcdef";

pub(super) fn scored(vector: &str, base_score: f64, rating: &'static str) -> ScoredSeverity {
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
pub(super) fn rich() -> Public {
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
        published_early: false,
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
pub(super) fn minimal() -> Public {
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
        published_early: false,
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
/// in 2026; CVSS 3.0; a CWE category, not a weakness.
pub(super) fn withdrawn() -> Public {
    let content: Content = serde_json::from_value(json!({
        "summary": "Timing side channel in token comparison",
        "details": "Token comparison was thought to leak timing.",
        "affected": [{
            "package": {"ecosystem": "crates.io", "name": "tokencmp", "purl": "pkg:cargo/tokencmp"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.3.0"}, {"last_affected": "0.3.9"}]}]
        }],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N"}],
        "database_specific": {"cwe_ids": ["CWE-189"]},
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
        published_early: false,
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

pub(super) fn fixtures() -> Vec<(Public, Site)> {
    vec![
        (rich(), site()),
        (rich(), coordinator()),
        (minimal(), site()),
        (withdrawn(), coordinator()),
    ]
}
