//! A strict reader of Prometheus's text exposition format (0.0.4), enough
//! to hold `/metrics` to it: every sample belongs to a family declared by a
//! `# TYPE` line before it, names and labels are well formed, values are
//! numbers.

use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

#[derive(Debug, Default)]
pub struct Exposition {
    /// Family name -> its type.
    pub types: HashMap<String, String>,
    pub samples: Vec<Sample>,
}

impl Exposition {
    /// The value of the one sample named `name` with exactly `labels`.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let want: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let found: Vec<_> = self
            .samples
            .iter()
            .filter(|s| s.name == name && s.labels == want)
            .collect();
        assert!(found.len() <= 1, "{name} {labels:?} appears twice");
        found.first().map(|s| s.value)
    }

    /// Samples named `name`.
    pub fn all(&self, name: &str) -> Vec<&Sample> {
        self.samples.iter().filter(|s| s.name == name).collect()
    }
}

fn is_name(s: &str, colon: bool) -> bool {
    let mut chars = s.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (colon && c == ':'));
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (colon && c == ':'))
}

/// The family a sample belongs to: a histogram's `_bucket`, `_sum` and
/// `_count` series belong to the histogram.
fn family<'a>(name: &'a str, types: &HashMap<String, String>) -> Option<&'a str> {
    if types.contains_key(name) {
        return Some(name);
    }
    ["_bucket", "_sum", "_count"].iter().find_map(|suffix| {
        let base = name.strip_suffix(suffix)?;
        matches!(
            types.get(base).map(String::as_str),
            Some("histogram" | "summary")
        )
        .then_some(base)
    })
}

fn parse_labels(s: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let mut rest = s;
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let eq = rest.find('=').ok_or("label without =")?;
        let key = &rest[..eq];
        if !is_name(key, false) {
            return Err(format!("bad label name {key:?}"));
        }
        let mut chars = rest[eq + 1..].char_indices();
        if chars.next().map(|(_, c)| c) != Some('"') {
            return Err("label value not quoted".into());
        }
        let mut value = String::new();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => value.push('\n'),
                    Some(c @ ('\\' | '"')) => value.push(c),
                    other => return Err(format!("bad escape {other:?}")),
                },
                '"' => {
                    end = Some(i);
                    break;
                }
                '\n' => return Err("raw newline in a label value".into()),
                c => value.push(c),
            }
        }
        let end = end.ok_or("unterminated label value")?;
        if labels.insert(key.to_owned(), value).is_some() {
            return Err(format!("label {key} twice"));
        }
        rest = &rest[eq + 1 + end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => s.parse().map_err(|_| format!("bad value {s:?}")),
    }
}

/// Reads `text`, or says which line breaks the format.
pub fn parse(text: &str) -> Result<Exposition, String> {
    let mut out = Exposition::default();
    for (n, line) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}: {line:?}", n + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').ok_or_else(|| at("no type".into()))?;
            if !is_name(name, true) {
                return Err(at("bad metric name".into()));
            }
            if !matches!(
                kind,
                "counter" | "gauge" | "histogram" | "summary" | "untyped"
            ) {
                return Err(at("unknown type".into()));
            }
            if out.types.insert(name.to_owned(), kind.to_owned()).is_some() {
                return Err(at("family typed twice".into()));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| at("no value".into()))?;
        let name = &line[..name_end];
        if !is_name(name, true) {
            return Err(at("bad metric name".into()));
        }
        let (labels, rest) = match line[name_end..].strip_prefix('{') {
            Some(inner) => parse_labels(inner).map_err(at)?,
            None => (BTreeMap::new(), &line[name_end..]),
        };
        let rest = rest
            .strip_prefix(' ')
            .ok_or_else(|| at("no space before the value".into()))?;
        // A timestamp may follow the value.
        let value = rest.split(' ').next().unwrap_or_default();
        let value = parse_value(value).map_err(at)?;
        if family(name, &out.types).is_none() {
            return Err(at("sample before its # TYPE line".into()));
        }
        out.samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    Ok(out)
}

#[test]
fn the_reader_refuses_what_prometheus_would_refuse() {
    assert!(parse("# TYPE a counter\na 1\n").is_ok());
    assert!(parse("a 1\n").is_err(), "no TYPE line");
    assert!(parse("# TYPE a counter\na{b=\"c} 1\n").is_err());
    assert!(parse("# TYPE a counter\na{b=\"c\"} x\n").is_err());
    assert!(parse("# TYPE a histogram\na_bucket{le=\"+Inf\"} 1\na_sum 2\na_count 1\n").is_ok());
    let e = parse("# TYPE a gauge\na{b=\"x\\\"y\",c=\"z\"} 3\n").unwrap();
    assert_eq!(e.value("a", &[("b", "x\"y"), ("c", "z")]), Some(3.0));
}
