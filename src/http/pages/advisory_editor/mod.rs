//! The structured advisory editor of the new and edit pages: one form whose
//! fields name their place in the advisory (`packages[1].ranges[0].events[2].version`),
//! read as (name, value) pairs because urlencoded forms cannot nest.
//!
//! * [`fields`] turns the pairs into a [`Submission`]: the [`Draft`] as
//!   typed and the button pressed ([`Action`]).
//! * [`rows`] adds and removes rows ("add event", "remove package"): the
//!   form comes back with everything typed and nothing saved.
//! * [`content`] turns a draft into the advisory's [`Content`] (dropping
//!   rows left empty) and back, so an advisory written as JSON opens here
//!   with all its fields.
//! * [`severity`] is the CVSS 3.x and 4.0 vector builder.
//! * [`errors`] files the domain's errors (keyed by OSV paths) under the
//!   fields that caused them; the domain stays the only judge.
//! * [`view`] is what the template `advisory_editor.html.j2` shows.
//!
//! The JSON textarea ("Advanced (JSON)") posts through the same form with
//! `action=json`, on the path the pages had before the editor.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::advisory::Severity;

pub mod content;
pub mod errors;
pub mod fields;
pub mod rows;
pub mod severity;
pub mod view;

/// The most rows one list may hold; more are ignored.
pub const MAX_ROWS: usize = 100;

/// An advisory as the editor holds it: every field as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Draft {
    pub summary: String,
    pub details: String,
    pub packages: Vec<PackageRow>,
    pub cvss3: Builder,
    pub cvss4: Builder,
    /// Severity entries beyond one CVSS 3 and one CVSS 4 vector (written as
    /// JSON), carried through unchanged.
    pub more_severity: Vec<Severity>,
    /// As typed: an id, an id with its name, or a name.
    pub cwes: Vec<String>,
    pub aliases: Vec<String>,
    pub credits: Vec<CreditRow>,
    pub references: Vec<ReferenceRow>,
    /// One version per line.
    pub unaffected_versions: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PackageRow {
    /// An OSV ecosystem name, without suffix.
    pub ecosystem: String,
    /// What follows `:` in an ecosystem such as `Debian:12`.
    pub suffix: String,
    pub name: String,
    pub purl: String,
    pub ranges: Vec<RangeRow>,
    /// Explicitly affected versions, one per line.
    pub versions: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeRow {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    pub kind: String,
    pub repo: String,
    pub events: Vec<EventRow>,
}

impl Default for RangeRow {
    fn default() -> Self {
        Self {
            kind: "SEMVER".into(),
            repo: String::new(),
            events: Vec::new(),
        }
    }
}

impl RangeRow {
    /// A range as "add range" makes it: introduced, then fixed.
    pub fn fresh() -> Self {
        Self {
            events: vec![EventRow::new("introduced"), EventRow::new("fixed")],
            ..Self::default()
        }
    }
}

impl PackageRow {
    /// A package as "add package" makes it, with one range.
    pub fn fresh() -> Self {
        Self {
            ranges: vec![RangeRow::fresh()],
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    /// `introduced`, `fixed`, `last_affected` or `limit`.
    pub kind: String,
    pub version: String,
}

impl EventRow {
    pub fn new(kind: &str) -> Self {
        Self {
            kind: kind.into(),
            version: String::new(),
        }
    }
}

/// One CVSS vector builder: a control per Base metric, further metrics as
/// text, or a whole vector pasted (which wins when given).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Builder {
    /// `3.1` or `3.0` for the CVSS 3 builder; ignored for 4.0.
    pub version: String,
    /// Base metric abbreviation to the chosen value.
    pub metrics: BTreeMap<String, String>,
    /// Metrics after the Base ones, such as `E:P/RL:O`.
    pub extra: String,
    /// A pasted vector.
    pub vector: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreditRow {
    pub name: String,
    /// An OSV credit type, or empty.
    pub kind: String,
    pub github: String,
    /// One contact (URL or address) per line.
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceRow {
    pub kind: String,
    pub url: String,
}

impl Default for ReferenceRow {
    fn default() -> Self {
        Self {
            kind: "WEB".into(),
            url: String::new(),
        }
    }
}

/// The button that sent the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Create or save from the structured fields.
    Save,
    /// Show the public page as it would be, saving nothing.
    Preview,
    /// Create or save from the JSON textarea.
    Json,
    /// Add a row to the list at this path (`packages[0].ranges`).
    Add(String),
    /// Remove the row at this path (`packages[0].ranges[1]`).
    Remove(String),
    /// Anything else: show the form again.
    Refresh,
}

impl Action {
    /// Whether the button only changes the form (nothing is checked or saved).
    pub fn edits_rows(&self) -> bool {
        matches!(self, Self::Add(_) | Self::Remove(_) | Self::Refresh)
    }
}

/// A posted editor form.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub csrf: String,
    pub action: Action,
    pub draft: Draft,
    /// The JSON textarea, if it was sent.
    pub osv: Option<String>,
    pub report_id: String,
    /// Why the content changed (edit form).
    pub reason: String,
}
