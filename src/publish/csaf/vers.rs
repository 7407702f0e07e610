//! `vers:` ranges and package URLs for product names and helpers.

use super::*;

/// A single version, not a range or prose: what `product_version` may name
/// (test 6.1.31 rejects `<`, `>` and words like "before" or "all").
pub fn is_plain_version(v: &str) -> bool {
    const WORDS: [&str; 7] = [
        "after", "all", "before", "earlier", "later", "prior", "versions",
    ];
    !v.is_empty()
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>=|*,".contains(c))
        && !WORDS.contains(&v.to_ascii_lowercase().as_str())
}

/// The vers versioning scheme for an ECOSYSTEM range: the purl type when
/// the package has a purl, else the purl type OSV's ecosystem maps to, else
/// `generic`.
pub fn vers_scheme(purl: Option<&str>, ecosystem: &str) -> String {
    if let Some(t) = purl
        .and_then(|p| p.strip_prefix("pkg:"))
        .and_then(|rest| rest.split('/').next())
        .filter(|t| {
            t.starts_with(|c: char| c.is_ascii_alphabetic())
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c))
        })
    {
        return t.to_ascii_lowercase();
    }
    let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
    match base {
        "npm" => "npm",
        "PyPI" => "pypi",
        "Maven" => "maven",
        "crates.io" => "cargo",
        "Go" => "golang",
        "RubyGems" => "gem",
        "NuGet" => "nuget",
        "Packagist" => "composer",
        "Hex" => "hex",
        "Pub" => "pub",
        "Debian" | "Ubuntu" => "deb",
        "Alpine" => "apk",
        "Red Hat" | "AlmaLinux" | "Rocky Linux" | "SUSE" | "openSUSE" => "rpm",
        "CRAN" => "cran",
        "Hackage" => "hackage",
        "ConanCenter" => "conan",
        "SwiftURL" => "swift",
        "GitHub Actions" => "github",
        _ => "generic",
    }
    .to_owned()
}

/// An OSV range as a vers range: `vers:semver/>=1.0.0|<1.2.3`.
/// `introduced: 0` is no lower bound, `fixed` and `limit` are `<`,
/// `last_affected` is `<=`; a range without bounds is `vers:{scheme}/*`.
/// SEMVER events are put in version order, as vers requires; other ranges
/// keep the order given (their ordering is the ecosystem's).
pub fn vers(range: &Range, scheme: &str) -> String {
    let mut parts = Vec::new();
    for ev in ordered_events(range) {
        let v = ev.version().trim();
        let constraint = match ev {
            Event::Introduced(_) if v == "0" => continue,
            Event::Limit(_) if v == "*" => continue,
            Event::Introduced(_) => ">=",
            Event::Fixed(_) | Event::Limit(_) => "<",
            Event::LastAffected(_) => "<=",
        };
        parts.push(format!("{constraint}{}", vers_escape(v)));
    }
    if parts.is_empty() {
        format!("vers:{scheme}/*")
    } else {
        format!("vers:{scheme}/{}", parts.join("|"))
    }
}

/// The events of a range, in version order for SEMVER ranges.
pub(super) fn ordered_events(range: &Range) -> Vec<&Event> {
    let mut events: Vec<&Event> = range.events.iter().collect();
    if range.kind == RangeType::Semver {
        events.sort_by(|a, b| semver_cmp(a.version().trim(), b.version().trim()));
    }
    events
}

pub(super) fn vers_escape(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        match c {
            '%' | '|' | ' ' | '<' | '>' | '=' | '!' | '*' | ',' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// SemVer 2.0 precedence (a leading `v` allowed, `0` lowest); what does not
/// parse sorts as text after what does.
pub(super) fn semver_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    type Parsed<'a> = ([u64; 3], Option<&'a str>);
    pub(super) fn parse(v: &str) -> Option<Parsed<'_>> {
        if v == "0" {
            return Some(([0, 0, 0], None));
        }
        let v = v.strip_prefix('v').unwrap_or(v);
        let v = v.split('+').next()?;
        let (core, pre) = match v.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (v, None),
        };
        let mut n = [0u64; 3];
        let mut parts = core.split('.');
        for slot in &mut n {
            *slot = parts.next()?.parse().ok()?;
        }
        if parts.next().is_some() {
            return None;
        }
        Some((n, pre))
    }
    pub(super) fn pre_cmp(a: &str, b: &str) -> Ordering {
        let mut x = a.split('.');
        let mut y = b.split('.');
        loop {
            match (x.next(), y.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(p), Some(q)) => {
                    let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                        (Ok(m), Ok(n)) => m.cmp(&n),
                        (Ok(_), Err(_)) => Ordering::Less,
                        (Err(_), Ok(_)) => Ordering::Greater,
                        (Err(_), Err(_)) => p.cmp(q),
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
            }
        }
    }
    match (parse(a), parse(b)) {
        (Some((na, pa)), Some((nb, pb))) => na.cmp(&nb).then_with(|| match (pa, pb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(p), Some(q)) => pre_cmp(p, q),
        }),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Splits a purl into `(before version, version, qualifiers and subpath)`.
pub(super) fn split_purl(purl: &str) -> (&str, Option<&str>, &str) {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    let (main, tail) = purl.split_at(end);
    let last_slash = main.rfind('/').unwrap_or(0);
    match main[last_slash..].find('@') {
        Some(i) => (
            &main[..last_slash + i],
            Some(&main[last_slash + i + 1..]),
            tail,
        ),
        None => (main, None, tail),
    }
}

/// The purl without its version: it names the package in any version.
pub fn versionless_purl(purl: &str) -> String {
    let (main, _, tail) = split_purl(purl);
    format!("{main}{tail}")
}

/// The purl of one version of the package, the version percent-encoded.
pub fn purl_with_version(purl: &str, version: &str) -> String {
    let (main, _, tail) = split_purl(purl);
    let mut encoded = String::new();
    for b in version.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{main}@{encoded}{tail}")
}
