//! "Add" and "remove" buttons: one row more or less, everything else kept.

use super::fields::parse_path;
use super::*;

fn push<T>(list: &mut Vec<T>, item: T) -> bool {
    let room = list.len() < MAX_ROWS;
    if room {
        list.push(item);
    }
    room
}

fn take<T>(list: &mut Vec<T>, index: usize) -> bool {
    let there = index < list.len();
    if there {
        list.remove(index);
    }
    there
}

impl Draft {
    /// Adds a row to the list `path` names (`packages[0].ranges`); false if
    /// there is no such list or it is full.
    pub fn add_row(&mut self, path: &str) -> bool {
        let Some(path) = parse_path(path) else {
            return false;
        };
        match path.as_slice() {
            [("packages", None)] => push(&mut self.packages, PackageRow::fresh()),
            [("packages", Some(i)), ("ranges", None)] => self
                .packages
                .get_mut(*i)
                .is_some_and(|p| push(&mut p.ranges, RangeRow::fresh())),
            [("packages", Some(i)), ("ranges", Some(j)), ("events", None)] => {
                let range = self.packages.get_mut(*i).and_then(|p| p.ranges.get_mut(*j));
                range.is_some_and(|r| {
                    // After the start of a range comes its end.
                    let started = r.events.iter().any(|e| e.kind == "introduced");
                    let kind = if started { "fixed" } else { "introduced" };
                    push(&mut r.events, EventRow::new(kind))
                })
            }
            [("cwes", None)] => push(&mut self.cwes, String::new()),
            [("aliases", None)] => push(&mut self.aliases, String::new()),
            [("credits", None)] => push(&mut self.credits, CreditRow::default()),
            [("references", None)] => push(&mut self.references, ReferenceRow::default()),
            _ => false,
        }
    }

    /// Removes the row `path` names (`packages[0].ranges[1]`); false if
    /// there is none.
    pub fn remove_row(&mut self, path: &str) -> bool {
        let Some(path) = parse_path(path) else {
            return false;
        };
        match path.as_slice() {
            [("packages", Some(i))] => take(&mut self.packages, *i),
            [("packages", Some(i)), ("ranges", Some(j))] => self
                .packages
                .get_mut(*i)
                .is_some_and(|p| take(&mut p.ranges, *j)),
            [
                ("packages", Some(i)),
                ("ranges", Some(j)),
                ("events", Some(k)),
            ] => {
                let range = self.packages.get_mut(*i).and_then(|p| p.ranges.get_mut(*j));
                range.is_some_and(|r| take(&mut r.events, *k))
            }
            [("cwes", Some(i))] => take(&mut self.cwes, *i),
            [("aliases", Some(i))] => take(&mut self.aliases, *i),
            [("credits", Some(i))] => take(&mut self.credits, *i),
            [("references", Some(i))] => take(&mut self.references, *i),
            _ => false,
        }
    }

    /// Carries out a row button; other actions leave the draft alone.
    pub fn apply(&mut self, action: &Action) {
        match action {
            Action::Add(path) => {
                self.add_row(path);
            }
            Action::Remove(path) => {
                self.remove_row(path);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_packages() -> Draft {
        let mut d = Draft::default();
        for name in ["a", "b"] {
            let mut p = PackageRow::fresh();
            p.name = name.into();
            p.ranges[0].events[0].version = "1.0.0".into();
            d.packages.push(p);
        }
        d
    }

    #[test]
    fn rows_are_added_where_the_button_says() {
        let mut d = two_packages();
        assert!(d.add_row("packages"));
        assert_eq!(d.packages.len(), 3);
        assert_eq!(
            d.packages[2].ranges[0].events.len(),
            2,
            "a new package has a range"
        );
        assert!(d.add_row("packages[1].ranges"));
        assert_eq!(d.packages[1].ranges.len(), 2);
        assert!(d.add_row("packages[1].ranges[0].events"));
        let events = &d.packages[1].ranges[0].events;
        assert_eq!(events.len(), 3);
        assert_eq!(events[2].kind, "fixed", "after introduced");
        assert!(d.add_row("cwes") && d.add_row("aliases"));
        assert!(d.add_row("credits") && d.add_row("references"));
        assert_eq!((d.cwes.len(), d.aliases.len()), (1, 1));
        assert_eq!(d.references[0].kind, "WEB");
        assert_eq!(d.packages[0].name, "a", "the rest is kept");
        for nowhere in ["packages[7].ranges", "summary", "packages[0]", "nonsense["] {
            assert!(!d.add_row(nowhere), "{nowhere}");
        }
    }

    #[test]
    fn rows_are_removed_and_the_rest_kept() {
        let mut d = two_packages();
        assert!(d.remove_row("packages[0].ranges[0].events[1]"));
        assert_eq!(d.packages[0].ranges[0].events.len(), 1);
        assert_eq!(d.packages[0].ranges[0].events[0].version, "1.0.0");
        assert!(d.remove_row("packages[0]"));
        assert_eq!(d.packages.len(), 1);
        assert_eq!(d.packages[0].name, "b");
        assert!(!d.remove_row("packages[3]"));
        assert!(!d.remove_row("packages"));
        d.cwes = vec!["CWE-79".into(), "CWE-787".into()];
        assert!(d.remove_row("cwes[0]"));
        assert_eq!(d.cwes, ["CWE-787"]);
    }

    #[test]
    fn a_list_stops_growing_at_its_limit() {
        let mut d = Draft::default();
        for _ in 0..MAX_ROWS {
            assert!(d.add_row("aliases"));
        }
        assert!(!d.add_row("aliases"));
        assert_eq!(d.aliases.len(), MAX_ROWS);
    }
}
