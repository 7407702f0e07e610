//! What a reporter is told of the advisories made from their report: an id
//! while it is not public, its public page once it is, nothing of a draft's
//! or an embargoed advisory's content.

use super::{AdvisoryId, AdvisoryState};

/// An advisory made from a report, as far as the reporter's view needs it.
#[derive(Debug, Clone, Copy)]
pub struct FromReport<'a> {
    pub id: &'a AdvisoryId,
    pub state: AdvisoryState,
    /// Whether it was ever published: a withdrawn advisory keeps a public
    /// page (saying it was withdrawn) only then.
    pub was_published: bool,
}

/// The advisory a reporter is told of.
#[derive(Debug, PartialEq, Eq)]
pub struct Told<'a> {
    pub id: &'a AdvisoryId,
    /// Whether its public page exists and may be linked.
    pub public: bool,
}

/// The one advisory a reporter is told of, of those made from their report
/// (oldest first): a published one before one in the making, and that
/// before one withdrawn after publication, whose public page says so. One
/// withdrawn before it was ever published is dropped: it never came out and
/// will not, so naming it would promise an advisory that is not coming.
pub fn told_to_reporter<'a>(advisories: &[FromReport<'a>]) -> Option<Told<'a>> {
    let rank = |a: &FromReport<'_>| match a.state {
        AdvisoryState::Published => Some(0),
        AdvisoryState::Draft | AdvisoryState::Embargoed => Some(1),
        AdvisoryState::Withdrawn if a.was_published => Some(2),
        AdvisoryState::Withdrawn => None,
    };
    // `min_by_key` keeps the first of equals: the oldest.
    let (rank, chosen) = advisories
        .iter()
        .filter_map(|a| rank(a).map(|r| (r, a)))
        .min_by_key(|(r, _)| *r)?;
    Some(Told {
        id: chosen.id,
        public: rank != 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use AdvisoryState::*;

    fn id(n: i64) -> AdvisoryId {
        AdvisoryId::new("EMB", 2026, n)
    }

    fn told(list: &[(i64, AdvisoryState, bool)]) -> Option<(String, bool)> {
        let ids: Vec<AdvisoryId> = list.iter().map(|(n, _, _)| id(*n)).collect();
        let from: Vec<FromReport<'_>> = list
            .iter()
            .zip(&ids)
            .map(|(&(_, state, was_published), id)| FromReport {
                id,
                state,
                was_published,
            })
            .collect();
        told_to_reporter(&from).map(|t| (t.id.as_str().to_owned(), t.public))
    }

    #[test]
    fn nothing_without_an_advisory() {
        assert_eq!(told(&[]), None);
    }

    #[test]
    fn a_draft_or_embargoed_advisory_is_named_without_a_link() {
        assert_eq!(
            told(&[(1, Draft, false)]),
            Some((id(1).as_str().into(), false))
        );
        assert_eq!(
            told(&[(1, Embargoed, false)]),
            Some((id(1).as_str().into(), false))
        );
    }

    #[test]
    fn a_published_advisory_is_linked_and_wins_over_an_older_draft() {
        let list = [(1, Draft, false), (2, Published, true)];
        assert_eq!(told(&list), Some((id(2).as_str().into(), true)));
    }

    #[test]
    fn withdrawn_after_publication_is_linked_only_when_nothing_else_is_there() {
        assert_eq!(
            told(&[(1, Withdrawn, true)]),
            Some((id(1).as_str().into(), true))
        );
        let list = [(1, Withdrawn, true), (2, Draft, false)];
        assert_eq!(told(&list), Some((id(2).as_str().into(), false)));
    }

    #[test]
    fn a_draft_withdrawn_before_publication_is_not_named() {
        assert_eq!(told(&[(1, Withdrawn, false)]), None);
    }

    #[test]
    fn of_equals_the_oldest_is_named() {
        let list = [(1, Embargoed, false), (2, Draft, false)];
        assert_eq!(told(&list), Some((id(1).as_str().into(), false)));
    }
}
