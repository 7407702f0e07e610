"""OpenPGP certificates for the schemathesis stage, made by GnuPG."""

import subprocess
import tempfile


def make_keys(addresses):
    """One Ed25519 certificate with a Curve25519 encryption key per
    address, never expiring: {address: armored public key}."""
    home = tempfile.mkdtemp(prefix="st-gnupg-")
    gpg = ["gpg", "--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    keys = {}
    for address in addresses:
        run = lambda *args: subprocess.run(gpg + list(args), check=True, capture_output=True, text=True).stdout
        run("--quick-gen-key", f"<{address}>", "ed25519", "cert,sign", "never")
        fpr = next(line.split(":")[9] for line in run("--with-colons", "--list-keys", f"<{address}>").splitlines()
                   if line.startswith("fpr:"))
        run("--quick-add-key", fpr, "cv25519", "encr", "never")
        keys[address] = run("--armor", "--export", fpr)
    return keys
