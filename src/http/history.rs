//! Histories as pages show them: who did it by name (resolved for the
//! whole history in one query) and what was recorded as a line of text,
//! not as the JSON the audit log keeps.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::db::{DbError, accounts};
use crate::domain::audit::AuditEvent;

/// Longest value a detail shows; the audit log keeps the whole.
const MAX_VALUE_CHARS: usize = 300;

/// Names of the actors of a history.
#[derive(Debug, Default)]
pub struct Names(HashMap<String, String>);

impl Names {
    /// Looks up every account among `actors`, and the accounts that
    /// event `details` name (`"to": "acc_..."`), in one query.
    pub async fn of(
        conn: &mut sqlx::AnyConnection,
        actors: &[&str],
        details: &[&str],
    ) -> Result<Self, DbError> {
        let mut all: Vec<String> = actors.iter().map(|a| (*a).to_owned()).collect();
        for d in details {
            if let Ok(v) = serde_json::from_str::<Value>(d) {
                collect_accounts(&v, &mut all);
            }
        }
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        Ok(Self(accounts::actor_names(conn, &refs).await?))
    }

    /// Who `actor` is, as a person reads it.
    pub fn who(&self, actor: &str) -> String {
        if let Some(name) = self.0.get(actor) {
            return name.clone();
        }
        match actor {
            "" | "system" => "System".to_owned(),
            "cli" => "Command line".to_owned(),
            "mail" => "Incoming mail".to_owned(),
            "anonymous" => "A visitor".to_owned(),
            a if a.starts_with("reporter:") => "The reporter".to_owned(),
            a if a.starts_with("account:") => "A deleted account".to_owned(),
            a => a.to_owned(),
        }
    }

    /// A recorded detail (JSON text) as one line: `key: value; ...`, with
    /// account ids named. Text that is not JSON is shown as it is.
    pub fn detail(&self, detail: &str) -> String {
        match serde_json::from_str::<Value>(detail) {
            Ok(v) => self.text(&v),
            Err(_) => detail.to_owned(),
        }
    }

    fn text(&self, v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::Bool(true) => "yes".to_owned(),
            Value::Bool(false) => "no".to_owned(),
            Value::Number(n) => n.to_string(),
            Value::String(s) if s.starts_with("acc_") => self
                .0
                .get(&format!("account:{s}"))
                .cloned()
                .unwrap_or_else(|| s.clone()),
            Value::String(s) => shorten(s),
            Value::Array(items) => items
                .iter()
                .map(|i| self.text(i))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(map) => {
                let parts: Vec<String> = map
                    .iter()
                    .filter_map(|(k, v)| {
                        let t = self.text(v);
                        let nested = v.is_object() && !t.is_empty();
                        let t = if nested { format!("({t})") } else { t };
                        (!t.is_empty()).then(|| format!("{}: {t}", k.replace('_', " ")))
                    })
                    .collect();
                parts.join("; ")
            }
        }
    }

    /// Audit events as a history shows them: as recorded (`actor`,
    /// `detail`) and as read (`who`, `text`).
    pub fn events(&self, events: &[AuditEvent]) -> Vec<Value> {
        events
            .iter()
            .map(|e| {
                json!({ "at": e.at, "actor": e.actor, "who": self.who(&e.actor),
                        "action": e.action, "detail": e.detail, "text": self.detail(&e.detail) })
            })
            .collect()
    }
}

/// Audit events about `subject` with names and readable details, reading
/// the names in one query.
pub async fn of_subject(
    conn: &mut sqlx::AnyConnection,
    subject: &str,
) -> Result<Vec<Value>, DbError> {
    let events = crate::db::audit::for_subject(conn, subject).await?;
    let actors: Vec<&str> = events.iter().map(|e| e.actor.as_str()).collect();
    let details: Vec<&str> = events.iter().map(|e| e.detail.as_str()).collect();
    let names = Names::of(conn, &actors, &details).await?;
    Ok(names.events(&events))
}

fn collect_accounts(v: &Value, into: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with("acc_") => into.push(format!("account:{s}")),
        Value::Array(items) => items.iter().for_each(|i| collect_accounts(i, into)),
        Value::Object(map) => map.values().for_each(|i| collect_accounts(i, into)),
        _ => {}
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let mut m = HashMap::new();
        m.insert(
            "account:acc_1".to_owned(),
            "Ada <ada@example.org>".to_owned(),
        );
        Names(m)
    }

    #[test]
    fn a_detail_reads_as_text_with_accounts_named() {
        let n = names();
        assert_eq!(
            n.detail(
                r#"{"from":"new","to":"triaging","reason":"","attachments":2,"anonymous":true}"#
            ),
            "anonymous: yes; attachments: 2; from: new; to: triaging",
            "in the order the log keeps (by key)"
        );
        assert_eq!(n.detail(r#"{"to":"acc_1"}"#), "to: Ada <ada@example.org>");
        assert_eq!(n.detail(r#"{"to":null}"#), "");
        assert_eq!(
            n.detail(r#"{"changed":["summary","aliases"],"by":{"kind":"api"}}"#),
            "by: (kind: api); changed: summary, aliases"
        );
        assert_eq!(n.detail("not json"), "not json");
        assert_eq!(
            n.detail(&json!({ "body": "x".repeat(400) }).to_string())
                .chars()
                .count(),
            307
        );
    }

    #[test]
    fn actors_are_named_or_described() {
        let n = names();
        assert_eq!(n.who("account:acc_1"), "Ada <ada@example.org>");
        assert_eq!(n.who("account:acc_gone"), "A deleted account");
        assert_eq!(n.who("system"), "System");
        assert_eq!(n.who("reporter:rpt_1"), "The reporter");
    }
}
