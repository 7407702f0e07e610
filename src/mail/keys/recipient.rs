//! The one key of a certificate that mail to its holder is encrypted to,
//! kept apart as its own packet when the certificate is stored: a fan-out
//! then reads a packet of a hundred bytes per recipient instead of parsing
//! each whole certificate again (a twentieth of its work).

use pgp::composed::SignedPublicKey;
use pgp::packet::{Packet, PacketParser, PublicKey, PublicSubkey};
use pgp::ser::Serialize;

use super::{KeyError, fingerprint_hex};

/// A key to encrypt to: the primary key or a subkey of a certificate.
#[derive(Debug, Clone)]
pub enum RecipientKey {
    Primary(PublicKey),
    Subkey(PublicSubkey),
}

impl RecipientKey {
    /// The key of `cert` with fingerprint `chosen` (upper-case hex), as
    /// [`super::check_certificate`] chose it.
    pub fn find(cert: &SignedPublicKey, chosen: &str) -> Option<Self> {
        if fingerprint_hex(&cert.primary_key).eq_ignore_ascii_case(chosen) {
            return Some(Self::Primary(cert.primary_key.clone()));
        }
        cert.public_subkeys
            .iter()
            .find(|s| fingerprint_hex(&s.key).eq_ignore_ascii_case(chosen))
            .map(|s| Self::Subkey(s.key.clone()))
    }

    /// The key as one OpenPGP packet, header included.
    pub fn to_packet(&self) -> Result<Vec<u8>, KeyError> {
        let packet = match self {
            Self::Primary(k) => Packet::PublicKey(k.clone()),
            Self::Subkey(k) => Packet::PublicSubkey(k.clone()),
        };
        packet.to_bytes().map_err(|e| KeyError::Unparsable {
            reason: e.to_string(),
        })
    }

    /// Reads a packet written by [`Self::to_packet`]: exactly one public
    /// key or subkey packet.
    pub fn from_packet(bytes: &[u8]) -> Result<Self, KeyError> {
        let unparsable = |reason: &str| KeyError::Unparsable {
            reason: format!("the stored encryption key: {reason}"),
        };
        let mut packets = PacketParser::new(bytes);
        let key = match packets.next() {
            Some(Ok(Packet::PublicKey(k))) => Self::Primary(k),
            Some(Ok(Packet::PublicSubkey(k))) => Self::Subkey(k),
            Some(Err(e)) => return Err(unparsable(&e.to_string())),
            _ => return Err(unparsable("not a public key packet")),
        };
        match packets.next() {
            None => Ok(key),
            Some(_) => Err(unparsable("more than one packet")),
        }
    }

    /// Upper-case hex.
    pub fn fingerprint(&self) -> String {
        match self {
            Self::Primary(k) => fingerprint_hex(k),
            Self::Subkey(k) => fingerprint_hex(k),
        }
    }
}

/// The packet of the key of `armored` that [`super::check_certificate`]
/// chose (`chosen`), to store beside the certificate.
pub fn packet_of(armored: &str, chosen: &str) -> Result<Vec<u8>, KeyError> {
    let cert = super::parse_certificate(armored)?;
    RecipientKey::find(&cert, chosen)
        .ok_or(KeyError::NoEncryptionKey)?
        .to_packet()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::keys::tests::{ED25519, RSA3072, validate};

    #[test]
    fn the_chosen_key_comes_back_from_its_packet_alone() {
        for (armored, address) in [(ED25519, "alice@example.org"), (RSA3072, "bob@example.org")] {
            let info = validate(armored, address).unwrap();
            let packet = packet_of(armored, &info.encryption_subkey).unwrap();
            assert!(packet.len() < armored.len(), "{}", packet.len());
            let key = RecipientKey::from_packet(&packet).unwrap();
            assert_eq!(key.fingerprint(), info.encryption_subkey);
            assert!(matches!(key, RecipientKey::Subkey(_)));
        }
    }

    #[test]
    fn anything_but_one_key_packet_is_refused() {
        let info = validate(ED25519, "alice@example.org").unwrap();
        let packet = packet_of(ED25519, &info.encryption_subkey).unwrap();
        let twice = [packet.clone(), packet.clone()].concat();
        for bad in [
            &b""[..],
            &packet[..packet.len() - 3],
            &twice,
            b"\x01\x02\x03",
        ] {
            assert!(RecipientKey::from_packet(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(
            packet_of(ED25519, "0000000000000000000000000000000000000000"),
            Err(KeyError::NoEncryptionKey)
        ));
    }
}
