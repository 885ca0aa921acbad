//! Encrypted export files (JWE): vectors made by an independent implementation (PyPI
//! `jwcrypto`, see `fixtures/envelope/make_vectors.py`) open with the kit's native code;
//! every kind of bad input is refused with its own error; the shipped survey carries the
//! test key's public half.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;
use serde_json::Value;
use survey_core::envelope::{self, EnvelopeError as E, EnvelopeKind, FileKind};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/envelope/");
/// The passphrase of the TEST-ONLY private key file (public: it is in the repository).
const KEY_PASSPHRASE: &str = "test-only-not-a-secret";
const BACKUP_PASSPHRASE: &str = "backup passphrase 测试 ꆈꌠ";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap()
}

fn private_pem() -> String {
    String::from_utf8(fixture("TEST-ONLY-private-key.pem")).unwrap()
}

fn public_key() -> String {
    String::from_utf8(fixture("test-public-key.b64")).unwrap().trim().to_string()
}

/// The envelope as JSON, to change one member.
fn members(bytes: &[u8]) -> serde_json::Map<String, Value> {
    serde_json::from_slice::<Value>(bytes).unwrap().as_object().unwrap().clone()
}

fn with_member(bytes: &[u8], key: &str, value: &str) -> Vec<u8> {
    let mut m = members(bytes);
    m.insert(key.into(), Value::String(value.into()));
    serde_json::to_vec(&m).unwrap()
}

/// The envelope with its protected header changed by `f`.
fn with_header(bytes: &[u8], f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Vec<u8> {
    let m = members(bytes);
    let raw = URL_SAFE_NO_PAD.decode(m["protected"].as_str().unwrap()).unwrap();
    let mut h: serde_json::Map<String, Value> = serde_json::from_slice(&raw).unwrap();
    f(&mut h);
    with_member(bytes, "protected", &URL_SAFE_NO_PAD.encode(serde_json::to_vec(&h).unwrap()))
}

/// The envelope with one byte of a binary member flipped.
fn flipped(bytes: &[u8], key: &str, at: usize) -> Vec<u8> {
    let m = members(bytes);
    let mut raw = URL_SAFE_NO_PAD.decode(m[key].as_str().unwrap()).unwrap();
    raw[at] ^= 0x01;
    with_member(bytes, key, &URL_SAFE_NO_PAD.encode(raw))
}

fn open_bureau(bytes: &[u8]) -> Result<Vec<u8>, E> {
    envelope::open_bureau(bytes, &private_pem(), KEY_PASSPHRASE)
}

#[test]
fn a_bureau_envelope_made_by_jwcrypto_opens_with_the_test_key() {
    let plain = open_bureau(&fixture("bureau-by-jwcrypto.json")).unwrap();
    assert_eq!(plain, fixture("plain-bureau.json"));
    let text = String::from_utf8(plain).unwrap();
    assert!(text.contains("吉克阿依") && text.contains("513429197503120039"));
}

#[test]
fn backup_envelopes_made_by_jwcrypto_open_with_their_passphrase() {
    for name in ["backup-hs256-by-jwcrypto.json", "backup-hs512-by-jwcrypto.json"] {
        let plain = envelope::open_backup(&fixture(name), BACKUP_PASSPHRASE).unwrap();
        assert_eq!(plain, fixture("plain-backup.json"), "{name}");
    }
}

#[test]
fn the_header_is_readable_without_a_key_and_holds_no_personal_data() {
    let bytes = fixture("bureau-by-jwcrypto.json");
    let FileKind::Envelope(e) = envelope::classify(&bytes) else { panic!("not an envelope") };
    assert_eq!(e.kind(), EnvelopeKind::Bureau);
    assert_eq!(e.header.lsk.survey_id, "liangshan_household");
    assert_eq!(e.header.lsk.household_count, 1);
    assert_eq!(e.header.kid.as_deref(), Some(envelope::key_id(&envelope::public_key_der(&public_key()).unwrap()).as_str()));
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains("吉克阿依") && !text.contains("513429197503120039"));
    let header = String::from_utf8(URL_SAFE_NO_PAD.decode(&e.protected).unwrap()).unwrap();
    assert!(!header.contains("吉克阿依") && !header.contains("513429197503120039"));
}

#[test]
fn a_wrong_passphrase_is_refused() {
    let r = envelope::open_backup(&fixture("backup-hs256-by-jwcrypto.json"), "not the passphrase");
    assert_eq!(r, Err(E::WrongPassphrase));
}

#[test]
fn the_private_key_file_needs_its_passphrase() {
    let r = envelope::open_bureau(&fixture("bureau-by-jwcrypto.json"), &private_pem(), "wrong");
    assert_eq!(r, Err(E::BadPrivateKey));
    let r = envelope::open_bureau(&fixture("bureau-by-jwcrypto.json"), "not a key", KEY_PASSPHRASE);
    assert_eq!(r, Err(E::BadPrivateKey));
}

#[test]
fn a_new_key_pair_seals_and_opens_and_another_key_is_named_as_such() {
    let (pem, public) = envelope::generate_key_pair("bureau passphrase").unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"), "{pem}");
    // The public key is what the settings column takes; a sealed file opens with the pair.
    let plain = fixture("plain-bureau.json");
    let sealed = envelope::seal_bureau(&plain, &public).unwrap();
    assert_eq!(envelope::open_bureau(&sealed, &pem, "bureau passphrase").unwrap(), plain);
    // A file made for the test key is not for this one, and the reverse.
    let r = envelope::open_bureau(&fixture("bureau-by-jwcrypto.json"), &pem, "bureau passphrase");
    assert_eq!(r, Err(E::WrongKey));
    assert_eq!(open_bureau(&sealed), Err(E::WrongKey));
    // Without a kid, the wrong key fails the RSA-OAEP decryption: still refused.
    let no_kid = with_header(&sealed, |h| {
        h.remove("kid");
    });
    assert_eq!(open_bureau(&no_kid), Err(E::Tampered));
}

#[test]
fn a_native_backup_round_trips() {
    let plain = fixture("plain-backup.json");
    let sealed = envelope::seal_backup(&plain, "a passphrase", 1_000).unwrap();
    assert_eq!(envelope::open_backup(&sealed, "a passphrase").unwrap(), plain);
    assert_eq!(envelope::open_backup(&sealed, "A passphrase"), Err(E::WrongPassphrase));
}

#[test]
fn altered_parts_are_refused_as_tampered() {
    let bureau = fixture("bureau-by-jwcrypto.json");
    for (key, at) in [("ciphertext", 0), ("ciphertext", 100), ("tag", 15), ("iv", 3), ("encrypted_key", 7)] {
        assert_eq!(open_bureau(&flipped(&bureau, key, at)), Err(E::Tampered), "{key}[{at}]");
    }
    // A header changed after the fact (it is the AAD).
    let edited = with_header(&bureau, |h| {
        h["lsk"]["device"] = "another".into();
    });
    assert_eq!(open_bureau(&edited), Err(E::Tampered));
    let backup = fixture("backup-hs256-by-jwcrypto.json");
    assert_eq!(envelope::open_backup(&flipped(&backup, "ciphertext", 5), BACKUP_PASSPHRASE), Err(E::Tampered));
    // A changed wrapped key fails the key unwrap's integrity check, as a wrong passphrase would.
    assert_eq!(envelope::open_backup(&flipped(&backup, "encrypted_key", 5), BACKUP_PASSPHRASE), Err(E::WrongPassphrase));
}

#[test]
fn truncated_files_are_refused_as_truncated() {
    let bureau = fixture("bureau-by-jwcrypto.json");
    for cut in [20, 200, bureau.len() / 2, bureau.len() - 1] {
        assert_eq!(open_bureau(&bureau[..cut]), Err(E::Truncated), "cut at {cut}");
        assert_eq!(envelope::classify(&bureau[..cut]), FileKind::BadEnvelope(E::Truncated));
    }
    // The ciphertext cut short inside a file that is still JSON.
    let m = members(&bureau);
    let ct = m["ciphertext"].as_str().unwrap();
    let r = open_bureau(&with_member(&bureau, "ciphertext", &ct[..ct.len() / 2 / 4 * 4]));
    assert_eq!(r, Err(E::Tampered));
}

#[test]
fn a_header_that_lies_about_its_algorithm_is_refused() {
    let bureau = fixture("bureau-by-jwcrypto.json");
    for alg in ["RSA-OAEP", "RSA1_5", "none", "dir", "A256KW", "ECDH-ES"] {
        let lying = with_header(&bureau, |h| {
            h["alg"] = alg.into();
        });
        assert_eq!(open_bureau(&lying), Err(E::UnsupportedAlgorithm), "{alg}");
    }
    for enc in ["A128CBC-HS256", "A128GCM", ""] {
        let lying = with_header(&bureau, |h| {
            h["enc"] = enc.into();
        });
        assert_eq!(open_bureau(&lying), Err(E::UnsupportedAlgorithm), "{enc}");
    }
    // Says it is a backup (passphrase) when it is the bureau's: kind and algorithm disagree.
    let lying = with_header(&bureau, |h| {
        h["alg"] = "PBES2-HS256+A128KW".into();
        h.insert("p2c".into(), 1000.into());
        h.insert("p2s".into(), "AAAAAAAAAAAAAAAAAAAAAA".into());
    });
    assert_eq!(envelope::open_backup(&lying, BACKUP_PASSPHRASE), Err(E::HeaderMismatch));
    // Extensions and compression are refused, as is an unprotected header.
    let crit = with_header(&bureau, |h| {
        h.insert("crit".into(), serde_json::json!(["exp"]));
    });
    assert_eq!(open_bureau(&crit), Err(E::UnsupportedAlgorithm));
    let zip = with_header(&bureau, |h| {
        h.insert("zip".into(), "DEF".into());
    });
    assert_eq!(open_bureau(&zip), Err(E::UnsupportedAlgorithm));
    let mut m = members(&bureau);
    m.insert("header".into(), serde_json::json!({"alg": "dir"}));
    assert_eq!(open_bureau(&serde_json::to_vec(&m).unwrap()), Err(E::UnsupportedAlgorithm));
    // A cost that would keep a tablet busy for minutes.
    let backup = fixture("backup-hs256-by-jwcrypto.json");
    let costly = with_header(&backup, |h| {
        h["p2c"] = 1_000_000_000u64.into();
    });
    assert_eq!(envelope::open_backup(&costly, BACKUP_PASSPHRASE), Err(E::UnsupportedAlgorithm));
}

#[test]
fn a_header_that_lies_about_the_file_is_refused() {
    let r = open_bureau(&fixture("bureau-lying-header-by-jwcrypto.json"));
    assert_eq!(r, Err(E::HeaderMismatch));
}

#[test]
fn each_kind_of_file_is_told_apart() {
    let bureau = fixture("bureau-by-jwcrypto.json");
    let backup = fixture("backup-hs256-by-jwcrypto.json");
    assert_eq!(envelope::classify(&fixture("plain-bureau.json")), FileKind::Plain);
    assert_eq!(envelope::classify(b"not json at all"), FileKind::Plain);
    assert_eq!(envelope::classify(b"[1, 2]"), FileKind::Plain);
    assert_eq!(envelope::classify(b"{\"protected\": 1}"), FileKind::BadEnvelope(E::Malformed));
    assert_eq!(envelope::classify(b"{\"protected\": 1"), FileKind::BadEnvelope(E::Truncated));
    assert_eq!(envelope::open_backup(&bureau, BACKUP_PASSPHRASE), Err(E::ForBureau));
    assert_eq!(open_bureau(&backup), Err(E::IsBackup));
    assert_eq!(open_bureau(&fixture("plain-bureau.json")), Err(E::NotEnvelope));
    let bad_b64 = with_member(&bureau, "iv", "***");
    assert_eq!(open_bureau(&bad_b64), Err(E::Malformed));
}

#[test]
fn what_an_export_becomes_and_what_the_tablet_imports() {
    use envelope::{csv_allowed, protection, Protection as P};
    use survey_core::exchange::ExportKind::{Backup, Bureau};
    // No key: exactly as before.
    assert_eq!(protection(Bureau, false, false), P::Plain);
    assert_eq!(protection(Backup, false, false), P::Plain);
    assert!(csv_allowed(false, false));
    // A key: the bureau's file is always sealed; a backup needs a passphrase unless plain
    // text is deliberately chosen; CSV only by that choice.
    assert_eq!(protection(Bureau, true, false), P::Bureau);
    assert_eq!(protection(Bureau, true, true), P::Bureau);
    assert_eq!(protection(Backup, true, false), P::Passphrase);
    assert_eq!(protection(Backup, true, true), P::Plain);
    assert!(!csv_allowed(true, false) && csv_allowed(true, true));
    assert_eq!(envelope::for_tablet(&fixture("plain-bureau.json")), Ok(None));
    assert_eq!(envelope::for_tablet(&fixture("bureau-by-jwcrypto.json")), Err(E::ForBureau));
    assert!(matches!(envelope::for_tablet(&fixture("backup-hs256-by-jwcrypto.json")), Ok(Some(_))));
}

#[test]
fn new_passphrases_are_checked() {
    assert_eq!(envelope::check_new_passphrase("short", "short"), Err(E::PassphraseShort));
    assert_eq!(envelope::check_new_passphrase("long enough", "long enougH"), Err(E::PassphraseMismatch));
    assert_eq!(envelope::check_new_passphrase("ꆈꌠꆈꌠꆈꌠꆈꌠ", "ꆈꌠꆈꌠꆈꌠꆈꌠ"), Ok(()));
}

#[test]
fn every_error_code_is_listed_once() {
    let mut codes = E::CODES.to_vec();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), E::CODES.len());
}

#[test]
fn the_shipped_survey_carries_the_test_public_key() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../surveys/household");
    let raw = survey_core::load_survey_dir(std::path::Path::new(dir)).unwrap();
    let survey = survey_core::Survey::compile(raw).unwrap();
    assert_eq!(survey.setting("public_key"), Some(public_key().as_str()));
    assert!(envelope::public_key_der(&public_key()).is_ok());
    assert_eq!(envelope::public_key_der("not base64!"), Err(E::BadPublicKey));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Any change of any byte of an envelope is refused (or, for a change to JSON
    /// whitespace-equivalent text, opens to the same plaintext) — never a panic, never
    /// different content.
    #[test]
    fn any_changed_byte_is_refused_without_panic(at in 0usize..1699, byte in any::<u8>()) {
        let mut bytes = fixture("bureau-by-jwcrypto.json");
        let at = at % bytes.len();
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        if let Ok(plain) = open_bureau(&bytes) {
            prop_assert_eq!(plain, fixture("plain-bureau.json"));
        }
    }
}
