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

/// The catalogue's name of a weakness (MITRE CWE, `domain::cwe`), for
/// CSAF's `cwe.name`, which test 6.1.11 checks against the catalogue.
/// Categories, views and unknown ids give `None` and are only mentioned in
/// a note.
pub fn cwe_name(id: &str) -> Option<&'static str> {
    crate::domain::cwe::lookup(id)
        .filter(|e| e.kind == crate::domain::cwe::Kind::Weakness)
        .map(|e| e.name.as_str())
}

// ---- product tree ----------------------------------------------------------
