//! Migrating an existing distribution list: members, their contacts, keys and
//! (optionally) the dates they accepted the old list's policy, from a JSON or
//! CSV file, all or nothing in one transaction.
//!
//! Reading a file never stops at the first problem: [`read`] and
//! [`check_existing`] collect every problem with where it is (`line N` of a
//! CSV file, `members[N]` of a JSON file) and the field, so a dry run shows
//! the whole list of fixes at once. [`import`] writes only a file without
//! problems.
//!
//! Each contact is created as `membership::add_member` creates one (an account
//! with role member, a set-up link, the `contact_setup` mail, audit events).
//! A `policy_accepted_at` becomes an acceptance of the *current* policy
//! version with `how = 'attested'` and a `policy.attested` audit event whose
//! detail keeps the original date: the admin running the import attests that
//! the contact accepted the old list's policy; the contact did not accept it
//! in embargo.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::AppState;

use crate::db::accounts;
use crate::db::members;
use crate::domain::fields::FieldErrors;
use crate::domain::membership::{Organization, OrganizationInput};
use crate::mail::keys::validate_certificate;

mod apply;
mod parse;

pub use apply::{ImportError, Imported, import};
use parse::*;

/// The columns of a CSV file, in the documented order.
pub const CSV_COLUMNS: [&str; 7] = [
    "organization",
    "website",
    "security_alias",
    "contact_name",
    "contact_email",
    "openpgp_key_file",
    "policy_accepted_at",
];

/// Columns a CSV file may leave out.
const OPTIONAL_COLUMNS: [&str; 2] = ["openpgp_key_file", "policy_accepted_at"];

/// What the attestation says, in every `policy.attested` event.
const ATTESTATION: &str = "an admin attests that this contact accepted the policy of the \
     previous distribution list on the date given; the contact has not accepted it in embargo";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// The format a file name's extension names, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// Where something is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loc {
    /// The whole file, or a place without a better name.
    File,
    /// A line of a CSV file (or of a JSON file that does not parse), from 1.
    Line(usize),
    /// The index of a member in a JSON file's `members` array.
    Member(usize),
}

/// One problem (or warning): `AT: FIELD: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    order: (usize, usize),
    /// `line 4`, `members[3]` or `file`.
    pub at: String,
    /// The CSV column, or the JSON field path under the member.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.at, self.field, self.message)
    }
}

/// A `policy_accepted_at` from the old list.
#[derive(Debug, Clone)]
pub struct Attestation {
    /// As written in the file.
    pub original: String,
    /// The instant it names (a date is read as its start, UTC).
    pub at: jiff::Timestamp,
}

#[derive(Debug, Clone)]
pub struct PlannedContact {
    loc: Loc,
    pub attestation: Option<Attestation>,
    /// Fingerprint of the validated key, if one was given.
    pub key_fingerprint: Option<String>,
}

/// One member as read from the file.
#[derive(Debug, Clone)]
pub struct PlannedMember {
    loc: Loc,
    pub input: OrganizationInput,
    /// Parallel to `input.contacts`.
    pub contacts: Vec<PlannedContact>,
    /// Set when the member's fields are valid.
    org: Option<Organization>,
}

impl PlannedMember {
    pub fn at(&self) -> String {
        at(self.loc)
    }
}

/// A file read and checked: what it would import and what is wrong with it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The file's name (without its directory), for the audit log.
    pub file_name: String,
    /// SHA-256 of the file's bytes, for the audit log.
    pub sha256: String,
    pub members: Vec<PlannedMember>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

impl Plan {
    pub fn contact_count(&self) -> usize {
        self.members.iter().map(|m| m.contacts.len()).sum()
    }

    pub fn attestation_count(&self) -> usize {
        self.members
            .iter()
            .flat_map(|m| &m.contacts)
            .filter(|c| c.attestation.is_some())
            .count()
    }

    fn problem(&mut self, loc: Loc, sub: usize, field: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            order: order(loc, sub),
            at: at(loc),
            field: field.to_owned(),
            message: message.into(),
        });
    }

    fn warning(&mut self, loc: Loc, sub: usize, field: &str, message: impl Into<String>) {
        self.warnings.push(Problem {
            order: order(loc, sub),
            at: at(loc),
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Problems and warnings in file order.
    fn sort(&mut self) {
        self.problems.sort_by_key(|p| p.order);
        self.warnings.sort_by_key(|p| p.order);
    }
}

fn at(loc: Loc) -> String {
    match loc {
        Loc::File => "file".into(),
        Loc::Line(n) => format!("line {n}"),
        Loc::Member(m) => format!("members[{m}]"),
    }
}

fn order(loc: Loc, sub: usize) -> (usize, usize) {
    match loc {
        Loc::File => (0, sub),
        Loc::Line(n) | Loc::Member(n) => (n + 1, sub),
    }
}

/// The name a contact field has in the file: the CSV column, or the JSON
/// path under the member.
fn contact_field(member: &PlannedMember, i: usize, name: &str) -> (Loc, usize, String) {
    let contact = member.contacts[i].loc;
    match contact {
        Loc::Member(_) => (contact, i + 1, format!("contacts[{i}].{name}")),
        _ => {
            let column = match name {
                "name" => "contact_name",
                "email" => "contact_email",
                "openpgp_key" => "openpgp_key_file",
                other => other,
            };
            // After the member's own fields when they share a line.
            (contact, 1, column.to_owned())
        }
    }
}

/// Where a contact is: `line N`, or `members[M].contacts[I]`.
fn contact_at(member: &PlannedMember, i: usize) -> String {
    match member.contacts[i].loc {
        Loc::Member(m) => format!("members[{m}].contacts[{i}]"),
        other => at(other),
    }
}

/// Reads and checks `path`: its syntax, every member's fields, keys, dates,
/// and names or addresses listed twice. The database is not consulted (see
/// [`check_existing`]). Errors only when the file cannot be read.
pub async fn read(state: &AppState, path: &Path, format: Format) -> Result<Plan, std::io::Error> {
    let bytes = tokio::fs::read(path).await?;
    let dir = path
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut plan = Plan {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: crate::domain::secret::sha256_hex(&bytes),
        members: Vec::new(),
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let dates = match format {
        Format::Json => parse_json(&bytes, &mut plan),
        Format::Csv => parse_csv_file(&bytes, &dir, &mut plan),
    };
    // Checking keys is CPU work (signature verification for every contact):
    // off the async workers.
    let checker = state.clone();
    let mut plan = tokio::task::spawn_blocking(move || {
        check_members(&checker, &mut plan, &dates);
        plan
    })
    .await
    .map_err(std::io::Error::other)?;
    plan.sort();
    Ok(plan)
}

/// `policy_accepted_at` as written, per member and contact.
type Dates = Vec<Vec<Option<String>>>;

/// Validates each member as `add_member` would, then keys and dates, then
/// duplicates within the file.
fn check_members(state: &AppState, plan: &mut Plan, dates: &Dates) {
    if plan.members.is_empty() && plan.problems.is_empty() {
        plan.problem(Loc::File, 0, "members", "the file lists no members");
    }
    let now = crate::clock::timestamp();
    let min_days = state.config.membership.key_valid_days;
    let mut seen_orgs: HashMap<String, String> = HashMap::new();
    let mut seen_emails: HashMap<String, (usize, String)> = HashMap::new();
    for m in 0..plan.members.len() {
        let member = plan.members[m].clone();
        let mut e = FieldErrors::new();
        let org = member.input.validate(&mut e);
        for (field, message) in e.iter() {
            let (loc, sub, name) = field
                .strip_prefix("contacts[")
                .and_then(|rest| rest.split_once("]."))
                .and_then(|(i, sub)| Some((i.parse::<usize>().ok()?, sub)))
                .filter(|(i, _)| *i < member.contacts.len())
                .map(|(i, sub)| contact_field(&member, i, sub))
                .unwrap_or((member.loc, 0, field.to_owned()));
            plan.problem(loc, sub, &name, message);
        }
        // Keys and policy dates, contact by contact.
        for (i, c) in member.input.contacts.iter().enumerate() {
            if let Some(key) = c.openpgp_key.as_deref().filter(|k| !k.trim().is_empty()) {
                let (loc, sub, field) = contact_field(&member, i, "openpgp_key");
                match validate_certificate(key, c.email.trim(), now, min_days) {
                    Ok(info) => {
                        for w in &info.warnings {
                            plan.warning(loc, sub, &field, w.to_string());
                        }
                        plan.members[m].contacts[i].key_fingerprint = Some(info.fingerprint);
                    }
                    Err(err) => plan.problem(loc, sub, &field, err.to_string()),
                }
            }
            let raw = dates
                .get(m)
                .and_then(|d| d.get(i))
                .cloned()
                .flatten()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty());
            if let Some(raw) = raw {
                let (loc, sub, field) = contact_field(&member, i, "policy_accepted_at");
                match parse_date(&raw, now) {
                    Ok(ts) => {
                        plan.members[m].contacts[i].attestation = Some(Attestation {
                            original: raw,
                            at: ts,
                        })
                    }
                    Err(msg) => plan.problem(loc, sub, &field, msg),
                }
            }
            // Listed twice in the file, across members (`validate` catches
            // twice within one member).
            let email = c.email.trim().to_lowercase();
            if !email.is_empty() {
                match seen_emails.get(&email) {
                    // `validate` reports an address twice within a member.
                    Some((first_member, _)) if *first_member == m => {}
                    Some((_, first)) => {
                        let (loc, sub, field) = contact_field(&member, i, "email");
                        let message = format!(
                            "is also a contact at {first}; a person is a contact of one member"
                        );
                        plan.problem(loc, sub, &field, message);
                    }
                    None => {
                        seen_emails.insert(email, (m, contact_at(&member, i)));
                    }
                }
            }
        }
        let name = member.input.organization.trim().to_lowercase();
        if !name.is_empty() {
            if let Some(first) = seen_orgs.get(&name) {
                plan.problem(
                    member.loc,
                    0,
                    "organization",
                    format!("is listed twice (first at {first})"),
                );
            } else {
                seen_orgs.insert(name, at(member.loc));
            }
        }
        plan.members[m].org = org;
    }
}

/// Adds a problem for each organisation that is already a member and each
/// contact address that already has an account (compared case-insensitively).
pub async fn check_existing(conn: &mut sqlx::AnyConnection, plan: &mut Plan) -> anyhow::Result<()> {
    let existing: HashMap<String, members::Member> = members::list(conn)
        .await?
        .into_iter()
        .map(|m| (m.organization.trim().to_lowercase(), m))
        .collect();
    let accounts: HashMap<String, accounts::Account> = accounts::list(conn)
        .await?
        .into_iter()
        .map(|a| (a.email.to_lowercase(), a))
        .collect();
    for m in 0..plan.members.len() {
        let member = plan.members[m].clone();
        let name = member.input.organization.trim().to_lowercase();
        if let Some(found) = existing.get(&name).filter(|_| !name.is_empty()) {
            plan.problem(
                member.loc,
                0,
                "organization",
                format!(
                    "is already a member here ({}, {}); an import does not merge into existing members",
                    found.id,
                    found.status.as_str()
                ),
            );
        }
        for (i, c) in member.input.contacts.iter().enumerate() {
            let email = crate::domain::email::EmailAddress::parse(&c.email)
                .map(|e| e.as_str().to_lowercase())
                .unwrap_or_default();
            if let Some(found) = accounts.get(&email).filter(|_| !email.is_empty()) {
                let (loc, sub, field) = contact_field(&member, i, "email");
                plan.problem(
                    loc,
                    sub,
                    &field,
                    format!(
                        "already has an account here ({}, role {})",
                        found.id,
                        found.role.as_str()
                    ),
                );
            }
        }
    }
    plan.sort();
    Ok(())
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
