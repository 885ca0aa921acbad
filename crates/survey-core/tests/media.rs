//! `image` and `geopoint` questions: the `parameters` column, validation of the values,
//! the export dictionary and the photo references of a household.

mod common;
use common::*;
use sha2::{Digest, Sha256};
use survey_core::media::{photo_ref, photo_refs, GeoPoint};
use survey_core::*;

fn survey() -> Survey {
    compile(
        vec![
            row("begin_group", "housing", &[]),
            row("image", "house_front", &[("required", "yes"), ("parameters", "max-pixels=1024")]),
            row("geopoint", "house_location", &[("parameters", "capture-accuracy=5 warning-accuracy=20")]),
            row("geopoint", "plain_location", &[]),
            row("end_group", "", &[]),
            row("begin_repeat", "members", &[]),
            row("image", "photo", &[]),
            row("end_repeat", "", &[]),
        ],
        vec![],
    )
}

/// The reference of `bytes`, with SHA-256 from RustCrypto's `sha2`.
fn reference(bytes: &[u8]) -> String {
    photo_ref(&Sha256::digest(bytes).into())
}

#[test]
fn photo_reference_is_the_sha256_hex_of_the_bytes() {
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    assert_eq!(
        reference(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.jpg"
    );
}

#[test]
fn parameters_are_read_per_type() {
    let s = survey();
    let front = s.find("house_front").unwrap();
    assert_eq!(front.field_type(), Some(&FieldType::Image));
    assert_eq!(front.parameters.max_pixels(), 1024);
    let loc = s.find("house_location").unwrap();
    assert_eq!(loc.field_type(), Some(&FieldType::Geopoint));
    assert_eq!(loc.parameters.warning_accuracy, Some(20.0));
    assert_eq!(loc.parameters.capture_accuracy(), 5.0);
    let plain = s.find("plain_location").unwrap();
    assert_eq!(plain.parameters.warning_accuracy, None);
    assert_eq!(s.find("photo").unwrap().parameters.max_pixels(), 1600);
}

#[test]
fn bad_parameters_are_linted_with_their_row() {
    let p = problems(
        vec![
            row("image", "a", &[("parameters", "max-pixels=huge")]),
            row("geopoint", "b", &[("parameters", "max-pixels=100")]),
            row("text", "c", &[("parameters", "warning-accuracy=10")]),
            row("geopoint", "d", &[("parameters", "warning-accuracy")]),
            row("geopoint", "e", &[("parameters", "capture-accuracy=0")]),
        ],
        vec![],
    );
    assert_eq!(
        p,
        [
            (2, "bad_parameter"),
            (3, "unknown_parameter"),
            (4, "unknown_parameter"),
            (5, "bad_parameter"),
            (6, "bad_parameter")
        ]
    );
    let err = Survey::compile(raw(vec![row("geopoint", "b", &[("parameters", "max-pixels=100")])], vec![]))
        .unwrap_err();
    let text = err[0].to_string();
    assert!(text.contains("max-pixels") && text.contains("capture-accuracy warning-accuracy"), "{text}");
}

#[test]
fn values_are_validated() {
    let s = survey();
    let good = reference(b"jpeg bytes");
    let codes = |pairs: &[(FieldPath, &str)]| -> Vec<(String, Severity, &'static str)> {
        s.evaluate(&answers(pairs), &ctx())
            .issues()
            .iter()
            .map(|i| {
                let Message::Code(c) = &i.message else { panic!("{i:?}") };
                (i.path.to_string(), i.severity, c.as_str())
            })
            .collect()
    };
    assert_eq!(codes(&[]), [("house_front".into(), Severity::Error, "required")]);
    let ok = codes(&[
        (top("house_front"), &good),
        (top("house_location"), "27.8866 102.2643 1520 8.5"),
        (top("plain_location"), "27.8866 102.2643 0 150"),
        (member(0, "photo"), &good),
    ]);
    assert!(ok.is_empty(), "{ok:?}");
    let bad = codes(&[
        (top("house_front"), &good.to_uppercase()),
        (top("house_location"), "27.8866 102.2643 1520 35"),
        (top("plain_location"), "97 102 0 5"),
        (member(0, "photo"), "photo.jpg"),
    ]);
    assert_eq!(
        bad,
        [
            ("house_front".into(), Severity::Error, "not_photo"),
            ("house_location".into(), Severity::Warning, "inaccurate_location"),
            ("plain_location".into(), Severity::Error, "not_geopoint"),
            ("members[0].photo".into(), Severity::Error, "not_photo"),
        ]
    );
}

#[test]
fn dictionary_names_the_types_and_refs_are_listed_once() {
    let s = survey();
    let d = exchange::dictionary(&s);
    let kind = |n: &str| d.fields.iter().find(|f| f.name == n).unwrap().kind.clone();
    assert_eq!((kind("house_front"), kind("house_location")), ("image".into(), "geopoint".into()));

    let (a, b) = (reference(b"front"), reference(b"member"));
    let mut h = Household::new("h1".into(), "test", "1", "dev".into(), "2024-05-01T08:00:00Z");
    h.record.answers = answers(&[
        (top("house_front"), &a),
        (member(0, "photo"), &b),
        (member(1, "photo"), &a),
        (top("house_location"), "27.8866 102.2643 1520 8.5"),
    ]);
    let refs: Vec<String> = photo_refs(&h.record.answers).into_iter().collect();
    let mut want = vec![a, b];
    want.sort();
    assert_eq!(refs, want);
    let g = GeoPoint::parse(h.record.answers.get(&top("house_location"))).unwrap();
    assert_eq!((g.latitude, g.longitude, g.altitude, g.accuracy), (27.8866, 102.2643, 1520.0, 8.5));
}
