//! The fan-out benchmark of issue 8: announcing an embargoed advisory to N
//! recipients, end to end, against one `gpg` process per recipient.
//!
//! N members each have one contact who accepted the policy and has their
//! own Curve25519 key. The advisory holds about 4 KiB of text and a 20 KiB
//! patch. The app runs over SQLite in a temporary directory (or a fresh
//! PostgreSQL database, dropped afterwards), with its SMTP transport
//! pointing at a sink in this process (see `sink.rs`) and the real job
//! runner. The clock runs from the call of the use case the API calls
//! (`embargo::app::announcements::announce`) until the sink accepted the
//! last message. Key generation and seeding are not timed.
//!
//! ```text
//! cargo run --release --example fanout -- --recipients 1000
//! cargo run --release --example fanout -- --recipients 10000
//! cargo run --release --example fanout -- --recipients 1000 \
//!     --database-url postgres://embargo:embargo@127.0.0.1:5432/embargo
//! ```

mod gpg;
mod keys;
mod process;
mod seed;
mod sink;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use embargo::app::AppState;
use embargo::config::{Config, MailTransportKind, Paths, SmtpSecurity};
use embargo::db::audit::Actor;
use sqlx::{AssertSqlSafe, Connection, Executor};

/// Times announcing an embargoed advisory to N recipients (each their own
/// signed and encrypted message, through the job runner and real SMTP to a
/// local sink), and one `gpg --sign --encrypt` process per recipient for
/// the same message.
#[derive(Parser)]
#[command(name = "fanout")]
struct Args {
    /// Members, each with one contact who accepted the policy and has
    /// their own Curve25519 key.
    #[arg(long, default_value_t = 1000)]
    recipients: usize,
    /// A PostgreSQL server to run on (postgres://USER:PASSWORD@HOST/DB): a
    /// fresh database is created there and dropped at the end. Without it,
    /// SQLite in a temporary directory.
    #[arg(long)]
    database_url: Option<String>,
    /// Recipients the gpg loop runs for; with more recipients than this,
    /// its time is extrapolated linearly from the sample.
    #[arg(long, default_value_t = 1000)]
    gpg_sample: usize,
    /// Leave out the gpg loop.
    #[arg(long)]
    no_gpg: bool,
    /// Where the recipients' generated public keys are kept between runs.
    #[arg(long, default_value_os_t = std::env::temp_dir().join("embargo-fanout-keys.asc"))]
    key_cache: PathBuf,
}

/// The announcement's note.
const NOTE: &str = "Please test the fix before the end of the embargo.";

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // RUST_LOG=embargo=info shows each job; nothing by default.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let n = args.recipients;
    anyhow::ensure!(n > 0, "--recipients must be at least 1");
    let dir = tempfile::Builder::new().prefix("fanout").tempdir()?;

    let started = Instant::now();
    let (keys, made) = {
        let cache = args.key_cache.clone();
        tokio::task::spawn_blocking(move || keys::load_or_generate(n, &cache)).await??
    };
    eprintln!(
        "keys: {n} ({made} generated, the rest from {}) in {:.1} s",
        args.key_cache.display(),
        started.elapsed().as_secs_f64()
    );

    let database = Database::create(dir.path(), args.database_url.as_deref()).await?;
    // The database goes also when the run fails.
    let measured = fan_out(dir.path(), &database.url, &keys).await;
    database.drop_it().await?;
    let Measured {
        committed,
        wall,
        first,
        cpu,
        sent,
        recorded,
        peak,
        rss_before,
        accepted,
        in_clear,
        bytes,
        connections,
        plaintext,
    } = measured?;

    let engine = if args.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite (synchronous = FULL)"
    };
    let build = if cfg!(debug_assertions) {
        "debug build: use --release"
    } else {
        "release build"
    };
    println!(
        "fan-out of one embargoed advisory ({} B text + {} B patch), {engine}, {build}",
        seed::details().len(),
        seed::patch().len()
    );
    println!("  recipients:           {n} (each their own Curve25519 key; all encrypted)");
    println!(
        "  SMTP sink:            minimal SMTP receiver on 127.0.0.1 in this process; a queue id per message; counts, stores nothing"
    );
    println!(
        "  announce committed:   {:.3} s (deliveries and jobs written)",
        committed.as_secs_f64()
    );
    println!(
        "  wall time:            {:.3} s (announce call to last message accepted)",
        wall.as_secs_f64()
    );
    println!(
        "  first message:        {:.3} s after the announce call",
        first.as_secs_f64()
    );
    println!(
        "  messages/s:           {:.0}",
        n as f64 / wall.as_secs_f64()
    );
    println!("  CPU time meanwhile:   {cpu:.2} s (this process, all threads, sink included)");
    println!(
        "  all recorded sent:    {:.3} s ({sent} deliveries sent)",
        recorded.as_secs_f64()
    );
    println!(
        "  accepted by the sink: {accepted} messages, {:.1} KiB each on average, over {connections} connections; {in_clear} with advisory text in clear",
        bytes as f64 / accepted.max(1) as f64 / 1024.0
    );
    println!(
        "  peak memory:          {:.1} MB (VmHWM of the whole process: keys, seeding, fan-out, sink); {:.1} MB resident before the announce",
        peak as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );

    if args.no_gpg {
        return Ok(());
    }
    let sample = args.gpg_sample.min(n);
    let size = plaintext.len();
    let looped =
        tokio::task::spawn_blocking(move || gpg::measure(&keys, sample, &plaintext)).await??;
    let per = looped.elapsed.as_secs_f64() / looped.sampled as f64;
    let total = per * n as f64;
    let how = if looped.sampled < n {
        format!(
            "{} processes timed, {:.1} ms each, extrapolated linearly to {n}",
            looped.sampled,
            per * 1000.0
        )
    } else {
        format!("{n} processes timed, {:.1} ms each", per * 1000.0)
    };
    println!(
        "  gpg loop:             {total:.2} s ({how}; {})",
        looped.version
    );
    println!(
        "                        one `{}` per recipient, one after another,",
        looped.command
    );
    println!(
        "                        MESSAGE the {size} B inner MIME message: advisory text, note, patch"
    );
    println!(
        "  ratio:                {:.1}x faster than the gpg loop",
        total / wall.as_secs_f64()
    );
    Ok(())
}

/// What one fan-out measured.
struct Measured {
    /// The announce call's own time (deliveries and jobs written).
    committed: Duration,
    /// From the announce call to the last message accepted.
    wall: Duration,
    first: Duration,
    /// CPU seconds of this process meanwhile.
    cpu: f64,
    sent: i64,
    recorded: Duration,
    /// VmHWM and VmRSS before the announce, kB.
    peak: u64,
    rss_before: u64,
    accepted: usize,
    in_clear: usize,
    bytes: u64,
    connections: usize,
    /// A plaintext of the size each message encrypts, for the gpg loop.
    plaintext: Vec<u8>,
}

/// Seeds the app on `url`, announces, and waits for the sink to accept
/// every message and the deliveries to be recorded sent.
async fn fan_out(dir: &std::path::Path, url: &str, keys: &[String]) -> anyhow::Result<Measured> {
    let n = keys.len();
    let sink = sink::Sink::start(seed::SECRET.to_owned()).await?;
    let state = app(dir, url, sink.port).await?;
    let actor = Actor::cli();
    let started = Instant::now();
    seed::members(&state, keys.to_vec()).await?;
    let advisory = seed::advisory(&state, &actor).await?;
    eprintln!(
        "seeded {n} members and {advisory} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // As in a running service, the runner's start (its first upkeep) and
    // the seeding are long past when an announcement comes: the background
    // has copied the seeding out of SQLite's log, and the fan-out's
    // checkpoints copy only what it writes itself.
    let runner = embargo::jobs::Runner::start(state.clone());
    let plaintext = inner_message_like(&state, &advisory, NOTE).await?;
    state.db.keep_log(0).await?;

    let rss_before = process::memory("VmRSS");
    let cpu_before = process::cpu_seconds();
    let t0 = Instant::now();
    let announced = embargo::app::announcements::announce(&state, &actor, &advisory, NOTE, None)
        .await
        .map_err(|e| anyhow::anyhow!("announce: {e:?}"))?;
    let committed = t0.elapsed();
    anyhow::ensure!(
        announced.recipients == n,
        "announced to {} recipients",
        announced.recipients
    );
    let deadline = t0 + Duration::from_secs(1800);
    while sink.accepted() < n {
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {} of {n} messages arrived",
            sink.accepted()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let wall = sink.last_accepted().context("no message")? - t0;
    let first = sink.first_accepted().context("no message")? - t0;
    let cpu = process::cpu_seconds() - cpu_before;
    let sent = wait_until_recorded(&state, announced.id.as_str(), n, deadline).await?;
    let recorded = t0.elapsed();
    let peak = process::memory("VmHWM");
    runner.shutdown(Duration::from_secs(5)).await;
    let (accepted, in_clear, bytes, connections) = (
        sink.accepted(),
        sink.in_clear(),
        sink.bytes(),
        sink.connections(),
    );
    Ok(Measured {
        committed,
        wall,
        first,
        cpu,
        sent,
        recorded,
        peak,
        rss_before,
        accepted,
        in_clear,
        bytes,
        connections,
        plaintext,
    })
}

/// The app state: the database at `url`, SMTP to the sink on `port`.
async fn app(dir: &std::path::Path, url: &str, port: u16) -> anyhow::Result<AppState> {
    let mut config = Config {
        database_url: url.to_owned(),
        base_url: "http://embargo.test".into(),
        organization: "Fanout Project".into(),
        security_address: "security@fanout.test".into(),
        from_address: "security@fanout.test".into(),
        ..Config::default()
    };
    config.mail.transport = MailTransportKind::Smtp;
    config.mail.smtp.host = "127.0.0.1".into();
    config.mail.smtp.port = port;
    config.mail.smtp.security = SmtpSecurity::None;
    let paths = Paths {
        data: dir.join("data"),
    };
    AppState::open(config, paths).await
}

/// Waits until `n` deliveries of `announcement` are recorded sent.
async fn wait_until_recorded(
    state: &AppState,
    announcement: &str,
    n: usize,
    deadline: Instant,
) -> anyhow::Result<i64> {
    loop {
        let mut conn = state.db.conn().await?;
        let sent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE announcement_id = $1 AND state = 'sent'",
        )
        .bind(announcement)
        .fetch_one(&mut *conn)
        .await?;
        drop(conn);
        if sent as usize >= n {
            return Ok(sent);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {sent} of {n} deliveries recorded sent"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A plaintext like the one each recipient's message encrypts: the inner
/// MIME message, rendered from the same template with the advisory, the
/// note and the patch, so gpg gets a message of the same size.
async fn inner_message_like(
    state: &AppState,
    advisory: &str,
    note: &str,
) -> anyhow::Result<Vec<u8>> {
    let row = embargo::app::advisories::load(state, advisory)
        .await
        .map_err(|e| anyhow::anyhow!("reading {advisory}: {e:?}"))?;
    let content: serde_json::Value = serde_json::from_str(&row.content)?;
    let cfg = &state.config;
    let rendered = state.templates.mail(
        "announcement",
        serde_json::json!({
            "org": cfg.organization, "id": advisory, "note": note,
            "link": format!("{}/member/advisories/{advisory}", cfg.base()),
            "advisory": content, "tracking_id": "dlv_0123456789abcdefghijklmnop",
            "patches": true,
            "vary": embargo::domain::watermark::phrases("dlv_0123456789abcdefghijklmnop"),
            "embargo": {
                "utc": "2026-12-02 19:53 UTC", "zone": "Europe/Berlin",
                "local": "2026-12-02 20:53 CET (Wednesday)",
            },
        }),
    )?;
    let outer = embargo::mail::OutgoingMail {
        message_id: "<0123456789abcdef0123456789abcdef@fanout.test>".into(),
        from: format!("{} <{}>", cfg.organization, cfg.from_address),
        to: vec![keys::email(0)],
        ..Default::default()
    };
    let files = vec![(
        "0001-unpack-check-the-target-before-following-a-link.patch".to_owned(),
        "text/x-diff".to_owned(),
        seed::patch(),
    )];
    Ok(embargo::mail::protected::inner_message(
        &outer,
        &rendered.subject,
        &rendered.text,
        &embargo::mail::protected::Attachments::new(
            &files,
            embargo::mail::protected::Wrapping::Encrypted,
        ),
        embargo::mail::protected::Wrapping::Encrypted,
    )?)
}

/// The database the run uses: SQLite in the temporary directory, or a
/// fresh PostgreSQL database on the server named.
struct Database {
    url: String,
    postgres: Option<(String, String)>,
}

impl Database {
    async fn create(dir: &std::path::Path, server: Option<&str>) -> anyhow::Result<Self> {
        let Some(server) = server else {
            return Ok(Self {
                url: format!("sqlite://{}?mode=rwc", dir.join("embargo.db").display()),
                postgres: None,
            });
        };
        sqlx::any::install_default_drivers();
        let name = format!("embargo_fanout_{}", std::process::id());
        let mut conn = sqlx::AnyConnection::connect(server)
            .await
            .context("connecting to --database-url")?;
        conn.execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await?;
        conn.close().await?;
        let mut url = url::Url::parse(server)?;
        url.set_path(&name);
        Ok(Self {
            url: url.to_string(),
            postgres: Some((server.to_owned(), name)),
        })
    }

    async fn drop_it(self) -> anyhow::Result<()> {
        if let Some((server, name)) = self.postgres {
            let mut conn = sqlx::AnyConnection::connect(&server).await?;
            conn.execute(AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
                .await?;
            conn.close().await?;
        }
        Ok(())
    }
}
