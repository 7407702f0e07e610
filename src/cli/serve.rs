//! `embargo serve`: the web service, the job runner and, when configured,
//! the LMTP listener in one process.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::watch;

use crate::app::AppState;
use crate::config::{Config, Paths};
use crate::db::{accounts, audit::Actor};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: SocketAddr,
}

pub async fn run(args: Args, config: Config, paths: Paths) -> anyhow::Result<ExitCode> {
    let state = AppState::open(config, paths).await?;
    let mut conn = state.db.conn().await?;
    let admins = accounts::count_admins(&mut conn).await?;
    drop(conn);
    if admins == 0 {
        let link = crate::app::auth::bootstrap_admin(&state, &Actor::system()).await?;
        println!(
            "No admin account exists yet. Open this one-time link within 24 hours to create one:"
        );
        println!("{link}");
    }

    // The daily liveness sweep re-schedules itself; make sure one exists.
    crate::app::liveness::ensure_sweep(&state).await?;
    crate::app::audit::ensure_daily(&state).await?;

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let metrics_listener = match state.config.metrics.listen_addr() {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening on {addr} (metrics.listen)"))?,
        ),
        None => None,
    };
    tracing::info!(listen = %args.listen, data = %state.paths.data.display(), engine = ?state.db.engine, "embargo is serving");

    let lmtp_listener = match state.config.mail.lmtp.listen_addr() {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening for LMTP on {addr}"))?;
            tracing::info!(listen = %addr, "taking mail over LMTP");
            Some(listener)
        }
        None => None,
    };

    let runner = crate::jobs::Runner::start(state.clone());
    let app = crate::http::router(state.clone());
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let metrics = metrics_listener.map(|listener| {
        let addr = listener.local_addr().ok();
        tracing::info!(metrics.listen = ?addr, "serving /metrics");
        let mut stop = stop_tx.subscribe();
        tokio::spawn(crate::http::metrics::serve(
            listener,
            state.clone(),
            async move {
                let _ = stop.wait_for(|stop| *stop).await;
            },
        ))
    });
    let mut lmtp = lmtp_listener.map(|listener| {
        let mut stop = stop_tx.subscribe();
        let settings = crate::app::lmtp::settings(&state.config);
        tokio::spawn(crate::app::lmtp::serve(
            state.clone(),
            listener,
            settings,
            async move {
                let _ = stop.wait_for(|stop| *stop).await;
            },
        ))
    });
    let server = crate::http::server::serve(listener, app, &state.config.http, async move {
        let _ = stop_rx.wait_for(|stop| *stop).await;
    });
    let mut server = std::pin::pin!(server);
    tokio::select! {
        () = &mut server => {},
        () = shutdown_signal() => {
            tracing::info!("stopping: no new jobs are claimed; running ones may finish");
            let _ = stop_tx.send(true);
            let grace = Duration::from_secs(state.config.jobs.shutdown_seconds);
            // Open connections get the same grace as running jobs, so a
            // client holding a connection open cannot delay the exit.
            let lmtp_done = async {
                if let Some(lmtp) = &mut lmtp {
                    let _ = tokio::time::timeout(grace, lmtp).await;
                }
            };
            let _ = tokio::join!(
                runner.shutdown(grace),
                tokio::time::timeout(grace, &mut server),
                lmtp_done
            );
        }
    }
    // The metrics listener stops with the public one.
    let _ = stop_tx.send(true);
    if let Some(metrics) = metrics {
        let grace = Duration::from_secs(state.config.jobs.shutdown_seconds);
        let _ = tokio::time::timeout(grace, metrics).await;
    }
    // LMTP sessions still open after the grace end here; their messages
    // were not answered, so the MTA delivers them again.
    if let Some(lmtp) = lmtp {
        lmtp.abort();
    }
    // Reads served until now are in the audit log before the process ends.
    let flush = Duration::from_secs(2);
    if tokio::time::timeout(flush, state.read_log.flush())
        .await
        .is_err()
    {
        tracing::warn!("stopping: some read events could not be written to the audit log");
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
