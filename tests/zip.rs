//! Browser tests of the export zip's parts (wasm-bindgen-test in headless Chromium): a zip
//! written by the kit reads back; what is not an export zip is refused; photo entries are
//! checked against their references with the browser's SHA-256 (the end-to-end tests read
//! the kit's zips with Python's zipfile and jose, and import zips Python wrote).
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

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
