//! What an edit may change, per state, and what it amounts to.

use super::AdvisoryState;

/// Every top-level content field, in the content's own order: an edit
/// replaces whole fields, and its revision lists them in this order.
const CONTENT_FIELDS: &[&str] = &[
    "summary",
    "details",
    "affected",
    "severity",
    "database_specific",
    "aliases",
    "credits",
    "references",
];

/// The top-level content fields an edit may replace in `state`, in the
/// content's order. A withdrawn advisory is a tombstone: nothing; a
/// published one may still be corrected in full.
pub fn editable_fields(state: AdvisoryState) -> &'static [&'static str] {
    match state {
        AdvisoryState::Withdrawn => &[],
        AdvisoryState::Draft | AdvisoryState::Embargoed | AdvisoryState::Published => {
            CONTENT_FIELDS
        }
    }
}

/// The first of `keys` an edit in `state` may not replace, if any.
pub fn refused_field<'k>(
    state: AdvisoryState,
    keys: impl IntoIterator<Item = &'k str>,
) -> Option<&'k str> {
    let editable = editable_fields(state);
    keys.into_iter().find(|k| !editable.contains(k))
}

impl AdvisoryState {
    /// An edit of a published advisory is a correction: public at once and
    /// listed in its public history. Earlier edits stay with the team.
    pub fn edit_is_correction(self) -> bool {
        self == AdvisoryState::Published
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AdvisoryState::*;

    #[test]
    fn every_content_field_is_editable_until_withdrawal() {
        for state in [Draft, Embargoed, Published] {
            assert_eq!(editable_fields(state).len(), 8, "{state:?}");
            assert_eq!(refused_field(state, ["summary", "credits"]), None);
        }
        assert!(editable_fields(Withdrawn).is_empty());
        assert_eq!(refused_field(Withdrawn, ["summary"]), Some("summary"));
    }

    #[test]
    fn the_first_unknown_key_is_refused() {
        let keys = ["details", "id", "published"];
        assert_eq!(refused_field(Draft, keys), Some("id"));
        assert_eq!(refused_field(Draft, []), None);
    }

    #[test]
    fn editable_fields_agree_with_the_state_machine() {
        for state in [Draft, Embargoed, Published, Withdrawn] {
            assert_eq!(
                state.edit().is_ok(),
                !editable_fields(state).is_empty(),
                "{state:?}"
            );
        }
    }

    #[test]
    fn only_a_published_advisorys_edit_is_a_public_correction() {
        assert!(Published.edit_is_correction());
        for state in [Draft, Embargoed, Withdrawn] {
            assert!(!state.edit_is_correction(), "{state:?}");
        }
    }
}
