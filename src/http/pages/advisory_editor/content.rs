//! A draft as the advisory's content, and content as a draft. Rows left
//! empty are dropped; [`Origins`] remembers which row each item came from,
//! so an error about `affected[0]` lands on the form's `packages[1]`.

use super::severity::BUILDERS;
use super::*;
use crate::domain::advisory::{
    Affected, Content, Credit, DatabaseSpecific, Event, Package, Range, RangeType, Reference,
};
use crate::domain::cwe;

/// Where a severity entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeverityFrom {
    /// A builder, by its index in [`BUILDERS`].
    Builder(usize),
    /// An entry carried through unchanged.
    More,
}

/// A range's row and its events' rows.
pub type RangeRows = (usize, Vec<usize>);

/// For each item of the content, the row of the draft it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    /// Package row, then its ranges'.
    pub packages: Vec<(usize, Vec<RangeRows>)>,
    pub severity: Vec<SeverityFrom>,
    pub cwes: Vec<usize>,
    pub aliases: Vec<usize>,
    pub credits: Vec<usize>,
    pub references: Vec<usize>,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Non-empty lines, trimmed.
fn lines(text: &str) -> Vec<String> {
    let lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    lines.map(str::to_owned).collect()
}

/// `Some(trimmed)` unless blank.
fn given(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn range_kind(kind: &str) -> RangeType {
    match kind {
        "GIT" => RangeType::Git,
        "ECOSYSTEM" => RangeType::Ecosystem,
        _ => RangeType::Semver,
    }
}

fn event(kind: &str, version: String) -> Event {
    match kind {
        "fixed" => Event::Fixed(version),
        "last_affected" => Event::LastAffected(version),
        "limit" => Event::Limit(version),
        _ => Event::Introduced(version),
    }
}

/// The rows of `items` that are not blank, with their indices.
fn kept<T>(items: &[T], blank: impl Fn(&T) -> bool) -> impl Iterator<Item = (usize, &T)> {
    items.iter().enumerate().filter(move |(_, t)| !blank(t))
}

impl RangeRow {
    fn is_blank(&self) -> bool {
        blank(&self.repo) && self.events.iter().all(|e| blank(&e.version))
    }
}

impl PackageRow {
    /// Nothing typed (an ecosystem chosen alone does not count).
    fn is_blank(&self) -> bool {
        [&self.suffix, &self.name, &self.purl, &self.versions]
            .iter()
            .all(|s| blank(s))
            && self.ranges.iter().all(RangeRow::is_blank)
    }
}

impl Draft {
    /// The content this draft describes, and where each item came from.
    /// Nothing is checked here: that is `Content::validate`'s job.
    pub fn to_content(&self) -> (Content, Origins) {
        let mut o = Origins::default();
        let mut affected = Vec::new();
        for (i, p) in kept(&self.packages, PackageRow::is_blank) {
            let mut ranges = Vec::new();
            let mut range_origins = Vec::new();
            for (j, r) in kept(&p.ranges, RangeRow::is_blank) {
                let events = kept(&r.events, |e| blank(&e.version));
                let (rows, events): (Vec<usize>, Vec<Event>) = events
                    .map(|(k, e)| (k, event(&e.kind, e.version.trim().to_owned())))
                    .unzip();
                ranges.push(Range {
                    kind: range_kind(&r.kind),
                    repo: given(&r.repo),
                    events,
                });
                range_origins.push((j, rows));
            }
            let ecosystem = match given(&p.suffix) {
                Some(suffix) => format!("{}:{suffix}", p.ecosystem.trim()),
                None => p.ecosystem.trim().to_owned(),
            };
            let package = Package {
                ecosystem,
                name: p.name.trim().to_owned(),
                purl: given(&p.purl),
            };
            affected.push(Affected {
                package,
                ranges,
                versions: lines(&p.versions),
            });
            o.packages.push((i, range_origins));
        }
        let mut severity = Vec::new();
        for (b, (_, kind, v4)) in BUILDERS.iter().enumerate() {
            let builder = if *v4 { &self.cvss4 } else { &self.cvss3 };
            if let Some(score) = builder.vector_text(*v4) {
                severity.push(Severity {
                    kind: (*kind).to_owned(),
                    score,
                });
                o.severity.push(SeverityFrom::Builder(b));
            }
        }
        for s in &self.more_severity {
            severity.push(s.clone());
            o.severity.push(SeverityFrom::More);
        }
        let (cwe_rows, cwe_ids): (Vec<usize>, Vec<String>) = kept(&self.cwes, |c| blank(c))
            .map(|(i, typed)| {
                (
                    i,
                    cwe::find(typed).map_or_else(|| typed.trim().to_owned(), |e| e.cwe_id()),
                )
            })
            .unzip();
        let (alias_rows, aliases) = kept(&self.aliases, |a| blank(a))
            .map(|(i, a)| (i, a.trim().to_owned()))
            .unzip();
        let credit_blank = |c: &CreditRow| blank(&c.name) && blank(&c.github) && blank(&c.contact);
        let (credit_rows, credits) = kept(&self.credits, credit_blank)
            .map(|(i, c)| {
                let credit = Credit {
                    name: c.name.trim().to_owned(),
                    kind: given(&c.kind),
                    contact: lines(&c.contact),
                    github: given(&c.github),
                };
                (i, credit)
            })
            .unzip();
        let (reference_rows, references) = kept(&self.references, |r| blank(&r.url))
            .map(|(i, r)| {
                (
                    i,
                    Reference {
                        kind: r.kind.trim().to_owned(),
                        url: r.url.trim().to_owned(),
                    },
                )
            })
            .unzip();
        (o.cwes, o.aliases, o.credits, o.references) =
            (cwe_rows, alias_rows, credit_rows, reference_rows);
        let content = Content {
            summary: self.summary.trim().to_owned(),
            details: self.details.clone(),
            affected,
            severity,
            database_specific: DatabaseSpecific {
                cwe_ids,
                unaffected_versions: lines(&self.unaffected_versions),
            },
            aliases,
            credits,
            references,
        };
        (content, o)
    }

    /// The draft showing `content`, every field of it.
    pub fn from_content(content: &Content) -> Self {
        let packages = content.affected.iter().map(|a| {
            let (ecosystem, suffix) = match a.package.ecosystem.split_once(':') {
                Some((e, s)) => (e.to_owned(), s.to_owned()),
                None => (a.package.ecosystem.clone(), String::new()),
            };
            let ranges = a.ranges.iter().map(|r| RangeRow {
                kind: range_type_name(r.kind).to_owned(),
                repo: r.repo.clone().unwrap_or_default(),
                events: r
                    .events
                    .iter()
                    .map(|e| EventRow {
                        kind: event_name(e).to_owned(),
                        version: e.version().to_owned(),
                    })
                    .collect(),
            });
            PackageRow {
                ecosystem,
                suffix,
                name: a.package.name.clone(),
                purl: a.package.purl.clone().unwrap_or_default(),
                ranges: ranges.collect(),
                versions: a.versions.join("\n"),
            }
        });
        let mut draft = Draft {
            summary: content.summary.clone(),
            details: content.details.clone(),
            packages: packages.collect(),
            cwes: content.database_specific.cwe_ids.clone(),
            aliases: content.aliases.clone(),
            unaffected_versions: content.database_specific.unaffected_versions.join("\n"),
            ..Draft::default()
        };
        for s in &content.severity {
            let slot = match s.kind.as_str() {
                "CVSS_V3" if draft.cvss3 == Builder::default() => Some((&mut draft.cvss3, false)),
                "CVSS_V4" if draft.cvss4 == Builder::default() => Some((&mut draft.cvss4, true)),
                _ => None,
            };
            match slot {
                Some((builder, v4)) => *builder = Builder::from_vector(&s.score, v4),
                None => draft.more_severity.push(s.clone()),
            }
        }
        draft.credits = content
            .credits
            .iter()
            .map(|c| CreditRow {
                name: c.name.clone(),
                kind: c.kind.clone().unwrap_or_default(),
                github: c.github.clone().unwrap_or_default(),
                contact: c.contact.join("\n"),
            })
            .collect();
        draft.references = content
            .references
            .iter()
            .map(|r| ReferenceRow {
                kind: r.kind.clone(),
                url: r.url.clone(),
            })
            .collect();
        draft
    }
}

pub fn range_type_name(kind: RangeType) -> &'static str {
    match kind {
        RangeType::Semver => "SEMVER",
        RangeType::Ecosystem => "ECOSYSTEM",
        RangeType::Git => "GIT",
    }
}

pub fn event_name(e: &Event) -> &'static str {
    match e {
        Event::Introduced(_) => "introduced",
        Event::Fixed(_) => "fixed",
        Event::LastAffected(_) => "last_affected",
        Event::Limit(_) => "limit",
    }
}

#[cfg(test)]
mod tests;
