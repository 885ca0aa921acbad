//! Browser tests of the export zip's parts (wasm-bindgen-test in headless Chromium): a zip
//! written by the kit reads back; what is not an export zip is refused; photo entries are
//! checked against their references with the browser's SHA-256 (the end-to-end tests read
//! the kit's zips with Python's zipfile and jose, and import zips Python wrote). The `zip`
//! crate (the bureau's reader, and the kit's writer before rawzip) is the second reference.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use liangshan_survey::exchange::zip::{self, PhotoProblem};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

#[wasm_bindgen_test]
fn a_written_zip_reads_back_and_a_cut_one_is_refused() {
    let photo = b"abc".to_vec();
    let r = format!("{ABC_SHA256}.jpg");
    let bytes = zip::write(&[("x.json".into(), b"{}".as_slice()), (format!("photos/{r}"), &photo)]).unwrap();
    assert!(zip::is_zip(&bytes));
    let u = zip::read(&bytes).unwrap();
    assert_eq!(u.json, b"{}");
    assert_eq!(u.photos.get(&r), Some(&photo));
    assert_eq!(zip::read(b"{}"), None);
    assert_eq!(zip::read(&bytes[..bytes.len() - 10]), None, "no central directory");
    // Two export files, or none: not an export zip.
    let two = zip::write(&[("a.json".into(), b"{}".as_slice()), ("b.json".into(), b"{}".as_slice())]).unwrap();
    assert_eq!(zip::read(&two), None);
    let none = zip::write(&[(format!("photos/{r}"), photo.as_slice())]).unwrap();
    assert_eq!(zip::read(&none), None);
    assert_eq!(zip::zip_name("laguo-2026-11-30-3.json"), "laguo-2026-11-30-3.zip");
}

#[wasm_bindgen_test]
async fn photos_are_checked_against_their_references() {
    let r = format!("{ABC_SHA256}.jpg");
    let good = BTreeMap::from([(r.clone(), b"abc".to_vec())]);
    assert_eq!(zip::check_photos(&good, None).await, Ok(good.clone()));
    let changed = BTreeMap::from([(r.clone(), b"abd".to_vec())]);
    assert_eq!(zip::check_photos(&changed, None).await, Err(PhotoProblem::BadPhoto));
    let misnamed = BTreeMap::from([("house.jpg".to_string(), b"abc".to_vec())]);
    assert_eq!(zip::check_photos(&misnamed, None).await, Err(PhotoProblem::BadPhoto));
    let upper = BTreeMap::from([(r.to_uppercase().replace(".JPG", ".jpg"), b"abc".to_vec())]);
    assert_eq!(zip::check_photos(&upper, None).await, Err(PhotoProblem::BadPhoto));
}

/// The entries of `bytes` as the `zip` crate reads them (CRCs checked at each entry's end):
/// `(name, stored?, data)` in the zip's order.
fn zip_crate_entries(bytes: &[u8]) -> Vec<(String, bool, Vec<u8>)> {
    let mut z = ::zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut e = z.by_index(i).unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (e.name().unwrap().into_owned(), e.compression() == ::zip::CompressionMethod::Stored, data)
        })
        .collect()
}

#[wasm_bindgen_test]
fn the_zip_crate_reads_the_kits_zip_and_the_kit_reads_the_zip_crates() {
    let photo = b"abc".to_vec();
    let r = format!("{ABC_SHA256}.jpg");
    let json = "{\"format\":\"liangshan-survey-export\",\"device\":\"拉果\"}".as_bytes();
    // The kit's zip, as the bureau's tool reads it: same entries, order, bytes, all stored.
    let ours = zip::write(&[("x.json".into(), json), (format!("photos/{r}"), &photo)]).unwrap();
    let read = zip_crate_entries(&ours);
    assert_eq!(read, vec![("x.json".into(), true, json.to_vec()), (format!("photos/{r}"), true, photo.clone())]);

    // A zip the `zip` crate wrote (an export of the kit before rawzip) reads back.
    let mut w = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = ::zip::write::SimpleFileOptions::default().compression_method(::zip::CompressionMethod::Stored);
    w.start_file("old.json", opts).unwrap();
    w.write_all(json).unwrap();
    w.start_file(format!("photos/{r}"), opts).unwrap();
    w.write_all(&photo).unwrap();
    let theirs = w.finish().unwrap().into_inner();
    let u = zip::read(&theirs).unwrap();
    assert_eq!(u.json, json);
    assert_eq!(u.photos, BTreeMap::from([(r.clone(), photo.clone())]));

    // A photo's byte changed inside the zip: its CRC no longer matches, the zip is refused.
    let at = ours.windows(3).position(|w| w == b"abc").unwrap();
    let mut changed = ours.clone();
    changed[at + 2] = b'd';
    assert_eq!(zip::read(&changed), None);
}
