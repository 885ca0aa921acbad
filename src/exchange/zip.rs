//! The export `.zip` of a file with photos (`docs/export-format.md`, "A file with photos:
//! one .zip"): `<name>.json` (the file exactly as without photos, plain or its envelope)
//! and each referenced photo once, `photos/<sha256>.jpg` (plain) or
//! `photos/<sha256>.jpg.jwe` (its own envelope, same key as the file); entries stored
//! uncompressed, written and read with the `rawzip` crate.
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};

use js_sys::Uint8Array;
use rawzip::{CompressionMethod, ZipArchive, ZipArchiveWriter};
use survey_core::envelope::{EnvelopeError, Protection};
use survey_core::media;
use wasm_bindgen_futures::JsFuture;

use super::crypto;
use super::logic::Prepared;
use crate::storage::photos;

/// MIME type of the export zip.
pub const ZIP_TYPE: &str = "application/zip";
/// The largest zip an import reads (the core's import limit).
pub use survey_core::exchange::MAX_ZIP_BYTES;
/// The folder of the photos inside the zip.
pub const PHOTO_DIR: &str = "photos/";
/// The suffix of an encrypted photo's entry.
pub const SEALED_SUFFIX: &str = ".jwe";

/// Whether `bytes` start like a zip file (a local file header).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The zip's name for the export named `json_name` (`….json` → `….zip`).
pub fn zip_name(json_name: &str) -> String {
    format!("{}.zip", json_name.strip_suffix(".json").unwrap_or(json_name))
}

/// Every photo the records (households and visits) reference, each once, sorted.
pub fn photo_refs<'a>(records: impl IntoIterator<Item = &'a survey_core::Household>) -> BTreeSet<String> {
    records.into_iter().flat_map(|h| media::photo_refs(&h.record.answers)).collect()
}

/// Every photo the file's households and visits reference, each once, sorted.
pub fn referenced(p: &Prepared) -> Vec<String> {
    photo_refs(p.households.iter().chain(&p.visits)).into_iter().collect()
}

/// A zip with the entries `(name, bytes)` in that order, stored (each entry's CRC and
/// sizes in the data descriptor after it and in the central directory).
pub fn write(entries: &[(String, &[u8])]) -> Result<Vec<u8>, rawzip::Error> {
    let mut w = ZipArchiveWriter::new(Vec::new());
    for (name, bytes) in entries {
        let (mut entry, config) = w.new_file(name.as_str()).compression_method(CompressionMethod::STORE).start()?;
        let mut data = config.wrap(&mut entry);
        data.write_all(bytes)?;
        let (_, descriptor) = data.finish()?;
        entry.finish(descriptor)?;
    }
    w.finish()
}

/// The parts of an export zip: the export file and its photo entries, by the name after
/// `photos/` (`<sha256>.jpg` or `<sha256>.jpg.jwe`).
#[derive(Debug, Clone, PartialEq)]
pub struct Unpacked {
    /// The `<name>.json` entry.
    pub json: Vec<u8>,
    /// The photo entries.
    pub photos: BTreeMap<String, Vec<u8>>,
}

/// Reads an export zip; `None` when it is not one (not a zip, no single `.json` entry at
/// its top, a central directory whose entries are not as many as its end record says, or
/// an entry that cannot be read: not stored, encrypted, cut, or whose CRC or size is not
/// the central directory's). The sizes are bounded by the file's (the caller limits it): an
/// entry's bytes are a slice of it.
pub fn read(bytes: &[u8]) -> Option<Unpacked> {
    let archive = ZipArchive::from_slice(bytes).ok()?;
    let mut entries = archive.entries();
    let (mut json, mut photos, mut count) = (None, BTreeMap::new(), 0u64);
    while let Some(entry) = entries.next_entry().ok()? {
        count += 1;
        if entry.is_dir() {
            continue;
        }
        if entry.compression_method() != CompressionMethod::STORE || entry.flags().is_encrypted() {
            return None;
        }
        let name = String::from_utf8_lossy(entry.file_path().as_bytes()).into_owned();
        let stored = archive.get_entry(entry.wayfinder()).ok()?;
        let mut data = Vec::with_capacity(stored.data().len());
        stored.verifying_reader(stored.data()).read_to_end(&mut data).ok()?;
        if let Some(photo) = name.strip_prefix(PHOTO_DIR) {
            photos.insert(photo.to_string(), data);
        } else if name.ends_with(".json") && !name.contains('/') {
            if json.is_some() {
                return None;
            }
            json = Some(data);
        }
    }
    if count != archive.entries_hint() {
        return None;
    }
    Some(Unpacked { json: json?, photos })
}

/// A photo's bytes from IndexedDB; `None` when it is not stored (or cannot be read).
async fn stored_bytes(reference: &str) -> Option<Vec<u8>> {
    let blob = photos::get(reference).await.ok()??;
    let buf = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(Uint8Array::new(&buf).to_vec())
}

/// An export file ready to hand over.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// File name (`.json`, or `.zip` with photos).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type.
    pub mime: &'static str,
    /// Photos the households reference that are not on this tablet (not in the zip).
    pub missing: Vec<String>,
}

/// The export file of `p` as `protection` asks (`public_key` for the bureau, `passphrase`
/// for a backup): the JSON (or its envelope) alone when no household references a photo,
/// else the zip with the photos read from IndexedDB, each sealed like the file.
pub async fn bundle(
    p: &Prepared,
    protection: Protection,
    public_key: &str,
    passphrase: &str,
) -> Result<Bundle, EnvelopeError> {
    let (mut found, mut photo_bytes, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for r in referenced(p) {
        match stored_bytes(&r).await {
            Some(b) => {
                found.push(r);
                photo_bytes.push(b);
            }
            None => missing.push(r),
        }
    }
    let (file, sealed) = match protection {
        Protection::Plain => (p.text.clone(), Vec::new()),
        Protection::Bureau => crypto::seal_bureau_with_photos(&p.text, p.routing.clone(), public_key, &photo_bytes).await?,
        Protection::Passphrase => {
            crypto::seal_backup_with_photos(&p.text, p.routing.clone(), passphrase, &photo_bytes).await?
        }
    };
    if found.is_empty() && missing.is_empty() {
        return Ok(Bundle { name: p.name.clone(), bytes: file.into_bytes(), mime: super::browser::JSON_TYPE, missing });
    }
    let mut entries: Vec<(String, &[u8])> = vec![(p.name.clone(), file.as_bytes())];
    if protection == Protection::Plain {
        entries.extend(found.iter().zip(&photo_bytes).map(|(r, b)| (format!("{PHOTO_DIR}{r}"), b.as_slice())));
    } else {
        entries.extend(found.iter().zip(&sealed).map(|(r, s)| (format!("{PHOTO_DIR}{r}{SEALED_SUFFIX}"), s.as_bytes())));
    }
    let bytes = write(&entries).map_err(|_| EnvelopeError::CryptoFailed)?;
    Ok(Bundle { name: zip_name(&p.name), bytes, mime: ZIP_TYPE, missing })
}

/// Why the photos of an export zip are refused (nothing is stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoProblem {
    /// Not an export zip (no single `.json` entry, or unreadable entries).
    BadZip,
    /// A photo whose bytes do not match its reference, a photo entry not named by a
    /// reference, or a photo envelope that does not open.
    BadPhoto,
    /// The photos could not be stored in IndexedDB (full, or unavailable).
    PhotoFailed,
}

impl PhotoProblem {
    /// The code (`data-code`, the locale key under `exchange.zip`).
    pub fn code(self) -> &'static str {
        match self {
            PhotoProblem::BadZip => "bad_zip",
            PhotoProblem::BadPhoto => "bad_photo",
            PhotoProblem::PhotoFailed => "photo_failed",
        }
    }
}

/// The photo entries of a zip checked against their references: the JPEG bytes by
/// reference. A backup's entries (`<ref>.jwe`) are opened first with `backup` (the key the
/// backup's file was opened with). Any mismatch refuses them all ([`PhotoProblem::BadPhoto`]).
pub async fn check_photos(
    entries: &BTreeMap<String, Vec<u8>>,
    backup: Option<&crypto::BackupKey>,
) -> Result<BTreeMap<String, Vec<u8>>, PhotoProblem> {
    let plain = match backup {
        None => entries.clone(),
        Some(key) => {
            let mut sealed = BTreeMap::new();
            for (name, bytes) in entries {
                let r = name.strip_suffix(SEALED_SUFFIX).ok_or(PhotoProblem::BadPhoto)?;
                sealed.insert(r.to_string(), bytes.clone());
            }
            crypto::open_backup_photos(key, &sealed).await.map_err(|_| PhotoProblem::BadPhoto)?
        }
    };
    for (r, bytes) in &plain {
        let digest = crypto::sha256(bytes).await.map_err(|_| PhotoProblem::BadPhoto)?;
        if !media::is_photo_ref(r) || media::photo_ref(&digest) != *r {
            return Err(PhotoProblem::BadPhoto);
        }
    }
    Ok(plain)
}

/// The references the households and visits of `file` hold that `photos` lacks
/// (`missing_photo`).
pub fn missing(file: &survey_core::exchange::ImportedFile, photos: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    photo_refs(file.households.iter().chain(&file.visits)).into_iter().filter(|r| !photos.contains_key(r)).collect()
}

/// Stores `photos` (checked) in IndexedDB, before the households that reference them.
pub async fn store_photos(photos: &BTreeMap<String, Vec<u8>>) -> Result<(), PhotoProblem> {
    for (r, bytes) in photos {
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("image/jpeg");
        let parts = js_sys::Array::of1(&Uint8Array::from(bytes.as_slice()));
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
            .map_err(|_| PhotoProblem::PhotoFailed)?;
        photos::put(r, &blob).await.map_err(|_| PhotoProblem::PhotoFailed)?;
    }
    Ok(())
}
