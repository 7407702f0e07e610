//! Form field names as paths (`packages[1].ranges[0].events[2].version`),
//! and a posted form's (name, value) pairs read into a [`Submission`].

use super::*;

/// One step of a path: a name and, for a list, the index into it.
pub type Segment<'a> = (&'a str, Option<usize>);

/// `packages[1].name` as `[("packages", Some(1)), ("name", None)]`; `None`
/// for anything else (such as an index that is not a number).
pub fn parse_path(path: &str) -> Option<Vec<Segment<'_>>> {
    path.split('.')
        .map(|part| match part.split_once('[') {
            None if !part.is_empty() => Some((part, None)),
            None => None,
            Some((name, rest)) => {
                let index = rest.strip_suffix(']')?;
                let ok = !name.is_empty() && !index.is_empty() && index.len() <= 6;
                let index = index.parse().ok().filter(|_| ok)?;
                Some((name, Some(index)))
            }
        })
        .collect()
}

/// The row `index` of `list`, added (with those before it) if missing;
/// `None` past [`MAX_ROWS`].
fn row<T: Default>(list: &mut Vec<T>, index: usize) -> Option<&mut T> {
    if index >= MAX_ROWS {
        return None;
    }
    if list.len() <= index {
        list.resize_with(index + 1, T::default);
    }
    list.get_mut(index)
}

impl Submission {
    /// Reads a posted form. Unknown names are ignored; without an `action`,
    /// a form carrying `osv` is a JSON form (as the pages posted before the
    /// editor), any other a save.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut sub = Submission {
            csrf: String::new(),
            action: Action::Save,
            draft: Draft::default(),
            osv: None,
            report_id: String::new(),
            reason: String::new(),
        };
        let mut action = None;
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => sub.csrf = value,
                "action" => action = Some(value),
                "osv" => sub.osv = Some(value),
                "report_id" => sub.report_id = value,
                "reason" => sub.reason = value,
                _ => sub.draft.set(&name, value),
            }
        }
        sub.action = match action.as_deref() {
            None if sub.osv.is_some() => Action::Json,
            None | Some("save") => Action::Save,
            Some("preview") => Action::Preview,
            Some("json") => Action::Json,
            Some(other) => match other.split_once(':') {
                Some(("add", path)) => Action::Add(path.to_owned()),
                Some(("remove", path)) => Action::Remove(path.to_owned()),
                _ => Action::Refresh,
            },
        };
        sub
    }
}

impl Draft {
    /// Files `value` under the field `name`; names that are no field are
    /// ignored.
    pub fn set(&mut self, name: &str, value: String) {
        let Some(path) = parse_path(name) else {
            return;
        };
        let slot: Option<&mut String> = match path.as_slice() {
            [("summary", None)] => Some(&mut self.summary),
            [("details", None)] => Some(&mut self.details),
            [("unaffected_versions", None)] => Some(&mut self.unaffected_versions),
            [("more_severity", None)] => {
                // Only ever what the page wrote; anything else is dropped.
                self.more_severity = serde_json::from_str(&value).unwrap_or_default();
                None
            }
            [("packages", Some(i)), rest @ ..] => {
                row(&mut self.packages, *i).and_then(|p| p.slot(rest))
            }
            [(b @ ("cvss3" | "cvss4"), None), (field, None)] => {
                let builder = match *b {
                    "cvss3" => &mut self.cvss3,
                    _ => &mut self.cvss4,
                };
                builder.slot(field)
            }
            [("cwes", Some(i))] => row(&mut self.cwes, *i),
            [("aliases", Some(i))] => row(&mut self.aliases, *i),
            [("credits", Some(i)), (field, None)] => {
                row(&mut self.credits, *i).and_then(|c| match *field {
                    "name" => Some(&mut c.name),
                    "type" => Some(&mut c.kind),
                    "github" => Some(&mut c.github),
                    "contact" => Some(&mut c.contact),
                    _ => None,
                })
            }
            [("references", Some(i)), (field, None)] => {
                row(&mut self.references, *i).and_then(|r| match *field {
                    "type" => Some(&mut r.kind),
                    "url" => Some(&mut r.url),
                    _ => None,
                })
            }
            _ => None,
        };
        if let Some(slot) = slot {
            *slot = value;
        }
    }
}

impl PackageRow {
    fn slot(&mut self, path: &[Segment<'_>]) -> Option<&mut String> {
        match path {
            [("ecosystem", None)] => Some(&mut self.ecosystem),
            [("suffix", None)] => Some(&mut self.suffix),
            [("name", None)] => Some(&mut self.name),
            [("purl", None)] => Some(&mut self.purl),
            [("versions", None)] => Some(&mut self.versions),
            [("ranges", Some(j)), rest @ ..] => {
                let range = row(&mut self.ranges, *j)?;
                match rest {
                    [("type", None)] => Some(&mut range.kind),
                    [("repo", None)] => Some(&mut range.repo),
                    [("events", Some(k)), (field, None)] => {
                        let event = row(&mut range.events, *k)?;
                        match *field {
                            "kind" => Some(&mut event.kind),
                            "version" => Some(&mut event.version),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

impl Default for EventRow {
    fn default() -> Self {
        Self::new("introduced")
    }
}

impl Builder {
    fn slot(&mut self, field: &str) -> Option<&mut String> {
        match field {
            "version" => Some(&mut self.version),
            "extra" => Some(&mut self.extra),
            "vector" => Some(&mut self.vector),
            metric if metric.len() <= 3 && metric.bytes().all(|b| b.is_ascii_uppercase()) => {
                Some(self.metrics.entry(metric.to_owned()).or_default())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn paths_name_fields_and_rows() {
        assert_eq!(
            parse_path("packages[1].ranges[0].events[12].version"),
            Some(vec![
                ("packages", Some(1)),
                ("ranges", Some(0)),
                ("events", Some(12)),
                ("version", None)
            ])
        );
        assert_eq!(
            parse_path("cvss3.AV"),
            Some(vec![("cvss3", None), ("AV", None)])
        );
        for bad in [
            "",
            "a..b",
            "a[",
            "a[]",
            "a[x]",
            "[1]",
            "a[1]x",
            "a[-1]",
            "a[1234567]",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_form_is_read_into_its_rows_whatever_the_order() {
        let sub = Submission::from_pairs(pairs(&[
            ("csrf", "t"),
            ("packages[1].name", "second"),
            ("packages[0].ranges[0].events[1].version", "1.2.3"),
            ("packages[0].ranges[0].events[1].kind", "fixed"),
            ("packages[0].ranges[0].events[0].kind", "introduced"),
            ("packages[0].ranges[0].events[0].version", "0"),
            ("packages[0].ranges[0].type", "SEMVER"),
            ("packages[0].ecosystem", "Go"),
            ("cvss3.AV", "N"),
            ("cvss4.vector", "CVSS:4.0/x"),
            ("cwes[1]", "CWE-79"),
            ("credits[0].type", "FINDER"),
            ("references[0].url", "https://example.org"),
            ("action", "preview"),
            ("unknown", "ignored"),
            ("packages[500].name", "too far"),
        ]));
        assert_eq!(sub.csrf, "t");
        assert_eq!(sub.action, Action::Preview);
        let d = &sub.draft;
        assert_eq!(d.packages.len(), 2);
        assert_eq!(d.packages[0].ecosystem, "Go");
        assert_eq!(d.packages[1].name, "second");
        let events = &d.packages[0].ranges[0].events;
        assert_eq!(events.len(), 2);
        assert_eq!(
            (events[1].kind.as_str(), events[1].version.as_str()),
            ("fixed", "1.2.3")
        );
        assert_eq!(d.cvss3.metrics["AV"], "N");
        assert_eq!(d.cvss4.vector, "CVSS:4.0/x");
        assert_eq!(d.cwes, ["", "CWE-79"]);
        assert_eq!(d.credits[0].kind, "FINDER");
        assert_eq!(d.references[0].url, "https://example.org");
    }

    #[test]
    fn the_button_decides_the_action() {
        let action = |list: &[(&str, &str)]| Submission::from_pairs(pairs(list)).action;
        assert_eq!(action(&[]), Action::Save);
        assert_eq!(
            action(&[("osv", "{}")]),
            Action::Json,
            "the pages' old form"
        );
        assert_eq!(action(&[("osv", "{}"), ("action", "save")]), Action::Save);
        assert_eq!(action(&[("action", "json")]), Action::Json);
        assert_eq!(
            action(&[("action", "add:packages[0].ranges")]),
            Action::Add("packages[0].ranges".into())
        );
        assert_eq!(
            action(&[("action", "remove:cwes[2]")]),
            Action::Remove("cwes[2]".into())
        );
        assert_eq!(action(&[("action", "launch")]), Action::Refresh);
    }

    #[test]
    fn extra_severities_come_back_only_as_valid_json() {
        let json = r#"[{"type":"CVSS_V3","score":"CVSS:3.0/AV:N"}]"#;
        let sub = Submission::from_pairs(pairs(&[("more_severity", json)]));
        assert_eq!(sub.draft.more_severity.len(), 1);
        let sub = Submission::from_pairs(pairs(&[("more_severity", "nonsense")]));
        assert!(sub.draft.more_severity.is_empty());
    }
}
