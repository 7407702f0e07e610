//! The comparison: what a list script that runs one `gpg --sign --encrypt`
//! process per recipient would take for the same message. A temporary
//! GNUPGHOME holds a signing key (Ed25519, no passphrase) and the sampled
//! recipients' public keys; the processes run one after another, as such a
//! script runs them.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct GpgLoop {
    /// Processes run and timed.
    pub sampled: usize,
    /// Their total wall time.
    pub elapsed: Duration,
    pub version: String,
    pub command: String,
}

const SIGNER: &str = "list@fanout.test";

fn gpg(home: &Path) -> Command {
    let mut c = Command::new("gpg");
    c.arg("--homedir").arg(home).args(["--batch", "--quiet"]);
    c
}

fn run(c: &mut Command, what: &str) -> anyhow::Result<()> {
    let out = c.stdout(Stdio::null()).stderr(Stdio::piped()).output()?;
    if !out.status.success() {
        anyhow::bail!("gpg {what}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Times one `gpg` process per recipient for the first `sample` of
/// `keys` (armored public keys of recipients 0..), each signing and
/// encrypting `plaintext` to one of them.
pub fn measure(keys: &[String], sample: usize, plaintext: &[u8]) -> anyhow::Result<GpgLoop> {
    let home = tempfile::Builder::new().prefix("fanout-gpg").tempdir()?;
    let dir = home.path();
    let version = Command::new("gpg").arg("--version").output()?;
    let version = String::from_utf8_lossy(&version.stdout)
        .lines()
        .next()
        .unwrap_or("gpg")
        .to_owned();
    run(
        gpg(dir).args([
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--quick-gen-key",
            &format!("Fanout List <{SIGNER}>"),
            "ed25519",
            "sign",
            "never",
        ]),
        "--quick-gen-key",
    )?;
    let sample = sample.min(keys.len());
    let public = dir.join("recipients.asc");
    std::fs::write(&public, keys[..sample].concat())?;
    run(gpg(dir).arg("--import").arg(&public), "--import")?;
    let message = dir.join("message.eml");
    std::fs::write(&message, plaintext)?;

    let args = |i: usize| {
        let mut c = gpg(dir);
        c.args(["--yes", "--trust-model", "always", "--armor"])
            .args(["--local-user", SIGNER])
            .args(["--recipient", &format!("<{}>", super::keys::email(i))])
            .args(["--output", "-", "--sign", "--encrypt"])
            .arg(&message);
        c
    };
    // The first process starts gpg-agent; a list script's would be warm.
    run(&mut args(0), "--sign --encrypt")?;
    let started = Instant::now();
    for i in 0..sample {
        run(&mut args(i), "--sign --encrypt")?;
    }
    let elapsed = started.elapsed();
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(dir)
        .args(["--kill", "gpg-agent"])
        .output();
    Ok(GpgLoop {
        sampled: sample,
        elapsed,
        version,
        command: "gpg --batch --quiet --yes --trust-model always --armor --local-user LIST \
                  --recipient <ADDRESS> --output - --sign --encrypt MESSAGE"
            .to_owned(),
    })
}
