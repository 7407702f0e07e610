//! Advisory details are Markdown written by the team, shown on public
//! pages: rendered without raw HTML and with only safe link targets.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('#')
        || (lower.starts_with('/') && !lower.starts_with("//"))
}

/// HTML for `source`. Raw HTML in the source is shown as text; links and
/// images to anything but http(s), mailto or local targets lose their target.
pub fn to_html(source: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(source, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn renders_markdown() {
        let h = to_html(
            "# Impact\n\nA *crafted* `tar` file.\n\n- one\n- two\n\n[fix](https://example.org/fix)",
        );
        assert!(h.contains("<h1>Impact</h1>"));
        assert!(h.contains("<em>crafted</em>"));
        assert!(h.contains("<li>one</li>"));
        assert!(h.contains("href=\"https://example.org/fix\""));
    }

    #[test]
    fn raw_html_and_script_links_are_neutralised() {
        let h = to_html(
            "<script>alert(1)</script>\n\nx <img src=x onerror=alert(1)> [a](javascript:alert(1)) ![i](data:text/html,x)",
        );
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("<img src=x"), "{h}");
        assert!(h.contains("&lt;script&gt;"));
        assert!(!h.contains("javascript:"), "{h}");
        assert!(!h.contains("data:text"), "{h}");
    }
}
