//! The key that signs what the pages hand a browser to bring back once:
//! the message shown after a form (`http::pages::flash`). 32 random bytes
//! in `DATA/cookie-key` (mode 0600), made at first start, so every process
//! sharing the data directory accepts what another signed. Losing it loses
//! nothing but the messages in flight.

use std::fs;
use std::io::{ErrorKind, Read};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

const LEN: usize = 32;

/// An HMAC-SHA256 key; never shown, never logged.
pub struct CookieKey([u8; LEN]);

impl std::fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieKey(..)")
    }
}

impl CookieKey {
    /// A key only this process knows.
    pub fn ephemeral() -> Self {
        Self(rand::random())
    }

    /// The key in `dir/cookie-key`, made there if missing. When the file
    /// cannot be read or written, a key for this process only, with a
    /// warning: messages then show only when the same process serves the
    /// next page.
    pub fn load_or_create(dir: &Path) -> Self {
        match read_or_make(&dir.join("cookie-key")) {
            Ok(key) => Self(key),
            Err(e) => {
                tracing::warn!(error = %e, "cannot keep the cookie key in the data directory; using one for this process");
                Self::ephemeral()
            }
        }
    }

    /// The MAC of `parts`, each ended by a NUL so no two lists collide.
    pub fn sign(&self, parts: &[&[u8]]) -> [u8; LEN] {
        self.mac(parts).finalize().into_bytes().into()
    }

    /// Whether `tag` is the MAC of `parts` (in constant time).
    pub fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        self.mac(parts).verify_slice(tag).is_ok()
    }

    fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for p in parts {
            mac.update(p);
            mac.update(&[0]);
        }
        mac
    }
}

/// Reads the key file, or makes it: written whole to a temporary file and
/// linked into place, so of several processes starting at once exactly one
/// key wins and every process reads that one.
fn read_or_make(path: &Path) -> std::io::Result<[u8; LEN]> {
    if let Some(key) = read(path)? {
        return Ok(key);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    // The data directory: private, as `Paths::create_data_dir` makes it.
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let key: [u8; LEN] = rand::random();
    match super::data_key::create_private_once(path, &key) {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => read(path)?
            .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidData, "cookie key vanished")),
        Err(e) => Err(e),
    }
}

fn read(path: &Path) -> std::io::Result<Option<[u8; LEN]>> {
    let mut bytes = Vec::with_capacity(LEN);
    match fs::File::open(path) {
        Ok(f) => f.take(LEN as u64 + 1).read_to_end(&mut bytes)?,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let key = <[u8; LEN]>::try_from(bytes.as_slice())
        .map_err(|_| std::io::Error::new(ErrorKind::InvalidData, "cookie key is not 32 bytes"))?;
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_the_same_when_read_again() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let a = CookieKey::load_or_create(dir.path());
        let b = CookieKey::load_or_create(dir.path());
        assert_eq!(a.0, b.0);
        let mode = fs::metadata(dir.path().join("cookie-key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_mac_verifies_only_the_same_parts_under_the_same_key() {
        let (k, other) = (CookieKey::ephemeral(), CookieKey::ephemeral());
        let tag = k.sign(&[b"a", b"bc"]);
        assert!(k.verify(&[b"a", b"bc"], &tag));
        assert!(!k.verify(&[b"ab", b"c"], &tag));
        assert!(!other.verify(&[b"a", b"bc"], &tag));
        assert!(!k.verify(&[b"a", b"bc"], &tag[..31]));
    }
}
