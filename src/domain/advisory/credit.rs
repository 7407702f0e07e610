//! Crediting the reporter of the report an advisory comes from.

use super::Credit;

/// The credit an advisory made from a report gives its reporter: only with
/// their consent, only when the team named no credits itself (their list
/// wins), and only under a name they gave (their name, else their GitHub
/// handle). A handle, when given, links the credit.
pub fn reporter_credit(
    consent: bool,
    existing: &[Credit],
    name: Option<&str>,
    github: Option<&str>,
) -> Option<Credit> {
    if !consent || !existing.is_empty() {
        return None;
    }
    let name = name.or(github)?;
    Some(Credit {
        name: name.to_owned(),
        kind: Some("FINDER".into()),
        contact: Vec::new(),
        github: github.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_consent_no_credit() {
        assert_eq!(reporter_credit(false, &[], Some("Ada"), Some("ada")), None);
    }

    #[test]
    fn a_consenting_reporter_is_credited_as_finder_by_name() {
        let c = reporter_credit(true, &[], Some("Ada"), Some("ada")).unwrap();
        assert_eq!(c.name, "Ada");
        assert_eq!(c.kind.as_deref(), Some("FINDER"));
        assert_eq!(c.github.as_deref(), Some("ada"));
        assert!(c.contact.is_empty());
    }

    #[test]
    fn the_github_handle_names_a_reporter_without_a_name() {
        let c = reporter_credit(true, &[], None, Some("ada")).unwrap();
        assert_eq!((c.name.as_str(), c.github.as_deref()), ("ada", Some("ada")));
        let c = reporter_credit(true, &[], Some("Ada"), None).unwrap();
        assert_eq!(c.github, None);
    }

    #[test]
    fn an_anonymous_reporter_is_not_credited() {
        assert_eq!(reporter_credit(true, &[], None, None), None);
    }

    #[test]
    fn credits_the_team_named_are_kept_as_they_are() {
        let team = [Credit {
            name: "Someone else".into(),
            ..Credit::default()
        }];
        assert_eq!(reporter_credit(true, &team, Some("Ada"), None), None);
    }
}
