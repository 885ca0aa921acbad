//! The browser's WebCrypto (`crypto.subtle`) making and opening the encrypted envelopes of
//! [`survey_core::envelope`] (JWE, flattened JSON): the core writes the header and the
//! file, WebCrypto does every cryptographic step, so the wasm carries no cryptography.
//!
//! - bureau: `importKey("spki", RSA-OAEP SHA-256)`, a fresh AES-256-GCM content key,
//!   `wrapKey("raw", …, RSA-OAEP)` → `encrypted_key`; `kid` = `digest("SHA-256", spki)`.
//! - backup: `importKey("raw", passphrase, "PBKDF2")` → `deriveKey(PBKDF2, salt =
//!   alg ‖ 0 ‖ p2s, p2c iterations, SHA-256 → AES-KW 128)` → `wrapKey("raw", …, AES-KW)`.
//! - content: `encrypt(AES-GCM, iv 96 bits, additionalData = the protected header's
//!   base64url ASCII, tag 128 bits)`; WebCrypto returns ciphertext ‖ tag.
//!
//! No `crypto.subtle` (an old browser, or a page not served over HTTPS) is
//! [`EnvelopeError::NoWebCrypto`]: nothing is ever written in plain text instead.
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use survey_core::envelope::{self, Envelope, EnvelopeError, Header, Routing, ALG_BACKUP_512, BACKUP_P2C, P2S_LEN};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// `globalThis.crypto` and its `subtle`, or [`EnvelopeError::NoWebCrypto`].
fn webcrypto() -> Result<(JsValue, SubtleCrypto), EnvelopeError> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).map_err(|_| EnvelopeError::NoWebCrypto)?;
    if !crypto.is_object() {
        return Err(EnvelopeError::NoWebCrypto);
    }
    let subtle = Reflect::get(&crypto, &"subtle".into()).map_err(|_| EnvelopeError::NoWebCrypto)?;
    if !subtle.is_object() {
        return Err(EnvelopeError::NoWebCrypto);
    }
    Ok((crypto, subtle.unchecked_into()))
}

/// Whether this page can encrypt (WebCrypto is there).
pub fn available() -> bool {
    webcrypto().is_ok()
}

/// `n` random bytes from `crypto.getRandomValues`.
fn random(crypto: &JsValue, n: usize) -> Result<Vec<u8>, EnvelopeError> {
    let buf = Uint8Array::new_with_length(n as u32);
    let f: js_sys::Function = Reflect::get(crypto, &"getRandomValues".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(EnvelopeError::NoWebCrypto)?;
    f.call1(crypto, &buf).map_err(|_| EnvelopeError::CryptoFailed)?;
    Ok(buf.to_vec())
}

/// A JS object `{k: v, …}` (WebCrypto's algorithm parameters).
fn params(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn usages(list: &[&str]) -> JsValue {
    list.iter().map(|u| JsValue::from_str(u)).collect::<Array>().into()
}

fn bytes(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

/// Awaits a WebCrypto promise; a refusal becomes `err`.
async fn wait(p: Result<Promise, JsValue>, err: EnvelopeError) -> Result<JsValue, EnvelopeError> {
    let p = p.map_err(|_| err.clone())?;
    JsFuture::from(p).await.map_err(|_| err)
}

fn key(v: JsValue) -> CryptoKey {
    v.unchecked_into()
}

fn buffer(v: &JsValue) -> Vec<u8> {
    Uint8Array::new(v).to_vec()
}

/// SHA-256 of `data` by `crypto.subtle.digest` (a photo's reference names its bytes).
pub async fn sha256(data: &[u8]) -> Result<[u8; 32], EnvelopeError> {
    let (_, subtle) = webcrypto()?;
    let d = wait(subtle.digest_with_str_and_u8_array("SHA-256", data), EnvelopeError::CryptoFailed).await?;
    buffer(&d).try_into().map_err(|_| EnvelopeError::CryptoFailed)
}

/// The bureau envelope of the export text `plain` (routing data `routing`), for the key in
/// the survey's `public_key` setting.
pub async fn seal_bureau(plain: &str, routing: Routing, public_key: &str) -> Result<String, EnvelopeError> {
    Ok(seal_bureau_with_photos(plain, routing, public_key, &[]).await?.0)
}

/// [`seal_bureau`], and each of `photos` (JPEG bytes) in an envelope of its own for the same
/// key (`"cty": "image/jpeg"`, a fresh content key each), the public key imported once.
pub async fn seal_bureau_with_photos(
    plain: &str,
    routing: Routing,
    public_key: &str,
    photos: &[Vec<u8>],
) -> Result<(String, Vec<String>), EnvelopeError> {
    let (crypto, subtle) = webcrypto()?;
    let der = envelope::public_key_der(public_key)?;
    let digest = wait(subtle.digest_with_str_and_u8_array("SHA-256", &der), EnvelopeError::CryptoFailed).await?;
    let kid = envelope::b64url(&buffer(&digest));
    let rsa = params(&[("name", "RSA-OAEP".into()), ("hash", "SHA-256".into())]);
    let public = key(wait(
        subtle.import_key_with_object("spki", &Uint8Array::from(der.as_slice()), &rsa, false, &usages(&["wrapKey"])),
        EnvelopeError::BadPublicKey,
    )
    .await?);
    seal_all(&crypto, &subtle, &Header::bureau(routing, kid), &public, "RSA-OAEP", plain, photos).await
}

/// The backup envelope of the export text `plain` (routing data `routing`), protected by
/// `passphrase` ([`BACKUP_P2C`] PBKDF2 iterations).
pub async fn seal_backup(plain: &str, routing: Routing, passphrase: &str) -> Result<String, EnvelopeError> {
    Ok(seal_backup_with_photos(plain, routing, passphrase, &[]).await?.0)
}

/// [`seal_backup`], and each of `photos` (JPEG bytes) in an envelope of its own with the
/// file's `p2s` and `p2c` (`"cty": "image/jpeg"`): the key is derived once.
pub async fn seal_backup_with_photos(
    plain: &str,
    routing: Routing,
    passphrase: &str,
    photos: &[Vec<u8>],
) -> Result<(String, Vec<String>), EnvelopeError> {
    let (crypto, subtle) = webcrypto()?;
    let p2s = random(&crypto, P2S_LEN)?;
    let header = Header::backup(routing, &p2s, BACKUP_P2C);
    let kek = derive_kek(&subtle, &header, passphrase, "wrapKey").await?;
    seal_all(&crypto, &subtle, &header, &kek, "AES-KW", plain, photos).await
}

/// Seals the file `plain` under `header`, then every photo under the same header with
/// `"cty": "image/jpeg"`; each gets a fresh content key wrapped by `wrapping` (`wrap_alg`).
async fn seal_all(
    crypto: &JsValue,
    subtle: &SubtleCrypto,
    header: &Header,
    wrapping: &CryptoKey,
    wrap_alg: &str,
    plain: &str,
    photos: &[Vec<u8>],
) -> Result<(String, Vec<String>), EnvelopeError> {
    let mut photo_header = header.clone();
    photo_header.cty = Some(PHOTO_CTY.into());
    let file = seal_wrapped(crypto, subtle, header, wrapping, wrap_alg, plain.as_bytes()).await?;
    let mut sealed = Vec::with_capacity(photos.len());
    for photo in photos {
        sealed.push(seal_wrapped(crypto, subtle, &photo_header, wrapping, wrap_alg, photo).await?);
    }
    Ok((file, sealed))
}

/// The content type of a photo's envelope (the core's).
pub use survey_core::envelope::PHOTO_CTY;

/// A fresh content key, wrapped by `wrapping`, encrypting `plain` into an envelope.
async fn seal_wrapped(
    crypto: &JsValue,
    subtle: &SubtleCrypto,
    header: &Header,
    wrapping: &CryptoKey,
    wrap_alg: &str,
    plain: &[u8],
) -> Result<String, EnvelopeError> {
    let cek = content_key(subtle).await?;
    let wrapped = wait(
        subtle.wrap_key_with_object("raw", &cek, wrapping, &params(&[("name", wrap_alg.into())])),
        EnvelopeError::CryptoFailed,
    )
    .await?;
    seal_content(crypto, subtle, header, &cek, &buffer(&wrapped), plain).await
}

/// The plaintext export file of a backup envelope, checked against its header.
pub async fn open_backup(e: &Envelope, passphrase: &str) -> Result<Vec<u8>, EnvelopeError> {
    Ok(open_backup_keyed(e, passphrase).await?.0)
}

/// The key a backup was opened with (its header and the key derived from the passphrase),
/// kept to open the backup's photos without deriving it again (600,000 PBKDF2 rounds).
#[derive(Clone)]
pub struct BackupKey {
    header: Header,
    kek: CryptoKey,
}

/// [`open_backup`], and the key it derived, for [`open_backup_photos`].
pub async fn open_backup_keyed(e: &Envelope, passphrase: &str) -> Result<(Vec<u8>, BackupKey), EnvelopeError> {
    let (_, subtle) = webcrypto()?;
    let kek = derive_kek(&subtle, &e.header, passphrase, "unwrapKey").await?;
    let plain = open_with(&subtle, &kek, e).await?;
    envelope::check_routing(&e.header, &plain)?;
    Ok((plain, BackupKey { header: e.header.clone(), kek }))
}

/// The JPEG bytes of a backup's photo envelopes (`photos`: each envelope's file bytes, by
/// any name), opened with the key of the backup they came with (a photo's envelope has the
/// file's `alg`, `p2s` and `p2c`, and `"cty": "image/jpeg"`, else it is
/// [`EnvelopeError::Malformed`]).
pub async fn open_backup_photos(
    key: &BackupKey,
    photos: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Result<std::collections::BTreeMap<String, Vec<u8>>, EnvelopeError> {
    let (_, subtle) = webcrypto()?;
    let file = &key.header;
    let mut out = std::collections::BTreeMap::new();
    for (name, bytes) in photos {
        let e = envelope::parse(bytes)?;
        let h = &e.header;
        if h.alg != file.alg || h.p2s != file.p2s || h.p2c != file.p2c || h.cty.as_deref() != Some(PHOTO_CTY) {
            return Err(EnvelopeError::Malformed);
        }
        out.insert(name.clone(), open_with(&subtle, &key.kek, &e).await?);
    }
    Ok(out)
}

/// Unwraps the content key of `e` with `kek` (AES-KW) and decrypts its content.
async fn open_with(subtle: &SubtleCrypto, kek: &CryptoKey, e: &Envelope) -> Result<Vec<u8>, EnvelopeError> {
    let cek = key(wait(
        subtle.unwrap_key_with_u8_array_and_object_and_object(
            "raw",
            &e.encrypted_key,
            kek,
            &params(&[("name", "AES-KW".into())]),
            &params(&[("name", "AES-GCM".into())]),
            false,
            &usages(&["decrypt"]),
        ),
        EnvelopeError::WrongPassphrase,
    )
    .await?);
    let mut sealed = e.ciphertext.clone();
    sealed.extend_from_slice(&e.tag);
    let plain = wait(
        subtle.decrypt_with_object_and_u8_array(&gcm(&e.iv, e.aad()), &cek, &sealed),
        EnvelopeError::Tampered,
    )
    .await?;
    Ok(buffer(&plain))
}

/// A fresh AES-256-GCM content-encryption key (extractable: it is wrapped).
async fn content_key(subtle: &SubtleCrypto) -> Result<CryptoKey, EnvelopeError> {
    let alg = params(&[("name", "AES-GCM".into()), ("length", 256.into())]);
    Ok(key(wait(subtle.generate_key_with_object(&alg, true, &usages(&["encrypt"])), EnvelopeError::CryptoFailed).await?))
}

/// PBES2 key derivation (RFC 7518 §4.8.1.1) → an AES-KW key for `usage`.
async fn derive_kek(subtle: &SubtleCrypto, header: &Header, passphrase: &str, usage: &str) -> Result<CryptoKey, EnvelopeError> {
    let salt = header.pbes2_salt().ok_or(EnvelopeError::Malformed)?;
    let base = key(wait(
        subtle.import_key_with_str(
            "raw",
            &Uint8Array::from(passphrase.as_bytes()),
            "PBKDF2",
            false,
            &usages(&["deriveKey"]),
        ),
        EnvelopeError::CryptoFailed,
    )
    .await?);
    let hash = if header.alg == ALG_BACKUP_512 { "SHA-512" } else { "SHA-256" };
    let pbkdf2 = params(&[
        ("name", "PBKDF2".into()),
        ("salt", bytes(&salt)),
        ("iterations", header.iterations().into()),
        ("hash", hash.into()),
    ]);
    let kw = params(&[("name", "AES-KW".into()), ("length", ((header.kek_len() * 8) as u32).into())]);
    Ok(key(wait(
        subtle.derive_key_with_object_and_object(&pbkdf2, &base, &kw, false, &usages(&[usage])),
        EnvelopeError::CryptoFailed,
    )
    .await?))
}

/// AES-GCM parameters: 96-bit `iv`, the protected header as AAD, 128-bit tag.
fn gcm(iv: &[u8], aad: &[u8]) -> Object {
    params(&[
        ("name", "AES-GCM".into()),
        ("iv", bytes(iv)),
        ("additionalData", bytes(aad)),
        ("tagLength", 128.into()),
    ])
}

/// Encrypts `plain` under `cek` and writes the envelope file.
async fn seal_content(
    crypto: &JsValue,
    subtle: &SubtleCrypto,
    header: &Header,
    cek: &CryptoKey,
    encrypted_key: &[u8],
    plain: &[u8],
) -> Result<String, EnvelopeError> {
    let protected = header.encode();
    let iv = random(crypto, 12)?;
    let out = wait(
        subtle.encrypt_with_object_and_u8_array(&gcm(&iv, protected.as_bytes()), cek, plain),
        EnvelopeError::CryptoFailed,
    )
    .await?;
    let mut sealed = buffer(&out);
    if sealed.len() < 16 {
        return Err(EnvelopeError::CryptoFailed);
    }
    let tag = sealed.split_off(sealed.len() - 16);
    Ok(Envelope::assemble(&protected, encrypted_key, &iv, &sealed, &tag))
}
