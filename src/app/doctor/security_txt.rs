//! The security.txt people see: fetched from `BASE_URL/.well-known/
//! security.txt`, since that may be `serve`'s (always valid for 180 days)
//! or a static export's, which runs out unless exported again.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_rustls::rustls;

use crate::config::Config;
use crate::domain::doctor::{EXPIRES_WARN_DAYS, Expiry, Finding, Status, security_txt_expiry};

const CHECK: &str = "security.txt";
const DEADLINE: Duration = Duration::from_secs(10);
/// More than any security.txt needs; the rest is not read.
const MAX_RESPONSE: u64 = 64 * 1024;

pub async fn check(config: &Config) -> Finding {
    let url = format!("{}/.well-known/security.txt", config.base());
    let fetched = tokio::time::timeout(DEADLINE, fetch(&url)).await;
    let (status, body) = match fetched {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => return unreachable(&url, &format!("{e:#}")),
        Err(_) => return unreachable(&url, "no answer within 10 s"),
    };
    if status != 200 {
        return Finding::new(
            Status::Fail,
            CHECK,
            format!("{url} answered {status}"),
            "serve /.well-known/security.txt from embargo serve (or an export's copy) at base_url",
        );
    }
    let now = crate::clock::timestamp();
    let export =
        "run `embargo export --format html DIR` again and publish it, or let serve answer it";
    match security_txt_expiry(&body, now) {
        Expiry::Fine { days } => Finding::ok(CHECK, format!("{url} expires in {days} days")),
        Expiry::Soon { days } => Finding::new(
            Status::Warn,
            CHECK,
            format!("{url} expires in {days} days (less than {EXPIRES_WARN_DAYS})"),
            export,
        ),
        Expiry::Expired => Finding::new(
            Status::Fail,
            CHECK,
            format!("{url} has expired: reporters may ignore it (RFC 9116)"),
            export,
        ),
        Expiry::Unreadable => Finding::new(
            Status::Fail,
            CHECK,
            format!("{url} has no readable Expires field"),
            "serve embargo's security.txt at base_url",
        ),
    }
}

/// Not reachable is a warning: doctor may run before `serve` is started.
fn unreachable(url: &str, why: &str) -> Finding {
    Finding::new(
        Status::Warn,
        CHECK,
        format!("could not fetch {url}: {why}"),
        "start `embargo serve` (or check the reverse proxy), then run doctor again",
    )
}

/// One HTTP/1.0 GET (so the answer is never chunked): status and body.
async fn fetch(url: &str) -> anyhow::Result<(u16, String)> {
    let url = url::Url::parse(url)?;
    let host = url
        .host_str()
        .ok_or_else(|| anyhow::anyhow!("base_url has no host"))?
        .to_owned();
    let port = url
        .port_or_known_default()
        .ok_or_else(|| anyhow::anyhow!("base_url has no port"))?;
    let tcp = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port)).await?;
    let authority = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let request = format!(
        "GET {} HTTP/1.0\r\nHost: {authority}\r\nUser-Agent: embargo-doctor\r\nAccept: text/plain\r\n\r\n",
        url.path()
    );
    let raw = if url.scheme() == "https" {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name =
            rustls::pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_owned())?;
        let stream = tokio_rustls::TlsConnector::from(Arc::new(tls))
            .connect(name, tcp)
            .await?;
        exchange(stream, &request).await?
    } else {
        exchange(tcp, &request).await?
    };
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("not an HTTP answer"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("not an HTTP answer"))?;
    Ok((status, body.to_owned()))
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &str,
) -> std::io::Result<Vec<u8>> {
    stream.write_all(request.as_bytes()).await?;
    stream.flush().await?;
    let mut raw = Vec::new();
    // A TLS server that closes without close_notify still sent the body.
    match (&mut stream).take(MAX_RESPONSE).read_to_end(&mut raw).await {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        other => {
            other?;
        }
    }
    Ok(raw)
}
