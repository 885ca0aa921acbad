//! The bureau's key pair and opening encrypted files, with the core's envelope functions
//! (`survey_core::envelope`, feature `native-crypto`: RustCrypto, nothing home-made).
//!
//! The private key file is an encrypted PKCS#8 PEM (PBKDF2-SHA256, 600,000 rounds). It is
//! decrypted once per run; the key then lives only in memory, as an unencrypted PKCS#8
//! document (zeroed when dropped) that `open_bureau` reads without the slow derivation,
//! so a batch of hundreds of files is not slowed down by it.
use std::path::Path;

use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use survey_core::envelope::{self, EnvelopeError};

use crate::text::{t, Bi};

/// The bureau's private key, opened.
pub struct BureauKey {
    pem: rsa::pkcs8::der::zeroize::Zeroizing<String>,
}

impl std::fmt::Debug for BureauKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BureauKey(..)")
    }
}

/// Why the key file cannot be used.
#[derive(Debug)]
pub enum KeyError {
    /// Not readable.
    Io(std::io::Error),
    /// Not a key, or the passphrase does not open it (`bad_private_key`).
    Envelope(EnvelopeError),
}

impl BureauKey {
    /// Reads the private key file with its passphrase.
    pub fn load(path: &Path, passphrase: &str) -> Result<BureauKey, KeyError> {
        let text = std::fs::read_to_string(path).map_err(KeyError::Io)?;
        let key = envelope::read_private_key(&text, passphrase).map_err(KeyError::Envelope)?;
        let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|_| KeyError::Envelope(EnvelopeError::BadPrivateKey))?;
        Ok(BureauKey { pem })
    }

    /// The plaintext export file of a bureau envelope, or why not.
    pub fn open(&self, file: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
        envelope::open_bureau(file, &self.pem, "")
    }

    /// The JPEG of an encrypted photo (`photos/<sha256>.jpg.jwe`, docs/export-format.md):
    /// a flattened-JSON JWE, `RSA-OAEP-256` + `A256GCM`, `cty` `image/jpeg`, for this key
    /// (`kid`). The caller checks the bytes against the photo's reference.
    pub fn open_photo(&self, file: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        use base64::Engine;
        use rsa::pkcs8::EncodePublicKey;
        let b64 = |v: &serde_json::Value, k: &str| {
            let s = v.get(k).and_then(|s| s.as_str()).ok_or(EnvelopeError::Malformed)?;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).map_err(|_| EnvelopeError::Malformed)
        };
        let jwe: serde_json::Value = serde_json::from_slice(file).map_err(|_| EnvelopeError::Malformed)?;
        if ["header", "unprotected", "aad", "recipients"].iter().any(|k| jwe.get(k).is_some()) {
            return Err(EnvelopeError::UnsupportedAlgorithm);
        }
        let protected = jwe.get("protected").and_then(|s| s.as_str()).ok_or(EnvelopeError::Malformed)?;
        let header: serde_json::Value = serde_json::from_slice(&b64(&jwe, "protected")?).map_err(|_| EnvelopeError::Malformed)?;
        let field = |k: &str| header.get(k).and_then(|s| s.as_str());
        if field("alg") != Some(envelope::ALG_BUREAU) || field("enc") != Some(envelope::ENC) {
            return Err(EnvelopeError::UnsupportedAlgorithm);
        }
        if field("cty") != Some("image/jpeg") || header.get("crit").is_some() || header.get("zip").is_some() {
            return Err(EnvelopeError::Malformed);
        }
        let private = envelope::read_private_key(&self.pem, "")?;
        let spki = rsa::RsaPublicKey::from(&private).to_public_key_der().map_err(|_| EnvelopeError::BadPrivateKey)?;
        if field("kid").is_some_and(|kid| kid != envelope::key_id(spki.as_bytes())) {
            return Err(EnvelopeError::WrongKey);
        }
        let (iv, tag) = (b64(&jwe, "iv")?, b64(&jwe, "tag")?);
        if iv.len() != 12 || tag.len() != 16 {
            return Err(EnvelopeError::Malformed);
        }
        let cek = private
            .decrypt(rsa::Oaep::new::<rsa::sha2::Sha256>(), &b64(&jwe, "encrypted_key")?)
            .map_err(|_| EnvelopeError::Tampered)?;
        let cipher = aes_gcm::Aes256Gcm::new_from_slice(&cek).map_err(|_| EnvelopeError::Tampered)?;
        let mut sealed = b64(&jwe, "ciphertext")?;
        sealed.extend_from_slice(&tag);
        cipher
            .decrypt(aes_gcm::Nonce::from_slice(&iv), Payload { msg: &sealed, aad: protected.as_bytes() })
            .map_err(|_| EnvelopeError::Tampered)
    }
}

/// The message of an envelope error: the app's (`exchange.envelope.<code>`) when it has
/// one, else the bureau's (`bureau.envelope.<code>`).
pub fn message(code: &str) -> Bi {
    let app = format!("exchange.envelope.{code}");
    if crate::text::has(&app) {
        t(&app)
    } else {
        t(&format!("bureau.envelope.{code}"))
    }
}

/// A new key pair: `(private key PEM, encrypted with `passphrase`; public key, base64 — the
/// survey's `public_key` setting)`.
pub fn generate(passphrase: &str) -> Result<(String, String), EnvelopeError> {
    if passphrase.chars().count() < envelope::MIN_PASSPHRASE_CHARS {
        return Err(EnvelopeError::PassphraseShort);
    }
    envelope::generate_key_pair(passphrase)
}
