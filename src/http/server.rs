//! The accept loop `serve` runs: HTTP/1.1 connections with a bounded number
//! open at once, a deadline for each request's headers, an inactivity
//! deadline for the rest, and a graceful stop. axum's own `serve` has none
//! of the limits, so a few hundred slow or silent sockets could hold every
//! file descriptor the process has.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::idle::IdleIo;
use crate::config::HttpConfig;

/// Serves `app` on `listener` until `stop` completes, then stops accepting,
/// asks open connections to finish their current request, and returns once
/// they have. The caller bounds that wait.
pub async fn serve<F>(listener: TcpListener, app: Router, http: &HttpConfig, stop: F)
where
    F: Future<Output = ()>,
{
    let slots = Arc::new(Semaphore::new(http.max_connections));
    let idle = Duration::from_secs(http.idle_timeout_seconds);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(http.header_read_timeout_seconds))
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let mut stop = pin!(stop);
    loop {
        // A slot first, then accept: while every slot is taken, new clients
        // wait in the kernel's listen backlog and cost us no descriptor.
        let slot = tokio::select! {
            () = &mut stop => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                // Never closed; if it were, nothing more could be served.
                Err(_) => break,
            },
        };
        let (socket, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    crate::net::accept_failed(e, "HTTP").await;
                    continue;
                }
            },
        };
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            // What `into_make_service_with_connect_info` would insert:
            // `ClientIp` reads the peer from here.
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            req
        });
        let io = TokioIo::new(IdleIo::new(socket, idle));
        let conn = graceful.watch(builder.serve_connection(io, TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                // Timeouts and clients that hang up land here; not ours.
                tracing::debug!(error = %e, "connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
