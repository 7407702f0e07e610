//! What the service's TCP listeners (HTTP, LMTP) share.

use std::io;
use std::time::Duration;

/// After a failed accept: errors of one client's connection are ignored;
/// others (out of file descriptors) are logged and waited out, so the loop
/// neither spins nor stops.
pub(crate) async fn accept_failed(e: io::Error, listener: &'static str) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, listener, "accepting a connection failed; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
