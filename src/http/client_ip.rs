//! Who the client is: the socket's peer, unless that peer is a trusted
//! reverse proxy, in which case the proxy's `X-Forwarded-For` (or
//! `Forwarded`) header names it. Rate limits and the audit log key on this.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use axum::http::header::FORWARDED;

use crate::config::HttpConfig;

/// The client's address for a request from `peer`.
///
/// Headers are believed only from trusted proxies, and only as far as the
/// chain of trusted proxies reaches: walking the hops from the right (the
/// one our peer added), the first address that is not a trusted proxy is
/// the client. Anything left of it was written by the client and may be
/// forged. When every hop is trusted, the leftmost is the client.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, http: &HttpConfig) -> IpAddr {
    let peer = peer.to_canonical();
    if !http.is_trusted_proxy(peer) {
        return peer;
    }
    let hops = match forwarded_for(headers) {
        Some(h) => h,
        None => return peer,
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = hop else {
            // An unreadable hop (`unknown`, an obfuscated name): nothing
            // left of it can be attributed; the last proxy is all we know.
            return client;
        };
        client = *ip;
        if !http.is_trusted_proxy(client) {
            return client;
        }
    }
    client
}

/// The hops of `X-Forwarded-For`, or else of `Forwarded`'s `for=`
/// parameters, left to right; `None` for a hop that is not an address.
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let xff: Vec<&str> = header_values(headers, "x-forwarded-for");
    if !xff.is_empty() {
        let hops = xff.iter().flat_map(|v| v.split(',')).map(parse_hop);
        return Some(hops.collect());
    }
    let fwd: Vec<&str> = header_values(headers, FORWARDED.as_str());
    if fwd.is_empty() {
        return None;
    }
    let hops = fwd.iter().flat_map(|v| v.split(',')).filter_map(|element| {
        element.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("for")
                .then(|| parse_hop(v.trim().trim_matches('"')))
        })
    });
    Some(hops.collect())
}

fn header_values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect()
}

/// `192.0.2.1`, `2001:db8::1`, `192.0.2.1:4711` or `[2001:db8::1]:4711`.
fn parse_hop(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    s.parse::<IpAddr>()
        .ok()
        .or_else(|| s.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            s.strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|r| r.parse().ok())
        })
        .map(|ip: IpAddr| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn config(trusted: &[&str]) -> HttpConfig {
        HttpConfig {
            trusted_proxies: trusted.iter().map(|c| c.parse().unwrap()).collect(),
            ..HttpConfig::default()
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let h = headers(&[("x-forwarded-for", "198.51.100.1")]);
        let peer = ip("203.0.113.5");
        assert_eq!(client_ip(peer, &h, &config(&[])), peer);
        assert_eq!(client_ip(peer, &h, &config(&["10.0.0.0/8"])), peer);
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let c = config(&["10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.1, 10.0.0.3")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &c), ip("198.51.100.1"));
        // Split over two header lines, the order is the same.
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &c), ip("198.51.100.1"));
        // Only proxies: the leftmost is the client.
        let h = headers(&[("x-forwarded-for", "10.0.0.9, 10.0.0.3")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &c), ip("10.0.0.9"));
        // No header: the proxy itself.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &HeaderMap::new(), &c),
            ip("10.0.0.2")
        );
        // Garbage on the right: nothing beyond it is believed.
        let h = headers(&[("x-forwarded-for", "198.51.100.1, nonsense")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &c), ip("10.0.0.2"));
    }

    #[test]
    fn the_forwarded_header_is_read_when_there_is_no_x_forwarded_for() {
        let c = config(&["::1", "127.0.0.1"]);
        let h = headers(&[(
            "forwarded",
            r#"for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711""#,
        )]);
        assert_eq!(client_ip(ip("::1"), &h, &c), ip("2001:db8:cafe::17"));
        let h = headers(&[("forwarded", "for=192.0.2.60:8080")]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &c), ip("192.0.2.60"));
        let h = headers(&[("forwarded", "for=_hidden, for=127.0.0.1")]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &c), ip("127.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_peers_count_as_ipv4() {
        let c = config(&["127.0.0.1"]);
        let h = headers(&[("x-forwarded-for", "::ffff:198.51.100.1")]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &h, &c),
            ip("198.51.100.1")
        );
    }
}
