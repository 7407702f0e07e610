//! Tables and small checks the mandatory tests use.

use super::*;

pub(super) const NLH: &[(&str, &str)] = &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")];
pub(super) const XNLH: &[(&str, &str)] = &[
    ("X", "NOT_DEFINED"),
    ("N", "NONE"),
    ("L", "LOW"),
    ("H", "HIGH"),
];
pub(super) const XLMH: &[(&str, &str)] = &[
    ("X", "NOT_DEFINED"),
    ("L", "LOW"),
    ("M", "MEDIUM"),
    ("H", "HIGH"),
];
pub(super) const CVSS3_PROPERTIES: &[Cvss3Property] = &[
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
pub(super) const CWE_CATALOGUE: &[(&str, &str)] = &[
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
    (
        "CWE-1321",
        "Improperly Controlled Modification of Object Prototype Attributes ('Prototype Pollution')",
    ),
];

/// BCP 47 shape, with the primary language subtag from a short list of
/// registered ISO 639-1 codes (enough for what we emit).
pub(super) fn valid_language(tag: &str) -> bool {
    const KNOWN: [&str; 12] = [
        "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "sv", "zh",
    ];
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default().to_ascii_lowercase();
    KNOWN.contains(&primary.as_str())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The package-url grammar: `pkg:type/namespace/name@version?qualifiers#subpath`.
pub(super) fn check_purl(purl: &str) -> Result<(), String> {
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

pub(super) fn check_percent_encoding(s: &str) -> Result<(), String> {
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
