//! Reading the JSON and CSV formats into a plan, problem by problem.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::*;
use crate::domain::membership::{ContactInput, OrganizationInput};
use crate::mail::keys::MAX_CERTIFICATE_BYTES;

/// An RFC 3339 date (`2024-03-01`, read as 00:00 UTC) or date-time with an
/// offset (`2024-03-01T09:30:00Z`), not in the future.
pub(super) fn parse_date(raw: &str, now: jiff::Timestamp) -> Result<jiff::Timestamp, String> {
    let ts = match raw.parse::<jiff::Timestamp>() {
        Ok(ts) => ts,
        Err(_) => raw
            .parse::<jiff::civil::Date>()
            .ok()
            .filter(|_| raw.len() == 10)
            .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp())
            .ok_or_else(|| {
                format!(
                    "{raw:?} is not an RFC 3339 date (2024-03-01) or date-time with an offset \
                     (2024-03-01T09:30:00Z)"
                )
            })?,
    };
    if ts > now {
        return Err(format!("{raw} is in the future"));
    }
    Ok(ts)
}

// ---------------------------------------------------------------- JSON

pub(super) const MEMBER_FIELDS: [&str; 4] =
    ["organization", "website", "security_alias", "contacts"];
pub(super) const CONTACT_FIELDS: [&str; 4] = ["name", "email", "openpgp_key", "policy_accepted_at"];

/// A string field of a JSON object: absent or null is empty; anything but a
/// string is a problem.
pub(super) fn json_text(
    plan: &mut Plan,
    obj: &serde_json::Map<String, Value>,
    key: &str,
    loc: Loc,
    sub: usize,
    path: &str,
) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            plan.problem(loc, sub, path, "must be a string");
            None
        }
    }
}

pub(super) fn parse_json(bytes: &[u8], plan: &mut Plan) -> Dates {
    let mut dates = Vec::new();
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            let line = e.line().max(1);
            plan.problem(Loc::Line(line), 0, "json", e.to_string());
            return dates;
        }
    };
    let Some(top) = doc.as_object() else {
        plan.problem(
            Loc::File,
            0,
            "json",
            "must be an object: {\"members\": [...]}",
        );
        return dates;
    };
    for key in top.keys().filter(|k| *k != "members") {
        plan.problem(Loc::File, 0, key, "is not a known field (only \"members\")");
    }
    let Some(list) = top.get("members").and_then(Value::as_array) else {
        plan.problem(Loc::File, 0, "members", "must be an array of members");
        return dates;
    };
    for (m, item) in list.iter().enumerate() {
        let loc = Loc::Member(m);
        let mut member_dates = Vec::new();
        let mut member = PlannedMember {
            loc,
            input: OrganizationInput::default(),
            contacts: Vec::new(),
            org: None,
        };
        let Some(obj) = item.as_object() else {
            plan.problem(loc, 0, "member", "must be an object");
            continue;
        };
        for key in obj.keys().filter(|k| !MEMBER_FIELDS.contains(&k.as_str())) {
            plan.problem(loc, 0, key, "is not a known field");
        }
        member.input.organization =
            json_text(plan, obj, "organization", loc, 0, "organization").unwrap_or_default();
        member.input.website =
            json_text(plan, obj, "website", loc, 0, "website").unwrap_or_default();
        member.input.security_alias =
            json_text(plan, obj, "security_alias", loc, 0, "security_alias").unwrap_or_default();
        let contacts = match obj.get("contacts") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(a)) => a.as_slice(),
            Some(_) => {
                plan.problem(loc, 0, "contacts", "must be an array of contacts");
                &[][..]
            }
        };
        for (i, c) in contacts.iter().enumerate() {
            let sub = i + 1;
            let path = |f: &str| format!("contacts[{i}].{f}");
            let Some(c) = c.as_object() else {
                plan.problem(loc, sub, &format!("contacts[{i}]"), "must be an object");
                continue;
            };
            for key in c.keys().filter(|k| !CONTACT_FIELDS.contains(&k.as_str())) {
                plan.problem(loc, sub, &path(key), "is not a known field");
            }
            member.input.contacts.push(ContactInput {
                name: json_text(plan, c, "name", loc, sub, &path("name")).unwrap_or_default(),
                email: json_text(plan, c, "email", loc, sub, &path("email")).unwrap_or_default(),
                openpgp_key: json_text(plan, c, "openpgp_key", loc, sub, &path("openpgp_key")),
            });
            member.contacts.push(PlannedContact {
                loc,
                attestation: None,
                key_fingerprint: None,
            });
            member_dates.push(json_text(
                plan,
                c,
                "policy_accepted_at",
                loc,
                sub,
                &path("policy_accepted_at"),
            ));
        }
        plan.members.push(member);
        dates.push(member_dates);
    }
    dates
}

// ---------------------------------------------------------------- CSV

/// A CSV record and the line it starts on.
type Record = (usize, Vec<String>);

/// Splits RFC 4180 CSV into records: comma-separated, fields optionally in
/// double quotes (a quote inside doubled), line breaks inside quotes kept,
/// LF or CRLF line ends. Blank lines are skipped.
pub(super) fn split_csv(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1, 1);
    let (mut in_quotes, mut was_quoted) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                in_quotes = true;
                was_quoted = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                if !(record.len() == 1 && record[0].is_empty() && !was_quoted) {
                    records.push((start, std::mem::take(&mut record)));
                }
                record.clear();
                was_quoted = false;
                line += 1;
                start = line;
            }
            '"' => {
                return Err((
                    line,
                    "a double quote inside an unquoted field: put the whole field in double \
                     quotes and double the quote"
                        .into(),
                ));
            }
            _ if was_quoted => {
                return Err((
                    line,
                    "text after a closing double quote: a comma or line end must follow it".into(),
                ));
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err((start, "a double-quoted field is not closed".into()));
    }
    if !field.is_empty() || !record.is_empty() || was_quoted {
        record.push(field);
        records.push((start, record));
    }
    Ok(records)
}

/// A CSV row that names an organisation, and its member's index.
pub(super) struct Group {
    index: usize,
    website_line: usize,
    alias_line: usize,
}

pub(super) fn parse_csv_file(bytes: &[u8], dir: &Path, plan: &mut Plan) -> Dates {
    let mut dates: Dates = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            plan.problem(Loc::Line(line), 0, "csv", "is not UTF-8 text");
            return dates;
        }
    };
    let records = match split_csv(text) {
        Ok(r) => r,
        Err((line, msg)) => {
            plan.problem(Loc::Line(line), 0, "csv", msg);
            return dates;
        }
    };
    let mut rows = records.into_iter();
    let Some((header_line, header)) = rows.next() else {
        plan.problem(
            Loc::File,
            0,
            "csv",
            format!(
                "is empty; the first line names the columns: {}",
                CSV_COLUMNS.join(",")
            ),
        );
        return dates;
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut column: HashMap<&str, usize> = HashMap::new();
    let hloc = Loc::Line(header_line);
    for (i, name) in header.iter().enumerate() {
        match CSV_COLUMNS.iter().find(|c| **c == name) {
            Some(c) if column.contains_key(c) => {
                plan.problem(hloc, 0, name, "is a column twice");
            }
            Some(c) => {
                column.insert(c, i);
            }
            None => plan.problem(
                hloc,
                0,
                if name.is_empty() { "header" } else { name },
                format!("is not a known column ({})", CSV_COLUMNS.join(",")),
            ),
        }
    }
    for c in CSV_COLUMNS {
        if !column.contains_key(c) && !OPTIONAL_COLUMNS.contains(&c) {
            plan.problem(hloc, 0, c, "column is missing from the header");
        }
    }
    if !plan.problems.is_empty() {
        return dates;
    }
    let mut groups: HashMap<String, Group> = HashMap::new();
    for (line, row) in rows {
        let loc = Loc::Line(line);
        if row.len() != header.len() {
            plan.problem(
                loc,
                0,
                "row",
                format!(
                    "has {} fields, the header {}; quote fields that contain commas",
                    row.len(),
                    header.len()
                ),
            );
            continue;
        }
        let get = |c: &str| {
            column
                .get(c)
                .map(|&i| row[i].trim().to_owned())
                .unwrap_or_default()
        };
        let organization = get("organization");
        let (website, alias) = (get("website"), get("security_alias"));
        let key_file = get("openpgp_key_file");
        let openpgp_key = if key_file.is_empty() {
            None
        } else {
            match read_key_file(&dir.join(&key_file)) {
                Ok(k) => Some(k),
                Err(msg) => {
                    plan.problem(loc, 0, "openpgp_key_file", format!("{key_file}: {msg}"));
                    None
                }
            }
        };
        let contact = ContactInput {
            name: get("contact_name"),
            email: get("contact_email"),
            openpgp_key,
        };
        let planned = PlannedContact {
            loc,
            attestation: None,
            key_fingerprint: None,
        };
        let date = Some(get("policy_accepted_at"));
        // Rows with the same organisation make one member; the first row
        // with a website or alias gives it, later rows may leave them empty.
        let existing = (!organization.is_empty())
            .then(|| groups.get_mut(&organization))
            .flatten();
        if let Some(group) = existing {
            let member = &mut plan.members[group.index];
            if !website.is_empty() && member.input.website.is_empty() {
                member.input.website = website.clone();
                group.website_line = line;
            }
            if !alias.is_empty() && member.input.security_alias.is_empty() {
                member.input.security_alias = alias.clone();
                group.alias_line = line;
            }
            let (known_site, known_alias) = (
                member.input.website.clone(),
                member.input.security_alias.clone(),
            );
            member.input.contacts.push(contact);
            member.contacts.push(planned);
            dates[group.index].push(date);
            let (site_line, alias_line) = (group.website_line, group.alias_line);
            if !website.is_empty() && website != known_site {
                plan.problem(
                    loc,
                    0,
                    "website",
                    format!(
                        "differs from line {site_line} of the same organization ({known_site})"
                    ),
                );
            }
            if !alias.is_empty() && alias != known_alias {
                plan.problem(
                    loc,
                    0,
                    "security_alias",
                    format!(
                        "differs from line {alias_line} of the same organization ({known_alias})"
                    ),
                );
            }
            continue;
        }
        let index = plan.members.len();
        if !organization.is_empty() {
            groups.insert(
                organization.clone(),
                Group {
                    index,
                    website_line: line,
                    alias_line: line,
                },
            );
        }
        plan.members.push(PlannedMember {
            loc,
            input: OrganizationInput {
                organization,
                website,
                security_alias: alias,
                contacts: vec![contact],
            },
            contacts: vec![planned],
            org: None,
        });
        dates.push(vec![date]);
    }
    dates
}

pub(super) fn read_key_file(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if meta.len() > MAX_CERTIFICATE_BYTES as u64 {
        return Err(format!(
            "is larger than {MAX_CERTIFICATE_BYTES} bytes; an OpenPGP public key is a few KiB"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    String::from_utf8(bytes).map_err(|_| {
        "is not text; export the key ASCII-armored (gpg --armor --export ADDRESS)".to_owned()
    })
}

// ---------------------------------------------------------------- database
