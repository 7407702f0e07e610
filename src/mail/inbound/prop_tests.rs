//! Mail intake against input nobody thought of: any bytes are a message
//! or one of the documented refusals, and a well-formed message keeps its
//! sender whatever its headers' and body's charsets and encodings.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::collection::vec;
use proptest::prelude::*;

use super::{InboundError, parse};

const MAX: usize = 4000;

/// Bytes that lean on what a MIME parser trips over.
fn mailish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"From: a@example.org\r\n".to_vec()),
        Just(b"Content-Type: multipart/mixed; boundary=\"b\"\r\n".to_vec()),
        Just(b"--b\r\n".to_vec()),
        Just(b"--b--\r\n".to_vec()),
        Just(b"Content-Transfer-Encoding: base64\r\n".to_vec()),
        Just(b"Content-Transfer-Encoding: quoted-printable\r\n".to_vec()),
        Just(b"Content-Type: text/plain; charset=\"iso-2022-jp\"\r\n".to_vec()),
        Just(b"Content-Disposition: attachment; filename*=utf-8''%E2%80%AE.txt\r\n".to_vec()),
        Just(b"Subject: =?utf-8?q?=E2=80?=\r\n".to_vec()),
        Just(b"-----BEGIN PGP MESSAGE-----\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        vec(any::<u8>(), 0..60),
    ];
    vec(piece, 0..30).prop_map(|p| p.concat())
}

fn word() -> impl Strategy<Value = String> {
    vec(
        prop_oneof![Just('a'), Just('z'), Just('0'), Just('-')],
        1..12,
    )
    .prop_map(|c| c.into_iter().collect::<String>())
    .prop_filter("a valid local part or label", |s| {
        !s.starts_with('-') && !s.ends_with('-')
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_are_a_message_or_a_documented_refusal(raw in prop_oneof![vec(any::<u8>(), 0..300), mailish()]) {
        match parse(&raw, MAX, MAX / 2) {
            Ok(mail) => prop_assert!(mail.from.as_str().contains('@')),
            Err(InboundError::TooLarge(size, max)) => prop_assert!(size > max),
            Err(InboundError::Empty) => prop_assert!(raw.iter().all(u8::is_ascii_whitespace)),
            Err(InboundError::NoHeaders | InboundError::NoSender) => {}
        }
    }

    #[test]
    fn a_message_keeps_its_sender_in_any_charset_and_encoding(
        local in word(),
        domain in word(),
        name in any::<String>(),
        subject in any::<String>(),
        body in any::<String>(),
        charset in prop::sample::select(vec!["utf-8", "iso-8859-1", "us-ascii", "windows-1252", "koi8-r", "x-unknown"]),
        base64_body in any::<bool>(),
    ) {
        let b64 = |s: &str| STANDARD.encode(s.as_bytes());
        let (encoding, text) = if base64_body {
            ("base64", b64(&body))
        } else {
            ("8bit", body.replace(['\r', '\n'], " "))
        };
        let raw = format!(
            "From: =?utf-8?b?{}?= <{local}@{domain}.example>\r\nTo: security@project.test\r\n\
             Subject: =?utf-8?b?{}?=\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{text}\r\n",
            b64(&name), b64(&subject),
        );
        let mail = parse(raw.as_bytes(), 1 << 20, 1 << 20).unwrap();
        prop_assert_eq!(mail.from.as_str(), format!("{local}@{domain}.example"));
    }
}
