//! A CVSS v4.0 severity as FIRST's `cvss-v4.0.json` object, which CVE
//! records embed as `cvssV4_0`.

use serde_json::{Map, Value, json};

use crate::domain::advisory::ScoredSeverity;

/// `None` when the vector is not CVSS v4.0 or names an unknown metric.
pub fn object(s: &ScoredSeverity) -> Option<Value> {
    let vector = s.score.trim();
    let metrics = vector.strip_prefix("CVSS:4.0/")?;
    let mut out = Map::new();
    out.insert("version".into(), json!("4.0"));
    out.insert("vectorString".into(), json!(vector));
    out.insert(
        "baseScore".into(),
        json!((s.base_score * 10.0).round() / 10.0),
    );
    out.insert("baseSeverity".into(), json!(s.rating));
    for part in metrics.split('/') {
        let (key, value) = part.split_once(':')?;
        let (property, text) = metric(key, value)?;
        if out.insert(property.into(), json!(text)).is_some() {
            return None;
        }
    }
    Some(Value::Object(out))
}

fn metric(key: &str, v: &str) -> Option<(&'static str, &'static str)> {
    fn av(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NETWORK",
            "A" => "ADJACENT",
            "L" => "LOCAL",
            "P" => "PHYSICAL",
            _ => return None,
        })
    }
    fn low_high(v: &str) -> Option<&'static str> {
        Some(match v {
            "L" => "LOW",
            "H" => "HIGH",
            _ => return None,
        })
    }
    fn at(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NONE",
            "P" => "PRESENT",
            _ => return None,
        })
    }
    fn none_low_high(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NONE",
            "L" => "LOW",
            "H" => "HIGH",
            _ => return None,
        })
    }
    fn ui(v: &str) -> Option<&'static str> {
        Some(match v {
            "N" => "NONE",
            "P" => "PASSIVE",
            "A" => "ACTIVE",
            _ => return None,
        })
    }
    /// Environmental metrics: `X` or a base value.
    fn modified(v: &str, base: fn(&str) -> Option<&'static str>) -> Option<&'static str> {
        if v == "X" {
            Some("NOT_DEFINED")
        } else {
            base(v)
        }
    }
    fn sub_safety(v: &str) -> Option<&'static str> {
        if v == "S" {
            Some("SAFETY")
        } else {
            none_low_high(v)
        }
    }
    fn table(v: &str, pairs: &[(&str, &'static str)]) -> Option<&'static str> {
        if v == "X" {
            return Some("NOT_DEFINED");
        }
        pairs.iter().find(|(k, _)| *k == v).map(|(_, name)| *name)
    }
    const REQUIREMENT: &[(&str, &str)] = &[("L", "LOW"), ("M", "MEDIUM"), ("H", "HIGH")];
    Some(match key {
        "AV" => ("attackVector", av(v)?),
        "AC" => ("attackComplexity", low_high(v)?),
        "AT" => ("attackRequirements", at(v)?),
        "PR" => ("privilegesRequired", none_low_high(v)?),
        "UI" => ("userInteraction", ui(v)?),
        "VC" => ("vulnConfidentialityImpact", none_low_high(v)?),
        "VI" => ("vulnIntegrityImpact", none_low_high(v)?),
        "VA" => ("vulnAvailabilityImpact", none_low_high(v)?),
        "SC" => ("subConfidentialityImpact", none_low_high(v)?),
        "SI" => ("subIntegrityImpact", none_low_high(v)?),
        "SA" => ("subAvailabilityImpact", none_low_high(v)?),
        "E" => (
            "exploitMaturity",
            table(
                v,
                &[
                    ("A", "ATTACKED"),
                    ("P", "PROOF_OF_CONCEPT"),
                    ("U", "UNREPORTED"),
                ],
            )?,
        ),
        "CR" => ("confidentialityRequirement", table(v, REQUIREMENT)?),
        "IR" => ("integrityRequirement", table(v, REQUIREMENT)?),
        "AR" => ("availabilityRequirement", table(v, REQUIREMENT)?),
        "MAV" => ("modifiedAttackVector", modified(v, av)?),
        "MAC" => ("modifiedAttackComplexity", modified(v, low_high)?),
        "MAT" => ("modifiedAttackRequirements", modified(v, at)?),
        "MPR" => ("modifiedPrivilegesRequired", modified(v, none_low_high)?),
        "MUI" => ("modifiedUserInteraction", modified(v, ui)?),
        "MVC" => (
            "modifiedVulnConfidentialityImpact",
            modified(v, none_low_high)?,
        ),
        "MVI" => ("modifiedVulnIntegrityImpact", modified(v, none_low_high)?),
        "MVA" => (
            "modifiedVulnAvailabilityImpact",
            modified(v, none_low_high)?,
        ),
        "MSC" => (
            "modifiedSubConfidentialityImpact",
            modified(v, none_low_high)?,
        ),
        "MSI" => ("modifiedSubIntegrityImpact", modified(v, sub_safety)?),
        "MSA" => ("modifiedSubAvailabilityImpact", modified(v, sub_safety)?),
        "S" => (
            "Safety",
            table(v, &[("N", "NEGLIGIBLE"), ("P", "PRESENT")])?,
        ),
        "AU" => ("Automatable", table(v, &[("N", "NO"), ("Y", "YES")])?),
        "R" => (
            "Recovery",
            table(
                v,
                &[("A", "AUTOMATIC"), ("U", "USER"), ("I", "IRRECOVERABLE")],
            )?,
        ),
        "V" => (
            "valueDensity",
            table(v, &[("D", "DIFFUSE"), ("C", "CONCENTRATED")])?,
        ),
        "RE" => (
            "vulnerabilityResponseEffort",
            table(v, &[("L", "LOW"), ("M", "MODERATE"), ("H", "HIGH")])?,
        ),
        "U" => (
            "providerUrgency",
            table(
                v,
                &[
                    ("Clear", "CLEAR"),
                    ("Green", "GREEN"),
                    ("Amber", "AMBER"),
                    ("Red", "RED"),
                ],
            )?,
        ),
        _ => return None,
    })
}
