//! The LMTP listener: a bounded number of sessions at once, a deadline on
//! every command, on data that stands still and on replies the client does
//! not read, lines read in bounded pieces, and a graceful stop.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::timeout;

use super::data::{Body, Feed};
use super::session::{Session, Step};
use super::{MAX_COMMAND_LINE, Reply, Settings, Verdict};

/// Serves LMTP on `listener`, handing each message to `deliver`, until
/// `stop` completes. Then it stops accepting, closes sessions waiting for
/// a command (421), lets those inside a transaction finish, and returns
/// once all have ended. The caller bounds that wait; dropping this future
/// ends the sessions still open.
pub async fn serve<F, Fut, S>(listener: TcpListener, settings: Settings, deliver: F, stop: S)
where
    F: Fn(Vec<u8>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Verdict> + Send,
    S: Future<Output = ()>,
{
    let slots = Arc::new(Semaphore::new(settings.max_connections));
    let settings = Arc::new(settings);
    let (stopping_tx, stopping) = watch::channel(false);
    let mut sessions = JoinSet::new();
    let mut stop = pin!(stop);
    loop {
        while sessions.try_join_next().is_some() {}
        // A slot first, then accept: while every slot is taken, new clients
        // wait in the kernel's listen backlog.
        let slot = tokio::select! {
            () = &mut stop => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let socket = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => socket,
                Err(e) => {
                    crate::net::accept_failed(e, "LMTP").await;
                    continue;
                }
            },
        };
        let (settings, deliver, stopping) = (settings.clone(), deliver.clone(), stopping.clone());
        sessions.spawn(async move {
            session(socket, &settings, deliver, stopping).await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = stopping_tx.send(true);
    while sessions.join_next().await.is_some() {}
}

/// Why a session ends early.
struct Ended;

async fn session<F, Fut>(
    socket: TcpStream,
    settings: &Settings,
    deliver: F,
    mut stopping: watch::Receiver<bool>,
) where
    F: Fn(Vec<u8>) -> Fut,
    Fut: Future<Output = Verdict>,
{
    let _ = socket.set_nodelay(true);
    let (read, mut write) = socket.into_split();
    let mut reader = BufReader::new(read);
    let mut session = Session::new(settings.limits.clone());
    let idle = settings.idle;
    if send(&mut write, &session.greeting().to_bytes(), idle)
        .await
        .is_err()
    {
        return;
    }
    let mut line = Vec::new();
    loop {
        // The whole command within `idle`: trickling bytes keeps no
        // session alive.
        let command = timeout(
            idle,
            read_line(&mut reader, &mut line, MAX_COMMAND_LINE, idle),
        );
        let read = tokio::select! {
            read = command => read.unwrap_or(Read::Idle),
            () = stopped(&mut stopping) => {
                let bye = Reply::new(421, "4.3.2 shutting down, try again later");
                let _ = send(&mut write, &bye.to_bytes(), idle).await;
                return;
            }
        };
        let step = match read {
            Read::Line { truncated: false } => session.command(&line),
            Read::Line { truncated: true } => session.line_too_long(),
            Read::Idle => return idle_close(&mut write, idle).await,
            Read::Closed => return,
        };
        let outcome = match step {
            Step::Reply(reply) => send(&mut write, &reply.to_bytes(), idle).await,
            Step::Close(reply) => {
                let _ = send(&mut write, &reply.to_bytes(), idle).await;
                return;
            }
            Step::Data(reply) => match send(&mut write, &reply.to_bytes(), idle).await {
                Ok(()) => {
                    data(
                        &mut reader,
                        &mut write,
                        &mut session,
                        &mut line,
                        idle,
                        &deliver,
                    )
                    .await
                }
                Err(e) => Err(e),
            },
        };
        if outcome.is_err() {
            return;
        }
    }
}

/// Completes once the server is stopping.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// Reads the data after `DATA` and answers once per recipient.
async fn data<R, W, F, Fut>(
    reader: &mut R,
    write: &mut W,
    session: &mut Session,
    line: &mut Vec<u8>,
    idle: Duration,
    deliver: &F,
) -> Result<(), Ended>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
    F: Fn(Vec<u8>) -> Fut,
    Fut: Future<Output = Verdict>,
{
    let max = session.limits().max_message_bytes;
    let mut body = Body::new(max);
    loop {
        match read_line(reader, line, body.line_cap(), idle).await {
            Read::Line { truncated } => match body.line(line, truncated) {
                Feed::More => {}
                Feed::End => break,
                Feed::Abandon => {
                    let reply = format!("5.3.4 message exceeds the size limit of {max} bytes");
                    let _ = send(write, &Reply::new(552, &reply).to_bytes(), idle).await;
                    return Err(Ended);
                }
            },
            Read::Idle => {
                idle_close(write, idle).await;
                return Err(Ended);
            }
            Read::Closed => return Err(Ended),
        }
    }
    let owed = session.data_read();
    let reply = match body.finish() {
        Ok(raw) => deliver(raw).await.reply(),
        Err(_) => Reply::new(
            552,
            &format!("5.3.4 message exceeds the size limit of {max} bytes"),
        ),
    };
    let replies = reply.to_bytes().repeat(owed);
    send(write, &replies, idle).await
}

async fn idle_close<W: AsyncWrite + Unpin>(write: &mut W, idle: Duration) {
    tracing::debug!("LMTP: closing a session that stood still");
    let bye = Reply::new(421, "4.4.2 idle too long, closing");
    let _ = send(write, &bye.to_bytes(), idle).await;
}

async fn send<W: AsyncWrite + Unpin>(
    write: &mut W,
    bytes: &[u8],
    idle: Duration,
) -> Result<(), Ended> {
    match timeout(idle, write.write_all(bytes)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(Ended),
    }
}

/// What reading a line gave.
enum Read {
    /// A line, its ending included, in the buffer; `truncated` when only
    /// its first bytes were kept.
    Line { truncated: bool },
    /// No byte arrived within the idle time.
    Idle,
    /// The client closed the connection (or it failed) mid-line or before.
    Closed,
}

/// Reads up to the next `\n` into `line`, keeping at most `cap` bytes and
/// discarding the rest of a longer line as it arrives.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    cap: usize,
    idle: Duration,
) -> Read {
    line.clear();
    let mut truncated = false;
    loop {
        let buf = match timeout(idle, reader.fill_buf()).await {
            Err(_) => return Read::Idle,
            Ok(Err(_)) => return Read::Closed,
            Ok(Ok([])) => return Read::Closed,
            Ok(Ok(buf)) => buf,
        };
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = cap.saturating_sub(line.len());
        truncated |= take > room;
        line.extend_from_slice(&buf[..take.min(room)]);
        reader.consume(take);
        if done {
            return Read::Line { truncated };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_are_cut_at_the_cap_and_the_rest_discarded() {
        let input: &[u8] = b"short\r\n0123456789abcdef\r\nnext\r\npartial";
        let mut reader = BufReader::with_capacity(4, input);
        let mut line = Vec::new();
        let idle = Duration::from_secs(5);
        let read = read_line(&mut reader, &mut line, 8, idle).await;
        assert!(matches!(read, Read::Line { truncated: false }));
        assert_eq!(line, b"short\r\n");
        let read = read_line(&mut reader, &mut line, 8, idle).await;
        assert!(matches!(read, Read::Line { truncated: true }));
        assert_eq!(line, b"01234567");
        let read = read_line(&mut reader, &mut line, 8, idle).await;
        assert!(matches!(read, Read::Line { truncated: false }));
        assert_eq!(line, b"next\r\n");
        let read = read_line(&mut reader, &mut line, 8, idle).await;
        assert!(matches!(read, Read::Closed), "no line ending before EOF");
    }
}
