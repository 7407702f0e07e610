//! The mandatory tests of CSAF 2.0 section 6.1 on the document as a whole:
//! its revision history, its category and the profile's requirements.

use super::*;

/// 6.1.14, 6.1.16 to 6.1.22 and 6.1.30, on `document.tracking` `t`.
pub(super) fn revision_history(t: &Value, f: &mut Vec<String>) {
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
}

/// 6.1.26 and the profile tests of 6.1.27, on the whole document.
pub(super) fn category_and_profile(doc: &Value, f: &mut Vec<String>) {
    let d = &doc["document"];
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
}
