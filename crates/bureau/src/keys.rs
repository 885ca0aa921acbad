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
        envelope::open_bureau_photo(file, &self.pem, "")
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
