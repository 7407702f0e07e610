//! The request bodies whose handlers read them as the domain's own input
//! types (the advisory's OSV content, an organisation with its contacts,
//! an application), described field by field for the OpenAPI document.
//! Members a body does not name are ignored, as the handlers do (but an
//! edit refuses them); an optional member of the content may be `null`,
//! which the content reads as left out. Tests below hold each to the type the handler
//! deserializes, so the two cannot drift apart.

#![allow(dead_code)]

use std::collections::BTreeMap;

use serde::Deserialize;
use utoipa::ToSchema;

/// A contact person: `name`, `email`, and an optional OpenPGP key.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContactBody {
    /// Not blank; at most 200 characters.
    #[schema(max_length = 200, format = "not-blank")]
    name: String,
    /// Their e-mail address: where the set-up link and the list's mail go.
    #[schema(max_length = 254, format = "mailbox")]
    email: String,
    /// An ASCII-armoured OpenPGP certificate with a usable encryption
    /// key, not expired or revoked, with a user id of `email`; left out,
    /// null or empty: none yet.
    #[schema(max_length = 1048576, format = "openpgp-public-key")]
    openpgp_key: Option<String>,
}

/// An organisation as an admin adds it (a founding member).
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationBody {
    /// Not blank; at most 200 characters; not the name of a member.
    #[schema(max_length = 200, format = "not-blank")]
    organization: String,
    /// An http(s) URL: a host name (letters, digits, dots, hyphens), an
    /// optional port, then printable ASCII.
    #[schema(format = "web-url")]
    website: String,
    /// The monitored security alias (an e-mail address).
    #[schema(max_length = 254, format = "mailbox")]
    security_alias: String,
    /// 1 to 50 people, each address once.
    #[schema(min_items = 1, max_items = 50)]
    contacts: Vec<ContactBody>,
}

/// An application to join the list.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplicationBody {
    /// Not blank; at most 200 characters.
    #[schema(max_length = 200, format = "not-blank")]
    organization: String,
    /// An http(s) URL: a host name (letters, digits, dots, hyphens), an
    /// optional port, then printable ASCII.
    #[schema(format = "web-url")]
    website: String,
    /// The security alias; a confirmation link is mailed to it.
    #[schema(max_length = 254, format = "mailbox")]
    security_alias: String,
    /// One answer (not blank, at most 10000 characters) for each key of
    /// `GET /api/v1/criteria`, and no other key.
    criteria: BTreeMap<String, String>,
    /// 1 to 50 people, each address once.
    #[schema(min_items = 1, max_items = 50)]
    contacts: Vec<ContactBody>,
    /// The id of an active member who vouches (`GET /api/v1/members`), or
    /// its name where the directory is not shown.
    #[schema(format = "not-blank")]
    voucher: String,
}

/// Text with more than white space in it.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(format = "not-blank")]
pub struct NotBlank(String);

/// A CWE id: `CWE-79`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(format = "cwe-id")]
pub struct CweId(String);

/// An id of the same vulnerability elsewhere: a CVE id
/// (`CVE-2026-12345`), or another (`GHSA-xxxx-xxxx-xxxx`) of at most 100
/// letters, digits, `-`, `_`, `.` and `:` that does not start with `CVE`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(format = "osv-alias")]
pub struct Alias(String);

/// An affected package: OSV's `affected` entry.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AffectedBody {
    package: PackageBody,
    /// Ranges or `versions` (at least one of the two).
    #[serde(default)]
    ranges: Vec<RangeBody>,
    /// Explicit affected versions; none blank.
    #[serde(default)]
    #[schema(inline, value_type = Vec<NotBlank>)]
    versions: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PackageBody {
    /// An OSV ecosystem (`Go`, `npm`, `PyPI`, `crates.io`, `Debian`,
    /// `GIT`, ...), optionally with a `:suffix` such as `Debian:12`.
    #[schema(
        pattern = "^(AlmaLinux|Alpaquita|Alpine|Android|Azure Linux|BellSoft Hardened Containers|Bioconductor|Bitnami|Chainguard|CleanStart|ConanCenter|CRAN|crates\\.io|Debian|Docker Hardened Images|Echo|FreeBSD|GHC|GitHub Actions|Go|Hackage|Hex|Julia|Kubernetes|Linux|Mageia|Maven|MinimOS|npm|NuGet|opam|openEuler|openSUSE|OSS-Fuzz|Packagist|Photon OS|Pub|PyPI|Red Hat|Rocky Linux|Root|RubyGems|SUSE|SwiftURL|TuxCare|Ubuntu|VSCode|Wolfi|GIT)(:[^\\u0000]+)?$"
    )]
    ecosystem: String,
    /// Not blank.
    #[schema(format = "not-blank")]
    name: String,
    /// A package URL (`pkg:...`).
    #[serde(default)]
    #[schema(pattern = "^pkg:[^\\u0000]{2,}$")]
    purl: Option<String>,
}

/// An OSV range: its kind and events.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RangeBody {
    /// `SEMVER` (events are SemVer 2.0 versions), `ECOSYSTEM` or `GIT`
    /// (events are full commit hashes, with `repo`).
    #[serde(rename = "type")]
    #[schema(pattern = "^(SEMVER|ECOSYSTEM|GIT)$")]
    kind: String,
    /// The repository URL of a `GIT` range (required there): http(s),
    /// no white space.
    #[serde(default)]
    repo: Option<String>,
    /// At least one `introduced` event (`"0"`: every earlier version);
    /// not both `fixed` and `last_affected`; no blank version. In a
    /// `SEMVER` range every version is SemVer 2.0 (`1.2.3`,
    /// `2.0.0-rc.1`: three numbers without leading zeros, no `v`); in a
    /// `GIT` range a full 40- or 64-character lower-case commit hash; the
    /// `introduced` `"0"` may stand in either.
    #[schema(min_items = 1)]
    events: Vec<EventBody>,
}

/// One range event: exactly one of its members.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventBody {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

/// A CVSS vector and its version.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SeverityBody {
    #[serde(rename = "type")]
    #[schema(pattern = "^(CVSS_V3|CVSS_V4)$")]
    kind: String,
    /// A CVSS vector of the version `type` names: 3.0 or 3.1
    /// (`CVSS:3.1/AV:N/...`) for `CVSS_V3`, 4.0 (`CVSS:4.0/AV:N/...`) for
    /// `CVSS_V4`; every base metric once, in the specification's order,
    /// with a value the specification defines; other metrics optional.
    #[schema(pattern = "^CVSS:(3\\.[01]|4\\.0)/[A-Za-z:/]+$")]
    score: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DatabaseSpecificBody {
    /// CWE ids (`CWE-79`) in the bundled catalogue, MITRE CWE 4.15.
    #[serde(default)]
    #[schema(inline, value_type = Vec<CweId>)]
    cwe_ids: Vec<String>,
    /// Versions known not to be affected.
    #[serde(default)]
    unaffected_versions: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreditBody {
    /// Not blank.
    #[schema(format = "not-blank")]
    name: String,
    /// `FINDER`, `REPORTER`, `ANALYST`, `COORDINATOR`,
    /// `REMEDIATION_DEVELOPER`, `REMEDIATION_REVIEWER`,
    /// `REMEDIATION_VERIFIER`, `TOOL`, `SPONSOR` or `OTHER`.
    #[serde(default, rename = "type")]
    #[schema(
        pattern = "^(FINDER|REPORTER|ANALYST|COORDINATOR|REMEDIATION_DEVELOPER|REMEDIATION_REVIEWER|REMEDIATION_VERIFIER|TOOL|SPONSOR|OTHER)$"
    )]
    kind: Option<String>,
    /// Contact URLs or addresses: one, or a list.
    #[serde(default)]
    contact: Option<Contacts>,
    /// A GitHub user name.
    #[serde(default)]
    #[schema(pattern = "^@?[A-Za-z0-9](-?[A-Za-z0-9]){0,38}$")]
    github: Option<String>,
}

/// One contact, or a list of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Contacts {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReferenceBody {
    /// `ADVISORY`, `ARTICLE`, `DETECTION`, `DISCUSSION`, `REPORT`, `FIX`,
    /// `INTRODUCED`, `GIT`, `PACKAGE`, `EVIDENCE` or `WEB`.
    #[serde(rename = "type")]
    #[schema(
        pattern = "^(ADVISORY|ARTICLE|DETECTION|DISCUSSION|REPORT|FIX|INTRODUCED|GIT|PACKAGE|EVIDENCE|WEB)$"
    )]
    kind: String,
    /// An http(s) URL.
    #[schema(pattern = "^https?://[!-~]{4,1990}$")]
    url: String,
}

/// An advisory's content, shaped like an OSV record; every field may be
/// left out but `summary`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdvisoryBody {
    /// Not blank; at most 200 characters.
    #[schema(max_length = 200, format = "not-blank")]
    summary: String,
    /// Markdown; at most 100000 characters.
    #[serde(default)]
    #[schema(max_length = 100000)]
    details: String,
    #[serde(default)]
    affected: Vec<AffectedBody>,
    #[serde(default)]
    severity: Vec<SeverityBody>,
    #[serde(default)]
    #[schema(nullable = false)]
    database_specific: Option<DatabaseSpecificBody>,
    /// Other ids of the same vulnerability (`CVE-2026-12345`,
    /// `GHSA-xxxx-xxxx-xxxx`).
    #[serde(default)]
    #[schema(inline, value_type = Vec<Alias>)]
    aliases: Vec<String>,
    #[serde(default)]
    credits: Vec<CreditBody>,
    #[serde(default)]
    references: Vec<ReferenceBody>,
    /// Only when creating: the report it comes from; its reporter is
    /// credited if they agreed to it.
    #[serde(default)]
    #[schema(pattern = "^rpt_[a-km-np-z2-9]{16}$")]
    report_id: Option<String>,
}

/// An edit: the top-level content fields to replace, whole, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvisoryEditBody {
    /// Why; kept in the advisory's history.
    #[serde(default)]
    reason: String,
    #[schema(nullable = false, max_length = 200, format = "not-blank")]
    summary: Option<String>,
    #[schema(nullable = false, max_length = 100000)]
    details: Option<String>,
    #[schema(nullable = false)]
    affected: Option<Vec<AffectedBody>>,
    #[schema(nullable = false)]
    severity: Option<Vec<SeverityBody>>,
    #[schema(nullable = false)]
    database_specific: Option<DatabaseSpecificBody>,
    #[schema(nullable = false, required = false, inline, value_type = Vec<Alias>)]
    aliases: Option<Vec<String>>,
    #[schema(nullable = false)]
    credits: Option<Vec<CreditBody>>,
    #[schema(nullable = false)]
    references: Option<Vec<ReferenceBody>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::advisory::Content;
    use serde_json::{Value, json};

    /// The property names `T`'s schema documents.
    fn documented<T: ToSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let mut keys: Vec<String> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    fn keys(v: &Value) -> Vec<String> {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    fn advisory() -> Value {
        json!({
            "summary": "Heap overflow in the parser",
            "details": "A long header overflows.",
            "affected": [{
                "package": { "ecosystem": "crates.io", "name": "parser", "purl": "pkg:cargo/parser" },
                "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "1.0.0" }, { "fixed": "1.2.3" }] }],
                "versions": ["1.0.0"],
            }],
            "severity": [{ "type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
            "database_specific": { "cwe_ids": ["CWE-787"], "unaffected_versions": ["0.9.0"] },
            "aliases": ["CVE-2026-12345"],
            "credits": [{ "name": "Ann", "type": "FINDER", "contact": ["mailto:ann@example.org"], "github": "ann" }],
            "references": [{ "type": "FIX", "url": "https://example.org/fix" }],
        })
    }

    #[test]
    fn the_documented_advisory_body_is_the_content_the_handler_reads() {
        let mut content: Content = serde_json::from_value(advisory()).unwrap();
        assert!(
            content.validate().is_ok(),
            "the example is a valid advisory"
        );
        let written = serde_json::to_value(&content).unwrap();
        let _: AdvisoryBody = serde_json::from_value(written.clone()).unwrap();
        // Every field of the content, and only those (with `report_id`
        // on creation, `reason` on an edit), at every level.
        let mut fields = keys(&written);
        let mut create = fields.clone();
        create.push("report_id".into());
        create.sort();
        assert_eq!(documented::<AdvisoryBody>(), create);
        fields.push("reason".into());
        fields.sort();
        assert_eq!(documented::<AdvisoryEditBody>(), fields);
        let affected = &written["affected"][0];
        assert_eq!(documented::<AffectedBody>(), keys(affected));
        assert_eq!(documented::<PackageBody>(), keys(&affected["package"]));
        assert_eq!(documented::<RangeBody>(), {
            let mut k = keys(&affected["ranges"][0]);
            k.push("repo".into());
            k.sort();
            k
        });
        assert_eq!(documented::<SeverityBody>(), keys(&written["severity"][0]));
        assert_eq!(
            documented::<DatabaseSpecificBody>(),
            keys(&written["database_specific"])
        );
        assert_eq!(documented::<CreditBody>(), keys(&written["credits"][0]));
        assert_eq!(
            documented::<ReferenceBody>(),
            keys(&written["references"][0])
        );
    }

    #[test]
    fn the_documented_organization_and_application_bodies_are_what_the_handlers_read() {
        let org = json!({
            "organization": "Distro", "website": "https://distro.example", "security_alias": "security@distro.example",
            "contacts": [{ "name": "Bo", "email": "bo@distro.example", "openpgp_key": "KEY" }],
        });
        let input: crate::domain::membership::OrganizationInput =
            serde_json::from_value(org.clone()).unwrap();
        let mut errors = crate::domain::fields::FieldErrors::new();
        assert!(input.validate(&mut errors).is_some());
        assert_eq!(documented::<OrganizationBody>(), keys(&org));
        assert_eq!(documented::<ContactBody>(), keys(&org["contacts"][0]));
        let contact: crate::domain::membership::ContactInput =
            serde_json::from_value(org["contacts"][0].clone()).unwrap();
        assert_eq!(contact.openpgp_key.as_deref(), Some("KEY"));
        let mut app = org;
        app["criteria"] = json!({ "security_alias": "yes" });
        app["voucher"] = json!("mem_abcdefghijkmnpqr");
        let input: crate::app::membership::ApplicationInput =
            serde_json::from_value(app.clone()).unwrap();
        assert_eq!((input.criteria.len(), input.voucher.len()), (1, 20));
        assert_eq!(documented::<ApplicationBody>(), keys(&app));
    }
}
