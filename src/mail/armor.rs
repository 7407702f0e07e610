//! ASCII armor for outgoing OpenPGP messages (RFC 9580 section 6.2), as
//! rPGP writes it but with CRLF line endings, the form a mail goes on the
//! wire in, and the CRC24 computed eight bytes at a time. rPGP's armor
//! writer feeds its CRC24 one byte at a time through a chain of writers;
//! in a fan-out that was about a tenth of the CPU. The checksum line stays,
//! though RFC 9580 says not to make one: without it GnuPG 2.2 misreads the
//! end of some messages.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// An armored OpenPGP message as a mail carries it: ASCII in lines of at
/// most 998 characters, each ending in CRLF. Made by [`armor_message`],
/// it goes into a message as it is, with no pass over it; read back from a
/// stored job, it is checked (and its line endings mended) first.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Armored(String);

impl Armored {
    /// `text` as a mail carries it, its line endings made CRLF; `None` when
    /// it is not 7-bit text in short lines.
    pub fn parse(text: &str) -> Option<Self> {
        let text = super::outgoing::crlf(text);
        let fits = text.is_ascii()
            && text
                .split("\r\n")
                .all(|l| l.len() <= 998 && !l.contains(['\r', '\n']));
        fits.then_some(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Armored {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Armored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Armored({} bytes)", self.0.len())
    }
}

impl<'de> serde::Deserialize<'de> for Armored {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("an armored message must be 7-bit text"))
    }
}

/// The armored form of the binary OpenPGP message `binary`: the header
/// line, a blank line, base64 in lines of 64 characters, the CRC24 line
/// and the footer line, each ending in CRLF.
pub fn armor_message(binary: &[u8]) -> Armored {
    const BEGIN: &[u8] = b"-----BEGIN PGP MESSAGE-----\r\n\r\n";
    const END: &[u8] = b"-----END PGP MESSAGE-----\r\n";
    // Written in place into a buffer of the final size: copying each
    // line from a buffer of its own was a fifth of the armor's time.
    let base64 = binary.len().div_ceil(3) * 4;
    let lines = binary.len().div_ceil(48);
    let mut out = vec![0u8; BEGIN.len() + base64 + 2 * lines + "=ABCD\r\n".len() + END.len()];
    let mut at = put(&mut out, 0, BEGIN);
    for chunk in binary.chunks(48) {
        // Never fails: the buffer has room for every line.
        at += STANDARD.encode_slice(chunk, &mut out[at..]).unwrap_or(0);
        at = put(&mut out, at, b"\r\n");
    }
    let crc = crc24(binary).to_be_bytes();
    at = put(&mut out, at, b"=");
    at += STANDARD
        .encode_slice(&crc[1..], &mut out[at..])
        .unwrap_or(0);
    at = put(&mut out, at, b"\r\n");
    at = put(&mut out, at, END);
    out.truncate(at);
    // Base64 and the fixed lines are ASCII.
    Armored(String::from_utf8(out).unwrap_or_default())
}

/// Copies `bytes` into `out` at `at`; where they end.
fn put(out: &mut [u8], at: usize, bytes: &[u8]) -> usize {
    let end = at + bytes.len();
    out[at..end].copy_from_slice(bytes);
    end
}

/// The CRC24 polynomial, in the top 24 bits of a u32 (the low 8 stay zero).
const POLY: u32 = 0x0086_4CFB << 8;
const INIT: u32 = 0x00B7_04CE << 8;

/// Slice-by-8 tables: `TABLES[k][b]` is the CRC of byte `b` followed by
/// `k` zero bytes.
static TABLES: [[u32; 256]; 8] = tables();

const fn tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u32) << 24;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 0x8000_0000 != 0 {
                (c << 1) ^ POLY
            } else {
                c << 1
            };
            bit += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev << 8) ^ t[0][(prev >> 24) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// The OpenPGP CRC24 of `data` (RFC 9580 section 6.1.1).
pub fn crc24(data: &[u8]) -> u32 {
    let t = &TABLES;
    let mut crc = INIT;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let a = crc ^ u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        let b = u32::from_be_bytes([c[4], c[5], c[6], c[7]]);
        crc = t[7][(a >> 24) as usize]
            ^ t[6][(a >> 16 & 0xff) as usize]
            ^ t[5][(a >> 8 & 0xff) as usize]
            ^ t[4][(a & 0xff) as usize]
            ^ t[3][(b >> 24) as usize]
            ^ t[2][(b >> 16 & 0xff) as usize]
            ^ t[1][(b >> 8 & 0xff) as usize]
            ^ t[0][(b & 0xff) as usize];
    }
    for &byte in chunks.remainder() {
        crc = (crc << 8) ^ t[0][((crc >> 24) ^ u32::from(byte)) as usize];
    }
    crc >> 8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The bytes as they are, for rPGP's armor writer.
    struct Raw<'a>(&'a [u8]);

    impl pgp::ser::Serialize for Raw<'_> {
        fn to_writer<W: std::io::Write>(&self, w: &mut W) -> pgp::errors::Result<()> {
            w.write_all(self.0)?;
            Ok(())
        }
        fn write_len(&self) -> usize {
            self.0.len()
        }
    }

    fn rpgp_armor(binary: &[u8]) -> String {
        let mut out = Vec::new();
        let typ = pgp::armor::BlockType::Message;
        pgp::armor::write(&Raw(binary), typ, &mut out, None, true).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn armor_read_back_from_a_stored_job_is_checked_and_its_line_ends_mended() {
        let lf = "-----BEGIN PGP MESSAGE-----\n\nwcBM\n=abcd\n-----END PGP MESSAGE-----\n";
        let mended = Armored::parse(lf).unwrap();
        assert_eq!(mended.as_str(), lf.replace('\n', "\r\n"));
        let json = serde_json::to_string(&mended).unwrap();
        assert_eq!(serde_json::from_str::<Armored>(&json).unwrap(), mended);
        for bad in ["Grüße\r\n", &"x".repeat(999), "a\rb"] {
            assert_eq!(Armored::parse(bad), None, "{bad:?}");
            let json = serde_json::to_string(bad).unwrap();
            assert!(serde_json::from_str::<Armored>(&json).is_err());
        }
    }

    #[test]
    fn the_check_value_of_rfc_9580_crc24() {
        // CRC-24/OPENPGP's check value: the CRC of "123456789".
        assert_eq!(crc24(b"123456789"), 0x21CF02);
        assert_eq!(crc24(b""), 0xB704CE);
    }

    #[test]
    fn a_message_of_30_kib_is_armored_as_rpgp_armors_it_with_crlf() {
        let binary: Vec<u8> = (0..30_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let ours = armor_message(&binary);
        assert_eq!(ours.as_str().replace("\r\n", "\n"), rpgp_armor(&binary));
        assert!(
            ours.as_str()
                .split_inclusive('\n')
                .all(|l| l.ends_with("\r\n"))
        );
        assert_eq!(Armored::parse(ours.as_str()), Some(ours.clone()));
    }

    proptest! {
        #[test]
        fn any_bytes_are_armored_as_rpgp_armors_them(binary in proptest::collection::vec(any::<u8>(), 0..400)) {
            prop_assert_eq!(armor_message(&binary).as_str().replace("\r\n", "\n"), rpgp_armor(&binary));
        }
    }
}
