//! The `[mail.lmtp]` section: whether `serve` also takes mail from the
//! local MTA over LMTP, and how much it lends to each client.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LmtpConfig {
    /// Address and port to listen on, such as `127.0.0.1:2424`. Empty
    /// (default): no LMTP listener.
    pub listen: String,
    /// Sessions served at once; more clients wait in the listen backlog.
    pub max_connections: usize,
    /// Recipients of one message; more are answered 452 and come again.
    pub max_recipients: usize,
    /// How long a command may take to arrive, or the data or a reply stand
    /// still, before the session is closed (RFC 5321 asks at least 300).
    pub idle_timeout_seconds: u64,
}

impl Default for LmtpConfig {
    fn default() -> Self {
        Self {
            listen: String::new(),
            max_connections: 16,
            max_recipients: 100,
            idle_timeout_seconds: 300,
        }
    }
}

impl LmtpConfig {
    /// The address to listen on, when LMTP is on.
    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.listen.trim().parse().ok()
    }

    /// Refuses an address that is not one and limits that serve no one.
    pub fn check(&self) -> Result<(), String> {
        if !self.listen.trim().is_empty() && self.listen_addr().is_none() {
            return Err(format!(
                "mail.lmtp.listen: {:?} is not an IP address and port such as 127.0.0.1:2424",
                self.listen
            ));
        }
        for (name, value) in [
            ("max_connections", self.max_connections as u64),
            ("max_recipients", self.max_recipients as u64),
            ("idle_timeout_seconds", self.idle_timeout_seconds),
        ] {
            if value == 0 {
                return Err(format!("mail.lmtp.{name} must be at least 1"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lmtp_is_off_by_default_and_listens_where_told() {
        let off = LmtpConfig::default();
        assert_eq!(off.listen_addr(), None);
        assert!(off.check().is_ok());
        let on: LmtpConfig = serde_json::from_str(r#"{"listen": "127.0.0.1:2424"}"#).unwrap();
        assert_eq!(on.listen_addr(), Some("127.0.0.1:2424".parse().unwrap()));
        assert_eq!(on.idle_timeout_seconds, 300);
        assert!(on.check().is_ok());
    }

    #[test]
    fn a_bad_address_or_a_zero_limit_is_a_clear_error() {
        for bad in ["localhost:2424", "127.0.0.1", "127.0.0.1:99999", "[::1]"] {
            let c = LmtpConfig {
                listen: bad.into(),
                ..LmtpConfig::default()
            };
            let e = c.check().unwrap_err();
            assert!(e.contains("mail.lmtp.listen") && e.contains(bad), "{e}");
        }
        let zero: LmtpConfig = serde_json::from_str(r#"{"max_recipients": 0}"#).unwrap();
        assert!(zero.check().unwrap_err().contains("max_recipients"));
    }
}
