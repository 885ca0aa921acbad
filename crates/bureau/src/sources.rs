//! Where export files come from: files, folders (searched recursively for `.json` and
//! `.zip`) and `.zip` archives (as they arrive from messaging apps). Files are handed over
//! one at a time, read whole but never more than the core's [`MAX_FILE_BYTES`] (plus one
//! byte, to know a file is too large), so memory stays bounded however many files come in.
use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use survey_core::exchange::{ImportError, MAX_FILE_BYTES};

/// How deep folders are searched.
const MAX_DEPTH: usize = 32;

/// One place a file is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A file on disk.
    File(PathBuf),
    /// An entry of a zip archive (archive, index of the entry, entry name).
    ZipEntry(PathBuf, usize, String),
    /// An export with photos (docs/export-format.md, "A file with photos: one `.zip`"):
    /// one file, read from its `<name>.json` entry (archive, index, entry name); its
    /// `photos/…` entries are read by [`crate::photos`].
    PhotoZip(PathBuf, usize, String),
    /// A `.zip` inside a zip of files (archive, index of the entry, entry name): an export
    /// with photos sent within a bundle; read into memory (at most [`MAX_NESTED_ZIP_BYTES`]).
    NestedZip(PathBuf, usize, String),
    /// An archive that cannot be opened (it is reported as refused).
    BadZip(PathBuf, String),
}

/// The largest export zip read from inside another zip (it is held in memory).
pub const MAX_NESTED_ZIP_BYTES: u64 = 512 * 1024 * 1024;

/// Anything a zip archive can be read from.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// An open export with photos.
pub type Archive = zip::ZipArchive<Box<dyn ReadSeek>>;

impl Location {
    /// How the file is named in reports: the path, or `archive.zip › entry`.
    pub fn name(&self) -> String {
        match self {
            Location::File(p) | Location::BadZip(p, _) | Location::PhotoZip(p, _, _) => p.display().to_string(),
            Location::ZipEntry(p, _, e) | Location::NestedZip(p, _, e) => format!("{} › {e}", p.display()),
        }
    }
}

/// Why a file could not be read (before any check of its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Larger than the kit reads: refused with the core's own code.
    Import(ImportError),
    /// The file or archive cannot be read (detail for the log).
    Unreadable(String),
}

fn is_wanted(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.ends_with(".json") || lower.ends_with(".zip")
}

fn is_zip(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(e.path()) else { continue };
        if meta.is_dir() && depth < MAX_DEPTH {
            walk(&e.path(), depth + 1, out);
        } else if meta.is_file() && is_wanted(&name) {
            out.push(e.path());
        }
    }
}

/// Every file named by `inputs` (files as given, folders searched), each archive opened to
/// list its `.json` entries. Fails only when an input does not exist.
pub fn locate(inputs: &[PathBuf]) -> Result<Vec<Location>, String> {
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            walk(p, 0, &mut files);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(p.display().to_string());
        }
    }
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        if !is_zip(&f) {
            out.push(Location::File(f));
            continue;
        }
        match File::open(&f).map_err(|e| e.to_string()).and_then(|r| zip::ZipArchive::new(r).map_err(|e| e.to_string())) {
            Err(e) => out.push(Location::BadZip(f, e)),
            Ok(mut z) => {
                if let Some((i, name)) = export_with_photos(&mut z) {
                    out.push(Location::PhotoZip(f, i, name));
                    continue;
                }
                for i in 0..z.len() {
                    let Ok(entry) = z.by_index_raw(i) else {
                        out.push(Location::BadZip(f.clone(), format!("entry {i}")));
                        continue;
                    };
                    let name = match entry.name() {
                        Ok(n) => n.to_string(),
                        Err(_) => String::from_utf8_lossy(entry.name_raw()).to_string(),
                    };
                    let base = name.rsplit('/').next().unwrap_or(&name);
                    if entry.is_file() && base.to_lowercase().ends_with(".json") && !base.starts_with('.') {
                        out.push(Location::ZipEntry(f.clone(), i, name));
                    } else if entry.is_file() && base.to_lowercase().ends_with(".zip") && !base.starts_with('.') {
                        out.push(Location::NestedZip(f.clone(), i, name));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The `.json` entry of an export with photos: exactly one `.json` at the archive's top
/// level, and every other entry under `photos/`. Anything else is a bundle of files.
fn export_with_photos<R: Read + Seek>(z: &mut zip::ZipArchive<R>) -> Option<(usize, String)> {
    let mut json = None;
    let mut photos = 0;
    for i in 0..z.len() {
        let entry = z.by_index_raw(i).ok()?;
        let name = entry.name().ok()?;
        if name.starts_with("photos/") {
            photos += 1;
        } else if !name.contains('/') && name.to_lowercase().ends_with(".json") && json.is_none() {
            json = Some((i, name.to_string()));
        } else {
            return None;
        }
    }
    json.filter(|_| photos > 0)
}

fn read_bounded(r: impl Read, declared: Option<u64>) -> Result<Vec<u8>, ReadError> {
    if let Some(n) = declared.filter(|n| *n > MAX_FILE_BYTES as u64) {
        return Err(ReadError::Import(ImportError::TooLarge { bytes: usize::try_from(n).unwrap_or(usize::MAX) }));
    }
    let mut buf = Vec::new();
    r.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut buf).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    if buf.len() > MAX_FILE_BYTES {
        // Larger than it said (a zip entry's declared size is not to be trusted).
        return Err(ReadError::Import(ImportError::TooLarge { bytes: buf.len() }));
    }
    Ok(buf)
}

/// The archive of an export with photos at `loc` and the index of its `.json` entry;
/// `None` for any other location.
pub fn photo_archive(loc: &Location) -> Option<Result<(Archive, usize), ReadError>> {
    let unreadable = |e: &dyn std::fmt::Display| ReadError::Unreadable(e.to_string());
    let open = |p: &Path| -> Result<Archive, ReadError> {
        let f = File::open(p).map_err(|e| unreadable(&e))?;
        zip::ZipArchive::new(Box::new(f) as Box<dyn ReadSeek>).map_err(|e| unreadable(&e))
    };
    Some(match loc {
        Location::PhotoZip(p, i, _) => open(p).map(|z| (z, *i)),
        Location::NestedZip(p, i, _) => (|| {
            let mut outer = open(p)?;
            let entry = outer.by_index(*i).map_err(|e| unreadable(&e))?;
            if entry.size() > MAX_NESTED_ZIP_BYTES {
                return Err(ReadError::Unreadable(format!("{} bytes", entry.size())));
            }
            let mut bytes = Vec::new();
            entry.take(MAX_NESTED_ZIP_BYTES).read_to_end(&mut bytes).map_err(|e| unreadable(&e))?;
            let mut z = zip::ZipArchive::new(Box::new(std::io::Cursor::new(bytes)) as Box<dyn ReadSeek>).map_err(|e| unreadable(&e))?;
            let (json, _) = export_with_photos(&mut z).ok_or_else(|| ReadError::Unreadable("not an export with photos".into()))?;
            Ok((z, json))
        })(),
        _ => return None,
    })
}

/// The bytes at `loc`.
pub fn read(loc: &Location) -> Result<Vec<u8>, ReadError> {
    if let Some(archive) = photo_archive(loc) {
        let (mut z, i) = archive?;
        let entry = z.by_index(i).map_err(|e| ReadError::Unreadable(e.to_string()))?;
        let size = entry.size();
        return read_bounded(entry, Some(size));
    }
    match loc {
        Location::File(p) => {
            let f = File::open(p).map_err(|e| ReadError::Unreadable(e.to_string()))?;
            let len = f.metadata().ok().map(|m| m.len());
            read_bounded(f, len)
        }
        Location::ZipEntry(p, i, _) => {
            let f = File::open(p).map_err(|e| ReadError::Unreadable(e.to_string()))?;
            let mut z = zip::ZipArchive::new(f).map_err(|e| ReadError::Unreadable(e.to_string()))?;
            let entry = z.by_index(*i).map_err(|e| ReadError::Unreadable(e.to_string()))?;
            let size = entry.size();
            read_bounded(entry, Some(size))
        }
        Location::BadZip(_, e) => Err(ReadError::Unreadable(e.clone())),
        // Read through `photo_archive` above.
        Location::PhotoZip(..) | Location::NestedZip(..) => Err(ReadError::Unreadable("zip".into())),
    }
}
