//! CVSS 3.x and 4.0: validate a vector, compute the score FIRST's calculators
//! show for it, and its qualitative rating.
//!
//! What is scored:
//!
//! * **CVSS 3.1**: the Base score, with the Roundup of the 3.1 specification
//!   (section 7.4 / Appendix A: integer arithmetic on `round(x * 100000)`, so
//!   that binary floating-point noise such as `0.30000000000000004` does not
//!   round up to 0.4), as FIRST's 3.1 calculator computes it. Temporal and
//!   Environmental metrics are validated but do not change the printed score.
//!   (All 2,592 Base vectors were checked against an exact decimal evaluation
//!   of the equations.)
//! * **CVSS 3.0**: accepted, and scored like FIRST's 3.0 calculator does: the
//!   same Base equations with 3.0's own round-up, `ceil(x * 10) / 10`. (The 3.0
//!   specification defines Round up as "the smallest number, specified to one
//!   decimal place, that is equal to or higher than its input"; for every one
//!   of the 2,592 CVSS 3.0 Base vectors the calculator's float round-up and that
//!   exact definition agree, which was checked exhaustively against an exact
//!   decimal computation, so there is nothing to choose between.)
//! * **CVSS 4.0**: the score of all metrics the vector gives (CVSS-B, -BT, -BE
//!   or -BTE: threat and environmental metrics count, supplemental ones never
//!   do), by the MacroVector lookup and severity-distance interpolation of
//!   FIRST's reference calculator (`cvss40.js`), rounded half up to one decimal
//!   after adding 1e-6, as that calculator does since its 2024-11 rounding fix.
//!
//! Parsing and scoring lean on the `cvss` crate (RustSec) where it is right:
//!
//! * its 4.0 scoring is a port of FIRST's reference calculator and matched it
//!   on every vector we compared: all 104,976 Base vectors and 200,000 random
//!   vectors with threat, environmental and supplemental metrics, against Red
//!   Hat's `cvss` Python library (which FIRST's CVSS SIG names as the origin
//!   of the official calculator), plus the FIRST examples and reference-set
//!   vectors in the tests below; so 4.0 scores come from the crate;
//! * its 3.x metric parsing and weights are right, but its 3.1 `roundup`
//!   truncates `x * 100000` where the specification rounds it (for example it
//!   turns 4.000007 into 4.0, not 4.1). No Base vector happens to land there,
//!   but rather than depend on that we compute the 3.x Base equations here
//!   from the crate's parsed metrics, with the specification's Roundup.
//!
//! Validation is ours and stricter than the crate's (whose 3.x parser, for
//! one, accepts a vector missing Base metrics and scores them as zero), to
//! match FIRST's calculators and to say what is wrong: metric names and
//! values are case-sensitive, every metric at most once, all Base metrics
//! present, and for 4.0 the metrics in the specification's order (FIRST's
//! 4.0 calculator rejects any other order; 3.x vectors may list metrics in
//! any order).

use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CvssVersion {
    /// CVSS 3.0 or 3.1 (OSV's `CVSS_V3` covers both).
    V3,
    V4,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Rating {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
            Self::Critical => "CRITICAL",
        }
    }

    /// The qualitative rating of a score (the same scale in 3.x and 4.0):
    /// 0.0 None, 0.1-3.9 Low, 4.0-6.9 Medium, 7.0-8.9 High, 9.0-10.0 Critical.
    pub fn of_score(score: f64) -> Self {
        Self::of_tenths(to_tenths(score))
    }

    fn of_tenths(tenths: u32) -> Self {
        match tenths {
            0 => Self::None,
            1..=39 => Self::Low,
            40..=69 => Self::Medium,
            70..=89 => Self::High,
            _ => Self::Critical,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CvssScore {
    pub version: CvssVersion,
    /// The vector as given, trimmed.
    pub vector: String,
    /// One decimal, as the calculators show it.
    pub score: f64,
    pub rating: Rating,
}

impl CvssScore {
    /// The score with one decimal (`9.8`, `10.0`, `0.0`).
    pub fn score_text(&self) -> String {
        format!("{:.1}", self.score)
    }

    /// The OSV `severity[].type` for this version.
    pub fn osv_type(&self) -> &'static str {
        match self.version {
            CvssVersion::V3 => "CVSS_V3",
            CvssVersion::V4 => "CVSS_V4",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CvssError(pub String);

/// Scores a CVSS 3.0, 3.1 or 4.0 vector (surrounding whitespace ignored); see
/// the module documentation for what is scored and how.
pub fn score(vector: &str) -> Result<CvssScore, CvssError> {
    let vector = vector.trim();
    let version = validate(vector)?;
    let tenths = match version {
        Version::V30 | Version::V31 => base_score_v3(vector, version)?,
        Version::V40 => score_v4(vector)?,
    };
    Ok(CvssScore {
        version: match version {
            Version::V30 | Version::V31 => CvssVersion::V3,
            Version::V40 => CvssVersion::V4,
        },
        vector: vector.to_owned(),
        score: f64::from(tenths) / 10.0,
        rating: Rating::of_tenths(tenths),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V30,
    V31,
    V40,
}

impl Version {
    fn label(self) -> &'static str {
        match self {
            Self::V30 => "3.0",
            Self::V31 => "3.1",
            Self::V40 => "4.0",
        }
    }
}

/// A metric a vector may carry: its abbreviation, its name, and the values
/// FIRST's calculator accepts for it (case-sensitive).
struct MetricDef {
    id: &'static str,
    name: &'static str,
    values: &'static [&'static str],
}

const fn m(id: &'static str, name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef { id, name, values }
}

const CIA3: &[&str] = &["H", "L", "N"];
const MCIA3: &[&str] = &["X", "N", "L", "H"];
const REQ: &[&str] = &["X", "L", "M", "H"];

/// CVSS 3.x metrics (specification table 15); the first [`V3_BASE`] are the
/// mandatory Base metrics. Order does not matter in 3.x vectors.
const V3_METRICS: &[MetricDef] = &[
    m("AV", "Attack Vector", &["N", "A", "L", "P"]),
    m("AC", "Attack Complexity", &["L", "H"]),
    m("PR", "Privileges Required", &["N", "L", "H"]),
    m("UI", "User Interaction", &["N", "R"]),
    m("S", "Scope", &["U", "C"]),
    m("C", "Confidentiality", CIA3),
    m("I", "Integrity", CIA3),
    m("A", "Availability", CIA3),
    m("E", "Exploit Code Maturity", &["X", "U", "P", "F", "H"]),
    m("RL", "Remediation Level", &["X", "O", "T", "W", "U"]),
    m("RC", "Report Confidence", &["X", "U", "R", "C"]),
    m("CR", "Confidentiality Requirement", REQ),
    m("IR", "Integrity Requirement", REQ),
    m("AR", "Availability Requirement", REQ),
    m("MAV", "Modified Attack Vector", &["X", "N", "A", "L", "P"]),
    m("MAC", "Modified Attack Complexity", &["X", "L", "H"]),
    m("MPR", "Modified Privileges Required", &["X", "N", "L", "H"]),
    m("MUI", "Modified User Interaction", &["X", "N", "R"]),
    m("MS", "Modified Scope", &["X", "U", "C"]),
    m("MC", "Modified Confidentiality", MCIA3),
    m("MI", "Modified Integrity", MCIA3),
    m("MA", "Modified Availability", MCIA3),
];
const V3_BASE: usize = 8;

const CIA4: &[&str] = &["N", "L", "H"];
const MCIA4: &[&str] = &["X", "H", "L", "N"];
const MSIA4: &[&str] = &["X", "S", "H", "L", "N"];

/// CVSS 4.0 metrics in the order the specification (and FIRST's calculator)
/// requires; the first [`V4_BASE`] are the mandatory Base metrics.
const V4_METRICS: &[MetricDef] = &[
    m("AV", "Attack Vector", &["N", "A", "L", "P"]),
    m("AC", "Attack Complexity", &["L", "H"]),
    m("AT", "Attack Requirements", &["N", "P"]),
    m("PR", "Privileges Required", &["N", "L", "H"]),
    m("UI", "User Interaction", &["N", "P", "A"]),
    m("VC", "Vulnerable System Confidentiality", CIA4),
    m("VI", "Vulnerable System Integrity", CIA4),
    m("VA", "Vulnerable System Availability", CIA4),
    m("SC", "Subsequent System Confidentiality", CIA4),
    m("SI", "Subsequent System Integrity", CIA4),
    m("SA", "Subsequent System Availability", CIA4),
    m("E", "Exploit Maturity", &["X", "A", "P", "U"]),
    m("CR", "Confidentiality Requirement", &["X", "H", "M", "L"]),
    m("IR", "Integrity Requirement", &["X", "H", "M", "L"]),
    m("AR", "Availability Requirement", &["X", "H", "M", "L"]),
    m("MAV", "Modified Attack Vector", &["X", "N", "A", "L", "P"]),
    m("MAC", "Modified Attack Complexity", &["X", "L", "H"]),
    m("MAT", "Modified Attack Requirements", &["X", "N", "P"]),
    m("MPR", "Modified Privileges Required", &["X", "N", "L", "H"]),
    m("MUI", "Modified User Interaction", &["X", "N", "P", "A"]),
    m("MVC", "Modified Vulnerable System Confidentiality", MCIA4),
    m("MVI", "Modified Vulnerable System Integrity", MCIA4),
    m("MVA", "Modified Vulnerable System Availability", MCIA4),
    m("MSC", "Modified Subsequent System Confidentiality", MCIA4),
    m("MSI", "Modified Subsequent System Integrity", MSIA4),
    m("MSA", "Modified Subsequent System Availability", MSIA4),
    m("S", "Safety", &["X", "N", "P"]),
    m("AU", "Automatable", &["X", "N", "Y"]),
    m("R", "Recovery", &["X", "A", "U", "I"]),
    m("V", "Value Density", &["X", "D", "C"]),
    m("RE", "Vulnerability Response Effort", &["X", "L", "M", "H"]),
    m(
        "U",
        "Provider Urgency",
        &["X", "Clear", "Green", "Amber", "Red"],
    ),
];
const V4_BASE: usize = 11;

/// The Base metrics of CVSS 3.x (`v4 == false`) or 4.0 in the vector's
/// order, for forms that build a vector: (abbreviation, name, the values
/// FIRST's calculator accepts).
pub fn base_metrics(v4: bool) -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    let (table, count) = if v4 {
        (V4_METRICS, V4_BASE)
    } else {
        (V3_METRICS, V3_BASE)
    };
    table[..count]
        .iter()
        .map(|d| (d.id, d.name, d.values))
        .collect()
}

fn err(message: impl Into<String>) -> CvssError {
    CvssError(message.into())
}

fn describe(def: &MetricDef) -> String {
    format!("{} ({})", def.id, def.name)
}

/// Checks the vector against the grammar of its version and returns the
/// version; every error names what is wrong.
fn validate(vector: &str) -> Result<Version, CvssError> {
    if vector.is_empty() {
        return Err(err("empty CVSS vector"));
    }
    let mut parts = vector.split('/');
    let head = parts.next().unwrap_or_default();
    let Some(version_text) = head.strip_prefix("CVSS:") else {
        return Err(err(format!(
            "missing the `CVSS:` prefix: a vector starts with `CVSS:3.1/`, `CVSS:3.0/` \
             or `CVSS:4.0/` (got `{head}`)"
        )));
    };
    let version = match version_text {
        "3.0" => Version::V30,
        "3.1" => Version::V31,
        "4.0" => Version::V40,
        "" => return Err(err("missing the CVSS version after `CVSS:`")),
        other => {
            return Err(err(format!(
                "unsupported CVSS version `{other}`: expected 3.0, 3.1 or 4.0"
            )));
        }
    };
    let (table, base_count) = match version {
        Version::V30 | Version::V31 => (V3_METRICS, V3_BASE),
        Version::V40 => (V4_METRICS, V4_BASE),
    };
    let label = version.label();

    let mut seen = vec![false; table.len()];
    let mut previous: Option<usize> = None;
    for component in parts {
        if component.is_empty() {
            return Err(err(
                "empty metric in the vector (a doubled or trailing `/`)",
            ));
        }
        let Some((id, value)) = component
            .split_once(':')
            .filter(|(id, value)| !id.is_empty() && !value.is_empty() && !value.contains(':'))
        else {
            return Err(err(format!(
                "malformed metric `{component}`: expected NAME:VALUE"
            )));
        };
        let Some(index) = table.iter().position(|def| def.id == id) else {
            let hint = table
                .iter()
                .find(|def| def.id.eq_ignore_ascii_case(id))
                .map(|def| format!(" (metric names are case-sensitive: `{}`?)", def.id))
                .unwrap_or_default();
            return Err(err(format!("unknown metric `{id}` for CVSS {label}{hint}")));
        };
        let def = &table[index];
        if !def.values.contains(&value) {
            return Err(err(format!(
                "invalid value `{value}` for metric {}: expected one of {}",
                describe(def),
                def.values.join(", ")
            )));
        }
        if seen[index] {
            return Err(err(format!(
                "metric {} given more than once",
                describe(def)
            )));
        }
        if version == Version::V40
            && let Some(previous) = previous
            && index < previous
        {
            return Err(err(format!(
                "metric {} is out of order: CVSS 4.0 lists it before {}",
                describe(def),
                describe(&table[previous])
            )));
        }
        seen[index] = true;
        previous = Some(index);
    }

    let missing: Vec<String> = table[..base_count]
        .iter()
        .zip(&seen)
        .filter(|(_, seen)| !**seen)
        .map(|(def, _)| describe(def))
        .collect();
    match missing.len() {
        0 => Ok(version),
        1 => Err(err(format!("missing mandatory base metric {}", missing[0]))),
        _ => Err(err(format!(
            "missing mandatory base metrics {}",
            missing.join(", ")
        ))),
    }
}

/// The CVSS 3.x Base score in tenths, by the equations of the 3.1
/// specification (section 7.1; 3.0's are the same), with the weights and
/// arithmetic order of FIRST's calculators (`cvsscalc30.js`, `cvsscalc31.js`).
fn base_score_v3(vector: &str, version: Version) -> Result<u32, CvssError> {
    use cvss::v3::Metric;

    let parsed = cvss::v3::Vector::from_str(vector).map_err(|e| err(e.to_string()))?;
    let (Some(av), Some(ac), Some(pr), Some(ui), Some(s), Some(c), Some(i), Some(a)) = (
        parsed.av, parsed.ac, parsed.pr, parsed.ui, parsed.s, parsed.c, parsed.i, parsed.a,
    ) else {
        // `validate` has checked that every Base metric is present.
        return Err(err("missing mandatory base metric"));
    };
    let changed = s.is_changed();
    let iss = 1.0 - ((1.0 - c.score()) * (1.0 - i.score()) * (1.0 - a.score()));
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powf(15.0)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av.score() * ac.score() * pr.scoped_score(changed) * ui.score();
    if impact <= 0.0 {
        return Ok(0);
    }
    let raw = if changed {
        (1.08 * (exploitability + impact)).min(10.0)
    } else {
        (exploitability + impact).min(10.0)
    };
    Ok(match version {
        Version::V30 => roundup_v30(raw),
        _ => roundup_v31(raw),
    })
}

/// CVSS 3.1 Roundup (specification Appendix A), in tenths: the smallest
/// tenth at or above `x`, computed on `round(x * 100000)` so that
/// floating-point noise under 5e-6 does not push a score up.
fn roundup_v31(x: f64) -> u32 {
    let int_input = (x * 100_000.0).round() as u32;
    if int_input.is_multiple_of(10_000) {
        int_input / 10_000
    } else {
        int_input / 10_000 + 1
    }
}

/// CVSS 3.0 round-up as FIRST's 3.0 calculator computes it, in tenths.
fn roundup_v30(x: f64) -> u32 {
    (x * 10.0).ceil() as u32
}

/// The CVSS 4.0 score in tenths, from the `cvss` crate (see the module
/// documentation for how it was checked).
fn score_v4(vector: &str) -> Result<u32, CvssError> {
    let parsed = cvss::v4::Vector::from_str(vector).map_err(|e| err(e.to_string()))?;
    Ok(to_tenths(parsed.score().value()))
}

fn to_tenths(score: f64) -> u32 {
    (score.clamp(0.0, 10.0) * 10.0).round() as u32
}

#[cfg(test)]
mod tests;
