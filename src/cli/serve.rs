//! `embargo serve`: the web service and the job runner in one process.

use std::net::SocketAddr;
use std::process::ExitCode;

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

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    tracing::info!(listen = %args.listen, data = %state.paths.data.display(), engine = ?state.db.engine, "embargo is serving");

    let (stop_tx, stop_rx) = watch::channel(false);
    let runner = tokio::spawn(crate::jobs::run_forever(state.clone(), stop_rx));
    let app = crate::http::router(state.clone());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")?;
    let _ = stop_tx.send(true);
    let _ = runner.await;
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
