//! Photos of an export-with-photos (docs/export-format.md, "A file with photos: one
//! `.zip`"): read from the zip, opened with the bureau's key when encrypted
//! (`photos/<sha256>.jpg.jwe`), checked against their reference (the SHA-256 in the name)
//! and unpacked next to the register, one folder per household (and per visit, the visit
//! log's records): `<register's folder>/photos/<household or visit id>/<sha256>.jpg`.
//!
//! A photo whose bytes do not match its reference refuses the whole file; a reference
//! whose photo is not in the zip is reported, and the rest is taken.
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use survey_core::media::is_photo_ref;
use survey_core::Household;

use crate::keys::BureauKey;

/// The largest photo read from a zip (the app stores ~150–300 KB; a JWE is 4/3 of it).
pub const MAX_PHOTO_BYTES: u64 = 16 * 1024 * 1024;

/// The folder photos are unpacked into, next to the register.
pub fn photos_dir(register: &Path) -> PathBuf {
    register.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("photos")
}

/// Where the photo `reference` of household `household_id` is unpacked, under `dir`
/// ([`photos_dir`]). `None` for a household id that cannot be a folder name (the core's
/// ids are UUIDs; anything with a path separator or a dot-only name is refused).
pub fn photo_path(dir: &Path, household_id: &str, reference: &str) -> Option<PathBuf> {
    let safe = |s: &str| {
        !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', ':', '\0']) && s.len() <= 128
    };
    (safe(household_id) && is_photo_ref(reference)).then(|| dir.join(household_id).join(reference))
}

/// Why the photos of a file refuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoError {
    /// A photo's bytes do not match its reference (or it cannot be opened): `bad_photo`.
    Bad { reference: String, detail: String },
    /// An encrypted photo and no `--key`: `no_key`.
    NoKey,
    /// The zip cannot be read.
    Unreadable(String),
}

/// The photos a file's households reference: found (checked bytes) and missing.
#[derive(Debug, Default)]
pub struct Photos {
    /// Reference → the JPEG's bytes (checked).
    pub found: BTreeMap<String, Vec<u8>>,
    /// References without their photo in the zip.
    pub missing: Vec<String>,
}

/// Every photo reference of `records` (households and visits).
pub fn references<'a>(records: impl IntoIterator<Item = &'a Household>) -> BTreeSet<String> {
    records.into_iter().flat_map(|h| survey_core::media::photo_refs(&h.record.answers)).collect()
}

/// Reads, opens and checks the photos `wanted` from the export zip `z`. Entries the
/// households do not reference are ignored.
pub fn gather(z: &mut crate::sources::Archive, wanted: &BTreeSet<String>, key: Option<&BureauKey>) -> Result<Photos, PhotoError> {
    let mut out = Photos::default();
    for i in 0..z.len() {
        let entry = z.by_index(i).map_err(|e| PhotoError::Unreadable(e.to_string()))?;
        let Some(name) = entry.name().ok().and_then(|n| n.strip_prefix("photos/").map(str::to_string)) else { continue };
        let (reference, encrypted) = match name.strip_suffix(".jwe") {
            Some(r) => (r.to_string(), true),
            None => (name.clone(), false),
        };
        if !wanted.contains(&reference) || out.found.contains_key(&reference) {
            continue;
        }
        let bad = |detail: String| PhotoError::Bad { reference: reference.clone(), detail };
        if entry.size() > MAX_PHOTO_BYTES {
            return Err(bad(format!("{} bytes", entry.size())));
        }
        let mut bytes = Vec::new();
        entry.take(MAX_PHOTO_BYTES + 1).read_to_end(&mut bytes).map_err(|e| bad(e.to_string()))?;
        if bytes.len() as u64 > MAX_PHOTO_BYTES {
            return Err(bad(format!("{} bytes", bytes.len())));
        }
        let jpeg = if encrypted {
            let key = key.ok_or(PhotoError::NoKey)?;
            key.open_photo(&bytes).map_err(|e| bad(e.code().to_string()))?
        } else {
            bytes
        };
        let digest = crate::intake::sha256(&jpeg);
        if format!("{digest}.jpg") != reference {
            return Err(bad(format!("sha256 {digest}")));
        }
        out.found.insert(reference, jpeg);
    }
    out.missing = wanted.iter().filter(|r| !out.found.contains_key(*r)).cloned().collect();
    Ok(out)
}

/// Writes every found photo of every record (household or visit) into `dir`, a folder per
/// record (idempotent: a photo already there is left alone; a new one is written to a
/// temporary name, then renamed). Returns how many files were written.
pub fn unpack<'a>(dir: &Path, records: impl IntoIterator<Item = &'a Household>, photos: &Photos) -> std::io::Result<usize> {
    let mut written = 0;
    for h in records {
        for r in survey_core::media::photo_refs(&h.record.answers) {
            let Some(bytes) = photos.found.get(&r) else { continue };
            let Some(path) = photo_path(dir, &h.id, &r) else { continue };
            if path.is_file() {
                continue;
            }
            let folder = path.parent().expect("a household folder");
            std::fs::create_dir_all(folder)?;
            let tmp = folder.join(format!(".{r}.part"));
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, &path)?;
            written += 1;
        }
    }
    Ok(written)
}

/// `to` as a link relative to the folder `from` (`/`-separated: `photos`, `../photos`),
/// or `None` when either cannot be resolved (then the workbook keeps the reference text).
pub fn relative_link(from: &Path, to: &Path) -> Option<String> {
    use std::path::Component;
    let from = std::fs::canonicalize(from).ok()?;
    // The photo folder may not exist yet: resolve its parent.
    let to = match std::fs::canonicalize(to) {
        Ok(t) => t,
        Err(_) => std::fs::canonicalize(to.parent()?).ok()?.join(to.file_name()?),
    };
    let (f, t): (Vec<Component>, Vec<Component>) = (from.components().collect(), to.components().collect());
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - common];
    parts.extend(t[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    Some(parts.join("/"))
}

/// Long side of a report thumbnail, in pixels.
pub const THUMBNAIL_PX: u32 = 160;

/// A thumbnail of a JPEG (at most [`THUMBNAIL_PX`] on the long side, JPEG again), or
/// `None` when the bytes do not decode.
pub fn thumbnail(jpeg: &[u8]) -> Option<Vec<u8>> {
    let img = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).ok()?;
    let small = img.thumbnail(THUMBNAIL_PX, THUMBNAIL_PX).into_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75).encode_image(&small).ok()?;
    Some(out)
}

/// A geopoint (ODK's `"<lat> <lon> <alt> <accuracy>"`): latitude, longitude, accuracy.
pub fn geopoint(text: &str) -> Option<(f64, f64, Option<f64>)> {
    let mut parts = text.split_whitespace().map(str::parse::<f64>);
    let (lat, lon) = (parts.next()?.ok()?, parts.next()?.ok()?);
    let accuracy = parts.nth(1).and_then(Result::ok);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon, accuracy))
}
