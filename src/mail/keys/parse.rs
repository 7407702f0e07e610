//! Reading the armored upload into one certificate, packet by packet.

use super::*;
use std::io::Read;

use pgp::armor::{BlockType, Dearmor, DearmorOptions};
use pgp::composed::{Deserializable, SignedPublicKey};
use pgp::errors::Error as PgpError;
use pgp::packet::{Packet, PacketParser};
use pgp::types::{KeyDetails, KeyVersion};

pub(super) fn parse_single_certificate(armored: &str) -> Result<SignedPublicKey, KeyError> {
    if armored.len() > MAX_CERTIFICATE_BYTES {
        return Err(KeyError::TooLarge {
            max_bytes: MAX_CERTIFICATE_BYTES,
        });
    }
    if armored.contains("-----BEGIN PGP PRIVATE KEY BLOCK-----") {
        return Err(KeyError::PrivateKey);
    }
    let blocks = armored.matches("-----BEGIN ").count();
    if blocks == 0 {
        return Err(KeyError::NotArmored);
    }
    if blocks > 1 {
        return Err(KeyError::MultipleBlocks { count: blocks });
    }

    let unparsable = |reason: String| KeyError::Unparsable { reason };
    // No CRC24 check: RFC 9580 says not to reject on a wrong CRC (the
    // signatures protect the content), and rPGP 0.21's check is broken (it
    // updates a copy of the hasher, so every GnuPG export fails it).
    let options = DearmorOptions::new().set_limit(MAX_CERTIFICATE_BYTES);
    let mut dearmor = Dearmor::with_options(armored.as_bytes(), options);
    dearmor.read_header().map_err(|_| KeyError::NotArmored)?;
    match dearmor.typ {
        Some(BlockType::PublicKey) => {}
        Some(BlockType::PrivateKey) => return Err(KeyError::PrivateKey),
        Some(other) => {
            return Err(KeyError::NotAPublicKey {
                found: other.to_string(),
            });
        }
        None => return Err(KeyError::NotArmored),
    }
    let mut bytes = Vec::new();
    dearmor
        .read_to_end(&mut bytes)
        .map_err(|e| unparsable(format!("armor: {e}")))?;

    // Read the packets ourselves (see the module comment): trust packets are
    // dropped rather than ending the key, incomplete packets are refused
    // rather than skipped, and secret keys are named rather than skipped.
    let mut packets = Vec::new();
    for packet in PacketParser::new(&bytes[..]) {
        match packet {
            Ok(Packet::SecretKey(_) | Packet::SecretSubkey(_)) => return Err(KeyError::PrivateKey),
            Ok(Packet::Marker(_) | Packet::Padding(_) | Packet::Trust(_)) => {}
            Ok(packet) => packets.push(packet),
            Err(e) if is_skippable(&e) => {}
            Err(e) => return Err(unparsable(e.to_string())),
        }
    }
    let count = packets
        .iter()
        .filter(|p| matches!(p, Packet::PublicKey(_)))
        .count();
    if count > 1 {
        return Err(KeyError::MultipleCertificates { count });
    }
    match packets.first() {
        Some(Packet::PublicKey(key)) => match key.version() {
            KeyVersion::V4 | KeyVersion::V6 => {}
            other => {
                return Err(KeyError::UnsupportedVersion {
                    version: u8::from(other),
                });
            }
        },
        _ => return Err(unparsable("no public key packet first".to_owned())),
    }
    SignedPublicKey::from_packets(packets.into_iter().map(Ok).peekable())
        .next()
        .ok_or_else(|| unparsable("no certificate".to_owned()))?
        .map_err(|e| unparsable(e.to_string()))
}

/// Parser errors that RFC 9580 lets us ignore: unknown packet types and
/// versions. Everything else (truncation, bad key material) is refused.
pub(super) fn is_skippable(error: &PgpError) -> bool {
    match error {
        PgpError::Unsupported { .. } => true,
        PgpError::InvalidPacketContent { source } => {
            matches!(**source, PgpError::Unsupported { .. })
        }
        _ => false,
    }
}
