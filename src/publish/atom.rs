//! `/feed.atom` (RFC 4287): published advisories, newest first.

use super::{Public, Site, rfc3339};

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub fn render(site: &Site, advisories: &[Public]) -> String {
    let updated = advisories
        .iter()
        .map(|a| a.modified_at)
        .max()
        .map(rfc3339)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    out.push_str(&format!(
        "  <title>{} security advisories</title>\n",
        xml(&site.org)
    ));
    out.push_str(&format!("  <id>{}/feed.atom</id>\n", xml(&site.base_url)));
    out.push_str(&format!(
        "  <link rel=\"self\" href=\"{}/feed.atom\"/>\n",
        xml(&site.base_url)
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}/advisories\"/>\n",
        xml(&site.base_url)
    ));
    out.push_str(&format!(
        "  <updated>{updated}</updated>\n  <author><name>{}</name></author>\n",
        xml(&site.org)
    ));
    for a in advisories {
        let url = site.advisory_url(&a.id);
        let title = match &a.withdrawn {
            Some(_) => format!("[Withdrawn] {}: {}", a.id, a.content.summary),
            None => format!("{}: {}", a.id, a.content.summary),
        };
        out.push_str("  <entry>\n");
        out.push_str(&format!(
            "    <id>{}</id>\n    <title>{}</title>\n",
            xml(&url),
            xml(&title)
        ));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&url)
        ));
        out.push_str(&format!(
            "    <published>{}</published>\n",
            rfc3339(a.published_at)
        ));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            rfc3339(a.modified_at)
        ));
        let summary = match &a.withdrawn {
            Some(w) => format!("Withdrawn: {}", w.reason),
            None => a.content.summary.clone(),
        };
        out.push_str(&format!(
            "    <summary>{}</summary>\n  </entry>\n",
            xml(&summary)
        ));
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::advisory::{AdvisoryId, Content};

    #[test]
    fn escapes_and_lists_entries() {
        let site = Site {
            org: "A & B".into(),
            base_url: "https://sec.example.org".into(),
            osv_id_prefix: "x_".into(),
            csaf_namespace: "https://example.org".into(),
            csaf_category: "vendor".into(),
            contact_details: "security@example.org".into(),
            cve: None,
        };
        let at: jiff::Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let a = Public {
            id: AdvisoryId::parse("SA-2026-0001").unwrap(),
            content: Content {
                summary: "<b>x</b> \u{1} y".into(),
                ..Content::default()
            },
            scored: vec![],
            published_at: at,
            published_early: false,
            modified_at: at,
            withdrawn: None,
            revisions: vec![],
        };
        let feed = render(&site, &[a]);
        assert!(feed.contains("<title>A &amp; B security advisories</title>"));
        assert!(feed.contains("SA-2026-0001: &lt;b&gt;x&lt;/b&gt;  y"));
        assert!(feed.contains("<updated>2026-11-25T12:00:00Z</updated>"));
        assert!(feed.contains("<id>https://sec.example.org/advisories/SA-2026-0001</id>"));
    }
}
