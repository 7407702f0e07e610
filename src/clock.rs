//! The service's clock. Every "now" in embargo comes from [`now`], which
//! reads the clock of the application state serving the current request or
//! job: real time, shifted by an offset that tests advance instead of
//! sleeping or editing stored instants.
//!
//! The clock travels as a task-local set around each request and each job
//! (see [`Clock::scope`]), so the many functions that need the time do not
//! each take it as an argument. Outside any scope (the CLI) it is real time.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

tokio::task_local! {
    static CURRENT: Clock;
}

/// Real time plus an offset in microseconds; clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// Real time.
    pub fn system() -> Self {
        Self::default()
    }

    /// The current instant in microseconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        real_now().saturating_add(self.offset.load(Ordering::SeqCst))
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: jiff::SignedDuration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.offset.fetch_add(micros, Ordering::SeqCst);
    }

    /// Runs `f` with this clock as the one [`now`] reads.
    pub async fn scope<F: Future>(&self, f: F) -> F::Output {
        CURRENT.scope(self.clone(), f).await
    }

    /// [`Clock::scope`] as a future that owns the clock, for `spawn`: a
    /// spawned task does not inherit its spawner's clock.
    pub fn scope_owned<F: Future>(self, f: F) -> impl Future<Output = F::Output> {
        CURRENT.scope(self, f)
    }
}

fn real_now() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

/// The current instant in microseconds since the Unix epoch, by the clock
/// of the request or job being served.
pub fn now() -> i64 {
    CURRENT.try_with(Clock::now).unwrap_or_else(|_| real_now())
}

/// [`now`] as a timestamp.
pub fn timestamp() -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(now()).unwrap_or_else(|_| jiff::Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_advanced_clock_is_what_now_reads_inside_its_scope() {
        let clock = Clock::system();
        let before = now();
        clock.advance(jiff::SignedDuration::from_hours(24 * 91));
        let inside = clock.scope(async { now() }).await;
        assert!(inside >= before + 91 * 86_400 * 1_000_000);
        assert!(now() < before + 86_400 * 1_000_000, "outside: real time");
        let shared = clock.clone();
        assert!(shared.now() >= inside);
    }
}
