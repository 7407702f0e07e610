//! CVSS v3 objects as FIRST's schema has them, and CWE names.

use super::*;

/// A CVSS v3.x severity as FIRST's `cvss-v3.x.json` object: the vector, the
/// base score and severity, and every metric the vector gives. `None` when
/// the vector is not CVSS v3 (v4 has no place in CSAF 2.0) or cannot be
/// read.
pub fn cvss_v3_object(s: &ScoredSeverity) -> Option<Value> {
    let vector = s.score.trim();
    let (prefix, metrics) = vector.split_once('/')?;
    let version = match prefix {
        "CVSS:3.1" => "3.1",
        "CVSS:3.0" => "3.0",
        _ => return None,
    };
    let mut out = Map::new();
    out.insert("version".into(), json!(version));
    out.insert("vectorString".into(), json!(vector));
    for part in metrics.split('/') {
        let (key, value) = part.split_once(':')?;
        let (property, text) = cvss_v3_metric(key, value)?;
        if out.insert(property.into(), json!(text)).is_some() {
            return None; // a metric given twice
        }
    }
    const BASE: [&str; 8] = [
        "attackVector",
        "attackComplexity",
        "privilegesRequired",
        "userInteraction",
        "scope",
        "confidentialityImpact",
        "integrityImpact",
        "availabilityImpact",
    ];
    if !BASE.iter().all(|m| out.contains_key(*m)) {
        return None;
    }
    out.insert(
        "baseScore".into(),
        json!((s.base_score * 10.0).round() / 10.0),
    );
    out.insert("baseSeverity".into(), json!(s.rating));
    Some(Value::Object(out))
}

/// One `KEY:VALUE` of a CVSS v3 vector as a property of FIRST's schema.
pub(super) fn cvss_v3_metric(key: &str, value: &str) -> Option<(&'static str, &'static str)> {
    pub(super) fn cia(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NONE",
            "L" => "LOW",
            "H" => "HIGH",
            _ => return None,
        })
    }
    pub(super) fn modified(
        v: &str,
        base: fn(&str) -> Option<&'static str>,
    ) -> Option<&'static str> {
        if v == "X" {
            Some("NOT_DEFINED")
        } else {
            base(v)
        }
    }
    pub(super) fn av(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NETWORK",
            "A" => "ADJACENT_NETWORK",
            "L" => "LOCAL",
            "P" => "PHYSICAL",
            _ => return None,
        })
    }
    pub(super) fn ac(v: &str) -> Option<&'static str> {
        Some(match v {
            "L" => "LOW",
            "H" => "HIGH",
            _ => return None,
        })
    }
    pub(super) fn pr(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NONE",
            "L" => "LOW",
            "H" => "HIGH",
            _ => return None,
        })
    }
    pub(super) fn ui(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NONE",
            "R" => "REQUIRED",
            _ => return None,
        })
    }
    pub(super) fn scope(v: &str) -> Option<&'static str> {
        Some(match v {
            "U" => "UNCHANGED",
            "C" => "CHANGED",
            _ => return None,
        })
    }
    pub(super) fn requirement(v: &str) -> Option<&'static str> {
        Some(match v {
            "X" => "NOT_DEFINED",
            "L" => "LOW",
            "M" => "MEDIUM",
            "H" => "HIGH",
            _ => return None,
        })
    }
    Some(match key {
        "AV" => ("attackVector", av(value)?),
        "AC" => ("attackComplexity", ac(value)?),
        "PR" => ("privilegesRequired", pr(value)?),
        "UI" => ("userInteraction", ui(value)?),
        "S" => ("scope", scope(value)?),
        "C" => ("confidentialityImpact", cia(value)?),
        "I" => ("integrityImpact", cia(value)?),
        "A" => ("availabilityImpact", cia(value)?),
        "E" => (
            "exploitCodeMaturity",
            match value {
                "X" => "NOT_DEFINED",
                "U" => "UNPROVEN",
                "P" => "PROOF_OF_CONCEPT",
                "F" => "FUNCTIONAL",
                "H" => "HIGH",
                _ => return None,
            },
        ),
        "RL" => (
            "remediationLevel",
            match value {
                "X" => "NOT_DEFINED",
                "O" => "OFFICIAL_FIX",
                "T" => "TEMPORARY_FIX",
                "W" => "WORKAROUND",
                "U" => "UNAVAILABLE",
                _ => return None,
            },
        ),
        "RC" => (
            "reportConfidence",
            match value {
                "X" => "NOT_DEFINED",
                "U" => "UNKNOWN",
                "R" => "REASONABLE",
                "C" => "CONFIRMED",
                _ => return None,
            },
        ),
        "CR" => ("confidentialityRequirement", requirement(value)?),
        "IR" => ("integrityRequirement", requirement(value)?),
        "AR" => ("availabilityRequirement", requirement(value)?),
        "MAV" => ("modifiedAttackVector", modified(value, av)?),
        "MAC" => ("modifiedAttackComplexity", modified(value, ac)?),
        "MPR" => ("modifiedPrivilegesRequired", modified(value, pr)?),
        "MUI" => ("modifiedUserInteraction", modified(value, ui)?),
        "MS" => ("modifiedScope", modified(value, scope)?),
        "MC" => ("modifiedConfidentialityImpact", modified(value, cia)?),
        "MI" => ("modifiedIntegrityImpact", modified(value, cia)?),
        "MA" => ("modifiedAvailabilityImpact", modified(value, cia)?),
        _ => return None,
    })
}

/// The catalogue name of a common CWE (CWE 4.x), for CSAF's `cwe.name`,
/// which test 6.1.11 checks against the catalogue. Unknown ids give `None`
/// and are only mentioned in a note.
pub fn cwe_name(id: &str) -> Option<&'static str> {
    CWE_NAMES
        .iter()
        .find(|(i, _)| *i == id.trim())
        .map(|(_, name)| *name)
}

pub(super) const CWE_NAMES: &[(&str, &str)] = &[
    ("CWE-20", "Improper Input Validation"),
    (
        "CWE-22",
        "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
    ),
    (
        "CWE-74",
        "Improper Neutralization of Special Elements in Output Used by a Downstream Component ('Injection')",
    ),
    (
        "CWE-77",
        "Improper Neutralization of Special Elements used in a Command ('Command Injection')",
    ),
    (
        "CWE-78",
        "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
    ),
    (
        "CWE-79",
        "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
    ),
    (
        "CWE-89",
        "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
    ),
    (
        "CWE-94",
        "Improper Control of Generation of Code ('Code Injection')",
    ),
    ("CWE-116", "Improper Encoding or Escaping of Output"),
    (
        "CWE-119",
        "Improper Restriction of Operations within the Bounds of a Memory Buffer",
    ),
    (
        "CWE-120",
        "Buffer Copy without Checking Size of Input ('Classic Buffer Overflow')",
    ),
    ("CWE-125", "Out-of-bounds Read"),
    ("CWE-129", "Improper Validation of Array Index"),
    ("CWE-190", "Integer Overflow or Wraparound"),
    ("CWE-191", "Integer Underflow (Wrap or Wraparound)"),
    (
        "CWE-200",
        "Exposure of Sensitive Information to an Unauthorized Actor",
    ),
    ("CWE-269", "Improper Privilege Management"),
    ("CWE-276", "Incorrect Default Permissions"),
    ("CWE-284", "Improper Access Control"),
    ("CWE-287", "Improper Authentication"),
    ("CWE-295", "Improper Certificate Validation"),
    ("CWE-306", "Missing Authentication for Critical Function"),
    (
        "CWE-327",
        "Use of a Broken or Risky Cryptographic Algorithm",
    ),
    (
        "CWE-347",
        "Improper Verification of Cryptographic Signature",
    ),
    ("CWE-352", "Cross-Site Request Forgery (CSRF)"),
    (
        "CWE-362",
        "Concurrent Execution using Shared Resource with Improper Synchronization ('Race Condition')",
    ),
    ("CWE-400", "Uncontrolled Resource Consumption"),
    (
        "CWE-401",
        "Missing Release of Memory after Effective Lifetime",
    ),
    ("CWE-415", "Double Free"),
    ("CWE-416", "Use After Free"),
    ("CWE-434", "Unrestricted Upload of File with Dangerous Type"),
    (
        "CWE-444",
        "Inconsistent Interpretation of HTTP Requests ('HTTP Request/Response Smuggling')",
    ),
    ("CWE-476", "NULL Pointer Dereference"),
    ("CWE-502", "Deserialization of Untrusted Data"),
    (
        "CWE-532",
        "Insertion of Sensitive Information into Log File",
    ),
    (
        "CWE-601",
        "URL Redirection to Untrusted Site ('Open Redirect')",
    ),
    (
        "CWE-611",
        "Improper Restriction of XML External Entity Reference",
    ),
    ("CWE-617", "Reachable Assertion"),
    (
        "CWE-639",
        "Authorization Bypass Through User-Controlled Key",
    ),
    ("CWE-674", "Uncontrolled Recursion"),
    (
        "CWE-732",
        "Incorrect Permission Assignment for Critical Resource",
    ),
    (
        "CWE-770",
        "Allocation of Resources Without Limits or Throttling",
    ),
    ("CWE-787", "Out-of-bounds Write"),
    ("CWE-798", "Use of Hard-coded Credentials"),
    (
        "CWE-835",
        "Loop with Unreachable Exit Condition ('Infinite Loop')",
    ),
    (
        "CWE-843",
        "Access of Resource Using Incompatible Type ('Type Confusion')",
    ),
    ("CWE-862", "Missing Authorization"),
    ("CWE-863", "Incorrect Authorization"),
    ("CWE-908", "Use of Uninitialized Resource"),
    ("CWE-918", "Server-Side Request Forgery (SSRF)"),
    (
        "CWE-1321",
        "Improperly Controlled Modification of Object Prototype Attributes ('Prototype Pollution')",
    ),
    ("CWE-1333", "Inefficient Regular Expression Complexity"),
];

// ---- product tree ----------------------------------------------------------
