//! Per-recipient wording: every copy of an announcement says its fixed
//! parts in its own words, chosen from the delivery id, so a pasted copy
//! names its recipient even with the tracking line deleted, whitespace
//! collapsed and non-ASCII characters dropped. Wording survives those
//! edits; layout and line breaks would not, so only wording varies.
//!
//! What it cannot do: a paraphrase or a short excerpt keeps too few of the
//! varied phrases to tell recipients apart, and two leakers who compare
//! their copies can see where they differ.

use sha2::{Digest, Sha256};

/// One varied phrase: its name in the templates and its wordings. No
/// wording is part of another (a test checks), so each is recognised alone.
pub struct Point {
    pub name: &'static str,
    pub wordings: [&'static str; 4],
}

/// The varied phrases of the announcement template, in template order.
pub const POINTS: &[Point] = &[
    Point {
        name: "head",
        wordings: [
            "EMBARGOED:",
            "UNDER EMBARGO:",
            "EMBARGOED NOTICE:",
            "NOT PUBLIC YET:",
        ],
    },
    Point {
        name: "why",
        wordings: [
            "You receive this as a contact of a member of the list.",
            "This reaches you as a contact of a list member.",
            "You are getting this because your organisation is on the list.",
            "Sent to you as one of your organisation's list contacts.",
        ],
    },
    Point {
        name: "ends",
        wordings: [
            "Embargo ends:",
            "The embargo lifts at:",
            "Public disclosure at:",
            "Disclosure date:",
        ],
    },
    Point {
        name: "zone",
        wordings: [
            "(agreed zone",
            "(in the agreed time zone",
            "(as agreed,",
            "(local to",
        ],
    },
    Point {
        name: "keep",
        wordings: [
            "Keep this to yourself and those who need to know until then",
            "Share this only with people who need to know until then",
            "Until then, keep this among those who need to know",
            "Do not pass this on before then, except to those who need to know",
        ],
    },
    Point {
        name: "policy",
        wordings: [
            "as the list policy says.",
            "as the list policy requires.",
            "under the list policy.",
            "per the list policy.",
        ],
    },
    Point {
        name: "web",
        wordings: [
            "Read it on the web, with its patches:",
            "It is also on the web, patches included:",
            "The web page, with the patches:",
            "Online, with patches attached:",
        ],
    },
    Point {
        name: "note",
        wordings: [
            "Note from the",
            "A word from the",
            "Added by the",
            "Comment from the",
        ],
    },
    Point {
        name: "summary",
        wordings: ["Summary:", "In short:", "Synopsis:", "Overview:"],
    },
    Point {
        name: "aliases",
        wordings: ["Identifiers:", "Also known as:", "Aliases:", "Other names:"],
    },
    Point {
        name: "severity",
        wordings: ["Severity:", "Severity rating:", "Rated:", "Scored:"],
    },
    Point {
        name: "weakness",
        wordings: ["Weakness:", "Weakness type:", "CWE:", "Kind of flaw:"],
    },
    Point {
        name: "affected",
        wordings: [
            "Affected:",
            "Affected packages:",
            "Vulnerable:",
            "Packages at risk:",
        ],
    },
    Point {
        name: "credits",
        wordings: ["Credits:", "Credited:", "Thanks to:", "Found by:"],
    },
    Point {
        name: "references",
        wordings: ["References:", "See also:", "Further reading:", "Links:"],
    },
    Point {
        name: "patches",
        wordings: [
            "The patches are attached.",
            "Patches attached to this message.",
            "You will find the patches attached.",
            "Attached: the patches.",
        ],
    },
    Point {
        name: "leak",
        wordings: [
            "If it leaks, tell us at once what leaked and to whom.",
            "Should it leak, report what leaked and to whom right away.",
            "In case of a leak, let us know immediately what went where.",
            "Report any leak to us at once: what, and to whom.",
        ],
    },
    Point {
        name: "questions",
        wordings: [
            "Questions go to the security team by reply.",
            "Reply to this message with any questions.",
            "Ask us anything by replying.",
            "For questions, just reply.",
        ],
    },
    Point {
        name: "testing",
        wordings: [
            "Test reports are welcome, also when all is well.",
            "Tell us how your testing went, good or bad.",
            "We would like to hear your test results, whatever they are.",
            "Results of your tests help, even if nothing broke.",
        ],
    },
    Point {
        name: "signoff",
        wordings: ["-- The", "Regards, the", "Sent by the", "Yours, the"],
    },
];

/// Which wording of each point the copy of `delivery` uses.
pub fn choices(delivery: &str) -> Vec<usize> {
    let digest = Sha256::digest(format!("embargo-wording\0{delivery}").as_bytes());
    POINTS
        .iter()
        .enumerate()
        .map(|(i, p)| usize::from(digest[i % digest.len()]) % p.wordings.len())
        .collect()
}

/// The wordings of `delivery`'s copy, by point name, for the template.
pub fn phrases(delivery: &str) -> serde_json::Map<String, serde_json::Value> {
    POINTS
        .iter()
        .zip(choices(delivery))
        .map(|(p, c)| (p.name.to_owned(), p.wordings[c].into()))
        .collect()
}

/// The text as a trace compares it: ASCII only, lower case, whitespace
/// collapsed, so the edits a leaker is likely to make change nothing.
pub fn normalize(text: &str) -> String {
    let ascii: String = text
        .chars()
        .filter(char::is_ascii)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    ascii.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which wording of each point a normalized paste holds: None when none,
/// or more than one, is found (the point tells nothing then).
pub fn observe(normalized: &str) -> Vec<Option<usize>> {
    POINTS
        .iter()
        .map(|p| {
            let mut found = p
                .wordings
                .iter()
                .enumerate()
                .filter(|(_, w)| normalized.contains(&normalize(w)));
            match (found.next(), found.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        })
        .collect()
}

/// How well `delivery`'s copy fits what a paste showed: the share of the
/// observed points whose wording is this copy's, 0 when none was observed.
pub fn score(observed: &[Option<usize>], delivery: &str) -> f64 {
    let mine = choices(delivery);
    let seen = observed.iter().flatten().count();
    if seen == 0 {
        return 0.0;
    }
    let matched = observed
        .iter()
        .zip(&mine)
        .filter(|(o, m)| **o == Some(**m))
        .count();
    matched as f64 / seen as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_wording_is_part_of_another_so_each_is_recognised_alone() {
        let all: Vec<String> = POINTS
            .iter()
            .flat_map(|p| p.wordings.iter().map(|w| normalize(w)))
            .collect();
        for (i, a) in all.iter().enumerate() {
            assert!(a.is_ascii(), "{a}: non-ASCII would be dropped");
            for (j, b) in all.iter().enumerate() {
                assert!(i == j || !b.contains(a.as_str()), "{a:?} is part of {b:?}");
            }
        }
    }

    #[test]
    fn normalizing_drops_non_ascii_case_and_extra_whitespace() {
        assert_eq!(
            normalize("  Embargo\u{2014} ENDS:\n\n\t2026 "),
            "embargo ends: 2026"
        );
    }

    #[test]
    fn a_copy_scores_one_against_itself_and_copies_differ() {
        let text: String = phrases("dlv_a")
            .values()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
            .join(" filler ");
        let observed = observe(&normalize(&text));
        assert_eq!(observed.iter().flatten().count(), POINTS.len());
        assert_eq!(score(&observed, "dlv_a"), 1.0);
        assert!(score(&observed, "dlv_b") < 1.0);
        assert_ne!(choices("dlv_a"), choices("dlv_b"));
        assert_eq!(score(&observe("nothing of it"), "dlv_a"), 0.0);
    }
}
