//! The mandatory tests of CSAF 2.0 section 6.1.

use super::*;

// ---- CSAF 2.0 section 6.1: mandatory tests ------------------------------------
//
// Checked here on our documents: 6.1.1 to 6.1.33, with these not applicable
// to what we publish and checked only as far as the data allows (they pass
// vacuously): 6.1.3 (no relationships), 6.1.5 (no product groups), 6.1.15
// (we are not a translator), 6.1.17 and 6.1.19 (status final, integer
// versions), 6.1.24 (no involvements), 6.1.25 (no hashes), 6.1.33 (no flags),
// 6.1.27.1 to 6.1.27.3 (informational advisory and incident response
// profiles), 6.1.27.7 to 6.1.27.10 (VEX profile).

pub(super) const PROFILES: [&str; 5] = [
    "csaf_base",
    "csaf_security_incident_response",
    "csaf_informational_advisory",
    "csaf_security_advisory",
    "csaf_vex",
];

/// Runs the mandatory tests; each failure starts with the test's number.
pub(super) fn mandatory_tests(doc: &Value) -> Vec<String> {
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

    revision_history(&d["tracking"], &mut f);
    // 6.1.23 Multiple Use of Same CVE
    let mut seen = BTreeSet::new();
    for v in &vulns {
        if let Some(cve) = v["cve"].as_str()
            && !seen.insert(cve)
        {
            f.push(format!("6.1.23 {cve} twice"));
        }
    }
    category_and_profile(doc, &mut f);
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
pub(super) type Cvss3Property = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);
