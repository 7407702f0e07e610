//! The list key and GnuPG 2.2, the most common peer of list members: each
//! reads what the other writes. Without `gpg` these tests fail, they do
//! not skip.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use embargo::mail::keys::parse_certificate;

use super::published;
use crate::common::TestApp;

/// A GnuPG home of its own; its agent is stopped on drop.
pub struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    pub fn new() -> Self {
        let version = Command::new("gpg").arg("--version").output();
        let found = version.as_ref().is_ok_and(|o| o.status.success());
        assert!(
            found,
            "GnuPG (`gpg`, 2.2 or later) is needed for the OpenPGP interoperability tests \
             and was not found on PATH: install it (Debian: apt-get install gnupg); .ci/run does"
        );
        Self {
            home: tempfile::tempdir().expect("GNUPGHOME"),
        }
    }

    /// Runs gpg with `args` in batch mode, `input` on stdin.
    pub fn run(&self, args: &[&str], input: &[u8]) -> Output {
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args(["--batch", "--no-tty", "--pinentry-mode", "loopback"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg runs");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input).expect("gpg stdin");
        drop(stdin);
        let out = child.wait_with_output().expect("gpg output");
        assert!(
            out.status.success(),
            "gpg {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// A new ed25519/cv25519 key without a password, as `gpg
    /// --quick-gen-key ... future-default` makes it; its armored export.
    pub fn member_key(&self, uid: &str) -> String {
        self.run(
            &[
                "--passphrase",
                "",
                "--quick-gen-key",
                uid,
                "future-default",
                "default",
                "never",
            ],
            b"",
        );
        let out = self.run(&["--armor", "--export", uid], b"");
        String::from_utf8(out.stdout).expect("armored")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

#[tokio::test]
async fn gnupg_decrypts_what_the_list_signs_and_encrypts_and_finds_a_good_signature() {
    let app = TestApp::new().await;
    let (fingerprint, armored) = published(&app).await;
    let gpg = Gpg::new();
    gpg.run(&["--import"], armored.as_bytes());
    let member = gpg.member_key("Test <t@example.org>");
    let cert = parse_certificate(&member).expect("gpg's key parses");

    let plaintext = b"Embargoed: heap overflow in the parser.\nFixed in 1.4.2.\n";
    let list_key = app.state.list_key.clone();
    let now = jiff::Timestamp::now();
    let message =
        tokio::task::spawn_blocking(move || list_key.sign_and_encrypt(plaintext, &cert, now))
            .await
            .expect("task")
            .expect("sign and encrypt");
    assert!(message.starts_with("-----BEGIN PGP MESSAGE-----"));

    let output = gpg.path("out.txt");
    let out = gpg.run(
        &[
            "--status-fd",
            "1",
            "--output",
            output.to_str().expect("path"),
            "--decrypt",
        ],
        message.as_bytes(),
    );
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(status.contains("[GNUPG:] GOODSIG "), "{status}");
    assert!(
        status.contains(&format!("[GNUPG:] VALIDSIG {fingerprint} ")),
        "the signature is the list key's ({fingerprint}):\n{status}"
    );
    assert!(status.contains("[GNUPG:] DECRYPTION_OKAY"), "{status}");
    assert!(status.contains("[GNUPG:] GOODMDC"), "{status}");
    // Cipher 9 is AES-256.
    assert!(status.contains("[GNUPG:] DECRYPTION_INFO 2 9"), "{status}");
    assert_eq!(std::fs::read(&output).expect("plaintext"), plaintext);
}

#[tokio::test]
async fn what_gnupg_encrypts_to_the_list_key_decrypts() {
    let app = TestApp::new().await;
    let (fingerprint, armored) = published(&app).await;
    let gpg = Gpg::new();
    gpg.run(&["--import"], armored.as_bytes());
    gpg.member_key("Test <t@example.org>");
    let plaintext = b"A report: the parser overflows on long headers.\n";

    // Signed, armored, compressed as the key's preferences allow.
    let signed = gpg.run(
        &[
            "--trust-model",
            "always",
            "--armor",
            "--sign",
            "--local-user",
            "t@example.org",
            "--encrypt",
            "--recipient",
            &fingerprint,
        ],
        plaintext,
    );
    // Binary, unsigned, uncompressed, recipient hidden.
    let hidden = gpg.run(
        &[
            "--trust-model",
            "always",
            "--compress-algo",
            "none",
            "--throw-keyids",
            "--encrypt",
            "--recipient",
            &fingerprint,
        ],
        plaintext,
    );
    for message in [signed.stdout, hidden.stdout] {
        let list_key = app.state.list_key.clone();
        let decrypted = tokio::task::spawn_blocking(move || list_key.decrypt(&message))
            .await
            .expect("task")
            .expect("decrypt");
        assert_eq!(decrypted, plaintext);
    }
}

#[tokio::test]
async fn gnupg_verifies_the_list_keys_detached_signature_and_refuses_a_changed_text() {
    let app = TestApp::new().await;
    let (fingerprint, armored) = published(&app).await;
    let gpg = Gpg::new();
    gpg.run(&["--import"], armored.as_bytes());
    let data = b"Content-Type: text/plain\r\n\r\nEmbargoed: heap overflow, fixed in 1.4.2.\r\n";
    let signature = app.state.list_key.sign_detached(data).expect("signs");
    let (sig, signed) = (gpg.path("sig.asc"), gpg.path("data"));
    std::fs::write(&sig, &signature).expect("write");
    std::fs::write(&signed, data).expect("write");
    let (sig, signed) = (sig.to_str().expect("path"), signed.to_str().expect("path"));
    let out = gpg.run(&["--status-fd", "1", "--verify", sig, signed], b"");
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(status.contains("[GNUPG:] GOODSIG "), "{status}");
    assert!(
        status.contains(&format!("[GNUPG:] VALIDSIG {fingerprint} ")),
        "{status}"
    );

    std::fs::write(
        gpg.path("data"),
        b"Content-Type: text/plain\r\n\r\nNothing to see.\r\n",
    )
    .expect("write");
    let changed = Command::new("gpg")
        .env("GNUPGHOME", gpg.path(""))
        .args(["--batch", "--status-fd", "1", "--verify", sig, signed])
        .output()
        .expect("gpg runs");
    assert!(!changed.status.success());
    let status = String::from_utf8_lossy(&changed.stdout);
    assert!(status.contains("[GNUPG:] BADSIG "), "{status}");
}
