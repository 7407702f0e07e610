#!/usr/bin/env bash
# Regenerates the OpenPGP fixtures in this folder with GnuPG (2.2.40 was used).
#
# Keys get new fingerprints on every run: after running it, update README.md
# (the table is printed at the end) and the fingerprints in the tests of
# src/mail/keys.rs. Creation times are pinned with --faked-system-time so that
# the fixed "now" of the tests (2026-02-01T00:00:00Z) keeps its meaning.
set -euo pipefail
cd "$(dirname "$0")"

GNUPGHOME="$(mktemp -d)"
export GNUPGHOME
trap 'gpgconf --kill gpg-agent; rm -rf "$GNUPGHOME"' EXIT

# g TIME ARGS...: gpg at a frozen time ("!" stops the clock), no passphrase.
g() {
    local t="$1"
    shift
    gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
        --faked-system-time "$t" "$@"
}
# fpr UID: fingerprint of the primary key with exactly this user id.
fpr() { gpg --with-colons --list-keys "=$1" | awk -F: '$1 == "fpr" { print $10; exit }'; }
# export_pub UID FILE: armored public key with all signatures.
export_pub() { gpg --armor --export "=$1" >"$2"; }

JAN=20260101T000000!

# 1. Ed25519 primary + Curve25519 encryption subkey, no expiry.
U1='Alice Example <alice@example.org>'
g $JAN --quick-generate-key "$U1" ed25519 cert,sign never
g $JAN --quick-add-key "$(fpr "$U1")" cv25519 encr never
export_pub "$U1" ed25519_cv25519.asc

# 2. RSA 3072 primary + RSA 3072 encryption subkey, both expiring 2028-01-01.
U2='Bob Example <bob@example.org>'
g $JAN --quick-generate-key "$U2" rsa3072 cert,sign 2028-01-01
g $JAN --quick-add-key "$(fpr "$U2")" rsa3072 encr 2028-01-01
export_pub "$U2" rsa3072.asc

# 3. RSA 4096 with a third-party certification by another key (not exported).
U3='Dave Example <dave@example.org>'
UC='Carol Certifier <carol@example.net>'
g $JAN --quick-generate-key "$UC" ed25519 cert,sign never
g $JAN --quick-generate-key "$U3" rsa4096 cert,sign never
g $JAN --quick-add-key "$(fpr "$U3")" rsa4096 encr never
g 20260102T000000! --default-key "$(fpr "$UC")" --quick-sign-key "$(fpr "$U3")"
export_pub "$U3" rsa4096_certified.asc

# 4. Sign-only: Ed25519 primary, no encryption-capable key.
U4='Erin Example <erin@example.org>'
g $JAN --quick-generate-key "$U4" ed25519 sign never
export_pub "$U4" sign_only.asc

# 5. Encryption subkey expired: created 2025-06-01, expired 30 days later.
U5='Frank Example <frank@example.org>'
g 20250601T000000! --quick-generate-key "$U5" ed25519 cert,sign never
g 20250601T000000! --quick-add-key "$(fpr "$U5")" cv25519 encr 30d
export_pub "$U5" subkey_expired.asc

# 6. Encryption subkey expiring 2026-02-11, ten days after the tests' "now".
U6='Grace Example <grace@example.org>'
g $JAN --quick-generate-key "$U6" ed25519 cert,sign never
g $JAN --quick-add-key "$(fpr "$U6")" cv25519 encr 41d
export_pub "$U6" subkey_expires_soon.asc

# 7. Revoked primary: import the revocation certificate gpg made at creation.
U7='Heidi Example <heidi@example.org>'
g $JAN --quick-generate-key "$U7" ed25519 cert,sign never
g $JAN --quick-add-key "$(fpr "$U7")" cv25519 encr never
sed 's/^:-----BEGIN/-----BEGIN/' "$GNUPGHOME/openpgp-revocs.d/$(fpr "$U7").rev" |
    g 20260115T000000! --import
export_pub "$U7" revoked_primary.asc

# 8. Revoked encryption subkey (the only one). gpg's menu answer 2 is
#    "key is superseded" (reason code 1), followed by a text.
U8='Ivan Example <ivan@example.org>'
g $JAN --quick-generate-key "$U8" ed25519 cert,sign never
g $JAN --quick-add-key "$(fpr "$U8")" cv25519 encr never
printf 'key 1\nrevkey\ny\n2\nreplaced by a new subkey\n\ny\nsave\n' |
    g 20260115T000000! --command-fd 0 --edit-key "$(fpr "$U8")"
export_pub "$U8" revoked_subkey.asc

# 9. Several encryption subkeys: an old one (Jan 1), a newer one (Jan 10)
#    and a newest one (Jan 20) that is revoked: the Jan 10 one must be chosen.
U9='Judy Example <judy@example.org>'
g $JAN --quick-generate-key "$U9" ed25519 cert,sign never
g $JAN --quick-add-key "$(fpr "$U9")" cv25519 encr never
g 20260110T000000! --quick-add-key "$(fpr "$U9")" cv25519 encr never
g 20260120T000000! --quick-add-key "$(fpr "$U9")" cv25519 encr never
printf 'key 3\nrevkey\ny\n0\n\ny\nsave\n' |
    g 20260121T000000! --command-fd 0 --edit-key "$(fpr "$U9")"
export_pub "$U9" several_subkeys.asc

# 10. RSA 1024: too weak.
U10='Mallory Example <mallory@example.org>'
g $JAN --quick-generate-key "$U10" rsa1024 cert,sign never
g $JAN --quick-add-key "$(fpr "$U10")" rsa1024 encr never
export_pub "$U10" rsa1024.asc

# 11. DSA 2048 + ElGamal 2048: refused algorithms.
U11='Oscar Example <oscar@example.org>'
g $JAN --quick-generate-key "$U11" dsa2048 cert,sign never
g $JAN --quick-add-key "$(fpr "$U11")" elg2048 encr never
export_pub "$U11" dsa_elgamal.asc

# 12. RSA 3072 whose self-signatures all use SHA-1.
U12='Peggy Example <peggy@example.org>'
g $JAN --cert-digest-algo SHA1 --quick-generate-key "$U12" rsa3072 cert,sign never
g $JAN --cert-digest-algo SHA1 --quick-add-key "$(fpr "$U12")" rsa3072 encr never
export_pub "$U12" sha1_self_signatures.asc

# 13. A valid key whose only user id is for another address.
U13='Trent Example <trent@elsewhere.example>'
g $JAN --quick-generate-key "$U13" ed25519 cert,sign never
g $JAN --quick-add-key "$(fpr "$U13")" cv25519 encr never
export_pub "$U13" other_address.asc

# 14. A private key export (of key 1): must be refused.
gpg --batch --pinentry-mode loopback --passphrase '' --armor \
    --export-secret-keys "=$U1" >private_key.asc

# 15. Two certificates in one armor block (keys 1 and 2).
gpg --armor --export "=$U1" "=$U2" >two_certificates.asc

# 16. Key 1 exported with --export-options backup, which adds trust packets.
gpg --armor --export --export-options backup "=$U1" >backup_export.asc

# 17. Garbage and a truncated armor block (key 1 cut in the middle, footer kept).
printf 'This is not an OpenPGP key.\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA user@host\n' >garbage.asc
{
    head -n 8 ed25519_cv25519.asc
    echo '-----END PGP PUBLIC KEY BLOCK-----'
} >truncated.asc

echo
echo "| user id | primary fingerprint | subkey fingerprints (creation, usage, expiry) |"
echo "| --- | --- | --- |"
for u in "$U1" "$U2" "$U3" "$U4" "$U5" "$U6" "$U7" "$U8" "$U9" "$U10" "$U11" "$U12" "$U13"; do
    gpg --with-colons --fixed-list-mode --list-keys "=$u" | awk -F: -v u="$u" '
        $1 == "pub" { cur = "pub"; next }
        $1 == "sub" { cur = "sub"; info = sprintf("created %s, %s, %s%s", $6, $12, ($7 == "" ? "no expiry" : "expires " $7), ($2 == "r" ? ", revoked" : "")); next }
        $1 == "fpr" && cur == "pub" { p = $10; cur = "" }
        $1 == "fpr" && cur == "sub" { s = s (s == "" ? "" : "<br>") $10 " (" info ")"; cur = "" }
        END { printf "| %s | %s | %s |\n", u, p, s }'
done
