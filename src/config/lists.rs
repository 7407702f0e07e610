//! Settings of the advisories, their publication and the distribution list.

use serde::{Deserialize, Serialize};

use super::Config;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MembershipConfig {
    /// The criteria a new installation starts with; admins edit them later
    /// (each edit is a new version).
    pub criteria: Vec<crate::domain::membership::Criterion>,
    /// Days an application waits for its security alias to confirm.
    pub confirm_within_days: u32,
    /// A contact's encryption key must stay valid at least this long.
    pub key_valid_days: u32,
    /// Days between liveness pings to each member's security alias (the
    /// first comes this long after joining).
    pub ping_every_days: u32,
    /// Days a ping waits for its answer before it counts as unanswered.
    pub ping_answer_days: u32,
    /// Days between reviews of each member (the first this long after
    /// joining); admins are told by mail when one is due.
    pub review_every_days: u32,
    /// Whether `/apply` (and `GET /api/v1/members` for anyone but admins)
    /// lists the members' names for an applicant to pick a voucher from.
    /// Off: the applicant types the name of the member that vouches.
    pub show_members_on_apply: bool,
}

impl Default for MembershipConfig {
    fn default() -> Self {
        Self {
            criteria: crate::domain::membership::default_criteria(),
            confirm_within_days: 14,
            key_valid_days: 30,
            ping_every_days: 91,
            ping_answer_days: 14,
            review_every_days: 365,
            show_members_on_apply: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdvisoriesConfig {
    /// Advisory ids are `PREFIX-YEAR-NNNN`.
    pub id_prefix: String,
    /// Longest embargo in days, from the first distribution to the list.
    pub max_embargo_days: u32,
    /// Shortest notice in hours between setting an embargo and its end.
    pub min_notice_hours: u32,
    /// Public holidays (`YYYY-MM-DD`) that earn a warning when an embargo ends on one.
    pub holidays: Vec<String>,
    /// Where the public announcement of a published advisory goes; empty: none.
    pub announce_address: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublicationConfig {
    /// Prepended to advisory ids to form OSV ids. `x_` unless the organisation
    /// has a registered OSV prefix and uses it as `advisories.id_prefix`
    /// (then set this to "").
    pub osv_id_prefix: String,
    /// CSAF publisher namespace (a URL you control); empty: `base_url`.
    pub csaf_namespace: String,
    /// CSAF publisher category: `vendor` or `coordinator`.
    pub csaf_category: String,
    /// How to reach the team, for CSAF and security.txt; empty: the security address.
    pub contact: String,
    /// security.txt `Policy:` URL; empty: none.
    pub policy_url: String,
    /// security.txt `Encryption:` URL of the team's OpenPGP key; empty: the
    /// list key at `{base_url}/list-key.asc`.
    pub encryption_key_url: String,
    /// The CNA's organisation UUID in the CVE program; set it to publish CVE
    /// records (`{id}.cve.json`). Empty: none.
    pub cve_org_id: String,
    /// The CNA's short name in the CVE program (2 to 32 characters); optional.
    pub cve_short_name: String,
}

impl Default for AdvisoriesConfig {
    fn default() -> Self {
        Self {
            id_prefix: "SA".into(),
            max_embargo_days: 14,
            min_notice_hours: 0,
            holidays: Vec::new(),
            announce_address: String::new(),
        }
    }
}

impl Default for PublicationConfig {
    fn default() -> Self {
        Self {
            osv_id_prefix: "x_".into(),
            csaf_namespace: String::new(),
            csaf_category: "vendor".into(),
            contact: String::new(),
            policy_url: String::new(),
            encryption_key_url: String::new(),
            cve_org_id: String::new(),
            cve_short_name: String::new(),
        }
    }
}

impl Config {
    /// The embargo policy in domain terms.
    pub fn embargo_policy(&self) -> crate::domain::embargo::Policy {
        crate::domain::embargo::Policy {
            max_days: self.advisories.max_embargo_days,
            min_notice_hours: self.advisories.min_notice_hours,
            holidays: self
                .advisories
                .holidays
                .iter()
                .filter_map(|d| d.parse().ok())
                .collect(),
        }
    }

    /// The publisher facts the renderers need.
    pub fn site(&self) -> crate::publish::Site {
        let p = &self.publication;
        crate::publish::Site {
            org: self.organization.clone(),
            base_url: self.base().to_owned(),
            osv_id_prefix: p.osv_id_prefix.clone(),
            csaf_namespace: if p.csaf_namespace.is_empty() {
                self.base().to_owned()
            } else {
                p.csaf_namespace.clone()
            },
            csaf_category: p.csaf_category.clone(),
            contact_details: if p.contact.is_empty() {
                self.security_address.clone()
            } else {
                p.contact.clone()
            },
            cve: (!p.cve_org_id.is_empty()).then(|| crate::publish::Cna {
                org_id: p.cve_org_id.clone(),
                short_name: (!p.cve_short_name.is_empty()).then(|| p.cve_short_name.clone()),
            }),
        }
    }
}

/// How leaks count against a member.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LeaksConfig {
    /// Leaks reported within this many days count as strikes.
    pub window_days: u32,
    /// At this many strikes the admins get a removal proposal.
    pub removal_threshold: u32,
}

impl Default for LeaksConfig {
    fn default() -> Self {
        Self {
            window_days: 365,
            removal_threshold: 2,
        }
    }
}
