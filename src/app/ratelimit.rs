//! A fixed-window counter per client, in memory. Enough to blunt floods of
//! reports and password guesses; per-account lock-out lives in the
//! database so it holds across processes.
//!
//! A client is an IPv4 address or an IPv6 /64: one host usually holds a
//! whole /64, so counting single IPv6 addresses would give it 2^64 tries.
//! The table is bounded: past `max_keys` clients, expired windows go
//! first, then the oldest.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many clients a limiter tracks by default (a few MB at most).
pub const DEFAULT_MAX_KEYS: usize = 100_000;

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    max_keys: usize,
    hits: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// The key an address is counted under: IPv4 as it is, IPv6 by its /64.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self::with_max_keys(limit, window, DEFAULT_MAX_KEYS)
    }

    pub fn with_max_keys(limit: u32, window: Duration, max_keys: usize) -> Self {
        Self {
            limit,
            window,
            max_keys: max_keys.max(1),
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `ip`; false when it is over the limit.
    pub fn check(&self, ip: IpAddr) -> bool {
        let key = client_key(ip);
        let now = Instant::now();
        let Ok(mut hits) = self.hits.lock() else {
            return false;
        };
        if !hits.contains_key(&key) && hits.len() >= self.max_keys {
            self.make_room(&mut hits, now);
        }
        let entry = hits.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.limit
    }

    /// How many clients are tracked now.
    pub fn tracked(&self) -> usize {
        self.hits.lock().map(|h| h.len()).unwrap_or(0)
    }

    /// Drops expired windows; if that is not enough, the oldest tenth, so
    /// the sort is paid once per many new clients, not for each.
    fn make_room(&self, hits: &mut HashMap<IpAddr, (Instant, u32)>, now: Instant) {
        hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        if hits.len() < self.max_keys {
            return;
        }
        let mut starts: Vec<(Instant, IpAddr)> = hits.iter().map(|(k, (s, _))| (*s, *k)).collect();
        starts.sort_unstable();
        let evict = (self.max_keys / 10).max(1);
        for (_, key) in starts.into_iter().take(evict) {
            hits.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn allows_up_to_the_limit_per_address() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        assert!(l.check(a));
        assert!(l.check(a));
        assert!(!l.check(a));
        assert!(l.check(b));
    }

    #[test]
    fn ipv6_addresses_in_one_64_share_a_bucket() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        assert!(l.check(ip("2001:db8:1:2::1")));
        assert!(l.check(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        assert!(!l.check(ip("2001:db8:1:2::99")));
        assert!(
            l.check(ip("2001:db8:1:3::1")),
            "the next /64 is another client"
        );
        assert_eq!(l.tracked(), 2);
        // An IPv4-mapped address is its IPv4 address.
        assert_eq!(client_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn the_limiter_does_not_grow_past_its_cap() {
        let l = RateLimiter::with_max_keys(5, Duration::from_secs(3600), 50);
        for n in 0..10_000u32 {
            let [a, b, c, d] = n.to_be_bytes();
            l.check(IpAddr::from([198, a.wrapping_add(b), c, d]));
            assert!(l.tracked() <= 50, "{} after {n}", l.tracked());
        }
        // The newest client is still counted after evictions.
        let last = ip("203.0.113.1");
        for _ in 0..5 {
            assert!(l.check(last));
        }
        assert!(!l.check(last));
    }

    #[test]
    fn expired_windows_are_dropped_before_live_ones() {
        let l = RateLimiter::with_max_keys(1, Duration::from_millis(0), 3);
        for n in 0..100u8 {
            l.check(IpAddr::from([192, 0, 2, n]));
        }
        assert!(l.tracked() <= 3);
    }
}
