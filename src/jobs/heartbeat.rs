//! The job runner's sign of life in this process, which `/readyz` reads:
//! each lane's dispatcher records the instant (service clock) of every
//! turn of its loop.

use tokio::sync::watch;

use crate::config::JobsConfig;
use crate::domain::job::Lane;

/// Each lane's last turn in microseconds (0: not yet); `None` while no
/// runner runs. A watch, so a test can wait for the lanes' first turns.
pub type Beats = Option<[i64; Lane::ALL.len()]>;

/// Shared by the runner (writes) and the readiness check (reads); clones
/// share the value.
#[derive(Debug, Clone)]
pub struct Heartbeat(watch::Sender<Beats>);

/// What the heartbeat says about the runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunnerLife {
    Alive,
    /// Never started in this process, stopped, or a lane not yet turned.
    NotRunning,
    /// A lane has not turned within the window: stuck or gone.
    Stale,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Self(watch::Sender::new(None))
    }
}

impl Heartbeat {
    pub(super) fn started(&self) {
        self.0.send_replace(Some([0; Lane::ALL.len()]));
    }

    /// A lane's turn at `now`; ignored once stopped, so a lane finishing
    /// its last turn cannot revive a runner that shut down.
    pub(super) fn beat(&self, lane: Lane, now: i64) {
        let i = Lane::ALL.iter().position(|l| *l == lane).unwrap_or(0);
        self.0.send_if_modified(|beats| match beats {
            Some(b) => {
                b[i] = b[i].max(now);
                true
            }
            None => false,
        });
    }

    pub(super) fn stopped(&self) {
        self.0.send_replace(None);
    }

    /// The lanes' last turns, changing as they beat.
    pub fn subscribe(&self) -> watch::Receiver<Beats> {
        self.0.subscribe()
    }

    /// The runner's state at `now`, allowing `window` microseconds since
    /// every lane's last turn.
    pub fn life(&self, now: i64, window: i64) -> RunnerLife {
        match *self.0.borrow() {
            None => RunnerLife::NotRunning,
            Some(beats) if beats.contains(&0) => RunnerLife::NotRunning,
            Some(beats) if beats.iter().all(|&at| now - at <= window) => RunnerLife::Alive,
            Some(_) => RunnerLife::Stale,
        }
    }
}

/// How long a lane may go without a turn, in microseconds: three polls (a
/// lane turns at least once a poll, even with every worker busy), and at
/// least 30 s, so a slow claim on a busy database is not mistaken for death.
pub fn window(config: &JobsConfig) -> i64 {
    let poll_ms = i64::try_from(config.poll_milliseconds.max(10)).unwrap_or(i64::MAX);
    poll_ms.saturating_mul(3).max(30_000).saturating_mul(1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;

    #[test]
    fn a_runner_is_alive_only_while_every_lane_turns_within_the_window() {
        let h = Heartbeat::default();
        assert_eq!(h.life(100 * S, 30 * S), RunnerLife::NotRunning);
        h.started();
        h.beat(Lane::Critical, 100 * S);
        h.beat(Lane::Mail, 100 * S);
        assert_eq!(h.life(100 * S, 30 * S), RunnerLife::NotRunning);
        h.beat(Lane::Background, 110 * S);
        assert_eq!(h.life(130 * S, 30 * S), RunnerLife::Alive);
        assert_eq!(h.life(131 * S, 30 * S), RunnerLife::Stale);
        h.stopped();
        h.beat(Lane::Critical, 131 * S);
        assert_eq!(h.life(131 * S, 30 * S), RunnerLife::NotRunning);
    }

    #[test]
    fn the_window_is_three_polls_and_at_least_thirty_seconds() {
        let mut config = JobsConfig {
            poll_milliseconds: 500,
            ..JobsConfig::default()
        };
        assert_eq!(window(&config), 30 * S);
        config.poll_milliseconds = 60_000;
        assert_eq!(window(&config), 180 * S);
    }
}
