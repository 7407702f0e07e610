//! The CVSS vector builders: one control per Base metric (names and values
//! from `domain::cvss`, which also scores), further metrics as text, or a
//! pasted vector.

use serde_json::{Value, json};

use super::Builder;
use crate::domain::cvss;

/// The two builders: field prefix, OSV severity type, and whether it is 4.0.
pub const BUILDERS: [(&str, &str, bool); 2] =
    [("cvss3", "CVSS_V3", false), ("cvss4", "CVSS_V4", true)];

/// The CVSS 3 builder's versions, the default first.
pub const V3_VERSIONS: [&str; 2] = ["3.1", "3.0"];

const HLN: &[(&str, &str)] = &[("H", "High"), ("L", "Low"), ("N", "None")];
const NALP: &[(&str, &str)] = &[
    ("N", "Network"),
    ("A", "Adjacent"),
    ("L", "Local"),
    ("P", "Physical"),
];
const LH: &[(&str, &str)] = &[("L", "Low"), ("H", "High")];
const NLH: &[(&str, &str)] = &[("N", "None"), ("L", "Low"), ("H", "High")];

/// What each Base value is called in the specifications, in the order
/// FIRST's calculators show them.
fn labels(v4: bool, metric: &str) -> &'static [(&'static str, &'static str)] {
    match (v4, metric) {
        (_, "AV") => NALP,
        (_, "AC") => LH,
        (_, "PR") => NLH,
        (false, "UI") => &[("N", "None"), ("R", "Required")],
        (false, "S") => &[("U", "Unchanged"), ("C", "Changed")],
        (true, "AT") => &[("N", "None"), ("P", "Present")],
        (true, "UI") => &[("N", "None"), ("P", "Passive"), ("A", "Active")],
        _ => HLN,
    }
}

impl Builder {
    /// The builder holding `vector`: its Base metrics in the controls and the
    /// rest as text when that gives the same vector back, else the vector as
    /// pasted (so nothing is reordered or lost).
    pub fn from_vector(vector: &str, v4: bool) -> Self {
        let pasted = Self {
            version: default_version(v4).into(),
            vector: vector.to_owned(),
            ..Self::default()
        };
        let Some((version, rest)) = vector.strip_prefix("CVSS:").and_then(|r| r.split_once('/'))
        else {
            return pasted;
        };
        let mut built = Self {
            version: version.to_owned(),
            ..Self::default()
        };
        let base = cvss::base_metrics(v4);
        let mut extra = Vec::new();
        for part in rest.split('/') {
            let known = part.split_once(':').filter(|(id, value)| {
                extra.is_empty()
                    && !built.metrics.contains_key(*id)
                    && base
                        .iter()
                        .any(|(m, _, values)| m == id && values.contains(value))
            });
            match known {
                Some((id, value)) => {
                    built.metrics.insert(id.to_owned(), value.to_owned());
                }
                None => extra.push(part),
            }
        }
        built.extra = extra.join("/");
        let versions: &[&str] = if v4 { &["4.0"] } else { &V3_VERSIONS };
        let same = built.vector_text(v4).as_deref() == Some(vector);
        if same && versions.contains(&version) {
            built
        } else {
            pasted
        }
    }

    /// The vector this builder gives, if anything was chosen or pasted.
    pub fn vector_text(&self, v4: bool) -> Option<String> {
        let pasted = self.vector.trim();
        if !pasted.is_empty() {
            return Some(pasted.to_owned());
        }
        let chosen = cvss::base_metrics(v4).into_iter().filter_map(|(id, _, _)| {
            let value = self
                .metrics
                .get(id)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty());
            value.map(|v| format!("{id}:{v}"))
        });
        let mut parts: Vec<String> = chosen.collect();
        let extra = self.extra.trim().trim_matches('/');
        if !extra.is_empty() {
            parts.push(extra.to_owned());
        }
        if parts.is_empty() {
            return None;
        }
        let version = match (v4, self.version.trim()) {
            (true, _) => "4.0",
            (false, "3.0") => "3.0",
            (false, _) => "3.1",
        };
        parts.insert(0, format!("CVSS:{version}"));
        Some(parts.join("/"))
    }

    /// The field an error about this builder's vector points at: the pasted
    /// vector if there is one, else the first Base metric left unchosen,
    /// else the further metrics, else the first control.
    pub fn error_field(&self, prefix: &str, v4: bool) -> String {
        if !self.vector.trim().is_empty() {
            return format!("{prefix}.vector");
        }
        let base = cvss::base_metrics(v4);
        let unset = base
            .iter()
            .find(|(id, _, _)| self.metrics.get(*id).is_none_or(|v| v.trim().is_empty()));
        let field = match (unset, self.extra.trim().is_empty()) {
            (Some((id, _, _)), _) => id,
            (None, false) => "extra",
            (None, true) => base.first().map_or("vector", |(id, _, _)| id),
        };
        format!("{prefix}.{field}")
    }

    /// The builder as the template shows it: its controls, and the score of
    /// its vector when that is valid.
    pub fn view(&self, prefix: &str, v4: bool) -> Value {
        // A valid pasted vector comes back in the controls, as it is saved.
        let pasted = self.vector.trim();
        if !pasted.is_empty() && cvss::score(pasted).is_ok() {
            let built = Self::from_vector(pasted, v4);
            if built.vector.is_empty() {
                return built.view(prefix, v4);
            }
        }
        let metrics: Vec<Value> = cvss::base_metrics(v4)
            .into_iter()
            .map(|(id, name, _)| {
                let options: Vec<Value> = labels(v4, id)
                    .iter()
                    .map(|(value, label)| json!({ "value": value, "label": label }))
                    .collect();
                let chosen = self.metrics.get(id).cloned().unwrap_or_default();
                json!({ "id": id, "name": name, "field": format!("{prefix}.{id}"),
                        "options": options, "chosen": chosen })
            })
            .collect();
        let vector = self.vector_text(v4);
        let scored = vector.as_deref().and_then(|v| cvss::score(v).ok());
        let score = scored.map(
            |s| json!({ "score": s.score_text(), "rating": s.rating.as_str(), "vector": s.vector }),
        );
        let version = match self.version.trim() {
            "" => default_version(v4),
            v => v,
        };
        json!({
            "prefix": prefix, "v4": v4, "version": version,
            "versions": if v4 { vec![] } else { V3_VERSIONS.to_vec() },
            "metrics": metrics, "extra": self.extra, "vector": self.vector, "score": score,
        })
    }
}

fn default_version(v4: bool) -> &'static str {
    if v4 { "4.0" } else { V3_VERSIONS[0] }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    const V40: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

    #[test]
    fn every_base_value_has_a_label_and_nothing_else_does() {
        for v4 in [false, true] {
            for (id, _, values) in cvss::base_metrics(v4) {
                let mut labelled: Vec<&str> = labels(v4, id).iter().map(|(v, _)| *v).collect();
                let mut values = values.to_vec();
                labelled.sort_unstable();
                values.sort_unstable();
                assert_eq!(labelled, values, "{id} (4.0: {v4})");
            }
        }
    }

    #[test]
    fn a_valid_pasted_vector_comes_back_chosen_and_a_wrong_one_as_pasted() {
        let pasted = Builder {
            vector: format!(" {V40} "),
            ..Builder::default()
        };
        let v = pasted.view("cvss4", true);
        assert_eq!(v["vector"], "");
        assert_eq!(v["metrics"][0]["chosen"], "N");
        assert_eq!(v["score"]["score"], "9.3");
        let wrong = Builder {
            vector: "CVSS:4.0/AV:Q".into(),
            ..Builder::default()
        };
        let v = wrong.view("cvss4", true);
        assert_eq!(v["vector"], "CVSS:4.0/AV:Q");
        assert_eq!(v["metrics"][0]["chosen"], "");
    }

    #[test]
    fn chosen_metrics_make_the_vector_in_order() {
        let mut b = Builder::default();
        for (id, v) in [
            ("A", "H"),
            ("AV", "N"),
            ("AC", "L"),
            ("PR", "N"),
            ("UI", "N"),
        ] {
            b.metrics.insert(id.into(), v.into());
        }
        for (id, v) in [("S", "U"), ("C", "H"), ("I", "H")] {
            b.metrics.insert(id.into(), v.into());
        }
        assert_eq!(b.vector_text(false).as_deref(), Some(V31));
        b.extra = "E:P/RL:O".into();
        b.version = "3.0".into();
        assert_eq!(
            b.vector_text(false).as_deref(),
            Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O")
        );
        b.vector = format!(" {V40} ");
        assert_eq!(
            b.vector_text(false).as_deref(),
            Some(V40),
            "a pasted vector wins"
        );
        assert_eq!(Builder::default().vector_text(true), None);
    }

    #[test]
    fn a_vector_comes_back_into_the_controls_unchanged() {
        for (v, v4) in [
            (V31, false),
            ("CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N/E:P", false),
            (V40, true),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A",
                true,
            ),
        ] {
            let b = Builder::from_vector(v, v4);
            assert!(b.vector.is_empty(), "{v} fills the controls");
            assert_eq!(b.vector_text(v4).as_deref(), Some(v));
        }
        // Another order, or a version the builder does not offer, stays pasted.
        let reordered = "CVSS:3.1/AC:L/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H";
        for (v, v4) in [(reordered, false), (V31, true), ("garbage", false)] {
            let b = Builder::from_vector(v, v4);
            assert_eq!(b.vector, v);
            assert_eq!(b.vector_text(v4).as_deref(), Some(v));
        }
    }

    #[test]
    fn errors_point_at_the_first_unchosen_metric() {
        let mut b = Builder::from_vector(V40, true);
        assert_eq!(b.error_field("cvss4", true), "cvss4.AV");
        b.metrics.remove("PR");
        assert_eq!(b.error_field("cvss4", true), "cvss4.PR");
        b.metrics.insert("PR".into(), "N".into());
        b.extra = "CR:H/E:A".into();
        assert_eq!(b.error_field("cvss4", true), "cvss4.extra");
        b.vector = "CVSS:4.0".into();
        assert_eq!(b.error_field("cvss4", true), "cvss4.vector");
    }

    #[test]
    fn the_view_shows_the_score_of_a_valid_vector() {
        let v = Builder::from_vector(V31, false).view("cvss3", false);
        assert_eq!(v["score"]["score"], "9.8");
        assert_eq!(v["score"]["rating"], "CRITICAL");
        assert_eq!(v["metrics"][0]["field"], "cvss3.AV");
        assert_eq!(v["metrics"][0]["chosen"], "N");
        let mut partial = Builder::default();
        partial.metrics.insert("AV".into(), "N".into());
        assert_eq!(partial.view("cvss3", false)["score"], Value::Null);
    }
}
