//! What the world sees of a published advisory: OSV, CSAF 2.0, the Atom feed
//! and security.txt, all rendered from one record. Pure functions of their
//! input, so `serve` and `embargo export` produce the same bytes.

pub mod atom;
pub mod csaf;
pub mod cve;
pub mod github;
pub mod markdown;
pub mod osv;
pub mod page;
pub mod securitytxt;
pub mod wkd;

use jiff::Timestamp;

use crate::domain::advisory::{AdvisoryId, Content, ScoredSeverity};

/// A published (or withdrawn) advisory, as the renderers need it.
#[derive(Debug, Clone)]
pub struct Public {
    pub id: AdvisoryId,
    pub content: Content,
    /// `content.severity` with computed scores, in the same order.
    pub scored: Vec<ScoredSeverity>,
    pub published_at: Timestamp,
    /// Published before the end of the embargo it had.
    pub published_early: bool,
    /// Last change to what is public.
    pub modified_at: Timestamp,
    pub withdrawn: Option<Withdrawal>,
    /// Public versions, oldest first; the first is the publication.
    pub revisions: Vec<Revision>,
}

#[derive(Debug, Clone)]
pub struct Withdrawal {
    pub at: Timestamp,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Revision {
    /// 1, 2, 3, ...
    pub number: u32,
    pub at: Timestamp,
    pub summary: String,
}

/// Facts about the publisher, from the configuration.
#[derive(Debug, Clone)]
pub struct Site {
    /// The organisation's name.
    pub org: String,
    /// Without trailing slash; public URLs start with it.
    pub base_url: String,
    /// Prepended to advisory ids to form OSV ids: `x_` unless the
    /// organisation has a registered OSV prefix.
    pub osv_id_prefix: String,
    /// CSAF `document.publisher.namespace`: a URL the organisation controls.
    pub csaf_namespace: String,
    /// CSAF publisher category: `vendor` for a project publishing its own
    /// advisories, `coordinator` for a team coordinating for others.
    pub csaf_category: String,
    /// CSAF `document.publisher.contact_details`.
    pub contact_details: String,
    /// The CNA that assigns the team's CVE ids; `None`: no CVE records.
    pub cve: Option<Cna>,
}

/// A CVE Numbering Authority as CVE records name it.
#[derive(Debug, Clone)]
pub struct Cna {
    /// The organisation's UUID in the CVE program.
    pub org_id: String,
    /// Its 2 to 32 character short name.
    pub short_name: Option<String>,
}

impl Site {
    /// The public page of an advisory.
    pub fn advisory_url(&self, id: &AdvisoryId) -> String {
        format!("{}/advisories/{}", self.base_url, id)
    }

    pub fn osv_id(&self, id: &AdvisoryId) -> String {
        format!("{}{}", self.osv_id_prefix, id)
    }
}

/// RFC 3339 in UTC with a `Z`, whole seconds: the form OSV and CSAF expect.
pub fn rfc3339(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
