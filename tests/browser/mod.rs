//! The pages in a real browser: Chromium driven through WebDriver
//! (chromedriver at `EMBARGO_TEST_WEBDRIVER`, as `.ci/run` starts it) over
//! the main journeys, each at 1280 px and at 390 px wide, with JavaScript
//! off and on. After every page, axe-core (vendored in `axe/`) checks it
//! and a serious or critical violation fails the test; no page may be
//! wider than the window.
//!
//! The app is the tests' own `TestApp` (fresh database, injectable clock,
//! captured mail) served over real TCP on 127.0.0.1. Chromium resolves
//! `embargo.test`, the tests' `base_url`, to that port, so the links in
//! mails and pages are followed as they are, and the browser's `Origin`
//! is the service's own.
//!
//! Without JavaScript, WebDriver's "execute script" still runs (it is
//! the driver's, not the page's), but the page's timers never fire and
//! axe waits on them; the audit replaces `setTimeout` with an immediate
//! one in those sessions (see `audit.rs`), so axe checks the very DOM a
//! visitor without JavaScript gets.
//!
//! Without `EMBARGO_TEST_WEBDRIVER` each test prints a notice and passes,
//! so `cargo test` works on a machine without Chromium.

mod admin_setup;
mod advisories;
mod audit;
mod capabilities;
mod membership;
mod passkeys;
mod reports;
mod web;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

pub(crate) use web::Web;

/// The variable naming the WebDriver server.
const WEBDRIVER: &str = "EMBARGO_TEST_WEBDRIVER";

/// How long one journey in one mode may take before it fails.
const JOURNEY_LIMIT: Duration = Duration::from_secs(120);

/// How long starting or closing a browser may take.
const START_LIMIT: Duration = Duration::from_secs(30);

/// A window width and whether the pages may run JavaScript.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mode {
    pub width: u32,
    pub height: u32,
    pub js: bool,
}

impl Mode {
    /// A phone's width: Chromium emulates a mobile device of this size.
    pub fn narrow(&self) -> bool {
        self.width < 500
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let js = if self.js { "on" } else { "off" };
        write!(f, "{} px, JavaScript {js}", self.width)
    }
}

const MODES: [Mode; 4] = [
    Mode {
        width: 1280,
        height: 900,
        js: false,
    },
    Mode {
        width: 1280,
        height: 900,
        js: true,
    },
    Mode {
        width: 390,
        height: 844,
        js: false,
    },
    Mode {
        width: 390,
        height: 844,
        js: true,
    },
];

/// The WebDriver URL, or `None` after printing why the test is skipped.
fn webdriver() -> Option<String> {
    match std::env::var(WEBDRIVER) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("browser tests skipped: {WEBDRIVER} is not set; .ci/run sets it");
            None
        }
    }
}

/// Runs `journey` once in each mode, each on a fresh app and browser. A
/// failure names the mode and the page the browser was on; the browser is
/// closed either way.
pub(crate) async fn each_mode(name: &str, journey: impl AsyncFn(&Web)) {
    let Some(driver) = webdriver() else { return };
    for mode in MODES {
        let started = Instant::now();
        let web = tokio::time::timeout(START_LIMIT, Web::start(&driver, mode)).await;
        let web = web.unwrap_or_else(|_| panic!("no browser within {START_LIMIT:?} ({mode})"));
        let run = tokio::time::timeout(JOURNEY_LIMIT, CatchUnwind(Box::pin(journey(&web))));
        let outcome = run.await;
        // The driver answers one command at a time: after a stuck one,
        // these wait too, so they are bounded.
        let at = tokio::time::timeout(START_LIMIT, web.whereabouts()).await;
        let at = at.unwrap_or_else(|_| "a page that does not answer".into());
        let pages = web.pages_checked();
        let _ = tokio::time::timeout(START_LIMIT, web.close()).await;
        match outcome {
            Ok(Ok(())) => {
                let secs = started.elapsed().as_secs_f32();
                eprintln!("{name} ({mode}): {pages} pages checked in {secs:.1} s");
                assert!(pages > 0, "{name} ({mode}) checked no page");
            }
            Ok(Err(panic)) => {
                eprintln!("{name} failed ({mode}), the browser at {at}");
                std::panic::resume_unwind(panic);
            }
            Err(_) => panic!("{name} ({mode}) took over {JOURNEY_LIMIT:?}; the browser at {at}"),
        }
    }
}

/// A future whose panic is returned instead of unwinding through the
/// caller, so the browser can be closed first.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}
