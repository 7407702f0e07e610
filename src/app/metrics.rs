//! This process's metrics: what requests and lifts record as they happen,
//! and what a scrape reads from the database, rendered in Prometheus's text
//! format by `metrics-exporter-prometheus`.
//!
//! Each [`AppState`] has its own recorder (none is installed globally), so
//! the tests' apps in one process keep apart. Labels carry only route
//! templates, methods, status classes and the states, kinds and lanes the
//! code defines: never an id, address, token or advisory text.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use metrics::{counter, gauge, histogram, with_local_recorder};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

use super::AppState;
use crate::db::metrics::Counts;
use crate::domain::job::{JobState, Lane};

/// How long one scrape's database reads serve the scrapes after it: a
/// tight scrape loop reads the database at most this often.
pub const CACHE_FOR: Duration = Duration::from_secs(5);

/// How often recorded latencies are folded into their buckets, at most:
/// without a scrape they would otherwise pile up.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

const REQUESTS: &str = "embargo_http_requests_total";
const DURATION: &str = "embargo_http_request_duration_seconds";
const LIFT_LATENESS: &str = "embargo_embargo_lift_lateness_seconds";
const JOBS: &str = "embargo_jobs";
const OLDEST_DUE: &str = "embargo_jobs_oldest_due_age_seconds";
const DELIVERIES: &str = "embargo_deliveries";
const REPORTS: &str = "embargo_reports";
const APPLICATIONS: &str = "embargo_applications";
const POOL: &str = "embargo_db_pool_connections";
const POOL_MAX: &str = "embargo_db_pool_max_connections";

const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
const LATENESS_BUCKETS: &[f64] = &[
    0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];

/// Delivery states as the schema constrains them.
const DELIVERY_STATES: [&str; 6] = ["queued", "sending", "sent", "deferred", "bounced", "failed"];

type Labels = Vec<(&'static str, String)>;

/// One scrape's database reads and when they were made.
struct Cached {
    at: i64,
    counts: Arc<Counts>,
}

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    cache: tokio::sync::Mutex<Option<Cached>>,
    /// Label sets each database gauge was ever set with: one that is gone
    /// from the database reads 0 instead of its last count.
    seen: Mutex<BTreeMap<&'static str, BTreeSet<Labels>>>,
    started: Instant,
    last_upkeep_ms: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut builder = PrometheusBuilder::new();
        for (name, buckets) in [
            (DURATION, LATENCY_BUCKETS),
            (LIFT_LATENESS, LATENESS_BUCKETS),
        ] {
            // Buckets are constant and non-empty: the builder cannot refuse them.
            builder = match builder.set_buckets_for_metric(Matcher::Full(name.into()), buckets) {
                Ok(b) => b,
                Err(_) => unreachable!("constant buckets are not empty"),
            };
        }
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let metrics = Self {
            recorder,
            handle,
            cache: tokio::sync::Mutex::new(None),
            seen: Mutex::new(BTreeMap::new()),
            started: Instant::now(),
            last_upkeep_ms: AtomicU64::new(0),
        };
        metrics.describe();
        metrics
    }

    fn describe(&self) {
        use metrics::{describe_counter, describe_gauge, describe_histogram};
        with_local_recorder(&self.recorder, || {
            describe_counter!(
                REQUESTS,
                "HTTP requests answered, by method, route template and status class."
            );
            describe_histogram!(
                DURATION,
                "Time to answer an HTTP request, by method, route template and status class."
            );
            describe_histogram!(
                LIFT_LATENESS,
                "Seconds from an embargo's agreed end to the publication its lift job made."
            );
            describe_gauge!(JOBS, "Jobs in the database, by kind, lane and state.");
            describe_gauge!(
                OLDEST_DUE,
                "Age of the oldest queued job that is due, by lane; 0 when none is."
            );
            describe_gauge!(DELIVERIES, "Deliveries of announcements, by state.");
            describe_gauge!(REPORTS, "Reports, by status.");
            describe_gauge!(APPLICATIONS, "Membership applications, by status.");
            describe_gauge!(
                POOL,
                "Database connections of this process, in use or idle."
            );
            describe_gauge!(POOL_MAX, "Most database connections this process opens.");
        });
    }

    /// Records one answered request. `route` is a route template (or
    /// `unmatched`), never a path: paths carry tokens and ids.
    pub fn record_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let labels = [
            ("method", method.to_owned()),
            ("route", route.to_owned()),
            ("status", format!("{}xx", status / 100)),
        ];
        with_local_recorder(&self.recorder, || {
            counter!(REQUESTS, &labels).increment(1);
            histogram!(DURATION, &labels).record(took.as_secs_f64());
        });
        self.upkeep_now_and_then();
    }

    /// Records how late a lift published: `seconds` after the agreed instant.
    pub fn record_lift_lateness(&self, seconds: f64) {
        with_local_recorder(&self.recorder, || {
            histogram!(LIFT_LATENESS).record(seconds.max(0.0));
        });
    }

    fn upkeep_now_and_then(&self) {
        let now_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_upkeep_ms.load(Ordering::Relaxed);
        let every = UPKEEP_EVERY.as_millis() as u64;
        if now_ms.saturating_sub(last) >= every
            && self
                .last_upkeep_ms
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.handle.run_upkeep();
        }
    }

    /// The database's counts as of at most [`CACHE_FOR`] ago on `state`'s
    /// clock. Scrapes that arrive together wait for one read.
    async fn counts(&self, state: &AppState) -> Result<(i64, Arc<Counts>), crate::db::DbError> {
        let mut cached = self.cache.lock().await;
        let now = state.clock.now();
        let window = i64::try_from(CACHE_FOR.as_micros()).unwrap_or(i64::MAX);
        if let Some(c) = cached.as_ref().filter(|c| is_fresh(c.at, now, window)) {
            return Ok((now, c.counts.clone()));
        }
        let mut conn = state.db.conn().await?;
        let counts = Arc::new(crate::db::metrics::read(&mut conn, now).await?);
        drop(conn);
        *cached = Some(Cached {
            at: now,
            counts: counts.clone(),
        });
        Ok((now, counts))
    }

    /// Every series in Prometheus's text format.
    pub async fn render(&self, state: &AppState) -> Result<String, crate::db::DbError> {
        let (now, counts) = self.counts(state).await?;
        let pool = &state.db.pool;
        let idle = pool.num_idle() as f64;
        let size = f64::from(pool.size());
        let max = f64::from(pool.options().get_max_connections());
        let mut series: Vec<(&'static str, BTreeMap<Labels, f64>)> = gauges_of(&counts, now);
        series.push((
            POOL,
            BTreeMap::from([
                (vec![("state", "in_use".to_owned())], (size - idle).max(0.0)),
                (vec![("state", "idle".to_owned())], idle),
            ]),
        ));
        series.push((POOL_MAX, BTreeMap::from([(Vec::new(), max)])));
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        with_local_recorder(&self.recorder, || {
            for (name, values) in series {
                let before = seen.entry(name).or_default();
                for gone in before.iter().filter(|l| !values.contains_key(*l)) {
                    gauge!(name, gone).set(0.0);
                }
                for (labels, value) in values {
                    gauge!(name, &labels).set(value);
                    before.insert(labels);
                }
            }
        });
        drop(seen);
        Ok(self.handle.render())
    }
}

fn is_fresh(at: i64, now: i64, window: i64) -> bool {
    now >= at && now - at < window
}

/// `value` when it is one of `known`, else `other`: label values come
/// from a closed list.
fn known(value: &str, known: impl IntoIterator<Item = &'static str>) -> String {
    known
        .into_iter()
        .find(|k| *k == value)
        .unwrap_or("other")
        .to_owned()
}

/// A job kind as stored: the code's own snake_case names.
fn job_kind(kind: &str) -> String {
    let plain = !kind.is_empty()
        && kind.len() <= 40
        && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if plain {
        kind.to_owned()
    } else {
        "other".to_owned()
    }
}

fn add(map: &mut BTreeMap<Labels, f64>, labels: Labels, n: f64) {
    *map.entry(labels).or_insert(0.0) += n;
}

/// The database gauges, every state the code defines included (at 0).
fn gauges_of(counts: &Counts, now: i64) -> Vec<(&'static str, BTreeMap<Labels, f64>)> {
    let lanes = Lane::ALL.map(Lane::as_str);
    let job_states = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
    ]
    .map(JobState::as_str);
    let mut jobs = BTreeMap::new();
    for (kind, lane, st, n) in &counts.jobs {
        let labels = vec![
            ("kind", job_kind(kind)),
            ("lane", known(lane, lanes)),
            ("state", known(st, job_states)),
        ];
        add(&mut jobs, labels, *n as f64);
    }
    let mut oldest = BTreeMap::new();
    for lane in lanes {
        oldest.insert(vec![("lane", lane.to_owned())], 0.0);
    }
    for (lane, run_at) in &counts.oldest_due {
        let age = (now - run_at).max(0) as f64 / 1e6;
        let slot = oldest
            .entry(vec![("lane", known(lane, lanes))])
            .or_insert(0.0);
        *slot = f64::max(*slot, age);
    }
    let by = |label: &'static str, rows: &[(String, i64)], all: &[&'static str]| {
        let mut map: BTreeMap<Labels, f64> = all
            .iter()
            .map(|s| (vec![(label, (*s).to_owned())], 0.0))
            .collect();
        for (value, n) in rows {
            add(
                &mut map,
                vec![(label, known(value, all.iter().copied()))],
                *n as f64,
            );
        }
        map
    };
    let report_statuses = crate::domain::report::ReportStatus::ALL.map(|s| s.as_str());
    let application_statuses =
        crate::domain::membership::ApplicationStatus::ALL.map(|s| s.as_str());
    vec![
        (JOBS, jobs),
        (OLDEST_DUE, oldest),
        (
            DELIVERIES,
            by("state", &counts.deliveries, &DELIVERY_STATES),
        ),
        (REPORTS, by("status", &counts.reports, &report_statuses)),
        (
            APPLICATIONS,
            by("status", &counts.applications, &application_statuses),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrape_reads_the_database_again_only_after_the_cache_window() {
        let window = 5_000_000;
        assert!(is_fresh(10, 10, window));
        assert!(is_fresh(10, 10 + window - 1, window));
        assert!(!is_fresh(10, 10 + window, window));
        // A clock set back never keeps old counts forever.
        assert!(!is_fresh(10, 9, window));
    }

    #[test]
    fn label_values_outside_the_codes_lists_become_other() {
        assert_eq!(known("queued", DELIVERY_STATES), "queued");
        assert_eq!(known("someone@example.org", DELIVERY_STATES), "other");
        assert_eq!(job_kind("lift_embargo"), "lift_embargo");
        assert_eq!(job_kind("rep_0123"), "other");
        assert_eq!(job_kind(""), "other");
    }

    #[test]
    fn gauges_name_every_state_and_the_age_of_the_oldest_due_job() {
        let counts = Counts {
            jobs: vec![("mail".into(), "mail".into(), "queued".into(), 3)],
            oldest_due: vec![("mail".into(), 1_000_000)],
            deliveries: vec![("sent".into(), 2), ("weird".into(), 1)],
            reports: vec![("new".into(), 4)],
            applications: Vec::new(),
        };
        let gauges: BTreeMap<_, _> = gauges_of(&counts, 61_000_000).into_iter().collect();
        let one = |name: &str, labels: &[(&'static str, &str)]| {
            let labels: Labels = labels.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
            gauges[name].get(&labels).copied()
        };
        let job = [("kind", "mail"), ("lane", "mail"), ("state", "queued")];
        assert_eq!(one(JOBS, &job), Some(3.0));
        assert_eq!(one(OLDEST_DUE, &[("lane", "mail")]), Some(60.0));
        assert_eq!(one(OLDEST_DUE, &[("lane", "critical")]), Some(0.0));
        assert_eq!(one(DELIVERIES, &[("state", "sent")]), Some(2.0));
        assert_eq!(one(DELIVERIES, &[("state", "failed")]), Some(0.0));
        assert_eq!(one(DELIVERIES, &[("state", "other")]), Some(1.0));
        assert_eq!(one(REPORTS, &[("status", "new")]), Some(4.0));
        assert_eq!(one(REPORTS, &[("status", "out-of-scope")]), Some(0.0));
        assert_eq!(one(APPLICATIONS, &[("status", "in_review")]), Some(0.0));
    }
}
