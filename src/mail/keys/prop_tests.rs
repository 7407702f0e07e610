//! Key upload against input nobody thought of: no pasted text, armored or
//! not, makes the certificate reader panic; it is refused with a reason.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::collection::vec;
use proptest::prelude::*;

use super::validate_certificate;

/// Armor around `bytes`, lines of 64, with or without a checksum.
fn armored(bytes: &[u8], checksum: bool) -> String {
    let body = STANDARD.encode(bytes);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let sum = if checksum { "=AAAA\n" } else { "" };
    format!(
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{}\n{sum}-----END PGP PUBLIC KEY BLOCK-----\n",
        lines.join("\n")
    )
}

/// Packet-ish bytes: OpenPGP packet headers (public key, user id,
/// signature, subkey) followed by anything.
fn packets() -> impl Strategy<Value = Vec<u8>> {
    let header = prop::sample::select(vec![0xc6u8, 0x99, 0xcd, 0xb4, 0xc2, 0x89, 0xce, 0xb9]);
    vec((header, vec(any::<u8>(), 0..80)), 0..6).prop_map(|ps| {
        ps.into_iter()
            .flat_map(|(h, body)| {
                let len = u8::try_from(body.len()).unwrap_or(0);
                [h, len].into_iter().chain(body)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_pasted_text_makes_the_key_reader_panic(text in prop_oneof![
        any::<String>(),
        (vec(any::<u8>(), 0..300), any::<bool>()).prop_map(|(b, c)| armored(&b, c)),
        (packets(), any::<bool>()).prop_map(|(b, c)| armored(&b, c)),
    ]) {
        let refused = validate_certificate(&text, "a@example.org", jiff::Timestamp::now(), 30);
        prop_assert!(refused.is_err(), "no random text is a usable key");
        prop_assert!(!refused.unwrap_err().to_string().is_empty());
    }
}
