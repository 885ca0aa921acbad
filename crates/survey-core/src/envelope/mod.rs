//! Encrypted export files: a JWE (RFC 7516) in the flattened JSON serialization
//! (§7.2.2), whose plaintext is the exact bytes of an export file
//! (`docs/export-format.md`, "Encrypted files").
//!
//! ```json
//! {"protected":"<base64url header>","encrypted_key":"…","iv":"…","ciphertext":"…","tag":"…"}
//! ```
//!
//! Two kinds, told apart by the header's `alg`:
//! - **bureau envelope**: `RSA-OAEP-256` + `A256GCM`, for a survey whose settings carry a
//!   `public_key` (XLSForm's column: base64 DER `SubjectPublicKeyInfo` of an RSA key).
//!   The tablet can make it, only the holder of the private key can open it. `kid` is the
//!   [fingerprint](Header::kid) of the public key, so an envelope for another key is named
//!   as such.
//! - **backup envelope**: `PBES2-HS256+A128KW` (or `PBES2-HS512+A256KW`) + `A256GCM`,
//!   with a passphrase the enumerator types (`p2s`, `p2c` in the header).
//!
//! Both carry the file's routing data as one custom header parameter, [`ROUTING_PARAM`]
//! (`lsk`): format, version, kind, survey, household count, export time, device — no
//! names, no ID numbers. The protected header is the AAD of AES-GCM, so it cannot be
//! changed without the file being refused; after decryption [`check_routing`] also
//! checks that the header says what the plaintext holds.
//!
//! This module is pure (no cryptography, compiles to wasm): [`classify`], [`parse`] and
//! the checks, and [`Envelope::assemble`] for a writer that did the cryptography
//! elsewhere (the app, with WebCrypto). Behind the feature `native-crypto` (RustCrypto
//! crates; never in the app), the native side:
//!
//! - `generate_key_pair(passphrase: &str) -> Result<(String, String), EnvelopeError>`:
//!   a new RSA-2048 key pair: `(private key as encrypted PKCS#8 PEM — PBES2, PBKDF2-SHA256
//!   with 600,000 iterations, AES-256-CBC, protected by passphrase — , public key as
//!   base64 DER SubjectPublicKeyInfo, the form the survey's `public_key` setting takes)`.
//! - `open_bureau(file: &[u8], private_pem: &str, passphrase: &str) -> Result<Vec<u8>,
//!   EnvelopeError>`: the plaintext export file of a bureau envelope (checked against its
//!   header), or why not.
//! - `open_backup(file: &[u8], passphrase: &str) -> Result<Vec<u8>, EnvelopeError>`.
//! - `seal_bureau`, `seal_backup`: the same envelopes made natively (tests, tools).
//!
//! The signatures of `generate_key_pair` and `open_bureau` are stable: the bureau's
//! tool calls them.
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::exchange::{ExportKind, FORMAT_NAME};

#[cfg(feature = "native-crypto")]
mod native;
#[cfg(feature = "native-crypto")]
pub use native::*;

/// Name of the header parameter holding the routing data.
pub const ROUTING_PARAM: &str = "lsk";
/// `alg` of a bureau envelope.
pub const ALG_BUREAU: &str = "RSA-OAEP-256";
/// `alg` the kit writes for a backup envelope.
pub const ALG_BACKUP: &str = "PBES2-HS256+A128KW";
/// The other password-based `alg` a backup may use (made by other tools).
pub const ALG_BACKUP_512: &str = "PBES2-HS512+A256KW";
/// `enc` of every envelope.
pub const ENC: &str = "A256GCM";
/// The `cty` of a photo's envelope in an export zip (`photos/<sha256>.jpg.jwe`,
/// docs/export-format.md): its plaintext is the JPEG's bytes, not an export file.
pub const PHOTO_CTY: &str = "image/jpeg";
/// PBKDF2 iterations the kit writes in a backup envelope (`p2c`): see
/// `docs/export-format.md` for how the figure was chosen (≥ 0.3 s on a cheap tablet).
pub const BACKUP_P2C: u32 = 600_000;
/// Fewest iterations a backup envelope may declare (RFC 7518 §4.8.1.2 recommends at
/// least 1,000).
pub const MIN_P2C: u64 = 1_000;
/// Most iterations a backup envelope may declare: a header asking for more would make
/// the tablet work for minutes, so it is refused.
pub const MAX_P2C: u64 = 10_000_000;
/// Length of the random `p2s` the kit writes (bytes).
pub const P2S_LEN: usize = 16;
/// The largest envelope file the tablet reads: base64url makes the ciphertext 4/3 of the
/// plain file, which is then checked against [`crate::exchange::MAX_FILE_BYTES`] as any
/// plain file (so an encrypted backup of as many households as a plain one still imports).
pub const MAX_ENVELOPE_BYTES: usize = crate::exchange::MAX_FILE_BYTES / 3 * 4 + 64 * 1024;
/// Shortest passphrase the kit accepts for a new backup (characters).
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Why an envelope was refused (or cannot be made). [`EnvelopeError::code`] is the
/// translation key in the app (`exchange.envelope.<code>`) and what the bureau's tool
/// prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Looks like the start of an envelope, but the file ends early.
    #[error("truncated")]
    Truncated,
    /// Not a well-formed envelope (a part is missing, not base64url, or the header is not
    /// a JSON object with the routing data).
    #[error("malformed")]
    Malformed,
    /// The header asks for an algorithm (or a parameter) the kit does not accept.
    #[error("unsupported_algorithm")]
    UnsupportedAlgorithm,
    /// Not an envelope at all (a plain file where an envelope was expected).
    #[error("not_envelope")]
    NotEnvelope,
    /// A bureau envelope where a backup was expected: only the bureau can open it.
    #[error("for_bureau")]
    ForBureau,
    /// A backup envelope where a bureau envelope was expected: it opens with the
    /// enumerator's passphrase.
    #[error("is_backup")]
    IsBackup,
    /// Made for another public key (the header's `kid` is not this key's fingerprint).
    #[error("wrong_key")]
    WrongKey,
    /// The passphrase does not open this backup.
    #[error("wrong_passphrase")]
    WrongPassphrase,
    /// The file was changed after it was made (the authentication tag does not match).
    #[error("tampered")]
    Tampered,
    /// The header does not say what the file holds (or its kind contradicts its
    /// algorithm).
    #[error("header_mismatch")]
    HeaderMismatch,
    /// The survey's `public_key` is not a base64 DER RSA public key.
    #[error("bad_public_key")]
    BadPublicKey,
    /// The private key file cannot be read with this passphrase (or is not RSA).
    #[error("bad_private_key")]
    BadPrivateKey,
    /// A new passphrase is shorter than [`MIN_PASSPHRASE_CHARS`].
    #[error("passphrase_short")]
    PassphraseShort,
    /// The passphrase typed twice differs.
    #[error("passphrase_mismatch")]
    PassphraseMismatch,
    /// The browser has no WebCrypto (`crypto.subtle`): an old browser, or a page not
    /// served over HTTPS. Nothing is written in plain text instead.
    #[error("no_webcrypto")]
    NoWebCrypto,
    /// The cryptography itself failed (out of memory, no randomness).
    #[error("crypto_failed")]
    CryptoFailed,
}

impl EnvelopeError {
    /// Every code (each needs a translation).
    pub const CODES: [&'static str; 16] = [
        "truncated",
        "malformed",
        "unsupported_algorithm",
        "not_envelope",
        "for_bureau",
        "is_backup",
        "wrong_key",
        "wrong_passphrase",
        "tampered",
        "header_mismatch",
        "bad_public_key",
        "bad_private_key",
        "passphrase_short",
        "passphrase_mismatch",
        "no_webcrypto",
        "crypto_failed",
    ];

    /// The stable code, used as translation key.
    pub fn code(&self) -> &'static str {
        match self {
            EnvelopeError::Truncated => "truncated",
            EnvelopeError::Malformed => "malformed",
            EnvelopeError::UnsupportedAlgorithm => "unsupported_algorithm",
            EnvelopeError::NotEnvelope => "not_envelope",
            EnvelopeError::ForBureau => "for_bureau",
            EnvelopeError::IsBackup => "is_backup",
            EnvelopeError::WrongKey => "wrong_key",
            EnvelopeError::WrongPassphrase => "wrong_passphrase",
            EnvelopeError::Tampered => "tampered",
            EnvelopeError::HeaderMismatch => "header_mismatch",
            EnvelopeError::BadPublicKey => "bad_public_key",
            EnvelopeError::BadPrivateKey => "bad_private_key",
            EnvelopeError::PassphraseShort => "passphrase_short",
            EnvelopeError::PassphraseMismatch => "passphrase_mismatch",
            EnvelopeError::NoWebCrypto => "no_webcrypto",
            EnvelopeError::CryptoFailed => "crypto_failed",
        }
    }
}

/// What a file can be routed by without opening it: the [`ROUTING_PARAM`] header
/// parameter. Mirrors the top-level keys of the export file it encrypts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    /// `liangshan-survey-export`.
    pub format: String,
    /// The export format version.
    pub format_version: u32,
    /// `bureau` or `backup`.
    pub kind: ExportKind,
    /// The survey's id.
    pub survey_id: String,
    /// The survey's version.
    pub survey_version: String,
    /// Households in the file.
    pub household_count: usize,
    /// Visit records in the file (present when it has visits, as in the file itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_count: Option<usize>,
    /// When the file was written (RFC 3339).
    pub exported_at: String,
    /// The tablet's id.
    pub device: String,
}

/// The top-level keys of an export file that routing repeats (the rest is skipped).
#[derive(Deserialize)]
struct PlainTop {
    format: String,
    format_version: u32,
    kind: ExportKind,
    survey: PlainSurvey,
    household_count: usize,
    #[serde(default)]
    visit_count: Option<usize>,
    exported_at: String,
    #[serde(default)]
    device: String,
}

#[derive(Deserialize)]
struct PlainSurvey {
    id: String,
    version: String,
}

impl Routing {
    /// The routing data of a plain export file; `None` when it is not one.
    pub fn of_plain(bytes: &[u8]) -> Option<Routing> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let top: PlainTop = serde_json::from_slice(bytes).ok()?;
        (top.format == FORMAT_NAME).then_some(Routing {
            format: top.format,
            format_version: top.format_version,
            kind: top.kind,
            survey_id: top.survey.id,
            survey_version: top.survey.version,
            household_count: top.household_count,
            visit_count: top.visit_count,
            exported_at: top.exported_at,
            device: top.device,
        })
    }

    /// The routing data of an export file being written.
    pub fn of_file(file: &crate::exchange::ExportFile) -> Routing {
        Routing {
            format: file.format.clone(),
            format_version: file.format_version,
            kind: file.kind,
            survey_id: file.survey.id.clone(),
            survey_version: file.survey.version.clone(),
            household_count: file.household_count,
            visit_count: file.visit_count,
            exported_at: file.exported_at.clone(),
            device: file.device.clone(),
        }
    }
}

/// The JOSE protected header of an envelope (only what the kit writes and reads; a
/// header with `crit` or `zip` is refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Key management: [`ALG_BUREAU`], [`ALG_BACKUP`] or [`ALG_BACKUP_512`].
    pub alg: String,
    /// Content encryption: [`ENC`].
    pub enc: String,
    /// Content type: `json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cty: Option<String>,
    /// Bureau envelopes: base64url (no padding) SHA-256 of the public key's DER
    /// `SubjectPublicKeyInfo` (the bytes the `public_key` setting holds in base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Backup envelopes: PBES2 salt input (base64url).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2s: Option<String>,
    /// Backup envelopes: PBKDF2 iteration count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2c: Option<u64>,
    /// The routing data.
    pub lsk: Routing,
    /// Refused when present (no extension is understood).
    #[serde(default, skip_serializing)]
    crit: Option<serde_json::Value>,
    /// Refused when present (the kit never compresses: compression before encryption can
    /// leak content).
    #[serde(default, skip_serializing)]
    zip: Option<serde_json::Value>,
}

impl Header {
    /// The header of a bureau envelope for the key with fingerprint `kid`.
    pub fn bureau(routing: Routing, kid: String) -> Header {
        Header {
            alg: ALG_BUREAU.into(),
            enc: ENC.into(),
            cty: Some("json".into()),
            kid: Some(kid),
            p2s: None,
            p2c: None,
            lsk: routing,
            crit: None,
            zip: None,
        }
    }

    /// The header of a backup envelope (`p2s`: the random salt input, raw bytes).
    pub fn backup(routing: Routing, p2s: &[u8], p2c: u32) -> Header {
        Header {
            alg: ALG_BACKUP.into(),
            enc: ENC.into(),
            cty: Some("json".into()),
            kid: None,
            p2s: Some(b64url(p2s)),
            p2c: Some(p2c.into()),
            lsk: routing,
            crit: None,
            zip: None,
        }
    }

    /// The header as the base64url text of the envelope's `protected` member (also the
    /// AAD of the content encryption).
    pub fn encode(&self) -> String {
        b64url(serde_json::to_string(self).expect("a header serialises").as_bytes())
    }

    /// The PBES2 salt (RFC 7518 §4.8.1.1): `UTF8(alg) || 0x00 || p2s`; `None` for a
    /// bureau envelope.
    pub fn pbes2_salt(&self) -> Option<Vec<u8>> {
        let p2s = URL_SAFE_NO_PAD.decode(self.p2s.as_deref()?).ok()?;
        let mut salt = self.alg.as_bytes().to_vec();
        salt.push(0);
        salt.extend_from_slice(&p2s);
        Some(salt)
    }

    /// The PBKDF2 iteration count of a backup envelope (checked by [`parse`]).
    pub fn iterations(&self) -> u32 {
        self.p2c.unwrap_or(0).min(u64::from(u32::MAX)) as u32
    }

    /// Bytes of the key-encryption key of a backup envelope (16 or 32).
    pub fn kek_len(&self) -> usize {
        if self.alg == ALG_BACKUP_512 {
            32
        } else {
            16
        }
    }
}

/// The flattened JSON serialization's members, still base64url.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Members {
    protected: String,
    encrypted_key: String,
    iv: String,
    ciphertext: String,
    tag: String,
}

/// A parsed envelope: its header (checked) and its parts, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The protected header.
    pub header: Header,
    /// The `protected` member as written (base64url ASCII): the AAD.
    pub protected: String,
    /// The encrypted content-encryption key.
    pub encrypted_key: Vec<u8>,
    /// The AES-GCM nonce (12 bytes).
    pub iv: Vec<u8>,
    /// The ciphertext.
    pub ciphertext: Vec<u8>,
    /// The AES-GCM tag (16 bytes).
    pub tag: Vec<u8>,
}

impl Envelope {
    /// What kind of envelope it is.
    pub fn kind(&self) -> EnvelopeKind {
        if self.header.alg == ALG_BUREAU {
            EnvelopeKind::Bureau
        } else {
            EnvelopeKind::Backup
        }
    }

    /// The AAD of the content encryption: the ASCII of `protected` (RFC 7516 §5.1 step 14).
    pub fn aad(&self) -> &[u8] {
        self.protected.as_bytes()
    }

    /// The envelope file (flattened JSON serialization) from its parts; `protected` is
    /// [`Header::encode`]'s text.
    pub fn assemble(protected: &str, encrypted_key: &[u8], iv: &[u8], ciphertext: &[u8], tag: &[u8]) -> String {
        let m = Members {
            protected: protected.to_string(),
            encrypted_key: b64url(encrypted_key),
            iv: b64url(iv),
            ciphertext: b64url(ciphertext),
            tag: b64url(tag),
        };
        serde_json::to_string(&m).expect("an envelope serialises")
    }
}

/// The two kinds of envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// For the bureau (RSA-OAEP-256).
    Bureau,
    /// A passphrase-protected backup (PBES2).
    Backup,
}

/// What a file is, before anything is decrypted.
#[derive(Debug, Clone, PartialEq)]
pub enum FileKind {
    /// A plain export file (or at least JSON that is not an envelope: the import checks
    /// decide the rest).
    Plain,
    /// A well-formed envelope (header checked).
    Envelope(Box<Envelope>),
    /// An envelope that cannot be used: why.
    BadEnvelope(EnvelopeError),
}

/// How an export file is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// Plain JSON (a survey without a `public_key`, or a backup by deliberate choice).
    Plain,
    /// A bureau envelope (the survey's `public_key`).
    Bureau,
    /// A backup envelope (the enumerator's passphrase).
    Passphrase,
}

/// The rule of what an export of `kind` becomes: a survey without a `public_key` exports
/// plain, as it always did; with one, a bureau file is always a bureau envelope, and a
/// backup is passphrase-protected unless plain text was deliberately chosen.
pub fn protection(kind: ExportKind, has_public_key: bool, plain_chosen: bool) -> Protection {
    match (has_public_key, kind) {
        (false, _) => Protection::Plain,
        (true, ExportKind::Bureau) => Protection::Bureau,
        (true, ExportKind::Backup) if plain_chosen => Protection::Plain,
        (true, ExportKind::Backup) => Protection::Passphrase,
    }
}

/// Whether the tablet may write the (never encrypted) CSV tables: always for a survey
/// without a `public_key`; with one, only by deliberate choice.
pub fn csv_allowed(has_public_key: bool, plain_chosen: bool) -> bool {
    !has_public_key || plain_chosen
}

/// What the tablet's import does with a file: `Ok(None)` for a plain file (the export
/// format's checks follow), `Ok(Some(backup))` for a backup envelope (ask for its
/// passphrase), or why it is refused — [`EnvelopeError::ForBureau`] for a bureau envelope,
/// which a tablet can never open.
pub fn for_tablet(bytes: &[u8]) -> Result<Option<Envelope>, EnvelopeError> {
    match classify(bytes) {
        FileKind::Plain => Ok(None),
        FileKind::Envelope(e) if e.kind() == EnvelopeKind::Backup => Ok(Some(*e)),
        FileKind::Envelope(_) => Err(EnvelopeError::ForBureau),
        FileKind::BadEnvelope(e) => Err(e),
    }
}

/// Tells a plain export from an envelope (and a bad envelope from both). Anything that is
/// not recognisably an envelope is [`FileKind::Plain`]: the export format's own checks
/// then say what is wrong with it.
pub fn classify(bytes: &[u8]) -> FileKind {
    match parse(bytes) {
        Ok(e) => FileKind::Envelope(Box::new(e)),
        Err(EnvelopeError::NotEnvelope) => FileKind::Plain,
        Err(e) => FileKind::BadEnvelope(e),
    }
}

/// The JWE JSON members: a JSON object whose first key is one of them is taken for an
/// envelope (so that a cut-short envelope is called so, not "not JSON").
const MEMBERS: [&str; 9] =
    ["protected", "encrypted_key", "iv", "ciphertext", "tag", "header", "unprotected", "aad", "recipients"];

/// Whether the text starts like an envelope: `{`, then a first key that is a JWE member
/// (whitespace and a BOM allowed).
fn looks_like_envelope(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rest = bytes.iter().copied().skip_while(u8::is_ascii_whitespace);
    if rest.next() != Some(b'{') {
        return false;
    }
    let mut rest = rest.skip_while(u8::is_ascii_whitespace);
    if rest.next() != Some(b'"') {
        return false;
    }
    let key: Vec<u8> = rest.take(16).take_while(|b| *b != b'"').collect();
    MEMBERS.iter().any(|m| m.as_bytes() == key.as_slice())
}

/// Parses and checks an envelope file: the five members, base64url, the header (JSON
/// object, algorithms on the allow-list, PBES2 parameters in range, routing data present
/// and consistent with the algorithm). [`EnvelopeError::NotEnvelope`] when the bytes are
/// not an envelope at all.
pub fn parse(bytes: &[u8]) -> Result<Envelope, EnvelopeError> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // A plain export (`{"format": …`) is told apart without parsing it twice.
    if !looks_like_envelope(text) {
        return Err(EnvelopeError::NotEnvelope);
    }
    let value: serde_json::Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) if e.is_eof() => return Err(EnvelopeError::Truncated),
        Err(_) => return Err(EnvelopeError::Malformed),
    };
    let Some(obj) = value.as_object() else { return Err(EnvelopeError::Malformed) };
    // JWE members the kit does not write change the meaning (an unprotected header, extra
    // AAD, several recipients): refused rather than ignored.
    if ["header", "unprotected", "aad", "recipients"].iter().any(|k| obj.contains_key(*k)) {
        return Err(EnvelopeError::UnsupportedAlgorithm);
    }
    let m: Members = serde_json::from_value(value).map_err(|_| EnvelopeError::Malformed)?;
    let part = |s: &str| URL_SAFE_NO_PAD.decode(s).map_err(|_| EnvelopeError::Malformed);
    let header_bytes = part(&m.protected)?;
    let raw: serde_json::Value = serde_json::from_slice(&header_bytes).map_err(|_| EnvelopeError::Malformed)?;
    let alg = raw.get("alg").and_then(|a| a.as_str()).ok_or(EnvelopeError::Malformed)?;
    let enc = raw.get("enc").and_then(|a| a.as_str()).ok_or(EnvelopeError::Malformed)?;
    if ![ALG_BUREAU, ALG_BACKUP, ALG_BACKUP_512].contains(&alg) || enc != ENC {
        return Err(EnvelopeError::UnsupportedAlgorithm);
    }
    let header: Header = serde_json::from_value(raw).map_err(|_| EnvelopeError::Malformed)?;
    if header.crit.is_some() || header.zip.is_some() {
        return Err(EnvelopeError::UnsupportedAlgorithm);
    }
    let e = Envelope {
        encrypted_key: part(&m.encrypted_key)?,
        iv: part(&m.iv)?,
        ciphertext: part(&m.ciphertext)?,
        tag: part(&m.tag)?,
        protected: m.protected,
        header,
    };
    if e.iv.len() != 12 || e.tag.len() != 16 {
        return Err(EnvelopeError::Malformed);
    }
    if e.header.lsk.format != FORMAT_NAME {
        return Err(EnvelopeError::Malformed);
    }
    match e.kind() {
        EnvelopeKind::Bureau => {
            if e.header.lsk.kind != ExportKind::Bureau {
                return Err(EnvelopeError::HeaderMismatch);
            }
        }
        EnvelopeKind::Backup => {
            if e.header.lsk.kind != ExportKind::Backup {
                return Err(EnvelopeError::HeaderMismatch);
            }
            let p2c = e.header.p2c.ok_or(EnvelopeError::Malformed)?;
            if !(MIN_P2C..=MAX_P2C).contains(&p2c) {
                return Err(EnvelopeError::UnsupportedAlgorithm);
            }
            let p2s = part(e.header.p2s.as_deref().ok_or(EnvelopeError::Malformed)?)?;
            if p2s.len() < 8 {
                return Err(EnvelopeError::UnsupportedAlgorithm);
            }
            // A128KW / A256KW of a 32-byte key is 40 bytes.
            if e.encrypted_key.len() != 40 {
                return Err(EnvelopeError::Malformed);
            }
        }
    }
    Ok(e)
}

/// After decryption: the plaintext must be an export file that the header describes
/// (a header that lies about the file is refused, even though it was authenticated).
pub fn check_routing(header: &Header, plaintext: &[u8]) -> Result<(), EnvelopeError> {
    match Routing::of_plain(plaintext) {
        Some(r) if r == header.lsk => Ok(()),
        _ => Err(EnvelopeError::HeaderMismatch),
    }
}

/// Checks a new backup passphrase typed twice.
pub fn check_new_passphrase(first: &str, second: &str) -> Result<(), EnvelopeError> {
    if first.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(EnvelopeError::PassphraseShort);
    }
    if first != second {
        return Err(EnvelopeError::PassphraseMismatch);
    }
    Ok(())
}

/// The DER bytes of a `public_key` setting (standard base64, whitespace and PEM armour
/// allowed): an ASN.1 SEQUENCE, or [`EnvelopeError::BadPublicKey`]. (Whether it is a
/// usable RSA key is decided by WebCrypto or the `rsa` crate.)
pub fn public_key_der(setting: &str) -> Result<Vec<u8>, EnvelopeError> {
    let b64: String = setting
        .lines()
        .filter(|l| !l.trim_start().starts_with("-----"))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = STANDARD.decode(b64).map_err(|_| EnvelopeError::BadPublicKey)?;
    if der.first() != Some(&0x30) || der.len() < 64 {
        return Err(EnvelopeError::BadPublicKey);
    }
    Ok(der)
}

/// base64url without padding (JOSE's encoding).
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
