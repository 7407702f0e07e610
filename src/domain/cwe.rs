//! The CWE catalogue (MITRE CWE 4.15), embedded from `assets/cwe/cwe.csv`
//! (provenance in `assets/cwe/README.md`): names for ids, ids for names,
//! and which weaknesses the advisory editor offers.

use std::sync::LazyLock;

const CSV: &str = include_str!("../../assets/cwe/cwe.csv");

/// MITRE's copyright designation and licence grant, which must travel with
/// every copy of the catalogue (this binary is one).
pub const NOTICE: &str = include_str!("../../assets/cwe/NOTICE");

/// The catalogue's release.
pub const VERSION: &str = "4.15";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Weakness,
    Category,
    View,
}

/// One catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: u32,
    /// As MITRE published it (four 4.15 names end in a space).
    pub name: String,
    pub deprecated: bool,
    pub kind: Kind,
}

impl Entry {
    /// `CWE-79`.
    pub fn cwe_id(&self) -> String {
        format!("CWE-{}", self.id)
    }

    /// Weaknesses that are not deprecated are what an advisory should name
    /// (MITRE discourages mapping to categories and views).
    pub fn offered(&self) -> bool {
        self.kind == Kind::Weakness && !self.deprecated
    }
}

static CATALOGUE: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    let mut all: Vec<Entry> = CSV.lines().skip(1).filter_map(entry).collect();
    all.sort_by_key(|e| e.id);
    all
});

/// Every entry, sorted by id.
pub fn all() -> &'static [Entry] {
    &CATALOGUE
}

/// The entry with number `id`.
pub fn get(id: u32) -> Option<&'static Entry> {
    let all = all();
    all.binary_search_by_key(&id, |e| e.id)
        .ok()
        .map(|i| &all[i])
}

/// The entry a `CWE-79` id names.
pub fn lookup(cwe_id: &str) -> Option<&'static Entry> {
    number(cwe_id.trim().strip_prefix("CWE-")?).and_then(get)
}

/// The entry someone typed or picked: `CWE-79`, `cwe-79`, `79`, `CWE-79:
/// any name` (what the editor's list offers), or a name, in any case.
pub fn find(input: &str) -> Option<&'static Entry> {
    let input = input.trim();
    let id_part = input.split_once(':').map_or(input, |(id, _)| id).trim();
    let digits = match id_part.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("CWE-") => &id_part[4..],
        _ => id_part,
    };
    if let Some(n) = number(digits) {
        return get(n);
    }
    let wanted = squeeze(input);
    all().iter().find(|e| squeeze(&e.name) == wanted)
}

/// The weaknesses offered for picking, by id.
pub fn offered() -> impl Iterator<Item = &'static Entry> {
    all().iter().filter(|e| e.offered())
}

fn number(s: &str) -> Option<u32> {
    let ok = !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| s.parse().ok()).flatten()
}

/// Lower case with runs of white space made one space, for matching names.
fn squeeze(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn entry(line: &str) -> Option<Entry> {
    let fields = record(line);
    let [id, name, status, _abstraction, kind] = fields.as_slice() else {
        return None;
    };
    Some(Entry {
        id: number(id)?,
        name: name.clone(),
        deprecated: status == "Deprecated",
        kind: match kind.as_str() {
            "weakness" => Kind::Weakness,
            "category" => Kind::Category,
            "view" => Kind::View,
            _ => return None,
        },
    })
}

/// The fields of one RFC 4180 record that fits on one line.
fn record(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_catalogue_is_read() {
        assert_eq!(all().len(), 1427);
        let count = |k: Kind| all().iter().filter(|e| e.kind == k).count();
        assert_eq!(
            (
                count(Kind::Weakness),
                count(Kind::Category),
                count(Kind::View)
            ),
            (964, 409, 54)
        );
        assert_eq!(offered().count(), 964 - 25);
        assert!(offered().all(|e| !e.name.starts_with("DEPRECATED")));
    }

    #[test]
    fn quoted_names_keep_their_commas_and_quotes() {
        assert_eq!(
            record(r#"1,"a, ""b"", c",Stable,,view"#),
            ["1", "a, \"b\", c", "Stable", "", "view"]
        );
        let with_comma = all().iter().find(|e| e.name.contains(','));
        assert!(with_comma.is_some(), "4.15 has names with commas");
    }

    #[test]
    fn ids_and_names_find_their_entry() {
        let xss =
            "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')";
        assert_eq!(lookup("CWE-79").map(|e| e.name.as_str()), Some(xss));
        for typed in ["CWE-79", " cwe-79 ", "79", "CWE-79: whatever the list said"] {
            assert_eq!(find(typed).map(|e| e.id), Some(79), "{typed}");
        }
        assert_eq!(find(&xss.to_uppercase()).map(|e| e.id), Some(79));
        assert_eq!(find("Out-of-bounds  write").map(|e| e.id), Some(787));
        assert_eq!(find("CWE-1426").map(|e| e.id), Some(1426), "new in 4.15");
        for unknown in ["CWE-99999", "CWE-", "", "Cross-site", "CWE-79x", "1234567"] {
            assert_eq!(find(unknown), None, "{unknown}");
        }
        assert_eq!(lookup("79"), None, "an id needs its prefix");
        // A name ending in a space, as published, matches trimmed.
        assert_eq!(
            find(lookup("CWE-280").unwrap().name.trim()).unwrap().id,
            280
        );
    }

    #[test]
    fn deprecated_entries_and_categories_are_known_but_not_offered() {
        let deprecated = get(1).unwrap();
        assert!(deprecated.deprecated && !deprecated.offered());
        let category = all()
            .iter()
            .find(|e| e.kind == Kind::Category && !e.deprecated);
        assert!(!category.unwrap().offered());
        assert!(get(79).unwrap().offered());
        assert!(NOTICE.contains("The MITRE Corporation"));
    }
}
