//! `/.well-known/security.txt` (RFC 9116).

use jiff::{Timestamp, ToSpan};

/// What goes into the file, from the configuration.
pub struct SecurityTxt<'a> {
    pub base_url: &'a str,
    pub contact: &'a str,
    pub encryption_key_url: &'a str,
    pub policy_url: &'a str,
}

/// The file, valid for 180 days from `now`. It is rendered per request, so
/// `Expires` renews itself as long as the service runs.
pub fn render(s: &SecurityTxt<'_>, now: Timestamp) -> String {
    let expires = now
        .checked_add((180 * 24).hours())
        .unwrap_or(Timestamp::MAX);
    let contact = if s.contact.contains(':') {
        s.contact.to_owned()
    } else {
        format!("mailto:{}", s.contact)
    };
    let mut out = format!("Contact: {contact}\nExpires: {}\n", super::rfc3339(expires));
    if !s.encryption_key_url.is_empty() {
        out.push_str(&format!("Encryption: {}\n", s.encryption_key_url));
    }
    if !s.policy_url.is_empty() {
        out.push_str(&format!("Policy: {}\n", s.policy_url));
    }
    out.push_str(&format!(
        "CSAF: {}/.well-known/csaf/provider-metadata.json\n",
        s.base_url
    ));
    out.push_str(&format!(
        "Canonical: {}/.well-known/security.txt\n",
        s.base_url
    ));
    out.push_str("Preferred-Languages: en\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_the_required_fields_and_expires_within_a_year() {
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let txt = render(
            &SecurityTxt {
                base_url: "https://sec.example.org",
                contact: "security@example.org",
                encryption_key_url: "https://sec.example.org/key.asc",
                policy_url: "",
            },
            now,
        );
        assert!(txt.starts_with("Contact: mailto:security@example.org\n"));
        assert!(txt.contains("Expires: 2027-05-24T12:00:00Z\n"));
        assert!(txt.contains("Encryption: https://sec.example.org/key.asc\n"));
        assert!(!txt.contains("Policy:"));
        assert!(
            txt.contains("CSAF: https://sec.example.org/.well-known/csaf/provider-metadata.json\n")
        );
    }
}
