//! Exports with photos at the bureau (docs/export-format.md, "A file with photos: one
//! `.zip`"): zips built per the contract (plain, and encrypted with the TEST-ONLY key),
//! taken by the real binary into a real register; the photo folder, the workbook's
//! hyperlinks (read back with calamine) and the report's thumbnails (decoded back with
//! the image crate) checked.
mod support;

use std::io::Write;
use std::path::Path;

use support::*;
use survey_core::envelope;
use survey_core::exchange::ExportKind;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../survey-core/tests/fixtures/envelope/");


/// A photo sealed as the contract says: flattened JWE, RSA-OAEP-256 + A256GCM, `cty`
/// `image/jpeg`, `kid` of the key (RustCrypto's primitives, as the core's sealing).
fn seal_photo(jpeg: &[u8], public_b64: &str) -> Vec<u8> {
    use aes_gcm::aead::{Aead, AeadCore, KeyInit, Payload};
    use rsa::pkcs8::DecodePublicKey;
    let der = envelope::public_key_der(public_b64).unwrap();
    let public = rsa::RsaPublicKey::from_public_key_der(&der).unwrap();
    let header = serde_json::json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "image/jpeg", "kid": envelope::key_id(&der)});
    let protected = envelope::b64url(header.to_string().as_bytes());
    let cek = aes_gcm::Aes256Gcm::generate_key(aes_gcm::aead::OsRng);
    let ek = public.encrypt(&mut aes_gcm::aead::OsRng, rsa::Oaep::new::<rsa::sha2::Sha256>(), &cek).unwrap();
    let iv = aes_gcm::Aes256Gcm::generate_nonce(aes_gcm::aead::OsRng);
    let mut sealed = aes_gcm::Aes256Gcm::new(&cek).encrypt(&iv, Payload { msg: jpeg, aad: protected.as_bytes() }).unwrap();
    let tag = sealed.split_off(sealed.len() - 16);
    envelope::Envelope::assemble(&protected, &ek, &iv, &sealed, &tag).into_bytes()
}

/// Grade D (front and damage photos, a location) and grade A (front photo only).
fn households(front_d: &str, damage_d: &str, front_a: &str) -> Vec<survey_core::Household> {
    let s = survey();
    let at = "2026-11-10T02:00:00.000Z";
    let mut d = Spec::new("hh-d", "阿苏拉且");
    d.housing = "d";
    let mut hd = finalized(&s, &d, "t", at);
    correct(&s, &mut hd, "照片", "2026-11-10T03:00:00.000Z", &[
        ("house_photo_front", front_d),
        ("house_photo_damage", damage_d),
        ("house_location", "27.8866 102.2643 1520 8.5"),
    ]);
    let mut a = Spec::new("hh-a", "吉克木呷");
    a.seq = 2;
    let mut ha = finalized(&s, &a, "t", at);
    correct(&s, &mut ha, "照片", "2026-11-10T03:00:00.000Z", &[("house_photo_front", front_a)]);
    vec![hd, ha]
}

fn photo_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for h in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(h.path()).unwrap().flatten() {
            out.push(format!("{}/{}", h.file_name().to_string_lossy(), f.file_name().to_string_lossy()));
        }
    }
    out.sort();
    out
}

#[test]
fn exports_with_photos_are_unpacked_per_household_checked_and_linked() {
    let s = survey();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite");
    let photos_dir = dir.path().join("photos");
    let (front_d, damage_d, front_a) = (jpeg(640, 480, 10), jpeg(480, 640, 200), jpeg(320, 240, 90));
    let (rfd, rdd, rfa) = (reference(&front_d), reference(&damage_d), reference(&front_a));

    // A refused file first: one photo's bytes do not match its reference. Nothing stored,
    // no photo unpacked, the message is the locale's.
    let mut hs = households(&rfd, &rdd, &rfa);
    let plain = export(&s, &mut hs, ExportKind::Bureau, "t", "吉克阿依", "2026-11-10T08:00:00.000Z");
    let bad = dir.path().join("bad.zip");
    let mut changed = damage_d.clone();
    let last = changed.len() - 3;
    changed[last] ^= 1;
    zip_file(&bad, "bad.json", plain.as_bytes(), &[(rfd.clone(), front_d.clone()), (rdd.clone(), changed), (rfa.clone(), front_a.clone())]);
    let (code, v, out) = bureau_json(&db, &["intake", bad.to_str().unwrap()]);
    assert_eq!(code, bureau::exit::REFUSED, "{out}");
    assert_eq!(v["files"][0]["code"], "bad_photo", "{out}");
    let want = bureau::text::t("bureau.photos.bad_photo");
    assert_eq!(v["files"][0]["message"]["zh"], format!("{}{rdd}", want.zh));
    assert_eq!(v["files"][0]["message"]["ii"], format!("{}{rdd}", want.ii));
    assert_eq!(count(&db, "SELECT count(*) FROM versions"), 0);
    assert!(photo_files(&photos_dir).is_empty());

    // Plain: taken as one file; every photo in its household's folder, byte for byte.
    let good = dir.path().join("liangshan-bureau-t.zip");
    zip_file(&good, "liangshan-bureau-t.json", plain.as_bytes(), &[(rfd.clone(), front_d.clone()), (rdd.clone(), damage_d.clone()), (rfa.clone(), front_a.clone())]);
    let (code, v, out) = bureau_json(&db, &["intake", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(v["files"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(v["files"][0]["outcome"], "taken", "{out}");
    assert_eq!(v["files"][0]["photos"], 3);
    assert_eq!(count(&db, "SELECT count(*) FROM households"), 2);
    assert_eq!(photo_files(&photos_dir), {
        let mut w = vec![format!("hh-a/{rfa}"), format!("hh-d/{rdd}"), format!("hh-d/{rfd}")];
        w.sort();
        w
    });
    assert_eq!(std::fs::read(photos_dir.join("hh-d").join(&rdd)).unwrap(), damage_d);

    // The same export zip inside a zip of files (as a messaging app bundles them), into a
    // fresh register elsewhere: the same households and photos.
    let bundle = dir.path().join("bundle.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&bundle).unwrap());
    z.start_file("收到/liangshan-bureau-t.zip", zip::write::SimpleFileOptions::default()).unwrap();
    z.write_all(&std::fs::read(&good).unwrap()).unwrap();
    z.finish().unwrap();
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let (code, v, out) = bureau_json(&other.join("register.sqlite"), &["intake", bundle.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!((v["files"].as_array().unwrap().len(), v["files"][0]["households"].as_u64()), (1, Some(2)), "{out}");
    assert_eq!(photo_files(&other.join("photos")), photo_files(&photos_dir));

    // Encrypted (the TEST-ONLY key): the JSON sealed by the core, the photos as JWEs; a
    // photo missing from the zip is reported and the rest taken. The same photos again
    // stay one file each.
    let public = std::fs::read_to_string(format!("{FIXTURES}test-public-key.b64")).unwrap();
    let mut hs = households(&rfd, &rdd, &rfa);
    let later = export(&s, &mut hs, ExportKind::Bureau, "t2", "吉克阿依", "2026-11-11T08:00:00.000Z");
    let sealed = envelope::seal_bureau(later.as_bytes(), public.trim()).unwrap();
    let enc = dir.path().join("sealed.zip");
    zip_file(&enc, "sealed.json", &sealed, &[(format!("{rfd}.jwe"), seal_photo(&front_d, public.trim())), (format!("{rdd}.jwe"), seal_photo(&damage_d, public.trim()))]);
    let key = format!("{FIXTURES}TEST-ONLY-private-key.pem");
    let (code, v, out) = bureau_json(&db, &["--key", &key, "intake", enc.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(v["files"][0]["outcome"], "taken", "{out}");
    assert_eq!(v["files"][0]["photos"], 2);
    assert_eq!(v["files"][0]["missing_photos"], serde_json::json!([rfa]));
    assert_eq!(photo_files(&photos_dir).len(), 3);
    assert_eq!(std::fs::read(photos_dir.join("hh-d").join(&rfd)).unwrap(), front_d);
    // Without the key: refused, nothing more stored.
    let versions = count(&db, "SELECT count(*) FROM versions");
    let enc2 = dir.path().join("sealed2.zip");
    let again = envelope::seal_bureau(later.as_bytes(), public.trim()).unwrap();
    zip_file(&enc2, "sealed2.json", &again, &[(format!("{rfd}.jwe"), seal_photo(&front_d, public.trim()))]);
    let (code, v, _) = bureau_json(&db, &["intake", enc2.to_str().unwrap()]);
    assert_eq!(code, bureau::exit::REFUSED);
    assert_eq!(v["files"][0]["code"], "no_key");
    assert_eq!(count(&db, "SELECT count(*) FROM versions"), versions);

    check_workbook(&db, dir.path(), &rfd, &rdd);
    check_report(&db, dir.path(), &front_d, &rfa);
}

/// The workbook (written into a sub-folder, so the links go up): the photo columns are
/// hyperlinks to the unpacked files, relative; the location stays text; CSV keeps the
/// reference text.
fn check_workbook(db: &Path, dir: &Path, rfd: &str, rdd: &str) {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let book = out.join("register.xlsx");
    let csv = out.join("csv");
    let (code, _, text) = bureau_json(db, &["workbook", "-o", book.to_str().unwrap(), "--csv", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    let mut wb: Xlsx<_> = open_workbook(&book).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let links = wb.hyperlinks_by_sheet_name(&sheet).unwrap();
    let targets: Vec<String> = links.iter().filter_map(|l| l.target.clone()).collect();
    for (h, r) in [("hh-d", rfd), ("hh-d", rdd)] {
        let want = format!("../photos/{h}/{r}");
        assert!(targets.contains(&want), "{want} not in {targets:?}");
        assert!(out.join(&want).is_file());
    }
    let range = wb.worksheet_range(&sheet).unwrap();
    let cells: Vec<String> = range.rows().flat_map(|r| r.iter().map(|c| if let Data::String(s) = c { s.clone() } else { String::new() })).collect();
    assert!(cells.iter().any(|c| c == rfd), "the link's text is the reference");
    assert!(cells.iter().any(|c| c == "27.8866 102.2643 1520 8.5"));
    let households = std::fs::read_to_string(csv.join("households.csv")).unwrap();
    assert!(households.contains(rdd) && households.contains("27.8866 102.2643 1520 8.5"));
}

/// The report: grade D's two photos as embedded thumbnails (decoded back: at most 160 px,
/// the photo's proportions), its location; grade A's photo not shown.
fn check_report(db: &Path, dir: &Path, front_d: &[u8], rfa: &str) {
    use base64::Engine;
    let html = dir.join("report.html");
    let (code, v, text) = bureau_json(db, &["report", "-o", html.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(v["summary"]["thumbnails"], 2, "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains(&bureau::text::html(&bureau::text::t("bureau.photos.report_head").zh)));
    assert!(page.contains("27.886600, 102.264300 (±8.5 m)"), "the location");
    assert!(!page.contains(rfa), "grade A has no thumbnail");
    let thumbs: Vec<image::DynamicImage> = page
        .split("src=\"data:image/jpeg;base64,")
        .skip(1)
        .map(|rest| {
            let b64 = &rest[..rest.find('"').unwrap()];
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).unwrap()
        })
        .collect();
    assert_eq!(thumbs.len(), 2);
    let sizes: Vec<(u32, u32)> = thumbs.iter().map(|i| (i.width(), i.height())).collect();
    // The photos are 640×480 (front) and 480×640 (damage).
    assert!(sizes.contains(&(160, 120)) && sizes.contains(&(120, 160)), "{sizes:?}");
    let original = image::load_from_memory(front_d).unwrap();
    assert_eq!((original.width(), original.height()), (640, 480));
}

/// A photo encrypted by an independent implementation (npm's `jose`, fixtures made by
/// tests/fixtures/photos/make_jwe.mjs) opens to the JPEG byte for byte; one changed
/// character of it is refused as `tampered`.
#[test]
fn a_photo_encrypted_by_jose_opens_with_the_bureaus_key() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/photos/");
    let jpeg = std::fs::read(format!("{dir}house.jpg")).unwrap();
    let jwe = std::fs::read_to_string(format!("{dir}house.jpg.jwe")).unwrap();
    let key = bureau::keys::BureauKey::load(Path::new(&format!("{FIXTURES}TEST-ONLY-private-key.pem")), TEST_PASS).unwrap();
    assert_eq!(key.open_photo(jwe.as_bytes()).unwrap(), jpeg);
    let mut v: serde_json::Value = serde_json::from_str(&jwe).unwrap();
    let mut ct = v["ciphertext"].as_str().unwrap().to_string();
    let flip = if ct.as_bytes()[5] == b'A' { "B" } else { "A" };
    ct.replace_range(5..6, flip);
    v["ciphertext"] = ct.into();
    assert_eq!(key.open_photo(v.to_string().as_bytes()).unwrap_err().code(), "tampered");
    // Not a photo envelope: an export file's envelope (cty json) is not taken for one.
    let export = std::fs::read(format!("{FIXTURES}bureau-by-jwcrypto.json")).unwrap();
    assert!(key.open_photo(&export).is_err());
}
