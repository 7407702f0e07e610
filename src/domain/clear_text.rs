//! Clear text for one member contact: the admin's explicit, recorded
//! exception to "embargoed content is never sent in clear" (DESIGN.md),
//! for a contact who cannot use OpenPGP. Who gets what because of it is
//! [`super::announcement::DeliveryKind::for_recipient`].

/// The longest reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

/// The reason an admin gives, trimmed. Required: the allowance exposes
/// embargoed material to every server between us and the contact, and
/// whoever reviews it later must see why that was accepted.
pub fn reason(text: &str) -> Result<&str, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(
            "is required: say why this contact may receive embargoed advisories unencrypted",
        );
    }
    if text.chars().count() > MAX_REASON_CHARS {
        return Err("is too long (at most 2,000 characters)");
    }
    Ok(text)
}

/// An allowance as recorded: who gave it (an audit actor such as
/// `account:acc_...`), when (microseconds), and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Allowance {
    pub by: String,
    pub at: i64,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_trimmed_and_bounded() {
        assert!(reason("").is_err());
        assert!(reason(" \n\t ").is_err());
        assert_eq!(
            reason("  their mail gateway cannot decrypt \n"),
            Ok("their mail gateway cannot decrypt")
        );
        assert!(reason(&"x".repeat(MAX_REASON_CHARS)).is_ok());
        assert!(reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
    }
}
