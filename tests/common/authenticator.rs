//! A software passkey authenticator: what a browser with a platform
//! authenticator sends back from `navigator.credentials.create` and
//! `.get`, made here (P-256 keys, "none" attestation, user verified), so
//! the passkey ceremonies can be tested without a browser. The browser
//! tests (`tests/browser/passkeys.rs`) use Chromium's own instead.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// One credential the authenticator holds.
pub struct Credential {
    pub id: Vec<u8>,
    key: SigningKey,
    user_handle: Vec<u8>,
    counter: u32,
}

/// An authenticator used from pages of `origin`.
pub struct SoftAuthenticator {
    origin: String,
    pub credentials: Vec<Credential>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).expect("base64url")
}

/// CBOR (RFC 8949) heads: major type and length.
fn head(major: u8, n: usize) -> Vec<u8> {
    match n {
        0..=23 => vec![major << 5 | n as u8],
        24..=255 => vec![major << 5 | 24, n as u8],
        _ => {
            let mut v = vec![major << 5 | 25];
            v.extend_from_slice(&(n as u16).to_be_bytes());
            v
        }
    }
}

fn cbor_bytes(b: &[u8]) -> Vec<u8> {
    let mut v = head(2, b.len());
    v.extend_from_slice(b);
    v
}

fn cbor_text(s: &str) -> Vec<u8> {
    let mut v = head(3, s.len());
    v.extend_from_slice(s.as_bytes());
    v
}

/// A small CBOR integer (-24..=23).
fn cbor_int(i: i8) -> Vec<u8> {
    if i >= 0 {
        head(0, i as usize)
    } else {
        head(1, (-1 - i) as usize)
    }
}

impl SoftAuthenticator {
    pub fn new(origin: &str) -> Self {
        Self {
            origin: origin.trim_end_matches('/').to_owned(),
            credentials: Vec::new(),
        }
    }

    fn rp_id_hash(rp_id: &str) -> Vec<u8> {
        Sha256::digest(rp_id.as_bytes()).to_vec()
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        let data = json!({ "type": kind, "challenge": challenge,
                           "origin": self.origin, "crossOrigin": false });
        data.to_string().into_bytes()
    }

    /// The answer to `navigator.credentials.create({publicKey})`, as the
    /// page's script sends it; the new credential is kept.
    pub fn create(&mut self, public_key: &Value) -> String {
        let challenge = public_key["challenge"].as_str().expect("challenge");
        let rp_id = public_key["rp"]["id"].as_str().expect("rp id");
        let user = unb64(public_key["user"]["id"].as_str().expect("user id"));
        let key = SigningKey::from_slice(&rand::random::<[u8; 32]>()).expect("key");
        let id = rand::random::<[u8; 16]>().to_vec();
        let point = key.verifying_key().to_encoded_point(false);
        let mut cose = head(5, 5);
        cose.extend(cbor_int(1));
        cose.extend(cbor_int(2)); // kty: EC2
        cose.extend(cbor_int(3));
        cose.extend(cbor_int(-7)); // alg: ES256
        cose.extend(cbor_int(-1));
        cose.extend(cbor_int(1)); // crv: P-256
        cose.extend(cbor_int(-2));
        cose.extend(cbor_bytes(point.x().expect("x")));
        cose.extend(cbor_int(-3));
        cose.extend(cbor_bytes(point.y().expect("y")));
        let mut auth_data = Self::rp_id_hash(rp_id);
        auth_data.push(0x45); // user present, user verified, attested data
        auth_data.extend_from_slice(&0u32.to_be_bytes());
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID
        auth_data.extend_from_slice(&(id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&id);
        auth_data.extend(cose);
        let mut attestation = head(5, 3);
        attestation.extend(cbor_text("fmt"));
        attestation.extend(cbor_text("none"));
        attestation.extend(cbor_text("attStmt"));
        attestation.extend(head(5, 0));
        attestation.extend(cbor_text("authData"));
        attestation.extend(cbor_bytes(&auth_data));
        let client_data = self.client_data("webauthn.create", challenge);
        let answer = json!({
            "id": b64(&id), "rawId": b64(&id), "type": "public-key",
            "response": { "attestationObject": b64(&attestation),
                          "clientDataJSON": b64(&client_data), "transports": ["internal"] },
            "extensions": { "credProps": { "rk": true } },
        });
        self.credentials.push(Credential {
            id,
            key,
            user_handle: user,
            counter: 0,
        });
        answer.to_string()
    }

    /// The answer to `navigator.credentials.get({publicKey})` with the
    /// credential `n` (whether or not the options allow it).
    pub fn get_with(&mut self, n: usize, public_key: &Value) -> String {
        let challenge = public_key["challenge"].as_str().expect("challenge");
        let rp_id = public_key["rpId"].as_str().expect("rp id").to_owned();
        let client_data = self.client_data("webauthn.get", challenge);
        let cred = &mut self.credentials[n];
        cred.counter += 1;
        let mut auth_data = Self::rp_id_hash(&rp_id);
        auth_data.push(0x05); // user present, user verified
        auth_data.extend_from_slice(&cred.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = cred.key.sign(&signed);
        json!({
            "id": b64(&cred.id), "rawId": b64(&cred.id), "type": "public-key",
            "response": { "authenticatorData": b64(&auth_data),
                          "clientDataJSON": b64(&client_data),
                          "signature": b64(signature.to_der().as_bytes()),
                          "userHandle": b64(&cred.user_handle) },
            "extensions": {},
        })
        .to_string()
    }

    /// The answer to `navigator.credentials.get({publicKey})` as a browser
    /// gives it: with the first credential the options allow (any, for a
    /// discoverable sign-in).
    pub fn get(&mut self, public_key: &Value) -> String {
        let allowed: Vec<Vec<u8>> = public_key["allowCredentials"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["id"].as_str())
                    .map(unb64)
                    .collect()
            })
            .unwrap_or_default();
        let n = self
            .credentials
            .iter()
            .position(|c| allowed.is_empty() || allowed.contains(&c.id))
            .expect("a credential the options allow");
        self.get_with(n, public_key)
    }
}
