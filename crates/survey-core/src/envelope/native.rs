//! The envelopes natively (feature `native-crypto`), composed per RFC 7516/7518 from
//! RustCrypto crates: `rsa` (RSA-OAEP with SHA-256 and MGF1-SHA-256), `aes-gcm`,
//! `aes-kw` (RFC 3394), `pbkdf2` + `sha2`, `pkcs8` (encrypted private key files).
//! No primitive is written here.
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use pkcs8::der::pem::PemLabel;
use pkcs8::der::Decode;
use pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey, LineEnding};
use rand_core::{OsRng, RngCore};
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256, Sha512};

use super::*;

/// Iterations of PBKDF2-SHA256 protecting the private key file (OWASP's 2023 figure).
pub const PRIVATE_KEY_PBKDF2_ITERATIONS: u32 = 600_000;
/// Size of the bureau's RSA key.
pub const RSA_BITS: usize = 2048;

/// The `kid` of a public key: base64url SHA-256 of its DER `SubjectPublicKeyInfo`.
pub fn key_id(spki_der: &[u8]) -> String {
    b64url(&Sha256::digest(spki_der))
}

/// A new RSA-2048 key pair for the bureau: `(private key, public key)`. The private key
/// is an encrypted PKCS#8 PEM (`-----BEGIN ENCRYPTED PRIVATE KEY-----`; PBES2 with
/// PBKDF2-SHA256, 600,000 iterations, AES-256-CBC — OpenSSL reads it:
/// `openssl pkey -in key.pem`), protected by `passphrase`; the public key is the base64
/// DER `SubjectPublicKeyInfo` that the survey's `public_key` setting takes.
pub fn generate_key_pair(passphrase: &str) -> Result<(String, String), EnvelopeError> {
    let private = RsaPrivateKey::new(&mut OsRng, RSA_BITS).map_err(|_| EnvelopeError::CryptoFailed)?;
    let public = RsaPublicKey::from(&private);
    let spki = public.to_public_key_der().map_err(|_| EnvelopeError::CryptoFailed)?;
    let pem = encrypt_private_key(&private, passphrase)?;
    Ok((pem, STANDARD.encode(spki.as_bytes())))
}

fn encrypt_private_key(private: &RsaPrivateKey, passphrase: &str) -> Result<String, EnvelopeError> {
    use pkcs8::EncodePrivateKey;
    let der = private.to_pkcs8_der().map_err(|_| EnvelopeError::CryptoFailed)?;
    let info = pkcs8::PrivateKeyInfo::from_der(der.as_bytes()).map_err(|_| EnvelopeError::CryptoFailed)?;
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut iv);
    let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(PRIVATE_KEY_PBKDF2_ITERATIONS, &salt, &iv)
        .map_err(|_| EnvelopeError::CryptoFailed)?;
    let doc = info.encrypt_with_params(params, passphrase.as_bytes()).map_err(|_| EnvelopeError::CryptoFailed)?;
    let pem = doc
        .to_pem(pkcs8::EncryptedPrivateKeyInfo::PEM_LABEL, LineEnding::LF)
        .map_err(|_| EnvelopeError::CryptoFailed)?;
    Ok(pem.to_string())
}

/// Reads the bureau's encrypted private key file (an unencrypted PKCS#8 PEM is accepted
/// too, the passphrase then being ignored).
pub fn read_private_key(private_pem: &str, passphrase: &str) -> Result<RsaPrivateKey, EnvelopeError> {
    if private_pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        RsaPrivateKey::from_pkcs8_encrypted_pem(private_pem, passphrase.as_bytes())
    } else {
        RsaPrivateKey::from_pkcs8_pem(private_pem)
    }
    .map_err(|_| EnvelopeError::BadPrivateKey)
}

/// The plaintext export file of a bureau envelope, opened with the bureau's private key
/// (`private_pem` as [`generate_key_pair`] wrote it, with its passphrase), checked
/// against its header. Errors: every [`parse`] error; [`EnvelopeError::NotEnvelope`] for
/// a plain file, [`EnvelopeError::IsBackup`] for a backup, [`EnvelopeError::BadPrivateKey`],
/// [`EnvelopeError::WrongKey`] (made for another key), [`EnvelopeError::Tampered`],
/// [`EnvelopeError::HeaderMismatch`].
pub fn open_bureau(file: &[u8], private_pem: &str, passphrase: &str) -> Result<Vec<u8>, EnvelopeError> {
    let e = parse(file)?;
    if e.kind() != EnvelopeKind::Bureau {
        return Err(EnvelopeError::IsBackup);
    }
    let private = read_private_key(private_pem, passphrase)?;
    let spki = RsaPublicKey::from(&private).to_public_key_der().map_err(|_| EnvelopeError::BadPrivateKey)?;
    if e.header.kid.as_deref().is_some_and(|kid| kid != key_id(spki.as_bytes())) {
        return Err(EnvelopeError::WrongKey);
    }
    let cek = private.decrypt(Oaep::new::<Sha256>(), &e.encrypted_key).map_err(|_| EnvelopeError::Tampered)?;
    let plain = decrypt_content(&e, &cek)?;
    check_routing(&e.header, &plain)?;
    Ok(plain)
}

/// The plaintext export file of a backup envelope, opened with its passphrase and checked
/// against its header. Errors: every [`parse`] error; [`EnvelopeError::ForBureau`] for a
/// bureau envelope, [`EnvelopeError::WrongPassphrase`], [`EnvelopeError::Tampered`],
/// [`EnvelopeError::HeaderMismatch`].
pub fn open_backup(file: &[u8], passphrase: &str) -> Result<Vec<u8>, EnvelopeError> {
    let e = parse(file)?;
    if e.kind() != EnvelopeKind::Backup {
        return Err(EnvelopeError::ForBureau);
    }
    let kek = derive_kek(&e.header, passphrase)?;
    let cek = match kek.len() {
        16 => aes_kw::KekAes128::new(kek.as_slice().into()).unwrap_vec(&e.encrypted_key),
        _ => aes_kw::KekAes256::new(kek.as_slice().into()).unwrap_vec(&e.encrypted_key),
    }
    .map_err(|_| EnvelopeError::WrongPassphrase)?;
    let plain = decrypt_content(&e, &cek)?;
    check_routing(&e.header, &plain)?;
    Ok(plain)
}

/// The JPEG bytes of a photo's bureau envelope (`photos/<sha256>.jpg.jwe` in an export
/// zip, docs/export-format.md): a flattened-JSON JWE, `RSA-OAEP-256` + `A256GCM`, `cty`
/// `image/jpeg`, for this key (`kid`, when present). The kit's photo headers also carry the
/// file's routing data, but it does not describe a JPEG, so it is not required: any JOSE
/// library's envelope of the photo opens. The caller checks the bytes against the photo's
/// reference. Errors: [`EnvelopeError::Malformed`], [`EnvelopeError::UnsupportedAlgorithm`],
/// [`EnvelopeError::BadPrivateKey`], [`EnvelopeError::WrongKey`], [`EnvelopeError::Tampered`].
pub fn open_bureau_photo(file: &[u8], private_pem: &str, passphrase: &str) -> Result<Vec<u8>, EnvelopeError> {
    let b64 = |v: &serde_json::Value, k: &str| {
        let s = v.get(k).and_then(|s| s.as_str()).ok_or(EnvelopeError::Malformed)?;
        URL_SAFE_NO_PAD.decode(s).map_err(|_| EnvelopeError::Malformed)
    };
    let jwe: serde_json::Value = serde_json::from_slice(file).map_err(|_| EnvelopeError::Malformed)?;
    if ["header", "unprotected", "aad", "recipients"].iter().any(|k| jwe.get(k).is_some()) {
        return Err(EnvelopeError::UnsupportedAlgorithm);
    }
    let protected = jwe.get("protected").and_then(|s| s.as_str()).ok_or(EnvelopeError::Malformed)?;
    let header: serde_json::Value =
        serde_json::from_slice(&b64(&jwe, "protected")?).map_err(|_| EnvelopeError::Malformed)?;
    let field = |k: &str| header.get(k).and_then(|s| s.as_str());
    if field("alg") != Some(ALG_BUREAU) || field("enc") != Some(ENC) {
        return Err(EnvelopeError::UnsupportedAlgorithm);
    }
    if field("cty") != Some(PHOTO_CTY) || header.get("crit").is_some() || header.get("zip").is_some() {
        return Err(EnvelopeError::Malformed);
    }
    let private = read_private_key(private_pem, passphrase)?;
    let spki = RsaPublicKey::from(&private).to_public_key_der().map_err(|_| EnvelopeError::BadPrivateKey)?;
    if field("kid").is_some_and(|kid| kid != key_id(spki.as_bytes())) {
        return Err(EnvelopeError::WrongKey);
    }
    let (iv, tag) = (b64(&jwe, "iv")?, b64(&jwe, "tag")?);
    if iv.len() != 12 || tag.len() != 16 {
        return Err(EnvelopeError::Malformed);
    }
    let cek = private.decrypt(Oaep::new::<Sha256>(), &b64(&jwe, "encrypted_key")?).map_err(|_| EnvelopeError::Tampered)?;
    if cek.len() != 32 {
        return Err(EnvelopeError::Tampered);
    }
    let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|_| EnvelopeError::Tampered)?;
    let mut sealed = b64(&jwe, "ciphertext")?;
    sealed.extend_from_slice(&tag);
    cipher.decrypt(Nonce::from_slice(&iv), Payload { msg: &sealed, aad: protected.as_bytes() }).map_err(|_| EnvelopeError::Tampered)
}

/// PBES2 key derivation (RFC 7518 §4.8.1.1).
fn derive_kek(header: &Header, passphrase: &str) -> Result<Vec<u8>, EnvelopeError> {
    let salt = header.pbes2_salt().ok_or(EnvelopeError::Malformed)?;
    let mut kek = vec![0u8; header.kek_len()];
    if header.alg == ALG_BACKUP_512 {
        pbkdf2::pbkdf2_hmac::<Sha512>(passphrase.as_bytes(), &salt, header.iterations(), &mut kek);
    } else {
        pbkdf2::pbkdf2_hmac::<Sha256>(passphrase.as_bytes(), &salt, header.iterations(), &mut kek);
    }
    Ok(kek)
}

fn decrypt_content(e: &Envelope, cek: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    if cek.len() != 32 {
        return Err(EnvelopeError::Tampered);
    }
    let cipher = Aes256Gcm::new_from_slice(cek).map_err(|_| EnvelopeError::Tampered)?;
    let mut sealed = e.ciphertext.clone();
    sealed.extend_from_slice(&e.tag);
    cipher
        .decrypt(Nonce::from_slice(&e.iv), Payload { msg: &sealed, aad: e.aad() })
        .map_err(|_| EnvelopeError::Tampered)
}

/// Encrypts `plaintext` under a fresh content key; returns the envelope file.
fn seal(header: &Header, cek: &[u8; 32], encrypted_key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    let protected = header.encode();
    let mut iv = [0u8; 12];
    OsRng.fill_bytes(&mut iv);
    let cipher = Aes256Gcm::new_from_slice(cek).map_err(|_| EnvelopeError::CryptoFailed)?;
    let mut sealed = cipher
        .encrypt(Nonce::from_slice(&iv), Payload { msg: plaintext, aad: protected.as_bytes() })
        .map_err(|_| EnvelopeError::CryptoFailed)?;
    let tag = sealed.split_off(sealed.len() - 16);
    Ok(Envelope::assemble(&protected, encrypted_key, &iv, &sealed, &tag).into_bytes())
}

/// A bureau envelope of a plain export file, for the key in `public_key` (the survey
/// setting's base64 DER). [`EnvelopeError::NotEnvelope`] when `plaintext` is not an
/// export file (nothing else can be routed).
pub fn seal_bureau(plaintext: &[u8], public_key: &str) -> Result<Vec<u8>, EnvelopeError> {
    let routing = Routing::of_plain(plaintext).ok_or(EnvelopeError::NotEnvelope)?;
    let der = public_key_der(public_key)?;
    let public = RsaPublicKey::from_public_key_der(&der).map_err(|_| EnvelopeError::BadPublicKey)?;
    let mut cek = [0u8; 32];
    OsRng.fill_bytes(&mut cek);
    let ek = public.encrypt(&mut OsRng, Oaep::new::<Sha256>(), &cek).map_err(|_| EnvelopeError::CryptoFailed)?;
    seal(&Header::bureau(routing, key_id(&der)), &cek, &ek, plaintext)
}

/// A backup envelope (`PBES2-HS256+A128KW`, `p2c` iterations) of a plain export file.
pub fn seal_backup(plaintext: &[u8], passphrase: &str, p2c: u32) -> Result<Vec<u8>, EnvelopeError> {
    let routing = Routing::of_plain(plaintext).ok_or(EnvelopeError::NotEnvelope)?;
    let mut p2s = [0u8; P2S_LEN];
    OsRng.fill_bytes(&mut p2s);
    let header = Header::backup(routing, &p2s, p2c);
    let kek = derive_kek(&header, passphrase)?;
    let mut cek = [0u8; 32];
    OsRng.fill_bytes(&mut cek);
    let ek = aes_kw::KekAes128::new(kek.as_slice().into()).wrap_vec(&cek).map_err(|_| EnvelopeError::CryptoFailed)?;
    seal(&header, &cek, &ek, plaintext)
}
