//! OSV's affected packages as CVE products: the package in its collection
//! (`collectionURL` + `packageName`) and as vendor and product, each OSV
//! range as CVE version entries.

use serde_json::{Map, Value, json};

use super::dedup;
use crate::domain::advisory::{Affected, Event, Range, RangeType};
use crate::publish::csaf::vers_scheme;

pub fn products(affected: &[Affected], vendor: &str) -> Vec<Value> {
    let vendor = match vendor.trim() {
        "" => "N/A",
        v => v,
    };
    affected.iter().map(|a| product(a, vendor)).collect()
}

fn product(a: &Affected, vendor: &str) -> Value {
    let name = a.package.name.trim();
    let mut out = Map::new();
    out.insert("vendor".into(), json!(vendor));
    out.insert("product".into(), json!(name));
    if let Some(url) = collection_url(&a.package.ecosystem) {
        out.insert("collectionURL".into(), json!(url));
        out.insert("packageName".into(), json!(name));
    }
    if let Some(repo) = a
        .ranges
        .iter()
        .filter(|r| r.kind == RangeType::Git)
        .find_map(|r| r.repo.as_deref().map(str::trim).filter(|r| !r.is_empty()))
    {
        out.insert("repo".into(), json!(repo));
    }
    let scheme = vers_scheme(a.package.purl.as_deref(), &a.package.ecosystem);
    let mut versions: Vec<Value> = a
        .ranges
        .iter()
        .flat_map(|r| range_entries(r, &scheme))
        .collect();
    versions.extend(
        a.versions
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| json!({"version": v, "status": "affected"})),
    );
    if versions.is_empty() {
        // Nothing narrower is known: every version is affected.
        out.insert("defaultStatus".into(), json!("affected"));
    } else {
        out.insert("versions".into(), Value::Array(dedup(versions)));
        out.insert("defaultStatus".into(), json!("unaffected"));
    }
    Value::Object(out)
}

/// One entry per affected interval: `introduced` up to the next `fixed` or
/// `limit` (`lessThan`) or `last_affected` (`lessThanOrEqual`); an interval
/// left open is `lessThan: "*"`, every later version.
fn range_entries(r: &Range, scheme: &str) -> Vec<Value> {
    let kind = match r.kind {
        RangeType::Semver => "semver",
        RangeType::Git => "git",
        RangeType::Ecosystem if scheme == "generic" => "custom",
        RangeType::Ecosystem => scheme,
    };
    let mut out = Vec::new();
    let mut open: Option<&str> = None;
    for ev in &r.events {
        let v = ev.version().trim();
        if v.is_empty() {
            continue;
        }
        match ev {
            Event::Introduced(_) => {
                if let Some(start) = open.replace(v) {
                    out.push(entry(start, kind, "lessThan", "*"));
                }
            }
            Event::Fixed(_) | Event::Limit(_) => {
                if let Some(start) = open.take() {
                    out.push(entry(start, kind, "lessThan", v));
                }
            }
            Event::LastAffected(_) => {
                if let Some(start) = open.take() {
                    out.push(entry(start, kind, "lessThanOrEqual", v));
                }
            }
        }
    }
    if let Some(start) = open {
        out.push(entry(start, kind, "lessThan", "*"));
    }
    out
}

fn entry(start: &str, kind: &str, bound: &str, end: &str) -> Value {
    json!({"version": start, "status": "affected", "versionType": kind, bound: end})
}

/// The package collection an OSV ecosystem names, where CVE's list of
/// examples has one.
fn collection_url(ecosystem: &str) -> Option<&'static str> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
    Some(match base {
        "npm" => "https://www.npmjs.com",
        "PyPI" => "https://pypi.org",
        "Maven" => "https://repo.maven.apache.org/maven2",
        "crates.io" => "https://crates.io",
        "Go" => "https://pkg.go.dev",
        "RubyGems" => "https://rubygems.org",
        "NuGet" => "https://www.nuget.org",
        "Packagist" => "https://packagist.org",
        "Hex" => "https://hex.pm",
        "Pub" => "https://pub.dev",
        "CRAN" => "https://cran.r-project.org",
        "Hackage" => "https://hackage.haskell.org",
        _ => return None,
    })
}
