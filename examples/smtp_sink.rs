//! A fast SMTP sink for the load benchmark (`bench/load.sh`): it speaks
//! just enough SMTP for lettre (EHLO, MAIL, RCPT, DATA, NOOP, RSET, QUIT),
//! counts the messages it accepts, and keeps none of them. Not for tests:
//! those use `tests/common/smtp_sink.rs`, which stores what arrives.
//!
//! ```text
//! smtp_sink --listen 127.0.0.1:2525 [--hold-until FILE]
//! ```
//!
//! It prints `listening on ADDR` once bound. With `--hold-until FILE` it
//! accepts no connection until FILE exists, so mail queued meanwhile
//! waits (clients sit in the listen backlog for their greeting). Every
//! 100 ms in which messages arrived it prints the running total as
//! `count N`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

struct Args {
    listen: String,
    hold_until: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        listen: "127.0.0.1:2525".into(),
        hold_until: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--listen" => out.listen = value()?,
            "--hold-until" => out.hold_until = Some(value()?.into()),
            "-h" | "--help" => {
                return Err("usage: smtp_sink [--listen ADDR] [--hold-until FILE]".into());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(out)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("binding {}: {e}", args.listen);
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    println!("listening on {addr}");
    if let Some(gate) = &args.hold_until {
        while !gate.exists() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let count = Arc::new(AtomicU64::new(0));
    let reporter = count.clone();
    tokio::spawn(async move {
        let mut last = 0;
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            let n = reporter.load(Ordering::Relaxed);
            if n != last {
                println!("count {n}");
                last = n;
            }
        }
    });
    while let Ok((stream, _)) = listener.accept().await {
        let count = count.clone();
        tokio::spawn(async move {
            let _ = serve(stream, &count).await;
        });
    }
    std::process::ExitCode::SUCCESS
}

async fn serve(stream: TcpStream, count: &AtomicU64) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::with_capacity(64 * 1024, r);
    let mut line = Vec::with_capacity(1024);
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let mut in_data = false;
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        if in_data {
            if line == b".\r\n" || line == b".\n" {
                in_data = false;
                count.fetch_add(1, Ordering::Relaxed);
                w.write_all(b"250 queued\r\n").await?;
            }
            continue;
        }
        let verb = line
            .split(|b| b.is_ascii_whitespace())
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_slice() {
            b"EHLO" => b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            b"HELO" | b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" => b"250 ok\r\n",
            b"DATA" => {
                in_data = true;
                b"354 go ahead\r\n"
            }
            b"QUIT" => {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        w.write_all(reply).await?;
    }
}
