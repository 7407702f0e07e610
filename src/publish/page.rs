//! The template context of an advisory's public page, shared by `serve`
//! (rendered once at publication) and `embargo export`.

use serde_json::{Value, json};

use super::{Public, Site, rfc3339};
use crate::db::advisories::PatchInfo;
use crate::domain::advisory::AdvisoryId;

/// The template context of one public advisory.
pub fn advisory_context(site: &Site, a: &Public) -> Value {
    let c = &a.content;
    let affected: Vec<Value> = c
        .affected
        .iter()
        .map(|af| {
            let ranges: Vec<Value> = af
                .ranges
                .iter()
                .map(|r| {
                    let events: Vec<Value> = r
                        .events
                        .iter()
                        .map(|e| {
                            let kind = match e {
                                crate::domain::advisory::Event::Introduced(_) => "introduced",
                                crate::domain::advisory::Event::Fixed(_) => "fixed",
                                crate::domain::advisory::Event::LastAffected(_) => "last affected",
                                crate::domain::advisory::Event::Limit(_) => "limit",
                            };
                            json!({ "kind": kind, "version": e.version() })
                        })
                        .collect();
                    json!({ "kind": r.kind, "repo": r.repo, "events": events })
                })
                .collect();
            json!({ "ecosystem": af.package.ecosystem, "name": af.package.name, "purl": af.package.purl,
                    "ranges": ranges, "versions": af.versions })
        })
        .collect();
    json!({
        "id": a.id.as_str(),
        "summary": c.summary,
        // Rendered by publish::markdown, which drops raw HTML and unsafe links.
        "details_html": super::markdown::to_html(&c.details),
        "published": rfc3339(a.published_at),
        "published_early": a.published_early,
        "modified": rfc3339(a.modified_at),
        "withdrawn": a.withdrawn.as_ref().map(|w| json!({ "at": rfc3339(w.at), "reason": w.reason })),
        "aliases": c.aliases,
        "severity": a.scored,
        "cwe_ids": c.database_specific.cwe_ids,
        "unaffected_versions": c.database_specific.unaffected_versions,
        "fixed_versions": c.fixed_versions(),
        "affected": affected,
        "credits": c.credits,
        "references": c.references,
        "revisions": a.revisions.iter().map(|r| json!({ "number": r.number, "at": rfc3339(r.at), "summary": r.summary })).collect::<Vec<_>>(),
        "osv_url": format!("/advisories/{}.osv.json", a.id),
        "csaf_url": format!("/advisories/{}.csaf.json", a.id),
        "url": site.advisory_url(&a.id),
    })
}

/// The patches of a public advisory, as its page lists them.
pub fn patches_context(id: &AdvisoryId, patches: &[PatchInfo]) -> Vec<Value> {
    patches
        .iter()
        .map(|p| json!({ "url": format!("/advisories/{}/patches/{}", id, p.id), "filename": p.filename, "size": p.size, "sha256": p.sha256 }))
        .collect()
}
