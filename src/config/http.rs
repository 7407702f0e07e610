//! The `[http]` section: what the server believes about the network in
//! front of it, and how much of itself it lends to connections. Trusted
//! reverse proxies are networks written as CIDRs, parsed here by hand.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Reverse proxies whose `X-Forwarded-For` or `Forwarded` header names
    /// the client, such as `["127.0.0.1/32", "10.0.0.0/8", "::1"]`. Empty:
    /// the socket's peer is the client and those headers are ignored.
    pub trusted_proxies: Vec<Cidr>,
    /// Connections served at once. Further clients wait in the listen
    /// backlog until one closes, so a flood of idle sockets cannot use up
    /// the process's file descriptors (1,024 by default).
    pub max_connections: usize,
    /// How long a client may take to send a request's line and headers,
    /// counted from when the server starts waiting for it; a kept-alive
    /// connection also waits this long for its next request.
    pub header_read_timeout_seconds: u64,
    /// A connection on which no byte moves either way for this long is
    /// closed: a stalled upload, or a client that stopped reading.
    pub idle_timeout_seconds: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            max_connections: 512,
            header_read_timeout_seconds: 10,
            idle_timeout_seconds: 60,
        }
    }
}

impl HttpConfig {
    /// Refuses limits that would stop the server from serving anyone.
    pub fn check(&self) -> Result<(), String> {
        for (name, value) in [
            ("max_connections", self.max_connections as u64),
            (
                "header_read_timeout_seconds",
                self.header_read_timeout_seconds,
            ),
            ("idle_timeout_seconds", self.idle_timeout_seconds),
        ] {
            if value == 0 {
                return Err(format!("http.{name} must be at least 1"));
            }
        }
        Ok(())
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_proxies.iter().any(|c| c.contains(ip))
    }
}

/// A network: an address and how many leading bits of it count. A bare
/// address is a network of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not an IP address or network such as 10.0.0.0/8 or fd00::/8")]
pub struct InvalidCidr(String);

impl Cidr {
    /// Whether `ip` lies in this network (IPv4 never matches IPv6).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(u32::from(net)), 32, self.prefix)
                    == masked(u128::from(u32::from(ip)), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), 128, self.prefix)
                    == masked(u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// The top `prefix` bits of a `width`-bit number.
fn masked(bits: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let drop = u32::from(width.saturating_sub(prefix));
    bits >> drop << drop
}

impl FromStr for Cidr {
    type Err = InvalidCidr;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidCidr(s.to_owned());
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let network = IpAddr::from_str(addr).map_err(|_| bad())?.to_canonical();
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().map_err(|_| bad())?
            }
            Some(_) => return Err(bad()),
        };
        if prefix > width {
            return Err(bad());
        }
        Ok(Self { network, prefix })
    }
}

impl TryFrom<String> for Cidr {
    type Error = InvalidCidr;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Cidr> for String {
    fn from(c: Cidr) -> Self {
        c.to_string()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_contain_their_addresses_only() {
        let ten: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(ten.contains(ip("10.255.1.2")));
        assert!(!ten.contains(ip("11.0.0.1")));
        assert!(ten.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped IPv6");
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")) && !all.contains(ip("::1")));
        let odd: Cidr = "172.16.0.0/12".parse().unwrap();
        assert!(odd.contains(ip("172.31.255.255")) && !odd.contains(ip("172.32.0.0")));
    }

    #[test]
    fn cidrs_parse_by_hand_and_refuse_nonsense() {
        assert_eq!("::1".parse::<Cidr>().unwrap().to_string(), "::1/128");
        assert_eq!(
            " 10.0.0.0/8 ".parse::<Cidr>().unwrap().to_string(),
            "10.0.0.0/8"
        );
        for bad in [
            "",
            "10.0.0.0/",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/8/8",
            "example.org",
            "10.0.0.0/0008",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_bad_cidr_in_the_configuration_is_an_error() {
        let ok: HttpConfig =
            serde_json::from_str(r#"{"trusted_proxies": ["127.0.0.1", "fd00::/8"]}"#).unwrap();
        assert!(ok.is_trusted_proxy(ip("127.0.0.1")));
        assert!(ok.is_trusted_proxy(ip("fd12::1")));
        assert!(!ok.is_trusted_proxy(ip("127.0.0.2")));
        let bad = serde_json::from_str::<HttpConfig>(r#"{"trusted_proxies": ["10.0.0.0/40"]}"#);
        assert!(bad.is_err());
        assert!(HttpConfig::default().trusted_proxies.is_empty());
    }

    #[test]
    fn connection_limits_have_defaults_and_refuse_zero() {
        let c: HttpConfig = serde_json::from_str(r#"{"max_connections": 7}"#).unwrap();
        assert_eq!(c.max_connections, 7);
        assert_eq!(c.header_read_timeout_seconds, 10);
        assert_eq!(c.idle_timeout_seconds, 60);
        assert!(c.check().is_ok());
        let zero: HttpConfig = serde_json::from_str(r#"{"idle_timeout_seconds": 0}"#).unwrap();
        assert!(zero.check().unwrap_err().contains("idle_timeout_seconds"));
    }
}
