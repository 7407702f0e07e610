//! Mail in and out through a real Postfix on loopback (Debian's `postfix`,
//! as `.ci/run` installs it): each test starts its own instance with a
//! configuration of its own (queue, ports and Maildirs in a temporary
//! directory), adds the README's snippets from `deploy/postfix/`, submits
//! over SMTP as a client outside `mynetworks` would, and waits for what
//! Postfix writes to the Maildirs.
//!
//! Without `EMBARGO_TEST_POSTFIX` each test prints a notice and passes, so
//! `cargo test` works on a machine without Postfix.

mod deploy;
mod lmtp;
mod pipe;
mod smtp;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mail_parser::{Message, MessageParser};

/// The variable that says Postfix is installed (`.ci/run` sets it).
const VAR: &str = "EMBARGO_TEST_POSTFIX";

/// How long Postfix may take to deliver what a test waits for.
const DELIVERY: Duration = Duration::from_secs(30);

/// The user `pipe(8)` runs `embargo ingest` as (it refuses root), who
/// also owns the Maildirs.
pub const MAIL_USER: (&str, u32) = ("nobody", 65534);

/// Whether to run; prints why not.
fn enabled() -> bool {
    match std::env::var(VAR) {
        Ok(v) if !v.is_empty() => true,
        _ => {
            eprintln!("postfix tests skipped: {VAR} is not set; .ci/run sets it");
            false
        }
    }
}

/// A running Postfix instance, stopped on drop.
pub struct Postfix {
    pub dir: tempfile::TempDir,
    /// Its SMTP port on 127.0.0.1.
    pub port: u16,
}

impl Postfix {
    /// Starts Postfix with the README's `main.cf` lines, `transport` as its
    /// transport map, and `master_extra` added to the usual `master.cf` services.
    /// Mail to `rita@example.net` and `mallory@example.net` goes to
    /// Maildirs; anything else not routed by `transport` is refused.
    pub fn start(transport: &str, master_extra: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // Postfix's daemons and the pipe's user traverse it.
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        for sub in ["etc", "queue", "data", "mail"] {
            std::fs::create_dir(d.join(sub)).unwrap();
        }
        chown(&d.join("data"), "postfix");
        chown(&d.join("mail"), MAIL_USER.0);
        let port = crate::common::process::free_port();
        let transport_file = d.join("etc/transport");
        let readme_main =
            deploy::main_cf().replace("/etc/postfix/transport", transport_file.to_str().unwrap());
        let d = d.display();
        let uid = MAIL_USER.1;
        let main = format!(
            "compatibility_level = 3.6\n\
             queue_directory = {d}/queue\n\
             data_directory = {d}/data\n\
             mail_owner = postfix\n\
             setgid_group = postdrop\n\
             maillog_file_prefixes = {d}\n\
             maillog_file = {d}/maillog\n\
             myhostname = mx.example.org\n\
             mydestination =\n\
             inet_interfaces = loopback-only\n\
             inet_protocols = ipv4\n\
             # Only embargo's own submissions; the tests submit from 127.0.0.2.\n\
             mynetworks = 127.0.0.1/32\n\
             relayhost =\n\
             default_transport = error:nothing leaves this test\n\
             relay_transport = error:nothing is relayed in this test\n\
             smtp_dns_support_level = disabled\n\
             smtpd_peername_lookup = no\n\
             alias_maps =\n\
             alias_database =\n\
             virtual_mailbox_domains = example.net\n\
             virtual_mailbox_base = {d}/mail\n\
             virtual_mailbox_maps = inline:{{ rita@example.net=rita/, mallory@example.net=mallory/ }}\n\
             virtual_uid_maps = static:{uid}\n\
             virtual_gid_maps = static:{uid}\n\
             {readme_main}"
        );
        let master = format!(
            "127.0.0.1:{port} inet n - n - - smtpd\n\
             pickup    unix  n - n 60    1 pickup\n\
             cleanup   unix  n - n -     0 cleanup\n\
             qmgr      unix  n - n 300   1 qmgr\n\
             rewrite   unix  - - n -     - trivial-rewrite\n\
             bounce    unix  - - n -     0 bounce\n\
             defer     unix  - - n -     0 bounce\n\
             trace     unix  - - n -     0 bounce\n\
             verify    unix  - - n -     1 verify\n\
             flush     unix  n - n 1000? 0 flush\n\
             proxymap  unix  - - n -     - proxymap\n\
             showq     unix  n - n -     - showq\n\
             error     unix  - - n -     - error\n\
             retry     unix  - - n -     - error\n\
             discard   unix  - - n -     - discard\n\
             virtual   unix  - n n -     - virtual\n\
             lmtp      unix  - - n -     - lmtp\n\
             anvil     unix  - - n -     1 anvil\n\
             scache    unix  - - n -     1 scache\n\
             postlog   unix-dgram n - n - 1 postlogd\n\
             {master_extra}"
        );
        let postfix = Self { dir, port };
        let etc = postfix.etc();
        std::fs::write(etc.join("main.cf"), main).unwrap();
        std::fs::write(etc.join("master.cf"), master).unwrap();
        std::fs::write(&transport_file, transport).unwrap();
        postfix.run("postmap", &[transport_file.to_str().unwrap()]);
        postfix.run("postfix", &["start"]);
        let deadline = Instant::now() + DELIVERY;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Postfix not listening: {}",
                postfix.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        postfix
    }

    fn etc(&self) -> PathBuf {
        self.dir.path().join("etc")
    }

    /// Runs a Postfix command on this instance's configuration.
    fn run(&self, program: &str, args: &[&str]) {
        let out = Command::new(program)
            .arg("-c")
            .arg(self.etc())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
    }

    /// Asks the queue manager to retry every deferred message now, again
    /// each second, until the log has a line containing all of `words`.
    /// Once: the deferral is logged before the queue manager moves the
    /// message to the deferred queue, and a flush in between finds nothing
    /// (on a busy machine the message then waited out Postfix's backoff).
    pub async fn flush_until(&self, words: &[&str]) -> String {
        self.wait_for(words, true).await
    }

    /// Postfix's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("maillog")).unwrap_or_default()
    }

    /// Submits `mail` from `from` to the security address and waits for
    /// the log line of its delivery through `relay` (`relay=embargo` for
    /// the pipe, `relay=127.0.0.1` for LMTP).
    pub async fn deliver(&self, from: &str, mail: &str, relay: &str) -> String {
        smtp::submit(self.port, from, &["security@example.org"], mail).await;
        self.wait_for_log(&["to=<security@example.org>", relay])
            .await
    }

    /// Waits until the log has a line containing all of `words`.
    pub async fn wait_for_log(&self, words: &[&str]) -> String {
        self.wait_for(words, false).await
    }

    async fn wait_for(&self, words: &[&str], flushing: bool) -> String {
        let deadline = Instant::now() + DELIVERY;
        let mut round = 0u32;
        loop {
            if flushing && round.is_multiple_of(10) {
                self.run("postqueue", &["-f"]);
            }
            round += 1;
            let log = self.log();
            if let Some(line) = log.lines().find(|l| words.iter().all(|w| l.contains(w))) {
                return line.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {words:?} within {DELIVERY:?}:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The messages Postfix delivered to `user`'s Maildir, raw.
    pub fn maildir(&self, user: &str) -> Vec<Vec<u8>> {
        let new = self.dir.path().join("mail").join(user).join("new");
        let mut files: Vec<_> = std::fs::read_dir(new)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files.iter().map(|f| std::fs::read(f).unwrap()).collect()
    }

    /// Waits until `user`'s Maildir holds a message, and returns them all.
    pub async fn wait_for_mail(&self, user: &str) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + DELIVERY;
        loop {
            let mail = self.maildir(user);
            if !mail.is_empty() {
                return mail;
            }
            assert!(
                Instant::now() < deadline,
                "nothing in {user}'s Maildir within {DELIVERY:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("postfix")
            .arg("-c")
            .arg(self.etc())
            .arg("stop")
            .output();
    }
}

pub fn chown(path: &Path, user: &str) {
    let status = Command::new("chown")
        .arg("-R")
        .arg(user)
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "chown {user} {}", path.display());
}

pub fn parse(raw: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(raw)
        .unwrap_or_else(|| panic!("not a mail: {}", String::from_utf8_lossy(raw)))
}

/// A new report by mail from Rita, with `id` in its Message-ID.
pub fn report(id: &str) -> String {
    format!(
        "From: Rita Reporter <rita@example.net>\r\nTo: security@example.org\r\n\
         Subject: Heap overflow in unpack ({id})\r\nMessage-ID: <{id}@example.net>\r\n\
         Date: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\nThe unpacker overflows.\r\n"
    )
}

/// Checks the acknowledgement Rita got: through Postfix, answering her
/// mail, with her tracking link. Returns its Reply-To address.
pub fn assert_acknowledgement(postfix: &Postfix, id: &str) -> String {
    let mail = postfix.maildir("rita");
    assert_eq!(mail.len(), 1, "{}", postfix.log());
    let ack = parse(&mail[0]);
    let raw = String::from_utf8_lossy(&mail[0]);
    assert!(
        raw.contains("Delivered-To: rita@example.net")
            && raw.contains("[127.0.0.1])")
            && raw.contains("by mx.example.org (Postfix) with ESMTP"),
        "{raw}"
    );
    assert_eq!(
        ack.in_reply_to().as_text(),
        Some(format!("{id}@example.net").as_str()),
        "{raw}"
    );
    let text = ack.body_text(0).unwrap_or_default();
    assert!(text.contains("http://embargo.test/track/"), "{text}");
    let reply_to = ack
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address());
    reply_to.expect("a Reply-To").to_owned()
}

/// Checks that Mallory got Postfix's bounce of her message to the
/// security address, and returns its text.
pub fn assert_bounce(postfix: &Postfix) -> String {
    let mail = postfix.maildir("mallory");
    assert_eq!(mail.len(), 1, "{}", postfix.log());
    let raw = String::from_utf8_lossy(&mail[0]).into_owned();
    let dsn = parse(&mail[0]);
    assert!(
        dsn.from()
            .and_then(|f| f.first())
            .and_then(|a| a.address())
            .is_some_and(|a| a.starts_with("MAILER-DAEMON")),
        "{raw}"
    );
    assert!(raw.contains("report-type=delivery-status"), "{raw}");
    assert!(
        raw.contains("Final-Recipient: rfc822; security@example.org")
            && raw.contains("Action: failed")
            && raw.contains("Status: 5."),
        "{raw}"
    );
    raw
}

/// embargo's configuration for a test: the security address the README's
/// snippets route, and mail out through this Postfix.
pub fn embargo_toml(database_url: &str, smtp_port: u16) -> String {
    format!(
        "base_url = \"http://embargo.test\"\n\
         organization = \"Test Project\"\n\
         security_address = \"security@example.org\"\n\
         from_address = \"security@example.org\"\n\
         database_url = \"{database_url}\"\n\
         [mail]\n\
         transport = \"smtp\"\n\
         [mail.smtp]\n\
         host = \"127.0.0.1\"\n\
         port = {smtp_port}\n\
         security = \"none\"\n"
    )
}
