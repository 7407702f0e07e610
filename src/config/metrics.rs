//! `[metrics]`: where `/metrics` is served. Never on the public port
//! without a token: the series name routes, queues and counts that a
//! stranger has no business reading.

use std::fmt;
use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// Shortest token taken: a guessable one would open the series to anyone.
const MIN_TOKEN_CHARS: usize = 16;

/// `Debug` is written by hand: it never shows the token.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// A separate address serving `/metrics` to whoever reaches it, such
    /// as `127.0.0.1:9464`. Unset (default): no such listener.
    pub listen: Option<String>,
    /// A bearer token: `/metrics` on the public port answers requests with
    /// `Authorization: Bearer TOKEN`. Unset (default): the public port
    /// answers 404 there.
    pub token: Option<String>,
}

impl MetricsConfig {
    /// The separate listener's address, once [`MetricsConfig::check`]
    /// passed.
    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.listen.as_deref().and_then(|a| a.trim().parse().ok())
    }

    /// Refuses an address that does not parse and a token that is empty,
    /// short, or could never arrive in a header.
    pub fn check(&self) -> Result<(), String> {
        if let Some(listen) = &self.listen
            && listen.trim().parse::<SocketAddr>().is_err()
        {
            return Err(format!(
                "metrics.listen: {listen:?} is not an IP address and port such as \"127.0.0.1:9464\" (leave it out for no separate listener)"
            ));
        }
        if let Some(token) = &self.token {
            if token.is_empty() {
                return Err("metrics.token is empty: set a long random value (such as the output of `openssl rand -hex 32`), or leave it out to serve /metrics only on metrics.listen".into());
            }
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(
                    "metrics.token may hold only visible ASCII characters, without spaces".into(),
                );
            }
            if token.len() < MIN_TOKEN_CHARS {
                return Err(format!(
                    "metrics.token must be at least {MIN_TOKEN_CHARS} characters (such as the output of `openssl rand -hex 32`)"
                ));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsConfig")
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(listen: Option<&str>, token: Option<&str>) -> MetricsConfig {
        MetricsConfig {
            listen: listen.map(Into::into),
            token: token.map(Into::into),
        }
    }

    #[test]
    fn metrics_are_off_by_default_and_a_listen_address_and_a_long_token_pass() {
        assert_eq!(MetricsConfig::default().check(), Ok(()));
        assert_eq!(MetricsConfig::default().listen_addr(), None);
        let c = with(Some("127.0.0.1:9464"), Some("0123456789abcdef0123"));
        assert_eq!(c.check(), Ok(()));
        assert_eq!(c.listen_addr(), Some("127.0.0.1:9464".parse().unwrap()));
        assert_eq!(with(Some("[::1]:9464"), None).check(), Ok(()));
    }

    #[test]
    fn a_listen_value_that_is_not_an_address_and_port_is_refused_by_name() {
        for bad in ["", "localhost:9464", "127.0.0.1", "9464", "127.0.0.1:99999"] {
            let err = with(Some(bad), None).check().unwrap_err();
            assert!(err.starts_with("metrics.listen: "), "{err}");
            assert!(err.contains("127.0.0.1:9464"), "{err}");
        }
    }

    #[test]
    fn an_empty_short_or_unsendable_token_is_refused_by_name() {
        let empty = with(None, Some("")).check().unwrap_err();
        assert!(empty.starts_with("metrics.token is empty"), "{empty}");
        let short = with(None, Some("secret")).check().unwrap_err();
        assert!(short.contains("at least 16 characters"), "{short}");
        let spaced = with(None, Some("0123456789 abcdef")).check().unwrap_err();
        assert!(spaced.contains("visible ASCII"), "{spaced}");
    }

    #[test]
    fn debug_output_hides_the_token() {
        let c = with(Some("127.0.0.1:9464"), Some("s3cret-metrics-token-4711"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***") && shown.contains("127.0.0.1:9464"));
    }

    #[test]
    fn a_configuration_file_with_a_bad_metrics_section_stops_loading_with_the_setting_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("embargo.toml");
        std::fs::write(&file, "[metrics]\nlisten = \"127.0.0.1\"\n").unwrap();
        let err = crate::config::Config::load(Some(&file))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid configuration: metrics.listen: \"127.0.0.1\""),
            "{err}"
        );
        std::fs::write(&file, "[metrics]\ntoken = \"\"\n").unwrap();
        let err = crate::config::Config::load(Some(&file))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid configuration: metrics.token is empty"),
            "{err}"
        );
        std::fs::write(
            &file,
            "[metrics]\nlisten = \"127.0.0.1:9464\"\ntoken = \"0123456789abcdef\"\n",
        )
        .unwrap();
        let c = crate::config::Config::load(Some(&file)).unwrap();
        assert_eq!(
            c.metrics.listen_addr(),
            Some("127.0.0.1:9464".parse().unwrap())
        );
        assert_eq!(c.metrics.token.as_deref(), Some("0123456789abcdef"));
    }
}
